"""The header search over engagements: their titles and their clients' names, by word prefix
(core/search.py), within the engagements the actor may see."""

from __future__ import annotations

from rallypoynt.core.search import TermBranch, search_prefix, term_matches
from rallypoynt.journeys.models import Engagement, EngagementSearchTerm
from rallypoynt.journeys.selectors.engagements import engagement_handed_ids
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import visibility_for

TERMS = EngagementSearchTerm._meta.db_table


def engagement_term_branches(actor: Membership) -> list[TermBranch]:
    """The actor's scope in the term table, as `engagement_visible_q` draws it: the whole
    org, or one range per agent in scope plus the engagements handed to them."""
    scope = visibility_for(actor)
    if scope.is_org_wide:
        return [TermBranch("1 = 1")]
    branches = [TermBranch("t.agent_id = %s", (agent,)) for agent in sorted(scope.member_ids or ())]
    handed = engagement_handed_ids(actor)
    if handed:
        marks = ", ".join(["%s"] * len(handed))
        branches.append(TermBranch(f"t.engagement_id IN ({marks})", tuple(handed)))
    return branches


def engagement_search(*, actor: Membership, text: str, limit: int = 8) -> list[Engagement]:
    """Up to `limit` visible engagements whose title or a client's name has a word starting
    with the query, best match first, with their agent."""
    ids = term_matches(
        table=TERMS,
        column="engagement_id",
        org_id=actor.org_id,
        prefix=search_prefix(text),
        limit=limit,
        branches=engagement_term_branches(actor),
    )
    if not ids:
        return []
    # The ids come from the actor's scope only (the branches above): no second visibility test.
    rows = Engagement.objects.filter(org_id=actor.org_id, pk__in=ids).select_related("agent__user")
    found = {row.pk: row for row in rows}
    return [found[pk] for pk in ids if pk in found]
