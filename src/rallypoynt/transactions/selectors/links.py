"""What serves what: the engagements a deal serves and the deals serving an engagement, each
with where it stands (phase, stage, status) in words an agent uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rallypoynt.contacts.models import Contact
from rallypoynt.journeys.models import Engagement, EngagementContact
from rallypoynt.journeys.selectors import VERSION_DATA, engagement_get, version_blueprint
from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.models import Deal, DealEngagement, Party
from rallypoynt.transactions.selectors.deals import deal_visible_q


@dataclass(frozen=True)
class ServedEngagement:
    id: int
    title: str
    side: str
    status: str
    phase_key: str
    phase_name: str
    stage_key: str
    stage_name: str
    won_price: Decimal | None


@dataclass(frozen=True)
class ServingDeal:
    id: int
    property: str
    kind: str
    status: str
    status_label: str
    side: str
    accepted_on: date | None
    closing_on: date | None
    closed_on: date | None
    final_price: Decimal | None
    is_visible: bool


def engagement_where(engagement: Engagement) -> ServedEngagement:
    """An engagement's phase and stage by name, from the template versions it runs on."""
    phase = version_blueprint(engagement.journey).phase(engagement.phase_key)
    stage = version_blueprint(engagement.pipeline).stage(engagement.stage_key)
    return ServedEngagement(
        id=engagement.pk,
        title=engagement.title,
        side=engagement.side,
        status=engagement.status,
        phase_key=engagement.phase_key,
        phase_name=phase.name if phase else engagement.phase_key,
        stage_key=engagement.stage_key,
        stage_name=stage.name if stage else engagement.stage_key,
        won_price=engagement.won_price,
    )


def deal_engagements(*, deal: Deal) -> list[ServedEngagement]:
    """The engagements a deal the caller may read serves (its team sees where each stands)."""
    rows = (
        Engagement.objects.filter(org_id=deal.org_id, deal_sides__deal=deal)
        .select_related("journey", "pipeline")
        .defer(*VERSION_DATA)
        .order_by("pk")
    )
    return [engagement_where(row) for row in rows]


def engagement_deals(*, actor: Membership, engagement_id: int) -> list[ServingDeal] | None:
    """The deals serving an engagement the actor may see (None: no such engagement for them);
    a deal they cannot open is listed without being theirs to open."""
    engagement = engagement_get(actor=actor, engagement_id=engagement_id)
    if engagement is None:
        return None
    links = (
        DealEngagement.objects.filter(org_id=actor.org_id, engagement=engagement)
        .select_related("deal")
        .order_by("-deal_id")
    )
    deals = [link.deal for link in links]
    visible = set(
        Deal.objects.filter(deal_visible_q(actor), pk__in=[d.pk for d in deals]).values_list(
            "pk", flat=True
        )
    )
    return [
        ServingDeal(
            id=deal.pk,
            property=str(deal),
            kind=deal.kind,
            status=deal.status,
            status_label=deal.get_status_display(),
            side=link.side,
            accepted_on=deal.accepted_on,
            closing_on=deal.closing_on,
            closed_on=deal.closed_on,
            final_price=deal.final_price,
            is_visible=deal.pk in visible,
        )
        for link, deal in zip(links, deals, strict=True)
    ]


def engagement_deals_panel(engagement: Engagement, actor: Membership) -> dict | None:
    """The engagement page's Deals panel (hidden when no deal serves it)."""
    deals = engagement_deals(actor=actor, engagement_id=engagement.pk)
    return {"deals": deals} if deals else None


# A contact page lists this many of the person's deals, newest first.
CONTACT_DEALS = 50


@dataclass(frozen=True)
class ClientDeal:
    """A deal of a person's, as their contact page lists it."""

    id: int
    property: str
    kind_label: str
    status: str
    status_label: str
    closing_on: date | None
    closed_on: date | None
    final_price: Decimal | None


def contact_deals(*, actor: Membership, contact_id: int) -> list[ClientDeal]:
    """The deals the actor may see that serve one of the contact's engagements or name the
    contact as a party, newest first (a deal the actor may not see is not listed)."""
    org = actor.org_id
    engagements = EngagementContact.objects.filter(org_id=org, contact_id=contact_id)
    served = DealEngagement.objects.filter(
        org_id=org, engagement_id__in=engagements.values("engagement_id")
    )
    ids = set(served.values_list("deal_id", flat=True))
    parties = Party.objects.filter(org_id=org, contact_id=contact_id)
    ids |= set(parties.values_list("deal_id", flat=True))
    if not ids:
        return []
    rows = Deal.objects.filter(deal_visible_q(actor), pk__in=sorted(ids)).order_by("-id")
    return [
        ClientDeal(
            id=deal.pk,
            property=str(deal),
            kind_label=deal.get_kind_display(),
            status=deal.status,
            status_label=deal.get_status_display(),
            closing_on=deal.closing_on,
            closed_on=deal.closed_on,
            final_price=deal.final_price,
        )
        for deal in rows[:CONTACT_DEALS]
    ]


def contact_deals_panel(contact: Contact, actor: Membership) -> dict | None:
    """The contact page's Deals panel (hidden when the person has no deal the actor sees)."""
    deals = contact_deals(actor=actor, contact_id=contact.pk)
    return {"deals": deals} if deals else None
