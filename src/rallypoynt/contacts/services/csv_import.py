"""Contact imports: header auto-mapping, row checks, in-file and org dedupe, batched insert.

One engine serves CSV and vCard files: each row becomes a list of cells (target field, the
column it came from, raw value); good rows are inserted set-based in committed batches, each
contact with its e-mails, phones and tags in the same transaction; bad rows are reported with
their row number, column and reason. Import jobs (upload, mapping, run) live here as well.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import phonenumbers
from django.core.files.base import File
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.text import get_valid_filename

from rallypoynt.contacts.choices import Channel, EmailKind, ImportStatus, PhoneKind, Stage
from rallypoynt.contacts.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    ContactTag,
    ImportJob,
    Tag,
)
from rallypoynt.contacts.services.normalize import email_normalize, phone_normalize
from rallypoynt.core.audit import audit_record
from rallypoynt.core.bulk import insert_rows, reserve_ids
from rallypoynt.core.errors import Conflict, NotFound, ValidationFailed
from rallypoynt.core.events import event_emit
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import visibility_for

BATCH = 5000
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_STORED_ISSUES = 1000
PREVIEW_ROWS = 5
STALE_RUNNING = timedelta(minutes=30)
FORMATS = {"csv": "CSV", "vcf": "vCard"}
DEFAULT_SOURCE = {"csv": "CSV import", "vcf": "vCard import"}

# Target fields a column can feed; "" means "not imported".
TARGETS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name (split into first and last)",
    "email": "E-mail",
    "work_email": "Work e-mail",
    "mobile_phone": "Mobile phone",
    "home_phone": "Home phone",
    "work_phone": "Work phone",
    "other_phone": "Other phone",
    "stage": "Stage",
    "source": "Source",
    "tags": "Tags",
    "street": "Street",
    "street2": "Address line 2",
    "city": "City",
    "state": "State",
    "postal_code": "ZIP / postal code",
    "country": "Country",
    "birthday_on": "Birthday",
    "language": "Language",
    "background": "Notes",
}
NOT_IMPORTED = "Not imported"
EMAIL_KINDS = {"email": EmailKind.PERSONAL, "work_email": EmailKind.WORK}
PHONE_KINDS = {
    "mobile_phone": PhoneKind.MOBILE,
    "home_phone": PhoneKind.HOME,
    "work_phone": PhoneKind.WORK,
    "other_phone": PhoneKind.OTHER,
}
IDENTITY_TARGETS = {"first_name", "last_name", "full_name", *EMAIL_KINDS, *PHONE_KINDS}

# Header spellings of other CRMs, Google Contacts and Outlook, squeezed to [a-z0-9].
# A header is looked up as is, then without digits ("Email 2" -> "email").
_ALIASES: dict[str, str] = {
    "first_name": "firstname first givenname fname forename contactfirstname",
    "last_name": "lastname last surname familyname lname contactlastname",
    "full_name": "fullname name contactname displayname contact clientname",
    "email": (
        "email emails emailaddress primaryemail personalemail homeemail emailvalue "
        "secondaryemail otheremail alternateemail emailaddresses"
    ),
    "work_email": "workemail businessemail officeemail workemailaddress",
    "mobile_phone": (
        "phone phones phonenumber phonevalue primaryphone telephone tel mainphone mobile "
        "mobilephone mobilenumber cell cellphone cellnumber cellular"
    ),
    "home_phone": "homephone homephonenumber homenumber hometel",
    "work_phone": (
        "workphone workphonenumber businessphone businessphonenumber officephone worknumber"
    ),
    "other_phone": "otherphone alternatephone secondaryphone fax",
    "stage": (
        "stage status leadstatus contactstatus pipelinestage leadstage lifecyclestage contactstage"
    ),
    "source": "source leadsource contactsource referralsource origin leadorigin",
    "tags": "tags tag labels label groupmembership categories hashtags",
    "street": (
        "street address address1 addressline1 streetaddress street1 addressstreet homestreet "
        "homeaddress mailingstreet mailingaddress propertyaddress"
    ),
    "street2": "address2 addressline2 street2 homestreet2 addressextendedaddress apt unit suite",
    "city": "city town locality homecity mailingcity addresscity",
    "state": (
        "state province region stateprovince homestate mailingstate addressregion addressstate"
    ),
    "postal_code": (
        "zip zipcode postalcode postcode zippostalcode homepostalcode homezip mailingzip "
        "mailingpostalcode addresspostalcode addresszip"
    ),
    "country": "country countryregion homecountry homecountryregion addresscountry mailingcountry",
    "birthday_on": "birthday birthdate dateofbirth dob bday",
    "language": "language preferredlanguage",
    "background": "notes note background comments comment description about",
}
HEADER_ALIASES = {alias: target for target, names in _ALIASES.items() for alias in names.split()}

# Stage and status words of other CRMs; anything else is a bad value, shown in the preview.
_STAGE_SYNONYMS = {
    Stage.LEAD: "new newlead open cold unqualified attemptedcontact contacted unresponsive",
    Stage.PROSPECT: "warm hot nurture watch qualified appointmentset",
    Stage.CLIENT: "active activeclient undercontract pending",
    Stage.PAST_CLIENT: "closed pastcustomer formerclient",
    Stage.SPHERE: "sphereofinfluence soi friend family",
}
STAGE_WORDS: dict[str, str] = {
    **{s.value.replace("_", ""): s.value for s in Stage},
    **{s.label.lower().replace(" ", ""): s.value for s in Stage},
    **{word: stage for stage, words in _STAGE_SYNONYMS.items() for word in words.split()},
}
COUNTRY_WORDS = {
    "usa": "US",
    "unitedstates": "US",
    "unitedstatesofamerica": "US",
    "america": "US",
    "canada": "CA",
    "mexico": "MX",
}
NAME_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
_SQUEEZE = re.compile(r"[^a-z0-9]")
_DIGITS = re.compile(r"\d+")
_EMAIL_SEPARATOR = re.compile(r"[;,\s]|:::")
_MULTI_EMAIL = re.compile(r"\s*(?::::|[;,\s])\s*")
_MULTI_PHONE = re.compile(r"\s*(?::::|;)\s*")
# Tags split on commas, semicolons, Google's " ::: " and before each "#hashtag" (kvCORE).
_MULTI_TAG = re.compile(r"\s*(?::::|[;,]|\s(?=#))\s*")
SYSTEM_TAGS = {"mycontacts", "starred"}  # Google Contacts' own labels
_LOCAL_PART = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")
_PHONE_JUNK = str.maketrans("", "", " ()-./")
_NANP = re.compile(r"[2-9]\d\d[2-9]\d{6}\Z")
_MDY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\Z")
_TIME_PART = re.compile(r"[T ]\d{1,2}:")
_YMD = re.compile(r"(\d{4})-?(\d{1,2})-?(\d{1,2})\Z")
_NAMED_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y")
FORMULA_START = ("=", "+", "-", "@")

Progress = Callable[[int], None]
Cell = tuple[str, str, str]  # (target, column label, raw value)
UNREADABLE = "!unreadable"  # a cell whose value is the reason its row could not be read


def _max_lengths() -> dict[str, int]:
    return {
        f.name: f.max_length
        for f in Contact._meta.get_fields()
        if getattr(f, "max_length", None) and f.name in TARGETS
    }


MAX_LENGTHS = _max_lengths()


# --- header mapping -------------------------------------------------------------------------


def header_target(header: str) -> str:
    """The target field another CRM's column header means, or "" when unknown."""
    key = _SQUEEZE.sub("", header.lower())
    return HEADER_ALIASES.get(key) or HEADER_ALIASES.get(_DIGITS.sub("", key), "")


