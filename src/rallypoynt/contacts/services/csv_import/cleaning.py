"""Cleaning one import row: e-mails, phones, dates, names, stages, with reasons."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

import phonenumbers

from rallypoynt.contacts.choices import Stage
from rallypoynt.contacts.services.csv_import.vocabulary import (
    _EMAIL_SEPARATOR,
    _LOCAL_PART,
    _MDY,
    _MULTI_EMAIL,
    _MULTI_PHONE,
    _MULTI_TAG,
    _NAMED_DATE_FORMATS,
    _NANP,
    _PHONE_JUNK,
    _SQUEEZE,
    _TIME_PART,
    _YMD,
    COUNTRY_WORDS,
    EMAIL_KINDS,
    FORMULA_START,
    MAX_LENGTHS,
    NAME_SUFFIXES,
    PHONE_KINDS,
    STAGE_WORDS,
    SYSTEM_TAGS,
    UNREADABLE,
    Cell,
)
from rallypoynt.contacts.services.normalize import email_normalize, phone_normalize
from rallypoynt.core.errors import ValidationFailed

# --- cleaning one row -----------------------------------------------------------------------


class BadValue(Exception):
    """A cell that cannot be imported; the message is the reason shown to the user."""


class SkippedValue(BadValue):
    """A cell left out while its row still imports (reported as a warning)."""


@lru_cache(maxsize=4096)
def _domain_normalized(domain: str) -> str | None:
    try:
        return email_normalize(f"a@{domain}").partition("@")[2]
    except ValidationFailed:
        return None


def email_clean(raw: str) -> str:
    """Normalised address; a fast path for plain ASCII addresses gives the validator's answer."""
    value = raw.strip().lower()
    if value.startswith("mailto:"):
        value = value[7:]
    local, at, domain = value.rpartition("@")
    if at and len(local) <= 64 and len(value) <= 254 and _LOCAL_PART.match(local):
        normalized = _domain_normalized(domain)
        if normalized is not None:
            return f"{local}@{normalized}"
    try:
        return email_normalize(value)
    except ValidationFailed as exc:
        raise BadValue(_reason(exc)) from exc


def phone_clean(raw: str, region: str = "US") -> str:
    """E.164 number; a fast path for plain North American numbers gives the library's answer."""
    value = raw.strip()
    if value.lower().startswith("tel:"):
        value = value[4:]
    if region == "US":
        plus = value.startswith("+")
        digits = (value[1:] if plus else value).translate(_PHONE_JUNK)
        if digits.isascii() and digits.isdigit():
            if len(digits) == 11 and digits[0] == "1":
                digits = digits[1:]
            elif plus:
                digits = ""
            if _NANP.match(digits):
                return f"+1{digits}"
    try:
        number = phone_normalize(value, region=region)
    except ValidationFailed as exc:
        raise BadValue(_reason(exc)) from exc
    # The shared normaliser accepts local-only numbers; an import needs a dialable one.
    reason = phonenumbers.is_possible_number_with_reason(phonenumbers.parse(number))
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise BadValue("not a complete phone number (missing the area code?)")
    return number


def _reason(exc: ValidationFailed) -> str:
    for messages in exc.fields.values():
        if messages:
            return messages[0].split(": ", 1)[-1]
    return exc.message


def stage_clean(raw: str) -> str:
    stage = STAGE_WORDS.get(_SQUEEZE.sub("", raw.lower()))
    if stage is None:
        raise BadValue(f"unknown stage; use one of {', '.join(Stage.labels)}")
    return stage


def country_clean(raw: str) -> str:
    value = raw.strip()
    if len(value) == 2 and value.isalpha():
        return value.upper()
    code = COUNTRY_WORDS.get(_SQUEEZE.sub("", value.lower()))
    if code is None:
        raise BadValue("use a two-letter country code, e.g. US")
    return code


