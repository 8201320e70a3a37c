"""Lead intake: every channel (API, e-mail, CSV, by hand) ends here and creates the same rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from rallypoynt.contacts.choices import Channel, LeadType
from rallypoynt.contacts.models import Contact
from rallypoynt.contacts.selectors import contacts_matching
from rallypoynt.contacts.services import (
    ContactData,
    Incoming,
    contact_create,
    contact_enrich,
    emails_normalize,
    phones_normalize,
)
from rallypoynt.core.audit import audit_and_emit
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.locks import keys_lock
from rallypoynt.core.records import records_batched
from rallypoynt.leads.models import LeadInquiry
from rallypoynt.leads.selectors.config import LeadConfig, lead_config_for
from rallypoynt.leads.services.routing import (
    contact_share,
    route_announce,
    route_decide,
    route_fill,
)
from rallypoynt.leads.services.routing_match import LeadFacts
from rallypoynt.leads.services.speed_to_lead import (
    first_response_due,
    inquiry_followups_queue,
)
from rallypoynt.orgs.models import Membership, Organization

MAX_PRICE = Decimal("999999999999.99")  # LeadInquiry.price holds 14 digits, 2 after the point
PROPERTY_KEYS = ("address", "city", "state", "postal_code", "mls_number", "price")


@dataclass
class LeadIn:
    """One lead as any channel delivers it, before normalisation."""

    source: str = ""
    lead_type: str = LeadType.BUYER
    first_name: str = ""
    last_name: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    message: str = ""
    timeframe: str = ""
    property: dict[str, Any] = field(default_factory=dict)
    language: str = ""
    channel: str = Channel.API
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class IntakeResult:
    contact: Contact
    inquiry: LeadInquiry
    is_deduplicated: bool
    # What the lead added to the existing contact it matched (and primaries it kept).
    added: list[str] = field(default_factory=list)

    @property
    def assigned_to(self) -> Membership | None:
        return self.inquiry.assigned_to

    def as_response(self) -> dict[str, Any]:
        """The API's answer: ids, assignee and whether an existing contact was reused."""
        return {
            "contact_id": self.contact.pk,
            "inquiry_id": self.inquiry.pk,
            "assigned_to": self.inquiry.assigned_to_id,
            "deduplicated": self.is_deduplicated,
            "added": self.added,
        }


def lead_clean(lead: LeadIn) -> LeadIn:
    """Normalise addresses and numbers; a lead needs some way to reach the person."""
    errors: dict[str, list[str]] = {}
    try:
        lead.emails = emails_normalize(lead.emails, field="person.emails")
    except ValidationFailed as exc:
        errors.update(exc.fields)
    try:
        lead.phones = phones_normalize(lead.phones, field="person.phones")
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if lead.lead_type not in LeadType.values:
        errors["type"] = [f"one of {', '.join(LeadType.values)}"]
    if not errors and not (lead.emails or lead.phones):
        errors["person"] = ["A lead needs an e-mail address or a phone number."]
    lead.property = {k: lead.property.get(k) for k in PROPERTY_KEYS if lead.property.get(k)}
    if errors:
        raise ValidationFailed("The lead is not valid.", fields=errors)
    return lead


def _price(lead: LeadIn) -> Decimal | None:
    value = lead.property.get("price")
    if value in (None, ""):
        return None
    problem = {"property.price": ["a price between 0 and 999,999,999,999.99"]}
    try:
        price = Decimal(str(value).replace(",", "").replace("$", ""))
    except ArithmeticError as exc:
        raise ValidationFailed("Invalid price.", fields=problem) from exc
    if not price.is_finite() or not 0 <= price <= MAX_PRICE:
        raise ValidationFailed("Invalid price.", fields=problem)
    return price.quantize(Decimal("0.01"))


def lead_intake(*, org_id: int, lead: LeadIn, actor: Membership | None = None) -> IntakeResult:
    """Attach the lead to the matching contact (or create one), record the inquiry, route it."""
    lead = lead_clean(lead)
    price = _price(lead)
    # The API's caller came with its org loaded: spare a read on the hot path.
    if actor is not None and actor.org_id == org_id:
        org = actor.org
    else:
        org = Organization.objects.get(pk=org_id)
    config = lead_config_for(org)
    with transaction.atomic(), records_batched():
        return _intake(org_id, lead, price, config, actor)