def mapping_guess(headers: Iterable[str]) -> dict[str, str]:
    """Auto-map each header to a target ("" = not imported)."""
    return {h: header_target(h) for h in headers}


def unique_headers(raw: Iterable[str]) -> list[str]:
    """Headers made unique and non-blank, so a mapping can be keyed by header."""
    seen: dict[str, int] = {}
    headers = []
    for i, name in enumerate(raw, start=1):
        name = name.strip().lstrip("\ufeff") or f"Column {i}"
        seen[name] = seen.get(name, 0) + 1
        headers.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return headers


def mapping_clean(mapping: dict, headers: list[str]) -> dict[str, str]:
    """Validate a column mapping; every header is present, unknown targets are refused."""
    if not isinstance(mapping, dict):
        raise ValidationFailed("Invalid mapping.", fields={"mapping": ["an object"]})
    errors = [f"unknown column {k!r}" for k in mapping if k not in headers]
    errors += [f"{k!r}: unknown field {v!r}" for k, v in mapping.items() if v and v not in TARGETS]
    if errors:
        raise ValidationFailed("Invalid mapping.", fields={"mapping": errors})
    clean = {h: (mapping.get(h) or "") for h in headers}
    if not IDENTITY_TARGETS & set(clean.values()):
        raise ValidationFailed(
            "Map at least one column to a name, an e-mail address or a phone number.",
            fields={"mapping": ["no column gives a name, an e-mail address or a phone number"]},
        )
    return clean


