"""Create, change and delete contacts, with their addresses, numbers, tags and consent."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from rallypoynt.contacts.choices import EmailKind, PhoneKind, Stage
from rallypoynt.contacts.models import Contact, ContactEmail, ContactPhone, ContactTag, Tag
from rallypoynt.contacts.selectors import contact_queryset
from rallypoynt.contacts.services.custom_fields import custom_values_clean
from rallypoynt.contacts.services.normalize import (
    EmailEntry,
    PhoneEntry,
    email_entries_clean,
    kind_clean,
    phone_entries_clean,
)
from rallypoynt.core.audit import audit_and_emit, model_changes, update_record
from rallypoynt.core.errors import NotFound, ValidationFailed
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import reach_for
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
ChannelRow = TypeVar("ChannelRow", ContactEmail, ContactPhone)


@dataclass
class ContactData:
    """What a person is, as typed in or received; services normalise it.

    E-mails and phones are plain strings or entries with a kind; a plain one is personal /
    mobile when new and keeps its kind when the contact already has it. Cleaning makes them
    all entries.
    """

    first_name: str = ""
    last_name: str = ""
    emails: Sequence[str | EmailEntry] = field(default_factory=list)
    phones: Sequence[str | PhoneEntry] = field(default_factory=list)
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
        data.emails = email_entries_clean(data.emails)
    elif part == "phones":
        data.phones = phone_entries_clean(data.phones, region=data.country or "US")
    elif part == "custom":
        data.custom = custom_values_clean(org_id=org_id, values=data.custom)
    else:
        for name in TEXT_FIELDS:
            setattr(data, name, (getattr(data, name) or "").strip())
        validate_lengths(Contact, {name: getattr(data, name) for name in TEXT_FIELDS})


OWNER_ACTION = "contacts.assign_owner"


def _owner(actor: Membership, owner_id: int | None) -> int | None:
    """The owner, if the actor may give them contacts: themselves, the members of the teams
    they lead, their office (office manager) or anyone (broker/owner). A member outside that
    reach is refused exactly like a missing one."""
    if owner_id is None:
        return None
    if owner_id == actor.pk:
        return owner_id
    reach = reach_for(actor, OWNER_ACTION)
    owners = Membership.objects.filter(org_id=actor.org_id, pk=owner_id, is_active=True)
    if reach is None or not owners.filter(reach.members_q()).exists():
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
        audit_and_emit(
            org_id=org_id,
            actor_id=actor_user,
            action="contact.create",
            target=contact,
            kind="contact.created",
            payload={"source": contact.source, "stage": contact.stage, **(event_payload or {})},
        )
    return contact


def contact_channels_add(
    *,
    contact: Contact,
    emails: Iterable[str | EmailEntry],
    phones: Iterable[str | PhoneEntry],
    is_new: bool = False,
) -> None:
    """Add normalised addresses and numbers the contact does not have yet.

    A plain string gets the default kind (personal / mobile) and leaves a known one as it is;
    an entry with a kind sets it, also on an address or number the contact already has.
    """
    wanted_emails = _kinds_by_value(
        ((e, None) if isinstance(e, str) else (e.address, e.kind) for e in emails),
        EmailKind,
        "emails",
    )
    wanted_phones = _kinds_by_value(
        ((p, None) if isinstance(p, str) else (p.number, p.kind) for p in phones),
        PhoneKind,
        "phones",
    )
    # A contact created in this transaction has none yet: skip two lookups on the hot path.
    have_emails: dict[str, str] = {}
    have_phones: dict[str, str] = {}
    if not is_new:
        if wanted_emails:
            have_emails = dict(contact.emails.values_list("address", "kind"))
        if wanted_phones:
            have_phones = dict(contact.phones.values_list("number", "kind"))
    if wanted_emails:
        _channels_merge(
            contact, ContactEmail, "address", EmailKind.PERSONAL, have_emails, wanted_emails
        )
    if wanted_phones:
        _channels_merge(
            contact, ContactPhone, "number", PhoneKind.MOBILE, have_phones, wanted_phones
        )


def _channels_merge(
    contact: Contact,
    model: type[ChannelRow],
    key: str,
    default_kind: str,
    have: dict[str, str],
    wanted: dict[str, str | None],
) -> None:
    """Create the wanted addresses or numbers the contact lacks (the first one primary when it
    had none), then give the ones it has the kind they were given again with."""
    model.objects.bulk_create(
        model(
            org_id=contact.org_id,
            contact=contact,
            kind=kind or default_kind,
            is_primary=not have and i == 0,
            **{key: value},
        )
        for i, (value, kind) in enumerate((v, k) for v, k in wanted.items() if v not in have)
    )
    _kinds_change(model.objects.filter(contact=contact), key, have, wanted)


def _kinds_by_value(
    pairs: Iterable[tuple[str, str | None]],
    kinds: type[EmailKind] | type[PhoneKind],
    field: str,
) -> dict[str, str | None]:
    """{value: kind or None}, first mention first; an unknown kind is refused."""
    wanted: dict[str, str | None] = {}
    for i, (value, raw_kind) in enumerate(pairs):
        kind = kind_clean(raw_kind, kinds)
        if kind == "":
            raise ValidationFailed(
                "Invalid kind.", fields={f"{field}.{i}.kind": [f"one of {', '.join(kinds.values)}"]}
            )
        wanted.setdefault(value, kind)
    return wanted


def _kinds_change(
    rows: QuerySet[ContactEmail] | QuerySet[ContactPhone],
    key: str,
    have: dict[str, str],
    wanted: dict[str, str | None],
) -> None:
    """Give rows the contact already has the kind they were given again with (one update a kind)."""
    changed: dict[str, list[str]] = {}
    for value, kind in wanted.items():
        if kind and value in have and have[value] != kind:
            changed.setdefault(kind, []).append(value)
    for kind, values in changed.items():
        rows.filter(**{f"{key}__in": values}).update(kind=kind, updated_at=timezone.now())


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
    """Change profile fields, e-mails, phones, tags, owner or custom values.

    Given e-mails or phones replace the contact's, kinds included (see `ContactData`).
    """
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
    if "owner_id" in changes and changes["owner_id"] != contact.owner_id:
        # Only a new owner is checked: an edit that keeps the owner is no assignment.
        contact.owner_id = _owner(actor, changes["owner_id"])
    contact.save()
    if "emails" in changes:
        _replace_emails(contact, data.emails)
    if "phones" in changes:
        _replace_phones(contact, data.phones)
    if "tags" in changes:
        contact_tags_set(contact=contact, names=changes["tags"] or [])
    diff = model_changes(contact, [*PROFILE_FIELDS, "owner_id", "custom"], before)
    for name, entries in (("emails", data.emails), ("phones", data.phones)):
        if name in changes:
            diff[name] = ["…", [_entry_text(e) for e in entries]]
    if "tags" in changes:
        diff["tags"] = ["…", changes["tags"]]
    update_record(
        org_id=contact.org_id,
        actor_id=actor.user_id,
        name="contact",
        target=contact,
        changes=diff,
    )
    return contact


def _entry_text(entry: str | EmailEntry | PhoneEntry) -> str:
    if isinstance(entry, str):  # not after cleaning, which makes every value an entry
        return entry
    value = entry.address if isinstance(entry, EmailEntry) else entry.number
    return f"{value} ({entry.kind})" if entry.kind else value


def _replace_emails(contact: Contact, emails: Sequence[str | EmailEntry]) -> None:
    addresses = [e if isinstance(e, str) else e.address for e in emails]
    contact.emails.exclude(address__in=addresses).delete()
    contact_channels_add(contact=contact, emails=emails, phones=[])
    if addresses and not contact.emails.filter(is_primary=True).exists():
        contact.emails.filter(address=addresses[0]).update(is_primary=True)


def _replace_phones(contact: Contact, phones: Sequence[str | PhoneEntry]) -> None:
    numbers = [p if isinstance(p, str) else p.number for p in phones]
    contact.phones.exclude(number__in=numbers).delete()
    contact_channels_add(contact=contact, emails=[], phones=phones)
    if numbers and not contact.phones.filter(is_primary=True).exists():
        contact.phones.filter(number=numbers[0]).update(is_primary=True)


@transaction.atomic
def contact_delete(*, actor: Membership, contact_id: int) -> None:
    contact = contact_for_update(actor=actor, contact_id=contact_id)
    audit_and_emit(
        org_id=contact.org_id,
        actor_id=actor.user_id,
        action="contact.delete",
        target=contact,
        changes={"name": contact.full_name},
        kind="contact.deleted",
    )
    contact.delete()
