"""Enrich a known contact with what a repeated row or lead brings: add, never overwrite.

Every path that matches an existing contact (CSV and vCard rows, API and e-mail leads) plans
with `enrich_plan` (pure: what is new, what primary stays) and writes with `enrich_write`
(set-based, idempotent under concurrency), so what a merge keeps cannot drift between paths.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import phonenumbers
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from rallypoynt.contacts.choices import EmailKind, PhoneKind
from rallypoynt.contacts.models import Contact, ContactEmail, ContactPhone, ContactTag, Tag
from rallypoynt.core.audit import audit_and_emit
from rallypoynt.core.records import records_batched
from rallypoynt.orgs.services import validate_lengths

NAME_FIELDS = ("first_name", "last_name")
ADDRESS_FIELDS = ("street", "city", "state", "postal_code", "country")
# The parts that say where someone lives; a country alone (every contact has one) is no address.
ADDRESS_PLACE = ("street", "city", "state", "postal_code")
FILL_FIELDS = ("birthday_on", "language")
TAG_MAX = 60
ID_CHUNK = 2000  # keeps `IN (...)` lists far below SQLite's parameter limit


@dataclass(slots=True)
class Incoming:
    """What a row or lead says about a person, already normalised (first value = its primary)."""

    first_name: str = ""
    last_name: str = ""
    emails: list[tuple[str, str | None]] = field(default_factory=list)
    phones: list[tuple[str, str | None]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    address: dict[str, str] = field(default_factory=dict)
    birthday_on: date | None = None
    language: str = ""
    background: str = ""


@dataclass(slots=True)
class Known:
    """What a contact has now: enough to decide what is new. Kept current across a batch."""

    contact_id: int | None
    first_name: str = ""
    last_name: str = ""
    emails: dict[str, bool] = field(default_factory=dict)  # address -> is_primary
    phones: dict[str, bool] = field(default_factory=dict)  # number -> is_primary
    tags: dict[str, str] = field(default_factory=dict)  # lower-cased -> as written
    address: dict[str, str] = field(default_factory=dict)
    birthday_on: date | None = None
    language: str = ""
    background: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class EnrichPlan:
    """The additions to one contact and what was kept; `added`/`kept` are the report's words."""

    contact_id: int | None
    fills: dict[str, Any] = field(default_factory=dict)  # profile fields: new value
    before: dict[str, Any] = field(default_factory=dict)  # their value when planned
    emails: list[tuple[str, str, bool]] = field(default_factory=list)
    phones: list[tuple[str, str, bool]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    @property
    def has_writes(self) -> bool:
        return bool(self.fills or self.emails or self.phones or self.tags)

    def lines(self, *, dry_run: bool = False) -> list[str]:
        """One sentence per addition or kept value, e.g. "added phone +1 303-555-0199"."""
        verb = "would add" if dry_run else "added"
        kept = [f"would keep{k.removeprefix('kept')}" for k in self.kept] if dry_run else self.kept
        return [f"{verb} {a}" for a in self.added] + kept

    def summary(self, *, dry_run: bool = False) -> str:
        """'added phone +1 303-555-0199, tag 'open house'; kept the existing primary …'."""
        parts = []
        if self.added:
            parts.append(f"{'would add' if dry_run else 'added'} {', '.join(self.added)}")
        parts += self.lines(dry_run=dry_run)[len(self.added) :]
        return "; ".join(parts) or "nothing new"


def phone_display(number: str) -> str:
    """+13035550199 -> '+1 303-555-0199' (as people read it in a report)."""
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _address_text(address: dict[str, str]) -> str:
    place = " ".join(p for p in (address.get("state", ""), address.get("postal_code", "")) if p)
    return ", ".join(p for p in (address.get("street", ""), address.get("city", ""), place) if p)


def enrich_plan(known: Known, incoming: Incoming) -> EnrichPlan:
    """What `incoming` adds to `known` (pure): blanks filled, new values added as non-primary."""
    plan = EnrichPlan(contact_id=known.contact_id)
    _plan_names(plan, known, incoming)
    _plan_channel(plan, plan.emails, "e-mail", known.emails, incoming.emails, EmailKind.PERSONAL)
    _plan_channel(plan, plan.phones, "phone", known.phones, incoming.phones, PhoneKind.MOBILE)
    planned_tags = set(known.tags)
    for name in incoming.tags:
        name = name.strip()[:TAG_MAX]
        if name and name.lower() not in planned_tags:
            planned_tags.add(name.lower())
            plan.tags.append(name)
            plan.added.append(f"tag '{name}'")
    _plan_address(plan, known, incoming)
    _plan_profile(plan, known, incoming)
    return plan


def _plan_names(plan: EnrichPlan, known: Known, incoming: Incoming) -> None:
    for name in NAME_FIELDS:
        value = (getattr(incoming, name) or "").strip()
        if value and not getattr(known, name):
            plan.fills[name], plan.before[name] = value, ""
            plan.added.append(f"{name.replace('_', ' ')} '{value}'")
    offered = f"{incoming.first_name or ''} {incoming.last_name or ''}".strip()
    kept_parts = [n for n in NAME_FIELDS if getattr(known, n) and getattr(incoming, n)]
    if any(not _same(getattr(known, n), getattr(incoming, n)) for n in kept_parts):
        plan.kept.append(f"kept the existing name {known.full_name} (this one says {offered})")


def _plan_channel(
    plan: EnrichPlan,
    rows: list[tuple[str, str, bool]],
    word: str,
    have: dict[str, bool],
    offered: list[tuple[str, str | None]],
    default_kind: str,
) -> None:
    """New addresses or numbers; the first becomes primary only when the contact has none."""
    show = phone_display if word == "phone" else str
    planned = {value for value, _, _ in rows}
    for value, kind in offered:
        if value in have or value in planned:
            continue
        is_primary = not have and not rows
        rows.append((value, kind or default_kind, is_primary))
        planned.add(value)
        plan.added.append(f"{word} {show(value)}" + (" (primary)" if is_primary else ""))
    primary = next((value for value, is_primary in have.items() if is_primary), None)
    if offered and primary is not None and offered[0][0] != primary:
        plan.kept.append(f"kept the existing primary {word} {show(primary)}")


def _plan_address(plan: EnrichPlan, known: Known, incoming: Incoming) -> None:
    offered = {k: (incoming.address.get(k) or "").strip() for k in ADDRESS_FIELDS}
    if not any(offered[k] for k in ADDRESS_PLACE):
        return
    has = {k: known.address.get(k) or "" for k in ADDRESS_FIELDS}
    if not any(has[k] for k in ADDRESS_PLACE):
        fills = {k: v for k, v in offered.items() if v and v != has[k]}
        plan.fills.update(fills)
        plan.before.update({k: has[k] for k in fills})
        plan.added.append(f"address {_address_text(offered)}")
        return
    # A known address is the primary one: a conflicting one is reported, never written over it.
    if any(offered[k] and has[k] and not _same(offered[k], has[k]) for k in ADDRESS_FIELDS):
        plan.kept.append(
            f"kept the existing primary address {_address_text(has)}"
            f" (this one brought {_address_text(offered)})"
        )
        return
    for k in ADDRESS_PLACE:
        if offered[k] and not has[k]:
            plan.fills[k], plan.before[k] = offered[k], ""
            plan.added.append(f"{k.replace('_', ' ')} {offered[k]}")


def _plan_profile(plan: EnrichPlan, known: Known, incoming: Incoming) -> None:
    if incoming.birthday_on and not known.birthday_on:
        plan.fills["birthday_on"], plan.before["birthday_on"] = incoming.birthday_on, None
        plan.added.append(f"birthday {incoming.birthday_on.isoformat()}")
    language = (incoming.language or "").strip()
    if language and not known.language:
        plan.fills["language"], plan.before["language"] = language, ""
        plan.added.append(f"language {language}")
    notes = (incoming.background or "").strip()
    if notes and notes not in known.background:
        # Notes are appended, not replaced: both texts are something someone wrote down.
        plan.fills["background"] = f"{known.background}\n\n{notes}" if known.background else notes
        plan.before["background"] = known.background
        plan.added.append("notes")


def known_apply(known: Known, plan: EnrichPlan) -> None:
    """Bring the snapshot up to date with a plan, so the next row of a batch sees it."""
    for name, value in plan.fills.items():
        if name in ADDRESS_FIELDS:
            known.address[name] = value
        else:
            setattr(known, name, value)
    for value, _, is_primary in plan.emails:
        known.emails[value] = is_primary
    for value, _, is_primary in plan.phones:
        known.phones[value] = is_primary
    for name in plan.tags:
        known.tags[name.lower()] = name


def known_of_contact(contact: Contact) -> Known:
    """An empty-channel snapshot of a loaded contact (channels and tags are added by the caller)."""
    return Known(
        contact_id=contact.pk,
        first_name=contact.first_name,
        last_name=contact.last_name,
        address={k: getattr(contact, k) or "" for k in ADDRESS_FIELDS},
        birthday_on=contact.birthday_on,
        language=contact.language,
        background=contact.background,
    )


def contacts_known(
    *, org_id: int, contact_ids: Iterable[int], lock: bool = False
) -> dict[int, Known]:
    """Snapshots of the org's contacts, in a few set-based reads (locked in id order if asked)."""
    ids = sorted(set(contact_ids))
    found: dict[int, Known] = {}
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        contacts = Contact.objects.filter(org_id=org_id, pk__in=chunk).order_by("pk")
        if lock:
            # Id order, like merges, so two imports touching the same people cannot deadlock.
            contacts = contacts.select_for_update()
        columns = ("pk", *NAME_FIELDS, *ADDRESS_FIELDS, *FILL_FIELDS, "background")
        for contact in contacts.only(*columns):
            found[contact.pk] = known_of_contact(contact)
        _channels_load(found, chunk)
    return found


def _channels_load(found: dict[int, Known], ids: list[int], *, tags: bool = True) -> None:
    emails = ContactEmail.objects.filter(contact_id__in=ids).order_by("-is_primary", "pk")
    columns = ("contact_id", "address", "is_primary")
    for contact_id, address, is_primary in emails.values_list(*columns):
        if contact_id in found:
            found[contact_id].emails[address] = is_primary
    phones = ContactPhone.objects.filter(contact_id__in=ids).order_by("-is_primary", "pk")
    for contact_id, number, is_primary in phones.values_list("contact_id", "number", "is_primary"):
        if contact_id in found:
            found[contact_id].phones[number] = is_primary
    if not tags:
        return
    links = ContactTag.objects.filter(contact_id__in=ids).values_list("contact_id", "tag__name")
    for contact_id, name in links:
        if contact_id in found:
            found[contact_id].tags[name.lower()] = name


def enrich_write(
    *,
    org_id: int,
    plans: list[EnrichPlan],
    actor_id: int | None = None,
    via: dict[str, Any] | None = None,
) -> None:
    """Write the plans set-based; a value someone added meanwhile is skipped, never doubled.

    Inserts use ON CONFLICT DO NOTHING against the unique constraints, and profile fills are
    conditional on the value the plan saw, so a concurrent edit is never written over.
    """
    # (contact id, plan) of the plans that write to a stored contact.
    writes = [(p.contact_id, p) for p in plans if p.has_writes and p.contact_id is not None]
    if not writes:
        return
    now = timezone.now()
    with transaction.atomic(), records_batched():
        ContactEmail.objects.bulk_create(
            [
                ContactEmail(org_id=org_id, contact_id=pk, address=a, kind=k, is_primary=primary)
                for pk, p in writes
                for a, k, primary in p.emails
            ],
            ignore_conflicts=True,
        )
        ContactPhone.objects.bulk_create(
            [
                ContactPhone(org_id=org_id, contact_id=pk, number=n, kind=k, is_primary=primary)
                for pk, p in writes
                for n, k, primary in p.phones
            ],
            ignore_conflicts=True,
        )
        tag_ids = tags_ensure(org_id=org_id, names=[t for _, p in writes for t in p.tags])
        ContactTag.objects.bulk_create(
            [
                ContactTag(org_id=org_id, contact_id=pk, tag_id=tag_ids[t.lower()])
                for pk, p in writes
                for t in p.tags
            ],
            ignore_conflicts=True,
        )
        for pk, plan in writes:
            if plan.fills:
                unchanged = Q(**{k: v for k, v in plan.before.items() if v is not None})
                for k, v in plan.before.items():
                    if v is None:
                        unchanged &= Q(**{f"{k}__isnull": True})
                Contact.objects.filter(unchanged, org_id=org_id, pk=pk).update(
                    **plan.fills, updated_at=now
                )
            _enrich_record(org_id, plan, actor_id, via or {})


def _enrich_record(org_id: int, plan: EnrichPlan, actor_id: int | None, via: dict) -> None:
    target = Contact(pk=plan.contact_id, org_id=org_id)
    audit_and_emit(
        org_id=org_id,
        actor_id=actor_id,
        action="contact.enrich",
        target=target,
        changes={"added": plan.lines(), **via},
        kind="contact.updated",
        payload={"fields": _fields_of(plan), "added": plan.added, **via},
    )


def _fields_of(plan: EnrichPlan) -> list[str]:
    fields = set(plan.fills)
    for name, rows in (("emails", plan.emails), ("phones", plan.phones), ("tags", plan.tags)):
        if rows:
            fields.add(name)
    return sorted(fields)


def tags_ensure(*, org_id: int, names: Iterable[str]) -> dict[str, int]:
    """{lower-cased name: tag id}, creating the org's missing tags (a concurrent create is fine)."""
    wanted = {n.lower(): n for n in names}
    if not wanted:
        return {}
    found = _tags_find(org_id, list(wanted))
    missing = [n for k, n in wanted.items() if k not in found]
    if missing:
        Tag.objects.bulk_create(
            [Tag(org_id=org_id, name=n) for n in missing], ignore_conflicts=True
        )
        found.update(_tags_find(org_id, [n.lower() for n in missing]))
    return found


def _tags_find(org_id: int, lowered: list[str]) -> dict[str, int]:
    tags = Tag.objects.annotate(lowered=Lower("name")).filter(org_id=org_id, lowered__in=lowered)
    found: dict[str, int] = {}
    for pk, name in tags.order_by("pk").values_list("pk", "name"):
        found.setdefault(name.lower(), pk)
    return found


def contact_enrich(
    *,
    contact: Contact,
    incoming: Incoming,
    actor_id: int | None = None,
    via: dict[str, Any] | None = None,
    dry_run: bool = False,
) -> list[str]:
    """Add what `incoming` brings that `contact` lacks; return what was added or kept.

    The caller holds the contact's row lock when it matters (lead intake selects it for update).
    """
    validate_lengths(Contact, {k: getattr(incoming, k) for k in (*NAME_FIELDS, "language")})
    validate_lengths(Contact, {k: v for k, v in incoming.address.items() if k in ADDRESS_FIELDS})
    known = known_of_contact(contact)
    # Leads bring no tags: spare the hot path a read it does not need.
    _channels_load({contact.pk: known}, [contact.pk], tags=bool(incoming.tags))
    plan = enrich_plan(known, incoming)
    if not dry_run:
        enrich_write(org_id=contact.org_id, plans=[plan], actor_id=actor_id, via=via)
        for name, value in plan.fills.items():
            setattr(contact, name, value)
    return plan.lines(dry_run=dry_run)