# --- reading files --------------------------------------------------------------------------


def text_decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Excel writes it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def csv_delimiter(text: str) -> str:
    """The separator the header line uses most: comma, or Excel's semicolon, tab or pipe.

    csv.Sniffer is not used: it takes a leading apostrophe in a value for a quote character.
    """
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in ",;\t|"}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def csv_reader(text: str) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text))


def csv_headers(text: str) -> list[str]:
    """The file's header row (made unique), or ValidationFailed when there is none."""
    first = next(csv_reader(text), None)
    if not first or not any(c.strip() for c in first):
        raise ValidationFailed("The file has no header row.", fields={"file": ["no header row"]})
    return unique_headers(first)


def csv_cells(text: str, mapping: dict[str, str]) -> Iterator[tuple[int, list[Cell]]]:
    """(row number, cells) per non-blank data row; row 1 is the header, as spreadsheets count."""
    reader = csv_reader(text)
    headers = unique_headers(next(reader, []))
    plan = [(i, mapping[h], h) for i, h in enumerate(headers) if mapping.get(h)]
    width = len(headers)
    for row_no, row in enumerate(reader, start=2):
        if len(row) < width:
            row += [""] * (width - len(row))
        cells = [(t, h, v) for i, t, h in plan if (v := row[i].strip())]
        if cells or any(v.strip() for v in row):
            yield row_no, cells


def csv_row_count(text: str) -> int:
    return sum(1 for row in csv_reader(text) if any(v.strip() for v in row)) - 1


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


def _name_key(first, last, street, postal) -> str:
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
        kind = EMAIL_KINDS.get(target)
        if kind is not None:
            for part in _MULTI_EMAIL.split(raw) if _EMAIL_SEPARATOR.search(raw) else (raw,):
                if part:
                    try:
                        emails.setdefault(email_clean(part), kind)
                    except BadValue as exc:
                        bad(column, part, str(exc))
            continue
        kind = PHONE_KINDS.get(target)
        if kind is not None:
            phone_cells.append((raw, kind, column))
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
    phones = _phones_clean(phone_cells, values.get("country") or "US", bad)
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


def _phones_clean(cells: list[tuple[str, str, str]], region: str, bad) -> list[tuple[str, str]]:
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


# --- the import engine ----------------------------------------------------------------------

CONTACT_FIELDS = (
    "id",
    "org",
    "owner",
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
    "is_do_not_contact",
    "email_consent",
    "sms_consent",
    "custom",
    "created_at",
    "updated_at",
)
EMAIL_FIELDS = ("org", "contact", "address", "kind", "is_primary", "created_at", "updated_at")
PHONE_FIELDS = ("org", "contact", "number", "kind", "is_primary", "created_at", "updated_at")
TAG_FIELDS = ("org", "contact", "tag", "created_at", "updated_at")


