"""Opening a deal for an engagement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from rallypoynt.contacts.models import ContactEmail
from rallypoynt.core.audit import audit_and_emit
from rallypoynt.core.errors import NotFound, ValidationFailed
from rallypoynt.journeys.models import Engagement
from rallypoynt.journeys.selectors import engagement_clients, engagement_scope_q
from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.choices import DealKind, PartyRole
from rallypoynt.transactions.models import Deal, DealEngagement, Party


def primary_emails(contact_ids: list[int]) -> dict[int, str]:
    """Each contact's primary (else first) e-mail address, in one query."""
    found: dict[int, str] = {}
    rows = ContactEmail.objects.filter(contact_id__in=contact_ids).order_by("-is_primary", "id")
    for contact_id, address in rows.values_list("contact_id", "address"):
        found.setdefault(contact_id, address)
    return found


def parties_from_engagement(deal: Deal, engagement: Engagement) -> list[Party]:
    """The engagement's clients and agent start the deal's contact list, on its side."""
    client_role, agent_role = (
        (PartyRole.BUYER, PartyRole.BUYER_AGENT)
        if engagement.side == "buy"
        else (PartyRole.SELLER, PartyRole.LISTING_AGENT)
    )
    clients = engagement_clients(engagement)
    emails = primary_emails([contact.pk for contact in clients])
    rows = [
        Party(
            org_id=deal.org_id,
            deal=deal,
            role=client_role,
            side=engagement.side,
            contact=contact,
            name=contact.full_name or str(contact),
            email=emails.get(contact.pk, ""),
        )
        for contact in clients
    ]
    agent = engagement.agent
    rows.append(
        Party(
            org_id=deal.org_id,
            deal=deal,
            role=agent_role,
            side=engagement.side,
            member=agent,
            name=str(agent.user),
            email=agent.user.email,
        )
    )
    return Party.objects.bulk_create(rows)


@transaction.atomic
def deal_open(
    *,
    actor: Membership,
    engagement_id: int,
    kind: str,
    street: str,
    city: str = "",
    state: str = "",
    postal_code: str = "",
    list_price: Decimal | None = None,
    offer_price: Decimal | None = None,
    accepted_on: date | None = None,
    closing_on: date | None = None,
) -> Deal:
    """A deal on a property for an engagement the actor works (its side is the engagement's)."""
    engagement = (
        Engagement.objects.filter(engagement_scope_q(actor), pk=engagement_id)
        .select_related("agent__user")
        .first()
    )
    if engagement is None:
        raise NotFound("No such engagement.")
    errors: dict[str, list[str]] = {}
    if kind not in DealKind.values:
        errors["kind"] = [f"one of {', '.join(DealKind.values)}"]
    if not street.strip():
        errors["street"] = ["required"]
    if accepted_on and closing_on and closing_on < accepted_on:
        errors["closing_on"] = ["after the acceptance date"]
    if errors:
        raise ValidationFailed("The deal is not valid.", fields=errors)
    deal = Deal.objects.create(
        org_id=actor.org_id,
        kind=kind,
        street=street.strip()[:200],
        city=city.strip()[:100],
        state=state.strip().upper()[:10],
        postal_code=postal_code.strip()[:20],
        list_price=list_price,
        offer_price=offer_price,
        accepted_on=accepted_on,
        closing_on=closing_on,
    )
    DealEngagement.objects.create(
        org_id=actor.org_id, deal=deal, engagement=engagement, side=engagement.side
    )
    parties_from_engagement(deal, engagement)
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="transaction.open",
        target=deal,
        kind="transaction.opened",
        payload={"engagement_id": engagement.pk, "kind": kind},
    )
    return deal
