"""A client's buyer or seller profile: structured needs, validated and bounded, recorded with
an audit entry and `contact.profile_updated`; the first time its essentials are all there it
also emits `contact.profile_completed` (the journey files the needs assessment from it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from rallypoynt.contacts.choices import ProfileSide, PropertyType, Timeframe
from rallypoynt.contacts.models import ClientProfile
from rallypoynt.contacts.services.people import contact_for_update
from rallypoynt.core.audit import audit_record, model_changes
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.events import event_emit
from rallypoynt.orgs.models import Membership

PRICE_MAX = Decimal("999999999999.99")  # DecimalField(14, 2)
CENT = Decimal("0.01")
BEDROOMS_MAX = 20
BATHROOMS_MAX = Decimal(20)
TENTH = Decimal("0.1")
AREAS_MAX = 20  # places in one profile
AREA_LENGTH = 100  # "Highlands Ranch, CO" or a ZIP code
FEATURES_MAX = 20  # must-haves, nice-to-haves
FEATURE_LENGTH = 200
LENDER_LENGTH = 200
MOTIVATION_LENGTH = 2000


@dataclass
class ProfileData:
    """A whole profile as typed in or sent (a PUT: what is left out is cleared)."""

    price_min: Decimal | None = None
    price_max: Decimal | None = None
    areas: Sequence[str] = field(default_factory=list)
    property_types: Sequence[str] = field(default_factory=list)
    bedrooms_min: int | None = None
    bathrooms_min: Decimal | None = None
    timeframe: str = ""
    is_preapproved: bool = False
    preapproved_amount: Decimal | None = None
    lender: str = ""
    motivation: str = ""
    must_haves: Sequence[str] = field(default_factory=list)
    nice_to_haves: Sequence[str] = field(default_factory=list)


PROFILE_VALUES = [f.name for f in fields(ProfileData)]


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)


def _amount(errors: _Errors, name: str, value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if (
        not isinstance(value, Decimal)
        or not value.is_finite()
        or not Decimal(0) <= value <= PRICE_MAX
        or value != value.quantize(CENT)
    ):
        errors.add(name, "An amount in dollars from 0 to 999,999,999,999.99, to the cent.")
        return None
    return value


def _text(errors: _Errors, name: str, value: str, limit: int) -> str:
    if not isinstance(value, str):
        errors.add(name, "Text.")
        return ""
    value = value.strip()
    if "\x00" in value:
        errors.add(name, "No NUL characters.")
    elif len(value) > limit:
        errors.add(name, f"At most {limit} characters.")
    return value


def _items(errors: _Errors, name: str, values: Sequence[str], most: int, limit: int) -> list[str]:
    """Stripped, blank ones dropped, repeats (any case) once; at most `most` of `limit`."""
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        errors.add(name, "A list of text.")
        return []
    kept: dict[str, str] = {}
    for value in values:
        value = " ".join(value.split())
        if value:
            kept.setdefault(value.casefold(), value)
    items = list(kept.values())
    if len(items) > most:
        errors.add(name, f"At most {most} entries.")
    if any(len(item) > limit or "\x00" in item for item in items):
        errors.add(name, f"Each entry at most {limit} characters.")
    return items


def profile_data_clean(data: ProfileData) -> dict[str, Any]:
    """The profile's values, normalised; ValidationFailed names every bad field."""
    errors = _Errors()
    values: dict[str, Any] = {
        "price_min": _amount(errors, "price_min", data.price_min),
        "price_max": _amount(errors, "price_max", data.price_max),
        "preapproved_amount": _amount(errors, "preapproved_amount", data.preapproved_amount),
        "areas": _items(errors, "areas", data.areas, AREAS_MAX, AREA_LENGTH),
        "must_haves": _items(errors, "must_haves", data.must_haves, FEATURES_MAX, FEATURE_LENGTH),
        "nice_to_haves": _items(
            errors, "nice_to_haves", data.nice_to_haves, FEATURES_MAX, FEATURE_LENGTH
        ),
        "lender": _text(errors, "lender", data.lender, LENDER_LENGTH),
        "motivation": _text(errors, "motivation", data.motivation, MOTIVATION_LENGTH),
        "timeframe": data.timeframe or "",
        "is_preapproved": data.is_preapproved,
    }
    low, high = values["price_min"], values["price_max"]
    if low is not None and high is not None and low > high:
        errors.add("price_max", "At least the lowest price.")
    types = _items(errors, "property_types", data.property_types, len(PropertyType), 40)
    if any(t not in PropertyType.values for t in types):
        errors.add("property_types", f"Each one of {', '.join(PropertyType.values)}.")
    values["property_types"] = [t for t in PropertyType.values if t in types]
    bedrooms = data.bedrooms_min
    if bedrooms is not None and (
        isinstance(bedrooms, bool)
        or not isinstance(bedrooms, int)
        or not 0 <= bedrooms <= BEDROOMS_MAX
    ):
        errors.add("bedrooms_min", f"A whole number from 0 to {BEDROOMS_MAX}.")
    values["bedrooms_min"] = bedrooms
    bathrooms = data.bathrooms_min
    if bathrooms is not None and (
        not isinstance(bathrooms, Decimal)
        or not bathrooms.is_finite()
        or not Decimal(0) <= bathrooms <= BATHROOMS_MAX
        or bathrooms != bathrooms.quantize(TENTH)
    ):
        errors.add("bathrooms_min", f"A number from 0 to {BATHROOMS_MAX}, e.g. 2 or 2.5.")
    values["bathrooms_min"] = bathrooms
    if values["timeframe"] not in Timeframe.values:
        errors.add("timeframe", f"One of {', '.join(v for v in Timeframe.values if v)}.")
    if not isinstance(values["is_preapproved"], bool):
        errors.add("is_preapproved", "Yes or no.")
    elif not values["is_preapproved"]:
        for name in ("preapproved_amount", "lender"):
            if values[name]:
                errors.add(name, "Only for a client who is pre-approved.")
    if errors.fields:
        raise ValidationFailed("The profile is not valid.", fields=errors.fields)
    return values