@dataclass
class ImportOutcome:
    """Counts and the (capped) list of problems and skipped duplicates of one run."""

    total: int = 0
    created: int = 0
    duplicate: int = 0
    failed: int = 0
    errors: list[dict] = field(default_factory=list)

    def add_issue(self, issue: dict) -> None:
        if len(self.errors) < MAX_STORED_ISSUES:
            self.errors.append(issue)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during a bulk load.

    The loop allocates millions of short-lived containers and creates no cycles; without
    the pause the collector rescans every pending row over and over (a third of the CPU).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class ContactImporter:
    """Validate, dedupe and insert rows for one org; a dry run does everything but write."""

    def __init__(
        self,
        *,
        org_id: int,
        owner_id: int | None,
        source: str,
        dry_run: bool = False,
        progress: Progress | None = None,
        on_batch: Callable[[ImportOutcome], None] | None = None,
        batch: int | None = None,
    ):
        self.org_id, self.owner_id, self.source = org_id, owner_id, source
        self.dry_run, self.progress, self.on_batch = dry_run, progress, on_batch
        self.batch = batch or BATCH
        self.outcome = ImportOutcome()
        self.seen: dict[str, int] = {}
        self.names_loaded = False
        self.tag_ids: dict[str, int] = {}

    def run(self, rows: Iterable[tuple[int, list[Cell]]]) -> ImportOutcome:
        with gc_paused():
            return self._run(rows)

    def _run(self, rows: Iterable[tuple[int, list[Cell]]]) -> ImportOutcome:
        self._load_existing()
        pending: list[CleanRow] = []
        since_progress = 0
        for row_no, cells in rows:
            self.outcome.total += 1
            since_progress += 1
            clean, errors = row_clean(row_no, cells)
            if clean is None:
                self.outcome.failed += 1
                for error in errors:
                    self.outcome.add_issue(error)
            elif self._is_duplicate(clean):
                self.outcome.duplicate += 1
            else:
                pending.append(clean)
                for warning in clean.warnings:
                    self.outcome.add_issue(warning)
            if since_progress >= self.batch:
                self._flush(pending)
                pending = []
                self._report(since_progress)
                since_progress = 0
        self._flush(pending)
        self._report(since_progress)
        return self.outcome

    def _report(self, rows: int) -> None:
        if self.progress and rows:
            self.progress(rows)

    def _load_existing(self) -> None:
        emails = ContactEmail.objects.filter(org_id=self.org_id)
        phones = ContactPhone.objects.filter(org_id=self.org_id)
        self.seen = dict.fromkeys(emails.values_list("address", flat=True).iterator(), 0)
        self.seen.update(dict.fromkeys(phones.values_list("number", flat=True).iterator(), 0))
        self.tag_ids = {
            name.lower(): pk
            for pk, name in Tag.objects.filter(org_id=self.org_id).values_list("pk", "name")
        }

    def _load_name_only(self) -> None:
        # People kept without any e-mail or phone can only be matched by name and address.
        self.names_loaded = True
        qs = Contact.objects.filter(org_id=self.org_id).exclude(
            Exists(ContactEmail.objects.filter(contact=OuterRef("pk")))
        )
        qs = qs.exclude(Exists(ContactPhone.objects.filter(contact=OuterRef("pk"))))
        for row in qs.values_list("first_name", "last_name", "street", "postal_code").iterator():
            self.seen.setdefault(_name_key(*row), 0)

    def _is_duplicate(self, row: CleanRow) -> bool:
        keys = row.keys()
        if keys[0].startswith("name:") and not self.names_loaded:
            self._load_name_only()
        for key in keys:
            first = self.seen.get(key)
            if first is not None:
                where = f"row {first}" if first else "an existing contact"
                self.outcome.add_issue(
                    {
                        "row": row.row,
                        "column": "",
                        "value": key.removeprefix("name:").replace("|", " ").strip(),
                        "reason": f"duplicate of {where}",
                        "kind": "duplicate",
                    }
                )
                return True
        for key in keys:
            self.seen[key] = row.row
        return False

    def _flush(self, rows: list[CleanRow]) -> None:
        if self.dry_run:
            self.outcome.created += len(rows)
            if self.on_batch:
                self.on_batch(self.outcome)
            return
        new_tags: dict[str, int] = {}
        with transaction.atomic():
            if rows:
                new_tags = self._insert(rows)
            self.outcome.created += len(rows)
            if self.on_batch:
                self.on_batch(self.outcome)
        # Only after commit: a rolled-back batch must not leave ids of tags that do not exist.
        self.tag_ids.update(new_tags)

    def _insert(self, rows: list[CleanRow]) -> dict[str, int]:
        # Adapt shared and date values once, not once per row in the driver.
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        day = connection.ops.adapt_datefield_value
        org, owner = self.org_id, self.owner_id
        new_tags = self._tags_create({t.lower(): t for r in rows for t in r.tags})
        tag_ids = {**self.tag_ids, **new_tags}
        contacts, emails, phones, links = [], [], [], []
        for pk, r in zip(reserve_ids(Contact, len(rows)), rows, strict=True):
            v = r.values
            contacts.append(
                (
                    pk,
                    org,
                    owner,
                    v.get("first_name") or "",
                    v.get("last_name") or "",
                    v.get("stage") or Stage.LEAD,
                    v.get("source") or self.source,
                    v.get("street") or "",
                    v.get("city") or "",
                    v.get("state") or "",
                    v.get("postal_code") or "",
                    v.get("country") or "US",
                    day(v.get("birthday_on")),
                    v.get("language") or "",
                    v.get("background") or "",
                    False,
                    "unknown",
                    "unknown",
                    {},
                    now,
                    now,
                )
            )
            for i, (address, kind) in enumerate(r.emails):
                emails.append((org, pk, address, kind, i == 0, now, now))
            for i, (number, kind) in enumerate(r.phones):
                phones.append((org, pk, number, kind, i == 0, now, now))
            for tag in r.tags:
                links.append((org, pk, tag_ids[tag.lower()], now, now))
        insert_rows(Contact, CONTACT_FIELDS, contacts)
        insert_rows(ContactEmail, EMAIL_FIELDS, emails)
        insert_rows(ContactPhone, PHONE_FIELDS, phones)
        insert_rows(ContactTag, TAG_FIELDS, links)
        return new_tags

    def _tags_create(self, names: dict[str, str]) -> dict[str, int]:
        missing = {k: n for k, n in names.items() if k not in self.tag_ids}
        if not missing:
            return {}
        Tag.objects.bulk_create(
            [Tag(org_id=self.org_id, name=n) for n in missing.values()], ignore_conflicts=True
        )
        found = Tag.objects.filter(org_id=self.org_id, name__in=list(missing.values()))
        return {name.lower(): pk for pk, name in found.values_list("pk", "name")}


