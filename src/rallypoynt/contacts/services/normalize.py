"""Normalise and validate e-mail addresses and phone numbers (E.164) with their libraries."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import phonenumbers
from django.db import models
from email_validator import EmailNotValidError, validate_email

from rallypoynt.contacts.choices import EmailKind, PhoneKind
from rallypoynt.core.errors import ValidationFailed

DEFAULT_REGION = "US"


def email_normalize(raw: str, *, field: str = "emails") -> str:
    """The lower-cased, validated address, or ValidationFailed naming `field`."""
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed(
            f"Invalid e-mail address {raw!r}.", fields={field: [f"{raw!r}: {exc}"]}
        ) from exc
    return result.normalized.lower()


def phone_normalize(raw: str, *, region: str = DEFAULT_REGION, field: str = "phones") -> str:
    """The number in E.164 (+14155550123), or ValidationFailed naming `field`."""
    try:
        parsed = phonenumbers.parse(raw.strip(), region or DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationFailed(
            f"Invalid phone number {raw!r}.", fields={field: [f"{raw!r}: {exc}"]}
        ) from exc
    if not phonenumbers.is_possible_number(parsed):
        raise ValidationFailed(
            f"Invalid phone number {raw!r}.",
            fields={field: [f"{raw!r} is not a possible phone number"]},
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def emails_normalize(raws: Iterable[str], *, field: str = "emails") -> list[str]:
    """Normalise many addresses, dropping blanks and repeats, keeping their order."""
    seen: dict[str, None] = {}
    for raw in raws:
        if raw and raw.strip():
            seen.setdefault(email_normalize(raw, field=field))
    return list(seen)


def phones_normalize(
    raws: Iterable[str], *, region: str = DEFAULT_REGION, field: str = "phones"
) -> list[str]:
    seen: dict[str, None] = {}
    for raw in raws:
        if raw and raw.strip():
            seen.setdefault(phone_normalize(raw, region=region, field=field))
    return list(seen)


@dataclass(frozen=True, slots=True)
class EmailEntry:
    """An address with its kind; no kind: personal when new, unchanged when the contact has it."""

    address: str
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class PhoneEntry:
    """A number with its kind; no kind: mobile when new, unchanged when the contact has it."""

    number: str
    kind: str | None = None


def email_entries_clean(
    raws: Iterable[str | EmailEntry], *, field: str = "emails"
) -> list[EmailEntry]:
    """Normalise addresses and check kinds (plain strings have none), reporting every problem.

    Blanks are dropped; a repeated address keeps its first place and kind.
    """
    entries = (EmailEntry(r) if isinstance(r, str) else r for r in raws)
    pairs = _entries_clean(
        ((e.address, e.kind) for e in entries),
        lambda raw: email_normalize(raw, field=field),
        EmailKind,
        field,
    )
    return [EmailEntry(address, kind) for address, kind in pairs]


def phone_entries_clean(
    raws: Iterable[str | PhoneEntry], *, region: str = DEFAULT_REGION, field: str = "phones"
) -> list[PhoneEntry]:
    """Numbers in E.164 with checked kinds, as `email_entries_clean` does for addresses."""
    entries = (PhoneEntry(r) if isinstance(r, str) else r for r in raws)
    pairs = _entries_clean(
        ((e.number, e.kind) for e in entries),
        lambda raw: phone_normalize(raw, region=region, field=field),
        PhoneKind,
        field,
    )
    return [PhoneEntry(number, kind) for number, kind in pairs]


def _entries_clean(
    pairs: Iterable[tuple[str, str | None]],
    normalize: Callable[[str], str],
    kinds: type[models.TextChoices],
    field: str,
) -> list[tuple[str, str | None]]:
    seen: dict[str, str | None] = {}
    errors: dict[str, list[str]] = {}
    for i, (raw, raw_kind) in enumerate(pairs):
        kind = kind_clean(raw_kind, kinds)
        if kind == "":
            errors[f"{field}.{i}.kind"] = [f"one of {', '.join(kinds.values)}"]
        if not (raw and raw.strip()):
            continue
        try:
            value = normalize(raw)
        except ValidationFailed as exc:
            for name, messages in exc.fields.items():
                errors.setdefault(name, []).extend(messages)
            continue
        if value not in seen:
            seen[value] = kind
    if errors:
        raise ValidationFailed("Invalid addresses or numbers.", fields=errors)
    return list(seen.items())


def kind_clean(raw: str | None, kinds: type[models.TextChoices]) -> str | None:
    """The kind in `kinds` that `raw` names (any case), None when not given, "" when unknown."""
    if raw is None or not raw.strip():
        return None
    kind = raw.strip().lower()
    return kind if kind in kinds.values else ""
