"""Normalise and validate e-mail addresses and phone numbers (E.164) with their libraries."""

from __future__ import annotations

from collections.abc import Iterable

import phonenumbers
from email_validator import EmailNotValidError, validate_email

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