# --- import jobs ----------------------------------------------------------------------------


def import_job_queryset(*, actor: Membership) -> QuerySet[ImportJob]:
    """Jobs the actor may see: their own, or those of members in their scope."""
    return ImportJob.objects.filter(visibility_for(actor).owned_q("created_by"))


def import_job_get(*, actor: Membership, job_id: int) -> ImportJob:
    job = import_job_queryset(actor=actor).select_related("owner__user").filter(pk=job_id).first()
    if job is None:
        raise NotFound("No such import.")
    return job


def import_job_list(*, actor: Membership, limit: int = 10) -> QuerySet[ImportJob]:
    return import_job_queryset(actor=actor).order_by("-created_at", "-pk")[:limit]


def import_owner_choices(*, actor: Membership) -> QuerySet[Membership]:
    """Active members whose contacts the actor may create (their visibility scope)."""
    scope = visibility_for(actor)
    qs = Membership.objects.filter(org_id=actor.org_id, is_active=True).select_related("user")
    if not scope.is_org_wide:
        qs = qs.filter(pk__in=scope.member_ids)
    return qs.order_by("user__first_name", "user__last_name", "pk")


def org_default_owner(*, org_id: int) -> Membership | None:
    """The broker-owner (else the oldest member): owner of command-line imports by default."""
    members = Membership.objects.filter(org_id=org_id, is_active=True).order_by("pk")
    broker = members.filter(role_assignments__role=Role.BROKER_OWNER).first()
    return broker or members.first()


