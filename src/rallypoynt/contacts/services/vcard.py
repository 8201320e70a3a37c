"""vCard 3.0 / 4.0 (RFC 2426 / RFC 6350) import and export of contacts, with vobject.

Import turns each card into the same cells as a CSV row, so cards go through the one import
engine (validation, dedupe, batched insert); export streams the visible list card by card.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import vobject
from django.db.models import QuerySet

from rallypoynt.contacts.choices import EmailKind, PhoneKind
from rallypoynt.contacts.filters import ContactFilters
from rallypoynt.contacts.models import Contact
from rallypoynt.contacts.services.csv_import import UNREADABLE, Cell, ImportPreview
from rallypoynt.contacts.services.export import contacts_export_record, export_queryset
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.orgs.models import Membership

VERSIONS = ("3.0", "4.0")
CHUNK = 500
# TEL types in order of precedence (a work fax is no work phone). A number that is only
# "voice" (how the export writes "other") is not taken for a mobile one: that would invite
# texts to a landline. A number without any type is still taken for a mobile one.
PHONE_TYPES = {
    "cell": "mobile_phone",
    "mobile": "mobile_phone",
    "iphone": "mobile_phone",
    "fax": "other_phone",
    "pager": "other_phone",
    "home": "home_phone",
    "work": "work_phone",
    "other": "other_phone",
    "voice": "other_phone",
}
EMAIL_TYPES = {"work": "work_email", "other": "other_email"}
# Keyed by the stored kind (a plain str on the model; the enum members are equal to it).
EMAIL_TYPE: dict[str, str] = {
    EmailKind.PERSONAL: "home",
    EmailKind.WORK: "work",
    EmailKind.OTHER: "other",
}
TEL_TYPE: dict[str, str] = {
    PhoneKind.MOBILE: "cell",
    PhoneKind.HOME: "home",
    PhoneKind.WORK: "work",
    PhoneKind.OTHER: "voice",
}
UID_NAMESPACE = uuid.UUID("5b7c1f0e-3a53-4e55-9d0b-5f5f2a6b9c11")
# vobject ships no types (pyproject ignores its imports): its objects are Any, named here.
VCard = Any  # vobject.base.Component
VProperty = Any  # vobject.base.ContentLine


# --- import -----------------------------------------------------------------------------------


def vcard_blocks(text: str) -> list[str]:
    """The text of each BEGIN:VCARD … END:VCARD block, so one bad card spoils only itself."""
    blocks: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        folded = line[:1] in (" ", "\t")
        marker = "" if folded else line.strip().upper()
        if marker == "BEGIN:VCARD":
            current = [line]
        elif current is not None:
            current.append(line)
            if marker == "END:VCARD":
                blocks.append("\r\n".join(current) + "\r\n")
                current = None
    return blocks


def vcard_count(text: str) -> int:
    return len(vcard_blocks(text))


def _types(prop: VProperty) -> set[str]:
    """TYPE values, lower-cased, whether given as TYPE=a,b, TYPE="a,b" or bare (3.0)."""
    found: set[str] = set()
    for value in [*prop.params.get("TYPE", []), *prop.singletonparams]:
        found.update(v.strip().lower() for v in value.split(","))
    if "PREF" in prop.params:
        found.add("pref")
    return found


def _ordered(props: list[VProperty]) -> list[VProperty]:
    # Preferred entries first, so they become the primary address or number.
    return sorted(props, key=lambda p: "pref" not in _types(p))


def _text(value: object) -> str:
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value if v).strip()
    return str(value or "").strip()


def card_cells(card: VCard) -> list[Cell]:
    """One card as import cells, each named after the vCard property it came from."""
    contents = card.contents
    cells: list[Cell] = []
    name = contents.get("n", [None])[0]
    given = _text(name.value.given) if name else ""
    family = _text(name.value.family) if name else ""
    if given or family:
        cells += [("first_name", "N", given), ("last_name", "N", family)]
    elif "fn" in contents:
        cells.append(("full_name", "FN", _text(contents["fn"][0].value)))
    for prop in _ordered(contents.get("email", [])):
        types = _types(prop)
        target = next((EMAIL_TYPES[t] for t in EMAIL_TYPES if t in types), "email")
        cells.append((target, "EMAIL", _text(prop.value)))
    for prop in _ordered(contents.get("tel", [])):
        types = _types(prop)
        target = next((PHONE_TYPES[t] for t in PHONE_TYPES if t in types), "mobile_phone")
        cells.append((target, "TEL", _text(prop.value)))
    addresses = _ordered(contents.get("adr", []))
    if addresses:
        adr = addresses[0].value
        cells += [
            ("street", "ADR", _text(adr.street)),
            ("street2", "ADR", _text(adr.extended)),
            ("city", "ADR", _text(adr.city)),
            ("state", "ADR", _text(adr.region)),
            ("postal_code", "ADR", _text(adr.code)),
            ("country", "ADR", _text(adr.country)),
        ]
    for key, target in (("bday", "birthday_on"), ("note", "background"), ("lang", "language")):
        if key in contents:
            cells.append((target, key.upper(), _text(contents[key][0].value)))
    for prop in contents.get("categories", []):
        values = prop.value if isinstance(prop.value, list) else [prop.value]
        cells += [("tags", "CATEGORIES", str(v)) for v in values]
    return [c for c in cells if c[2]]


def vcard_cells(text: str) -> Iterator[tuple[int, list[Cell]]]:
    """(card number, cells) per card; an unreadable card yields a row without identity."""
    for number, block in enumerate(vcard_blocks(text), start=1):
        try:
            card = vobject.readOne(block)
        except Exception as exc:  # vobject raises many types for malformed input
            yield number, [(UNREADABLE, "VCARD", f"not a readable vCard: {exc}")]
            continue
        yield number, card_cells(card)


def vcard_preview(text: str, rows: int) -> ImportPreview:
    """The first cards as a small table: name, e-mail, phone, city."""
    headers = ["Name", "E-mail", "Phone", "City"]
    sample: list[list[str]] = []
    for _, cells in vcard_cells(text):
        if len(sample) >= rows:
            break
        got: dict[str, str] = {}
        for target, _, value in cells:
            key = {
                "first_name": "Name",
                "full_name": "Name",
                "email": "E-mail",
                "work_email": "E-mail",
                "other_email": "E-mail",
                "city": "City",
            }.get(target, "Phone" if target.endswith("_phone") else "")
            if key and key not in got:
                got[key] = value
            elif target == "last_name" and "Name" in got:
                got["Name"] += f" {value}"
        sample.append([got.get(h, "") for h in headers])
    return ImportPreview(headers, {}, sample, vcard_count(text))


# --- export -----------------------------------------------------------------------------------


def contact_vcard(contact: Contact, version: str = "3.0") -> str:
    """One contact as a vCard of `version`, with e-mails, numbers, address, tags and notes."""
    card = vobject.vCard()
    card.add("version").value = version
    card.add(
        "uid"
    ).value = f"urn:uuid:{uuid.uuid5(UID_NAMESPACE, f'{contact.org_id}:contact:{contact.pk}')}"
    card.add("n").value = vobject.vcard.Name(family=contact.last_name, given=contact.first_name)
    emails = list(contact.emails.all())
    phones = list(contact.phones.all())
    fallback = emails[0].address if emails else phones[0].number if phones else "Contact"
    card.add("fn").value = contact.full_name or fallback
    for email in emails:
        kind = EMAIL_TYPE.get(email.kind, "home")
        prop = card.add("email")
        prop.value = email.address
        _params(prop, version, ["internet", kind] if version == "3.0" else [kind], email.is_primary)
    for phone in phones:
        prop = card.add("tel")
        prop.value = phone.number if version == "3.0" else f"tel:{phone.number}"
        if version != "3.0":
            prop.params["VALUE"] = ["uri"]
        _params(prop, version, [TEL_TYPE.get(phone.kind, "voice")], phone.is_primary)
    if any((contact.street, contact.city, contact.state, contact.postal_code)):
        card.add("adr").value = vobject.vcard.Address(
            street=contact.street,
            city=contact.city,
            region=contact.state,
            code=contact.postal_code,
            country=contact.country,
        )
    if contact.birthday_on:
        day = contact.birthday_on
        card.add("bday").value = day.isoformat() if version == "3.0" else day.strftime("%Y%m%d")
    tags = [link.tag.name for link in contact.tag_links.all()]
    if tags:
        card.add("categories").value = tags
    if contact.background:
        card.add("note").value = contact.background
    if contact.language and version != "3.0":
        card.add("lang").value = contact.language
    text: str = card.serialize()
    return text


def _params(prop: VProperty, version: str, types: list[str], is_primary: bool) -> None:
    if version == "3.0":
        prop.params["TYPE"] = [t.upper() for t in types] + (["PREF"] if is_primary else [])
    else:
        prop.params["TYPE"] = types
        if is_primary:
            prop.params["PREF"] = ["1"]


def contacts_vcard_lines(qs: QuerySet[Contact], version: str = "3.0") -> Iterator[str]:
    for contact in qs.iterator(chunk_size=CHUNK):
        yield contact_vcard(contact, version)


def contacts_vcard_export(
    *,
    actor: Membership,
    filters: ContactFilters | None = None,
    smart_list_id: int | None = None,
    version: str = "3.0",
) -> Iterator[str]:
    """Record the export, then stream the visible list as vCards."""
    if version not in VERSIONS:
        raise ValidationFailed("Unknown vCard version.", fields={"version": ["3.0 or 4.0"]})
    qs = export_queryset(actor=actor, filters=filters, smart_list_id=smart_list_id)
    contacts_export_record(
        actor=actor, file_format=f"vcf {version}", filters=filters, smart_list_id=smart_list_id
    )
    return contacts_vcard_lines(qs, version)
