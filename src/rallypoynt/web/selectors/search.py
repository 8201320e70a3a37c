"""The header search: contacts, deals and engagements the actor may see, in one answer."""

from __future__ import annotations

from dataclasses import dataclass

from rallypoynt.contacts.models import Contact
from rallypoynt.contacts.selectors import contact_search
from rallypoynt.journeys.models import Engagement
from rallypoynt.journeys.selectors import engagement_search
from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.models import Deal
from rallypoynt.transactions.selectors import deal_search


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