def _owner_resolve(actor: Membership | None, org_id: int, owner_id: int | None) -> int:
    if owner_id is None:
        if actor is None:
            raise ValidationFailed("Choose an owner.", fields={"owner_id": ["required"]})
        return actor.pk
    members = Membership.objects.filter(org_id=org_id, is_active=True, pk=owner_id)
    if actor is not None:
        members = import_owner_choices(actor=actor).filter(pk=owner_id)
    if not members.exists():
        raise ValidationFailed(
            "No such member.", fields={"owner_id": ["not an active member you may assign to"]}
        )
    return owner_id


def file_format_of(filename: str, file_format: str = "") -> str:
    if file_format:
        if file_format not in FORMATS:
            raise ValidationFailed("Unknown format.", fields={"file_format": ["csv or vcf"]})
        return file_format
    return "vcf" if filename.lower().endswith((".vcf", ".vcard")) else "csv"


def import_job_create(
    *,
    actor: Membership | None,
    org_id: int,
    upload: File,
    filename: str,
    file_format: str = "",
    owner_id: int | None = None,
) -> ImportJob:
    """Store an uploaded file (through the storage API) as a pending job, auto-mapped."""
    file_format = file_format_of(filename, file_format)
    size = upload.size or 0
    if size > MAX_UPLOAD_BYTES:
        raise ValidationFailed("The file is too large.", fields={"file": ["at most 50 MB"]})
    if size == 0:
        raise ValidationFailed("The file is empty.", fields={"file": ["empty file"]})
    owner_id = _owner_resolve(actor, org_id, owner_id)
    upload.seek(0)
    text = text_decode(upload.read())
    mapping = {}
    if file_format == "csv":
        mapping = mapping_guess(csv_headers(text))
    else:
        from rallypoynt.contacts.services.vcard import vcard_count

        if not vcard_count(text):
            raise ValidationFailed("No vCards in the file.", fields={"file": ["no BEGIN:VCARD"]})
    upload.seek(0)
    job = ImportJob(
        org_id=org_id,
        created_by=actor,
        owner_id=owner_id,
        filename=filename[:255],
        file_format=file_format,
        mapping=mapping,
    )
    job.file.save(get_valid_filename(filename)[-100:] or "import.csv", upload, save=False)
    job.save()
    return job


def job_text(job: ImportJob) -> str:
    with job.file.open("rb") as fh:
        return text_decode(fh.read())


def job_headers(job: ImportJob) -> list[str]:
    """The file's columns in file order (the stored mapping's key order is not kept by jsonb)."""
    return csv_headers(job_text(job)) if job.file_format == "csv" else []


@dataclass
class ImportPreview:
    """What the mapping page shows: headers, their targets and the first rows."""

    headers: list[str]
    mapping: dict[str, str]
    rows: list[list[str]]
    total_rows: int


def import_preview(*, job: ImportJob, rows: int = PREVIEW_ROWS) -> ImportPreview:
    text = job_text(job)
    if job.file_format == "vcf":
        from rallypoynt.contacts.services.vcard import vcard_preview

        return vcard_preview(text, rows)
    reader = csv_reader(text)
    headers = unique_headers(next(reader, []))
    sample = []
    for row in reader:
        if len(sample) >= rows:
            break
        if any(v.strip() for v in row):
            sample.append((row + [""] * len(headers))[: len(headers)])
    mapping = {h: job.mapping.get(h, "") for h in headers}
    return ImportPreview(headers, mapping, sample, csv_row_count(text))


