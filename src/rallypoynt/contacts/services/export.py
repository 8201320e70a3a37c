"""Export any contact list as CSV, streamed: the filtered list, a smart list, or all visible.

Exports go through `contact_list`, so an agent exports only the contacts they can see. The
columns read back through the CSV import's auto-mapping, so an export re-imports cleanly.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from rallypoynt.contacts.choices import EmailKind, PhoneKind
from rallypoynt.contacts.filters import ContactFilters
from rallypoynt.contacts.models import Contact
from rallypoynt.contacts.selectors import contact_list, smart_list_get
from rallypoynt.core.audit import audit_record
from rallypoynt.core.clock import local_today
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.orgs.models import Membership, Organization

CHUNK = 1000
CSV_HEADERS = [
    "First Name",
    "Last Name",
    "Email",
    "Work Email",
    "Mobile Phone",
    "Home Phone",
    "Work Phone",
    "Other Phone",
    "Stage",
    "Source",
    "Tags",
    "Street",
    "City",
    "State",
    "Zip",
    "Country",
    "Birthday",
    "Language",
    "Notes",
    "Owner",
    "Created",
    "Contact ID",
]
PHONE_COLUMNS = [PhoneKind.MOBILE, PhoneKind.HOME, PhoneKind.WORK, PhoneKind.OTHER]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = frozenset("+-0123456789 ().")
# Non-filter keys the export endpoints accept beside ContactFilters.
EXPORT_PARAMS = ("smart_list", "version")


def export_filters(params: dict[str, Any]) -> tuple[ContactFilters, int | None]:
    """Filters and smart list id from request parameters (ValidationFailed on bad ones)."""
    values = {k: v for k, v in params.items() if k not in EXPORT_PARAMS}
    smart = params.get("smart_list") or None
    if smart is not None:
        try:
            smart = int(smart)
        except (TypeError, ValueError) as exc:
            raise ValidationFailed(
                "Invalid filters.", fields={"smart_list": ["must be a whole number"]}
            ) from exc
    return ContactFilters.from_dict(values), smart


def export_queryset(
    *,
    actor: Membership,
    filters: ContactFilters | None = None,
    smart_list_id: int | None = None,
) -> QuerySet[Contact]:
    """Visible contacts of the list to export, by name, with their related rows loaded.

    A smart list's filters apply first; filters given beside it narrow them, as on its page.
    """
    if smart_list_id is not None:
        saved = smart_list_get(actor=actor, smart_list_id=smart_list_id)
        filters = ContactFilters.from_dict(
            {**saved.filters, **(filters or ContactFilters()).as_dict()}
        )
    qs = contact_list(actor=actor, filters=filters)
    return qs.order_by("last_name", "first_name", "pk")


def contacts_export_record(
    *,
    actor: Membership,
    file_format: str,
    filters: ContactFilters | None,
    smart_list_id: int | None,
) -> None:
    """Audit who took a copy of which list (exports carry personal data out)."""
    audit_record(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="contacts.export",
        target=actor,
        changes={
            "format": file_format,
            "filters": filters.as_dict() if filters else {},
            "smart_list": smart_list_id,
        },
    )


def csv_safe(value: str) -> str:
    """Quote cells a spreadsheet would run as a formula; phone numbers stay as they are."""
    if value and value.startswith(FORMULA_START):
        if value[0] in "+-" and set(value) <= PLAIN_NUMBER:
            return value
        return "'" + value
    return value


class _Line:
    """A file-like sink for csv.writer that hands back the line just written."""

    def write(self, value: str) -> str:
        return value


def contact_csv_row(contact: Contact) -> list[str]:
    emails = list(contact.emails.all())
    phones = list(contact.phones.all())
    personal = [e.address for e in emails if e.kind != EmailKind.WORK]
    work = [e.address for e in emails if e.kind == EmailKind.WORK]
    by_kind = [[p.number for p in phones if p.kind == kind] for kind in PHONE_COLUMNS]
    owner = contact.owner.user.email if contact.owner is not None else ""
    values = [
        contact.first_name,
        contact.last_name,
        "; ".join(personal),
        "; ".join(work),
        *("; ".join(numbers) for numbers in by_kind),
        contact.get_stage_display(),
        contact.source,
        ", ".join(link.tag.name for link in contact.tag_links.all()),
        contact.street,
        contact.city,
        contact.state,
        contact.postal_code,
        contact.country,
        contact.birthday_on.isoformat() if contact.birthday_on else "",
        contact.language,
        contact.background,
        owner,
        timezone.localtime(contact.created_at).date().isoformat(),
        str(contact.pk),
    ]
    return [csv_safe(v) for v in values]


def contacts_csv_lines(qs: QuerySet[Contact]) -> Iterator[str]:
    """The CSV text, line by line (UTF-8 BOM first so Excel reads accents right)."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(CSV_HEADERS)
    for contact in qs.iterator(chunk_size=CHUNK):
        yield writer.writerow(contact_csv_row(contact))


def contacts_csv_export(
    *,
    actor: Membership,
    filters: ContactFilters | None = None,
    smart_list_id: int | None = None,
) -> Iterator[str]:
    """Record the export, then stream the visible list as CSV."""
    qs = export_queryset(actor=actor, filters=filters, smart_list_id=smart_list_id)
    contacts_export_record(
        actor=actor, file_format="csv", filters=filters, smart_list_id=smart_list_id
    )
    return contacts_csv_lines(qs)


def export_filename(org: Organization, extension: str) -> str:
    """'contacts-front-range-2026-12-05.csv', dated by the org's calendar."""
    return f"contacts-{org.slug}-{local_today(org).isoformat()}.{extension}"
