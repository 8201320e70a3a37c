"""Create, change and delete contacts, with their addresses, numbers, tags and consent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from rallypoynt.contacts.choices import Consent, EmailKind, PhoneKind, Stage
from rallypoynt.contacts.models import Contact, ContactEmail, ContactPhone, ContactTag, Tag
from rallypoynt.contacts.selectors import contact_queryset
from rallypoynt.contacts.services.custom_fields import custom_values_clean
from rallypoynt.contacts.services.normalize import emails_normalize, phones_normalize
from rallypoynt.core.audit import audit_record, model_changes
from rallypoynt.core.errors import NotFound, ValidationFailed
from rallypoynt.core.events import event_emit
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.services import validate_lengths

PROFILE_FIELDS = [
    "first_name",
    "last_name",
    "stage",
    "source",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
    "birthday_on",
    "language",
    "background",
]
TEXT_FIELDS = [f for f in PROFILE_FIELDS if f not in {"stage", "birthday_on"}]


@dataclass
class ContactData:
    """What a person is, as typed in or received; services normalise it."""

    first_name: str = ""
    last_name: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    stage: str = Stage.LEAD
    source: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = "US"
    birthday_on: date | None = None
    language: str = ""
    background: str = ""
    tags: list[str] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)


def contact_data_clean(*, org_id: int, data: ContactData) -> ContactData:
    """Validate and normalise; raise ValidationFailed listing every bad field."""
    errors: dict[str, list[str]] = {}
    for name in ("emails", "phones", "custom", "lengths"):
        try:
            _clean_part(org_id, data, name)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if data.stage not in Stage.values:
        errors["stage"] = [f"one of {', '.join(Stage.values)}"]
    if not (data.first_name.strip() or data.last_name.strip() or data.emails or data.phones):
        errors["__all__"] = ["A contact needs a name, an e-mail address or a phone number."]
    if errors:
        raise ValidationFailed("The contact is not valid.", fields=errors)
    return data


def _clean_part(org_id: int, data: ContactData, part: str) -> None:
    if part == "emails":
        data.emails = emails_normalize(data.emails)
    elif part == "phones":
        data.phones = phones_normalize(data.phones, region=data.country or "US")
    elif part == "custom":
        data.custom = custom_values_clean(org_id=org_id, values=data.custom)
    else:
        for name in TEXT_FIELDS:
            setattr(data, name, (getattr(data, name) or "").strip())
        validate_lengths(Contact, {name: getattr(data, name) for name in TEXT_FIELDS})


def _owner(actor: Membership, owner_id: int | None) -> int | None:
    if owner_id is None:
        return None
    if not Membership.objects.filter(org_id=actor.org_id, pk=owner_id, is_active=True).exists():
        raise ValidationFailed("No such member.", fields={"owner_id": ["not an active member"]})
    return owner_id


def contact_create(
    *,
    actor: Membership | None,
    org_id: int,
    data: ContactData,
    owner_id: int | None = None,
    event_payload: dict | None = None,
) -> Contact:
    """Create a contact with its e-mails, phones and tags (actor None: system intake)."""
    data = contact_data_clean(org_id=org_id, data=data)
    if actor is not None:
        owner_id = _owner(actor, owner_id)
    # Validation is done: what follows only writes, so when nested (lead intake's hot path)
    # it needs no savepoint of its own.
    with transaction.atomic(savepoint=False):
        contact = Contact.objects.create(
            org_id=org_id,
            owner_id=owner_id,
            custom=data.custom,
            **{name: getattr(data, name) for name in PROFILE_FIELDS},
        )
        contact_channels_add(contact=contact, emails=data.emails, phones=data.phones, is_new=True)
        if data.tags:
            contact_tags_set(contact=contact, names=data.tags)
        actor_user = actor.user_id if actor else None
        audit_record(org_id=org_id, actor_id=actor_user, action="contact.create", target=contact)
        event_emit(
            org_id=org_id,
            kind="contact.created",
            subject=contact,
            actor_id=actor_user,
            payload={"source": contact.source, "stage": contact.stage, **(event_payload or {})},
        )
    return contact


def contact_channels_add(
    *, contact: Contact, emails: list[str], phones: list[str], is_new: bool = False
) -> None:
    """Add normalised addresses and numbers the contact does not have yet."""
    # A contact created in this transaction has none yet: skip two lookups on the hot path.
    have_emails: set[str] = set()
    have_phones: set[str] = set()
    if not is_new:
        have_emails = set(contact.emails.values_list("address", flat=True))
        have_phones = set(contact.phones.values_list("number", flat=True))
    has_primary_email, has_primary_phone = bool(have_emails), bool(have_phones)
    ContactEmail.objects.bulk_create(
        ContactEmail(
            org_id=contact.org_id,
            contact=contact,
            address=a,
            kind=EmailKind.PERSONAL,
            is_primary=not has_primary_email and i == 0,
        )
        for i, a in enumerate(a for a in emails if a not in have_emails)
    )
    ContactPhone.objects.bulk_create(
        ContactPhone(
            org_id=contact.org_id,
            contact=contact,
            number=n,
            kind=PhoneKind.MOBILE,
            is_primary=not has_primary_phone and i == 0,
        )
        for i, n in enumerate(n for n in phones if n not in have_phones)
    )


def contact_tags_set(*, contact: Contact, names: list[str]) -> list[str]:
    """Make the contact's tags exactly `names` (tags are created in the org as needed)."""
    wanted = {n.strip()[:60]: None for n in names if n and n.strip()}
    tags = {t.name.lower(): t for t in Tag.objects.filter(org_id=contact.org_id)}
    for name in wanted:
        if name.lower() not in tags:
            tags[name.lower()] = Tag.objects.create(org_id=contact.org_id, name=name)
    keep = {tags[n.lower()].pk for n in wanted}
    ContactTag.objects.filter(contact=contact).exclude(tag_id__in=keep).delete()
    have = set(ContactTag.objects.filter(contact=contact).values_list("tag_id", flat=True))
    ContactTag.objects.bulk_create(
        ContactTag(org_id=contact.org_id, contact=contact, tag_id=t) for t in keep - have
    )
    return sorted(wanted)


