"""The header search over deals: the property's street and the MLS number, by word prefix
(core/search.py), within the deals the actor may see (`deal_visible_q`)."""

from __future__ import annotations

from django.db.models import F, Q, Value

from rallypoynt.core.search import OVERFETCH, Like, prefix_range, search_pattern, search_prefix
from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.models import Deal, DealSearchTerm
from rallypoynt.transactions.selectors.deals import deal_visible_q


def _deal_ids(visible: Q, prefix: str, pattern: str | None, cut: int) -> list[int]:
    low, high = prefix_range(prefix)
    terms = DealSearchTerm.objects.filter(visible, term__gte=low, term__lt=high)
    if pattern:
        terms = terms.filter(Like(F("term"), Value(pattern)))
    ids = terms.order_by("term", "deal_id").values_list("deal_id", flat=True)[:cut]
    return list(dict.fromkeys(ids))


def deal_search(*, actor: Membership, text: str, limit: int = 8) -> list[Deal]:
    """Up to `limit` visible deals whose street or MLS number has a term starting with the
    query (or, for several words, a word starting with each), best match first."""
    prefix = search_prefix(text)
    if not prefix or limit < 1:
        return []
    # One range of the term index; a scoped reader's deals are a literal id list (or, past
    # DENSE_DEALS, an EXISTS per term read), as on every deal list.
    visible = deal_visible_q(actor, "deal_id")
    ids = _deal_ids(visible, prefix, None, limit * OVERFETCH)
    pattern = search_pattern(prefix)
    if pattern and len(ids) < limit:
        more = _deal_ids(visible, prefix.split()[0], pattern, limit * OVERFETCH)
        ids = list(dict.fromkeys(ids + more))
    ids = ids[:limit]
    if not ids:
        return []
    found = {deal.pk: deal for deal in Deal.objects.filter(org_id=actor.org_id, pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]
