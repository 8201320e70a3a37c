"""Reads for the home page and the header search, scoped by the actor's visibility."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from rallypoynt.contacts.choices import Stage
from rallypoynt.contacts.models import Contact
from rallypoynt.contacts.selectors import contact_queryset, contact_search
from rallypoynt.journeys.models import Engagement
from rallypoynt.journeys.selectors import engagement_search
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import Visibility, visibility_for
from rallypoynt.transactions.models import Deal
from rallypoynt.transactions.selectors import deal_search


def scope_text(scope: Visibility) -> str:
    """Say in plain words whose rows the viewer sees."""
    if scope.is_org_wide:
        return "everyone's contacts in the organization"
    parts = ["your own contacts"]
    if "office" in scope.reason:
        parts.append("your office's")
    if "led teams" in scope.reason:
        parts.append("your team's")
    return " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else parts[0]


def home_summary(*, actor: Membership) -> dict:
    """Counts of the contacts the actor can see, by stage, in one query."""
    scope = visibility_for(actor)
    # Same visibility as the contacts list: owned in scope, or shared as collaborator.
    counts = contact_queryset(actor=actor).aggregate(
        total=Count("pk"),
        **{stage: Count("pk", filter=Q(stage=stage)) for stage in Stage.values},
    )
    stages = [
        {"code": code, "label": label, "count": counts[code]} for code, label in Stage.choices
    ]
    peak = max([s["count"] for s in stages] + [1])
    for s in stages:
        s["percent"] = round(100 * s["count"] / peak)
    return {
        "scope_text": scope_text(scope),
        "total": counts["total"],
        "stages": stages,
        "scope": scope,
        "chart_height": 30 * len(stages),
    }


@dataclass(frozen=True)
class SearchResults:
    """What the header search found, each kind best match first."""

    contacts: list[Contact]
    deals: list[Deal]
    engagements: list[Engagement]

    @property
    def count(self) -> int:
        return len(self.contacts) + len(self.deals) + len(self.engagements)


def search_results(*, actor: Membership, text: str, limit: int) -> SearchResults:
    """Contacts, deals and engagements matching `text` that the actor may see, at most
    `limit` of each: each app's own search selector, so each keeps its own visibility."""
    return SearchResults(
        contacts=contact_search(actor=actor, text=text, limit=limit),
        deals=deal_search(actor=actor, text=text, limit=limit),
        engagements=engagement_search(actor=actor, text=text, limit=limit),
    )