def date_clean(raw: str, *, today: date | None = None) -> date:
    """A birthday in the formats CRMs and spreadsheets export (US month/day first)."""
    today = today or date.today()
    value = raw.strip()
    if value.startswith("--"):
        raise SkippedValue("the birthday has no year, so it was left out")
    value = _TIME_PART.split(value, maxsplit=1)[0].strip()
    try:
        result = _date_parts(value, today)
    except _NoSuchDate as exc:
        raise BadValue("no such date") from exc
    except ValueError as exc:
        raise BadValue("not a date; use YYYY-MM-DD or MM/DD/YYYY") from exc
    if result > today or result.year < 1900:
        raise BadValue("the date is not a plausible birthday")
    return result


class _NoSuchDate(ValueError):
    pass


def _date_of(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise _NoSuchDate(str(exc)) from exc


def _date_parts(value: str, today: date) -> date:
    m = _YMD.match(value)
    if m:
        return _date_of(int(m[1]), int(m[2]), int(m[3]))
    m = _MDY.match(value)
    if m:
        month, day, year = int(m[1]), int(m[2]), int(m[3])
        if month > 12 >= day:
            month, day = day, month
        if len(m[3]) == 2:
            year += 1900 if 1900 + year + 100 > today.year else 2000
        return _date_of(year, month, day)
    for fmt in _NAMED_DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def name_split(full: str) -> tuple[str, str]:
    """'Smith, Mary Ann' or 'Mary Ann Smith Jr.' -> ('Mary Ann', 'Smith Jr.')."""
    full = " ".join(full.split())
    if "," in full:
        last, _, first = full.partition(",")
        return first.strip(), last.strip()
    words = full.split(" ")
    cut = len(words) - 1
    if cut > 1 and words[-1].lower() in NAME_SUFFIXES:
        cut -= 1
    if cut <= 0:
        return full, ""
    return " ".join(words[:cut]), " ".join(words[cut:])


@dataclass(slots=True)
class CleanRow:
    """One importable person: profile values plus normalised addresses, numbers and tags."""

    row: int
    values: dict[str, object]
    emails: list[tuple[str, str]]
    phones: list[tuple[str, str]]
    tags: list[str]
    warnings: list[dict] = field(default_factory=list)

    def keys(self) -> list[str]:
        """Dedupe keys: every address and number; without any, name and address."""
        keys = [a for a, _ in self.emails] + [n for n, _ in self.phones]
        if keys:
            return keys
        return [_name_key(*(self.values.get(k) for k in NAME_KEY_FIELDS))]


NAME_KEY_FIELDS = ("first_name", "last_name", "street", "postal_code")


def _name_key(first: object, last: object, street: object, postal: object) -> str:
    parts = (first or "", last or "", street or "", postal or "")
    return "name:" + "|".join(str(p).strip().lower() for p in parts)


SINGLE_CLEANERS: dict[str, Callable[[str], object]] = {
    "stage": stage_clean,
    "country": country_clean,
    "birthday_on": date_clean,
}


TEXT_TARGETS = frozenset(
    {"first_name", "last_name", "full_name", "source", "street", "street2", "city", "state"}
    | {"postal_code", "language"}
)


def row_clean(row_no: int, cells: list[Cell]) -> tuple[CleanRow | None, list[dict]]:
    """Validate one row; (the row, []) when good, (None, every problem) when not.

    Called once per row of files with 100,000 rows: kept to plain loops and dict lookups.
    """
    problems: list[dict] = []
    values: dict[str, object] = {}
    columns: dict[str, str] = {}
    emails: dict[str, str] = {}
    phone_cells: list[tuple[str, str, str]] = []
    tags: dict[str, str] = {}
    notes: list[str] = []

    def bad(column: str, value: str, reason: str, kind: str = "") -> None:
        issue = {"row": row_no, "column": column, "value": value[:100], "reason": reason}
        if kind:
            issue["kind"] = kind
        problems.append(issue)

    for target, column, raw in cells:
        if raw[0] == "'":
            raw = _unformula(raw)
        if target in TEXT_TARGETS:
            if target not in values:
                values[target] = raw
                columns[target] = column
            continue
        email_kind = EMAIL_KINDS.get(target)
        if email_kind is not None:
            for part in _MULTI_EMAIL.split(raw) if _EMAIL_SEPARATOR.search(raw) else (raw,):
                if part:
                    try:
                        emails.setdefault(email_clean(part), email_kind)
                    except BadValue as exc:
                        bad(column, part, str(exc))
            continue
        phone_kind = PHONE_KINDS.get(target)
        if phone_kind is not None:
            phone_cells.append((raw, phone_kind, column))
        elif target == "tags":
            _tags_add(tags, raw)
        elif target == "background":
            notes.append(raw)
        elif target == UNREADABLE:
            bad(column, "", raw)
        elif target not in values:
            try:
                values[target] = SINGLE_CLEANERS[target](raw)
                columns[target] = column
            except SkippedValue as exc:
                bad(column, raw, str(exc), kind="warning")
            except BadValue as exc:
                bad(column, raw, str(exc))
                values[target] = None
    # The country is country_clean's text, or None when the cell was bad.
    phones = _phones_clean(phone_cells, str(values.get("country") or "US"), bad)
    _names_fill(values)
    _address_fill(values, columns)
    if notes:
        values["background"] = "\n\n".join(notes)
    for name, column in columns.items():
        value, limit = values.get(name), MAX_LENGTHS.get(name, 0)
        if limit and isinstance(value, str) and len(value) > limit:
            bad(column, value, f"longer than {limit} characters")
    errors = [p for p in problems if "kind" not in p] if problems else problems
    if not errors and not (emails or phones or values.get("first_name") or values.get("last_name")):
        bad("", "", "a contact needs a name, an e-mail address or a phone number")
        errors = problems[-1:]
    if errors:
        return None, errors
    return CleanRow(row_no, values, list(emails.items()), phones, list(tags.values()), problems), []


def _phones_clean(
    cells: list[tuple[str, str, str]], region: str, bad: Callable[[str, str, str], None]
) -> list[tuple[str, str]]:
    numbers: dict[str, str] = {}
    for raw, kind, column in cells:
        for part in _MULTI_PHONE.split(raw) if ";" in raw or ":::" in raw else (raw,):
            if part:
                try:
                    numbers.setdefault(phone_clean(part, region), kind)
                except BadValue as exc:
                    bad(column, part, str(exc))
    return list(numbers.items())


def _tags_add(tags: dict[str, str], raw: str) -> None:
    for tag in _MULTI_TAG.split(raw):
        tag = tag.strip().lstrip("*#").strip()[:60]
        if tag and tag.lower() not in SYSTEM_TAGS:
            tags.setdefault(tag.lower(), tag)


def _unformula(value: str) -> str:
    # Our CSV export guards formula-like cells with a leading quote; drop it on the way back.
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        return value[1:]
    return value


def _names_fill(values: dict[str, object]) -> None:
    full = values.pop("full_name", None)
    if full and not (values.get("first_name") or values.get("last_name")):
        values["first_name"], values["last_name"] = name_split(str(full))


def _address_fill(values: dict[str, object], columns: dict[str, str]) -> None:
    line2 = values.pop("street2", None)
    if line2:
        values["street"] = f"{values.get('street') or ''}, {line2}".strip(", ")
        columns.setdefault("street", columns.pop("street2", ""))
    postal = values.get("postal_code")
    # Spreadsheets drop the leading zero of New England ZIP codes (02134 -> 2134).
    is_us = (values.get("country") or "US") == "US"
    if is_us and isinstance(postal, str) and postal.isdigit() and len(postal) in (3, 4):
        values["postal_code"] = postal.zfill(5)