def _intake(
    org_id: int, lead: LeadIn, price: Decimal | None, config: LeadConfig, actor: Membership | None
) -> IntakeResult:
    # Two leads of one new person at once: the second waits here, then finds the first's
    # contact (there is no row to lock yet, so the lock is on the person's addresses).
    keys_lock(f"contact-identity:{org_id}", [*lead.emails, *lead.phones])
    received_at = timezone.now()
    matching = contacts_matching(org_id=org_id, emails=lead.emails, phones=lead.phones)
    contact = match = matching.select_for_update().first()
    facts = _facts(lead, price, contact)
    owner = contact.owner if contact is not None and contact.owner_id else None
    route = route_decide(facts=facts, config=config, owner=owner, now=received_at)
    # Read the clock after the rule's lock, so assignment times follow the rotation.
    now = timezone.now()
    added: list[str] = []
    if contact is None:
        contact = _contact_new(org_id, lead, route.member)
    else:
        added = contact_enrich(
            contact=contact,
            incoming=Incoming(
                first_name=lead.first_name,
                last_name=lead.last_name,
                emails=[(e, None) for e in lead.emails],
                phones=[(p, None) for p in lead.phones],
                language=lead.language[:10],
            ),
            actor_id=actor.user_id if actor else None,
            via={"channel": lead.channel},
        )
        if route.member is not None:
            route.reason += contact_share(contact, route.member)
    inquiry = LeadInquiry(
        org_id=org_id,
        contact=contact,
        channel=lead.channel,
        source=lead.source[:100],
        lead_type=lead.lead_type,
        message=lead.message,
        timeframe=lead.timeframe[:100],
        property=lead.property,
        price=price,
        language=lead.language[:10],
        received_at=received_at,
        is_deduplicated=match is not None,
        raw=lead.raw,
        first_response_due_at=first_response_due(config, received_at),
    )
    route_fill(inquiry, route, now)
    inquiry.save(force_insert=True)
    route_announce(inquiry, route, config)
    _received_record(inquiry, actor, added)
    inquiry_followups_queue(inquiry=inquiry)
    return IntakeResult(
        contact=contact, inquiry=inquiry, is_deduplicated=match is not None, added=added
    )


def _facts(lead: LeadIn, price: Decimal | None, contact: Contact | None) -> LeadFacts:
    """What routing looks at: the lead's property, else what the known contact has."""
    prop = lead.property
    known = contact or Contact()
    return LeadFacts(
        source=lead.source[:100],
        lead_type=lead.lead_type,
        postal_code=str(prop.get("postal_code") or known.postal_code or ""),
        city=str(prop.get("city") or known.city or ""),
        price=price,
        language=lead.language[:10] or known.language,
    )


def _contact_new(org_id: int, lead: LeadIn, owner: Membership | None) -> Contact:
    """A new contact for the lead, owned by whoever routing gave the lead to."""
    return contact_create(
        actor=None,
        org_id=org_id,
        owner_id=owner.pk if owner is not None else None,
        event_payload={"channel": lead.channel},
        data=ContactData(
            first_name=lead.first_name,
            last_name=lead.last_name,
            emails=lead.emails,
            phones=lead.phones,
            source=lead.source,
            language=lead.language,
        ),
    )


def _received_record(inquiry: LeadInquiry, actor: Membership | None, added: list[str]) -> None:
    actor_user = actor.user_id if actor else None
    deduplicated = inquiry.is_deduplicated
    # A matched lead says what it added to the contact, so the agent can read back the merge.
    extra = {"added": added} if deduplicated else {}
    audit_and_emit(
        org_id=inquiry.org_id,
        actor_id=actor_user,
        action="lead.receive",
        target=inquiry,
        changes={"channel": inquiry.channel, "deduplicated": deduplicated, **extra},
        kind="lead.received",
        payload={
            "contact_id": inquiry.contact_id,
            "channel": inquiry.channel,
            "source": inquiry.source,
            "type": inquiry.lead_type,
            "deduplicated": deduplicated,
            "assigned_to": inquiry.assigned_to_id,
            **extra,
        },
    )
