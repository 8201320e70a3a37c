"""What a merge of two contacts would do: field rules, the related rows, the preview page.

Pure rules shared by the merge service (which applies them) and the merge page (which shows
their defaults), so what a person sees is what the merge does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import ManyToOneRel, Model

from rallypoynt.contacts.choices import Consent
from rallypoynt.contacts.models import Contact, ContactEmail, ContactPhone, ContactTag
from rallypoynt.contacts.selectors.dedupe import street_normalize
from rallypoynt.contacts.selectors.people import contact_queryset, with_related
from rallypoynt.orgs.models import Membership

KEEP, MERGE = "keep", "merge"
MERGE_FIELDS = [
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("stage", "Stage"),
    ("source", "Source"),
    ("owner_id", "Owner"),
    ("street", "Street"),
    ("city", "City"),
    ("state", "State"),
    ("postal_code", "Postal code"),
    ("country", "Country"),
    ("birthday_on", "Birthday"),
    ("language", "Language"),
    ("background", "Background"),
]
MERGE_FIELD_NAMES = [name for name, _ in MERGE_FIELDS]
ADDRESS_FIELDS = ("street", "city", "state", "postal_code")
# Listed value by value on the merge page, so not counted again under "moves".
SHOWN_ON_MERGE_PAGE = (ContactEmail, ContactPhone, ContactTag)


@dataclass(frozen=True)
class ContactLink:
    """One foreign key, in any app, that points at Contact."""

    model: type[Model]
    field: models.ForeignKey[Any, Any]

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


def contact_links() -> list[ContactLink]:
    """Every foreign key to Contact (hidden ones too), found from the model registry."""
    links = [
        ContactLink(rel.related_model, rel.field)
        for rel in Contact._meta.get_fields(include_hidden=True)
        # ManyToOneRel (OneToOneRel too): the reverse side of a ForeignKey (OneToOneField).
        if isinstance(rel, ManyToOneRel)
        and rel.auto_created
        and not rel.concrete
        and (rel.one_to_many or rel.one_to_one)
    ]
    return sorted(links, key=lambda link: (link.label, link.field.name))


def choice_keys(keep: Contact, other: Contact) -> set[str]:
    """Names a caller may choose for: the profile fields and `custom.<key>` of either side."""
    return {*MERGE_FIELD_NAMES, *(f"custom.{k}" for k in {*keep.custom, *other.custom})}


def _blank(value: Any) -> bool:
    return value is None or value == ""


def default_choice(name: str, keep: Contact, other: Contact) -> str:
    """What a merge takes for `name` when the caller does not choose: keep, merge or both."""
    if name.startswith("custom."):
        key = name.removeprefix("custom.")
        return MERGE if _blank(keep.custom.get(key)) and key in other.custom else KEEP
    mine, theirs = getattr(keep, name), getattr(other, name)
    if name in ADDRESS_FIELDS and not _same_address(keep, other):
        # An address moves whole: the city of one with the street of another is no place.
        return MERGE if _blank(keep.street) else KEEP
    if name == "background" and not _blank(mine) and not _blank(theirs) and mine != theirs:
        return "both"
    return MERGE if _blank(mine) and not _blank(theirs) else KEEP


def _same_address(keep: Contact, other: Contact) -> bool:
    return street_normalize(keep.street) == street_normalize(other.street)


def merged_values(keep: Contact, other: Contact, choices: dict[str, str]) -> dict[str, Any]:
    """The kept contact's values after merging `other` into it (choices: name -> keep/merge)."""
    values: dict[str, Any] = {}
    for name in MERGE_FIELD_NAMES:
        choice = choices.get(name) or default_choice(name, keep, other)
        mine, theirs = getattr(keep, name), getattr(other, name)
        values[name] = (
            theirs if choice == MERGE else f"{mine}\n\n{theirs}" if choice == "both" else mine
        )
    custom = dict(keep.custom)
    for key in {*keep.custom, *other.custom}:
        name = f"custom.{key}"
        if (choices.get(name) or default_choice(name, keep, other)) != MERGE:
            continue
        if key in other.custom:
            custom[key] = other.custom[key]
        else:
            custom.pop(key, None)
    values["custom"] = custom
    values.update(consent_merged(keep, other))
    return values


def consent_merged(keep: Contact, other: Contact) -> dict[str, Any]:
    """Consent is never a choice: an opt-out or do-not-contact on either record wins."""
    values: dict[str, Any] = {
        "is_do_not_contact": keep.is_do_not_contact or other.is_do_not_contact
    }
    for name in ("email_consent", "sms_consent"):
        pair = {getattr(keep, name), getattr(other, name)}
        values[name] = (
            Consent.OPTED_OUT
            if Consent.OPTED_OUT in pair
            else Consent.OPTED_IN
            if Consent.OPTED_IN in pair
            else Consent.UNKNOWN
        )
    stamps = [t for t in (keep.consent_updated_at, other.consent_updated_at) if t]
    values["consent_updated_at"] = max(stamps) if stamps else None
    return values


@dataclass
class FieldRow:
    """One field of the merge page: both values and what a merge takes by default."""

    name: str
    label: str
    keep_value: str
    other_value: str
    default: str

    @property
    def is_different(self) -> bool:
        return self.keep_value != self.other_value


@dataclass
class MergePreview:
    keep: Contact
    other: Contact
    rows: list[FieldRow]
    moves: list[tuple[str, int]]

    @property
    def differing(self) -> list[FieldRow]:
        return [row for row in self.rows if row.is_different]


def merge_preview(*, actor: Membership, keep_id: int, other_id: int) -> MergePreview | None:
    """Both contacts side by side, with default choices and the rows that would move."""
    if keep_id == other_id:
        return None
    found = with_related(contact_queryset(actor=actor).filter(pk__in=[keep_id, other_id]))
    contacts = found.in_bulk()
    if len(contacts) != 2:
        return None
    keep, other = contacts[keep_id], contacts[other_id]
    rows = [
        FieldRow(name, label, _shown(keep, name), _shown(other, name), "")
        for name, label in MERGE_FIELDS
    ]
    rows += [
        FieldRow(
            f"custom.{key}", key, _text(keep.custom.get(key)), _text(other.custom.get(key)), ""
        )
        for key in sorted({*keep.custom, *other.custom})
    ]
    for row in rows:
        row.default = default_choice(row.name, keep, other)
    return MergePreview(keep, other, rows, _moves(other))


def _shown(contact: Contact, name: str) -> str:
    if name == "owner_id":
        return (
            contact.owner.user.get_full_name() or contact.owner.user.email if contact.owner else ""
        )
    if name == "stage":
        return contact.get_stage_display()
    return _text(getattr(contact, name))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _moves(contact: Contact) -> list[tuple[str, int]]:
    """(rows' name, count) for every other kind of row that refers to the contact."""
    counts: dict[type[Model], int] = defaultdict(int)
    for link in contact_links():
        if link.model in SHOWN_ON_MERGE_PAGE:
            continue
        n = link.model._base_manager.filter(**{link.field.name: contact}).count()
        counts[link.model] += n
    shown = [
        (str(m._meta.verbose_name if n == 1 else m._meta.verbose_name_plural), n)
        for m, n in counts.items()
        if n
    ]
    return sorted(shown)