def contact_for_update(*, actor: Membership, contact_id: int) -> Contact:
    """The visible contact, locked for a write, or NotFound."""
    contact = contact_queryset(actor=actor).select_for_update().filter(pk=contact_id).first()
    if contact is None:
        raise NotFound("No such contact.")
    return contact


@transaction.atomic
def contact_update(*, actor: Membership, contact_id: int, changes: dict[str, Any]) -> Contact:
    """Change profile fields, e-mails, phones, tags, owner or custom values."""
    contact = contact_for_update(actor=actor, contact_id=contact_id)
    before = {f: getattr(contact, f) for f in [*PROFILE_FIELDS, "owner_id", "custom"]}
    data = ContactData(
        **{f: getattr(contact, f) for f in PROFILE_FIELDS},
        custom={**contact.custom, **changes.get("custom", {})},
    )
    data.emails = (
        (changes["emails"] or [])
        if "emails" in changes
        else list(contact.emails.values_list("address", flat=True))
    )
    data.phones = (
        (changes["phones"] or [])
        if "phones" in changes
        else list(contact.phones.values_list("number", flat=True))
    )
    unknown = set(changes) - {*PROFILE_FIELDS, "emails", "phones", "tags", "owner_id", "custom"}
    if unknown:
        raise ValidationFailed("Unknown fields.", fields={k: ["unknown field"] for k in unknown})
    for name in PROFILE_FIELDS:
        if name in changes:
            setattr(data, name, changes[name] if changes[name] is not None else "")
    if data.birthday_on == "":
        data.birthday_on = None
    data = contact_data_clean(org_id=contact.org_id, data=data)
    for name in PROFILE_FIELDS:
        setattr(contact, name, getattr(data, name))
    contact.custom = data.custom
    if "owner_id" in changes:
        contact.owner_id = _owner(actor, changes["owner_id"])
    contact.save()
    if "emails" in changes:
        _replace_emails(contact, data.emails)
    if "phones" in changes:
        _replace_phones(contact, data.phones)
    if "tags" in changes:
        contact_tags_set(contact=contact, names=changes["tags"] or [])
    diff = model_changes(contact, [*PROFILE_FIELDS, "owner_id", "custom"], before)
    diff.update({k: ["…", changes[k]] for k in ("emails", "phones", "tags") if k in changes})
    audit_record(
        org_id=contact.org_id,
        actor_id=actor.user_id,
        action="contact.update",
        target=contact,
        changes=diff,
    )
    event_emit(
        org_id=contact.org_id,
        kind="contact.updated",
        subject=contact,
        actor_id=actor.user_id,
        payload={"fields": sorted(diff)},
    )
    return contact


def _replace_emails(contact: Contact, emails: list[str]) -> None:
    contact.emails.exclude(address__in=emails).delete()
    contact_channels_add(contact=contact, emails=emails, phones=[])
    if emails and not contact.emails.filter(is_primary=True).exists():
        contact.emails.filter(address=emails[0]).update(is_primary=True)


def _replace_phones(contact: Contact, phones: list[str]) -> None:
    contact.phones.exclude(number__in=phones).delete()
    contact_channels_add(contact=contact, emails=[], phones=phones)
    if phones and not contact.phones.filter(is_primary=True).exists():
        contact.phones.filter(number=phones[0]).update(is_primary=True)


@transaction.atomic
def contact_consent_set(
    *,
    actor: Membership | None,
    contact: Contact,
    email: str | None = None,
    sms: str | None = None,
    do_not_contact: bool | None = None,
) -> Contact:
    """Record the person's e-mail/SMS opt-in or opt-out and do-not-contact wish."""
    before = {f: getattr(contact, f) for f in ("email_consent", "sms_consent", "is_do_not_contact")}
    for name, value in (("email_consent", email), ("sms_consent", sms)):
        if value is not None:
            if value not in Consent.values:
                raise ValidationFailed(
                    "Invalid consent.", fields={name: [f"one of {', '.join(Consent.values)}"]}
                )
            setattr(contact, name, value)
    if do_not_contact is not None:
        contact.is_do_not_contact = do_not_contact
    contact.consent_updated_at = timezone.now()
    contact.save()
    diff = model_changes(contact, list(before), before)
    actor_user = actor.user_id if actor else None
    audit_record(
        org_id=contact.org_id,
        actor_id=actor_user,
        action="contact.consent",
        target=contact,
        changes=diff,
    )
    event_emit(
        org_id=contact.org_id,
        kind="contact.consent_changed",
        subject=contact,
        actor_id=actor_user,
        payload={k: v[1] for k, v in diff.items()},
    )
    return contact


@transaction.atomic
def contact_delete(*, actor: Membership, contact_id: int) -> None:
    contact = contact_for_update(actor=actor, contact_id=contact_id)
    audit_record(
        org_id=contact.org_id,
        actor_id=actor.user_id,
        action="contact.delete",
        target=contact,
        changes={"name": contact.full_name},
    )
    event_emit(
        org_id=contact.org_id, kind="contact.deleted", subject=contact, actor_id=actor.user_id
    )
    contact.delete()