@transaction.atomic
def client_profile_set(
    *, actor: Membership, contact_id: int, side: str, data: ProfileData
) -> ClientProfile:
    """Make the contact's buyer or seller profile exactly `data`. A contact the actor may not
    see is missing (NotFound). Records the change (nothing when nothing changed) and, the
    first time the essentials are all there, `contact.profile_completed`."""
    contact = contact_for_update(actor=actor, contact_id=contact_id)
    if side not in ProfileSide.values:
        raise ValidationFailed(
            "Unknown side.", fields={"side": [f"One of {', '.join(ProfileSide.values)}."]}
        )
    values = profile_data_clean(data)
    profile = (
        ClientProfile.objects.select_for_update()
        .filter(org_id=contact.org_id, contact=contact, side=side)
        .first()
    )
    is_new = profile is None
    if profile is None:
        profile = ClientProfile(org_id=contact.org_id, contact=contact, side=side)
    before = {name: getattr(profile, name) for name in PROFILE_VALUES}
    for name, value in values.items():
        setattr(profile, name, value)
    changes = model_changes(profile, PROFILE_VALUES, before)
    is_completed = profile.completed_at is None and not profile.essentials_missing()
    if not (is_new or changes):
        return profile
    now = timezone.now()
    if is_completed:
        profile.completed_at = now
    profile.save()
    audit_record(
        org_id=contact.org_id,
        actor_id=actor.user_id,
        action="contact.profile_update",
        target=profile,
        changes={"side": side, **changes},
    )
    event_emit(
        org_id=contact.org_id,
        kind="contact.profile_updated",
        subject=contact,
        actor_id=actor.user_id,
        payload={"side": side, "fields": sorted(changes)},
    )
    if is_completed:
        event_emit(
            org_id=contact.org_id,
            kind="contact.profile_completed",
            subject=contact,
            actor_id=actor.user_id,
            payload={"side": side},
        )
    return profile
