"""The parties on a deal (the team contact list): add, change, remove.

A party who is a member of the org (the transaction coordinator) sees the deal from then on
and is told so; any other party is only a name in the list and never logs in here."""

from __future__ import annotations

from django.db import transaction

from rallypoynt.contacts.models import Contact
from rallypoynt.contacts.selectors import contact_visible_q
from rallypoynt.contacts.services import email_normalize, phone_normalize
from rallypoynt.core.audit import audit_and_emit, audit_record
from rallypoynt.core.errors import NotFound, ValidationFailed
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.services import notification_send
from rallypoynt.transactions.choices import PartyRole
from rallypoynt.transactions.models import Deal, Party
from rallypoynt.transactions.services.deal_lock import deal_for_update
from rallypoynt.transactions.services.deals import primary_emails

# The side a role is on when the caller does not say.
ROLE_SIDE: dict[str, str] = {
    PartyRole.BUYER: "buy",
    PartyRole.BUYER_AGENT: "buy",
    PartyRole.SELLER: "sell",
    PartyRole.LISTING_AGENT: "sell",
}
DETAILS = ("name", "company", "email", "phone", "license_number", "notes")


def _member(actor: Membership, member_id: int) -> Membership:
    found = (
        Membership.objects.filter(org_id=actor.org_id, pk=member_id, is_active=True)
        .select_related("user")
        .first()
    )
    if found is None:
        raise ValidationFailed("No such member.", fields={"member_id": ["not a member here"]})
    return found


def _contact(actor: Membership, contact_id: int) -> Contact:
    found = Contact.objects.filter(contact_visible_q(actor), pk=contact_id).first()
    if found is None:
        raise ValidationFailed("No such contact.", fields={"contact_id": ["not found"]})
    return found


def _details_clean(values: dict, region: str) -> dict:
    """Trimmed details with the e-mail and phone validated; the name is required."""
    clean = {key: (values.get(key) or "").strip() for key in DETAILS}
    if not clean["name"]:
        raise ValidationFailed("The party needs a name.", fields={"name": ["required"]})
    if clean["email"]:
        clean["email"] = email_normalize(clean["email"], field="email")
    if clean["phone"]:
        clean["phone"] = phone_normalize(clean["phone"], region=region, field="phone")
    limits = {"name": 200, "company": 200, "license_number": 40}
    return {key: value[: limits.get(key, len(value))] for key, value in clean.items()}


def _source_defaults(actor: Membership, contact_id: int | None, member_id: int | None) -> dict:
    """The name and e-mail of the member or contact the party is (used where none is typed)."""
    if member_id:
        member = _member(actor, member_id)
        return {"name": str(member.user), "email": member.user.email}
    if contact_id:
        contact = _contact(actor, contact_id)
        return {
            "name": contact.full_name,
            "email": primary_emails([contact.pk]).get(contact.pk, ""),
        }
    return {}


def _role_side(role: str, side: str) -> tuple[str, str]:
    if role not in PartyRole.values:
        raise ValidationFailed("Unknown role.", fields={"role": PartyRole.values})
    side = side or ROLE_SIDE.get(role, "")
    if side not in ("", "buy", "sell"):
        raise ValidationFailed("Unknown side.", fields={"side": ["buy, sell or empty"]})
    return role, side


def _announce(actor: Membership, party: Party, deal: Deal) -> None:
    if party.member_id and party.member_id != actor.pk:
        member = party.member
        assert member is not None, "the party's member_id is set"
        notification_send(
            recipient=member,
            kind="transaction.party_added",
            title=f"You are on the deal at {deal} as {party.get_role_display()}",
            link=f"/transactions/{deal.pk}/",
        )


@transaction.atomic
def party_add(
    *,
    actor: Membership,
    deal_id: int,
    role: str,
    side: str = "",
    contact_id: int | None = None,
    member_id: int | None = None,
    **details: str,
) -> Party:
    """Put a contact, a member or a named outsider on the deal with a role."""
    deal = deal_for_update(actor, deal_id)
    role, side = _role_side(role, side)
    if contact_id and member_id:
        raise ValidationFailed(
            "A party is a contact or a member, not both.", fields={"member_id": ["drop one"]}
        )
    known = _source_defaults(actor, contact_id, member_id)
    clean = _details_clean(
        {**details, "name": details.get("name") or known.get("name")}, deal.country
    )
    # Only what was typed is checked: a member's or contact's own address is theirs already.
    clean["email"] = clean["email"] or known.get("email", "")[:254]
    party = Party.objects.create(
        org_id=actor.org_id,
        deal=deal,
        role=role,
        side=side,
        contact_id=contact_id,
        member_id=member_id,
        **clean,
    )
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="party.add",
        target=party,
        kind="transaction.party_added",
        subject=deal,
        payload={"party_id": party.pk, "role": role, "member_id": member_id},
    )
    _announce(actor, party, deal)
    return party


def _party_for_update(actor: Membership, party_id: int) -> tuple[Party, Deal]:
    found = Party.objects.filter(org_id=actor.org_id, pk=party_id).values("deal_id").first()
    if found is None:
        raise NotFound("No such party.")
    deal = deal_for_update(actor, found["deal_id"])
    return Party.objects.select_for_update().get(pk=party_id), deal


@transaction.atomic
def party_update(*, actor: Membership, party_id: int, **changes: str) -> Party:
    """Change a party's role, side or details (a member or contact stays who it is)."""
    party, deal = _party_for_update(actor, party_id)
    role, side = _role_side(changes.get("role") or party.role, changes.get("side", party.side))
    current = {key: getattr(party, key) for key in DETAILS}
    given = {key: value for key, value in changes.items() if key in DETAILS and value is not None}
    for key, value in _details_clean({**current, **given}, deal.country).items():
        setattr(party, key, value)
    party.role, party.side = role, side
    party.save()
    audit_record(org_id=actor.org_id, actor_id=actor.user_id, action="party.update", target=party)
    return party


@transaction.atomic
def party_remove(*, actor: Membership, party_id: int) -> None:
    """Take a party off the deal; a member removed no longer sees it through this party."""
    party, deal = _party_for_update(actor, party_id)
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="party.remove",
        target=party,
        changes={"name": party.name, "role": party.role},
        kind="transaction.party_removed",
        subject=deal,
        payload={"party_id": party.pk, "member_id": party.member_id},
    )
    party.delete()