@transaction.atomic
def import_job_prepare(
    *, actor: Membership | None, job: ImportJob, mapping: dict | None, dry_run: bool
) -> ImportJob:
    """Set the mapping and mode of a job and make it pending again (not while it runs)."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status == ImportStatus.RUNNING and job.started_at > timezone.now() - STALE_RUNNING:
        raise Conflict("This import is running.", fields={"status": ["running"]})
    if job.status == ImportStatus.DONE and not job.is_dry_run:
        raise Conflict("This file was imported already.", fields={"status": ["done"]})
    if job.file_format == "csv":
        headers = csv_headers(job_text(job))
        job.mapping = mapping_clean(job.mapping if mapping is None else mapping, headers)
    job.is_dry_run = dry_run
    job.status = ImportStatus.PENDING
    job.rows_total = job.rows_created = job.rows_duplicate = job.rows_failed = 0
    job.errors, job.started_at, job.finished_at = [], None, None
    job.save()
    return job


def import_job_queue(
    *, actor: Membership, job_id: int, mapping: dict | None = None, dry_run: bool = False
) -> ImportJob:
    """Prepare a visible job and run it in the background once this transaction commits."""
    with transaction.atomic():
        job = import_job_prepare(
            actor=actor,
            job=import_job_get(actor=actor, job_id=job_id),
            mapping=mapping,
            dry_run=dry_run,
        )
        from rallypoynt.contacts.tasks_imports import import_job_execute

        transaction.on_commit(lambda: import_job_execute.enqueue(job.pk))
    return job


def _job_claim(job_id: int) -> bool:
    now = timezone.now()
    return bool(
        ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
            status=ImportStatus.RUNNING, started_at=now, updated_at=now
        )
    )


def import_job_run(*, job_id: int, progress: Progress | None = None) -> ImportJob:
    """Run a pending job once (a second call finds it claimed and does nothing)."""
    if not _job_claim(job_id):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        text = job_text(job)
        if job.file_format == "vcf":
            from rallypoynt.contacts.services.vcard import vcard_cells, vcard_count

            rows, total = vcard_cells(text), vcard_count(text)
        else:
            rows, total = csv_cells(text, job.mapping), csv_row_count(text)
        ImportJob.objects.filter(pk=job.pk).update(rows_total=total)
        importer = ContactImporter(
            org_id=job.org_id,
            owner_id=job.owner_id,
            source=DEFAULT_SOURCE[job.file_format],
            dry_run=job.is_dry_run,
            progress=progress,
            on_batch=lambda outcome: _job_counts_save(job.pk, outcome),
        )
        outcome = importer.run(rows)
    except Exception as exc:
        _job_fail(job, exc)
        raise
    return _job_finish(job, outcome)


def _job_counts_save(job_id: int, outcome: ImportOutcome) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        rows_created=outcome.created,
        rows_duplicate=outcome.duplicate,
        rows_failed=outcome.failed,
        errors=outcome.errors,
        updated_at=timezone.now(),
    )


def _job_fail(job: ImportJob, exc: Exception) -> None:
    job.refresh_from_db()
    job.status = ImportStatus.FAILED
    job.finished_at = timezone.now()
    job.errors = [
        *job.errors,
        {"row": None, "column": "", "value": "", "reason": f"the import stopped: {exc}"},
    ]
    job.save(update_fields=["status", "finished_at", "errors", "updated_at"])


@transaction.atomic
def _job_finish(job: ImportJob, outcome: ImportOutcome) -> ImportJob:
    job.status = ImportStatus.DONE
    job.rows_total = outcome.total
    job.rows_created, job.rows_duplicate = outcome.created, outcome.duplicate
    job.rows_failed, job.errors = outcome.failed, outcome.errors
    job.finished_at = timezone.now()
    job.save()
    if job.is_dry_run:
        return job
    counts = {
        "total": outcome.total,
        "created": outcome.created,
        "duplicate": outcome.duplicate,
        "failed": outcome.failed,
    }
    actor_user = job.created_by.user_id if job.created_by else None
    audit_record(
        org_id=job.org_id,
        actor_id=actor_user,
        action="contacts.import",
        target=job,
        changes={**counts, "filename": job.filename, "owner_id": job.owner_id},
    )
    event_emit(
        org_id=job.org_id,
        kind="contacts.imported",
        subject=job,
        actor_id=actor_user,
        payload={
            **counts,
            "channel": Channel.CSV if job.file_format == "csv" else "vcard",
            "file_format": job.file_format,
            "owner_id": job.owner_id,
        },
    )
    return job
