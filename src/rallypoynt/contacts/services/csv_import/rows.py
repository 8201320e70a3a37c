"""An import row as the enrich rules see it: what it says, the contact it becomes, a merge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rallypoynt.contacts.services.csv_import.cleaning import CleanRow
from rallypoynt.contacts.services.enrich import ADDRESS_FIELDS, EnrichPlan, Incoming, Known


@dataclass(slots=True)
class Merge:
    """A row that matched a stored contact, merged when its batch is written."""

    row: CleanRow
    contact_id: int
    ref: int
    how: str
    value: str


def birthday_of(values: dict[str, object]) -> date | None:
    """A row's birthday: date_clean's date, or None when the cell was missing or bad."""
    value = values.get("birthday_on")
    return value if isinstance(value, date) else None


def incoming_of_row(row: CleanRow) -> Incoming:
    """What an import row says about its person, for the enrich rules."""
    v = row.values
    return Incoming(
        first_name=str(v.get("first_name") or ""),
        last_name=str(v.get("last_name") or ""),
        emails=list(row.emails),
        phones=list(row.phones),
        tags=list(row.tags),
        address={k: str(v[k]) for k in ADDRESS_FIELDS if v.get(k)},
        birthday_on=birthday_of(v),
        language=str(v.get("language") or ""),
        background=str(v.get("background") or ""),
    )


def known_of_row(row: CleanRow) -> Known:
    """A row not yet written, seen as the contact it will become (its first values primary)."""
    v = row.values
    return Known(
        contact_id=None,
        first_name=str(v.get("first_name") or ""),
        last_name=str(v.get("last_name") or ""),
        emails={a: i == 0 for i, (a, _) in enumerate(row.emails)},
        phones={n: i == 0 for i, (n, _) in enumerate(row.phones)},
        tags={t.lower(): t for t in row.tags},
        address={k: str(v.get(k) or "") for k in ADDRESS_FIELDS},
        birthday_on=birthday_of(v),
        language=str(v.get("language") or ""),
        background=str(v.get("background") or ""),
    )


def row_apply(row: CleanRow, plan: EnrichPlan) -> None:
    """Merge a plan into a row not yet written (appended values stay non-primary)."""
    row.emails.extend((a, k) for a, k, _ in plan.emails)
    row.phones.extend((n, k) for n, k, _ in plan.phones)
    row.tags.extend(plan.tags)
    row.values.update(plan.fills)
