"""The org's own settings: name, branding, time zone, holidays, hours, closures."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from django.db import transaction
from django.utils.text import slugify

from rallypoynt.accounts.models import User
from rallypoynt.core.audit import audit_and_emit, model_changes, update_record
from rallypoynt.core.errors import Conflict, NotFound, ValidationFailed
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.config_cache import org_config_changed
from rallypoynt.orgs.models import (
    BusinessHours,
    Closure,
    Membership,
    MembershipRole,
    Organization,
)
from rallypoynt.orgs.services.common import (
    DEFAULT_WEEK,
    require,
    validate_lengths,
)


def validate_calendar_settings(*, time_zone: str, country: str, subdivision: str) -> None:
    """Reject a time zone or holiday calendar the libraries do not know."""
    errors: dict[str, list[str]] = {}
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: a directory ("America") or an over-long name reaches the file system.
        errors["time_zone"] = [f"{time_zone!r} is not an IANA time zone"]
    if country:
        # The column holds ISO 3166-1 alpha-2; the library also accepts alpha-3 ("USA").
        if len(country) != 2 or not _has_holidays(country, None):
            errors["holiday_country"] = [f"No holiday calendar for country {country!r}"]
        elif subdivision and not _has_holidays(country, subdivision):
            errors["holiday_subdivision"] = [f"{country!r} has no subdivision {subdivision!r}"]
    elif subdivision:
        errors["holiday_subdivision"] = ["A subdivision needs a country"]
    if errors:
        raise ValidationFailed("Invalid calendar settings.", fields=errors)


def _has_holidays(country: str, subdivision: str | None) -> bool:
    try:
        holidays.country_holidays(country, subdiv=subdivision, years=2026)
    except NotImplementedError:
        return False
    return True


@transaction.atomic
def organization_create(
    *,
    name: str,
    owner: User,
    slug: str = "",
    time_zone: str = "America/New_York",
    holiday_country: str = "US",
    holiday_subdivision: str = "",
) -> Organization:
    """Create an org with Mon-Fri 9-17 hours and its owner as broker/owner."""
    slug = slugify(slug or name)[:60]
    if not name.strip() or not slug:
        raise ValidationFailed("A name is required.", fields={"name": ["This field is required."]})
    holiday_country = holiday_country.strip().upper()
    holiday_subdivision = holiday_subdivision.strip().upper()
    validate_lengths(Organization, {"name": name.strip()})
    validate_calendar_settings(
        time_zone=time_zone, country=holiday_country, subdivision=holiday_subdivision
    )
    if Organization.objects.filter(slug=slug).exists():
        raise Conflict(f"An organization with slug {slug!r} exists.", fields={"slug": ["taken"]})
    org = Organization.objects.create(
        name=name.strip(),
        slug=slug,
        time_zone=time_zone,
        holiday_country=holiday_country,
        holiday_subdivision=holiday_subdivision,
    )
    BusinessHours.objects.bulk_create(
        BusinessHours(org=org, weekday=day, opens_at=start, closes_at=end)
        for day, intervals in DEFAULT_WEEK.items()
        for start, end in intervals
    )
    membership = Membership.objects.create(org=org, user=owner)
    MembershipRole.objects.create(org=org, membership=membership, role=Role.BROKER_OWNER)
    audit_and_emit(
        org_id=org.pk,
        actor_id=owner.pk,
        action="organization.create",
        target=org,
        kind="organization.created",
    )
    return org


SETTINGS_FIELDS = ["name", "branding_name", "time_zone", "holiday_country", "holiday_subdivision"]


@transaction.atomic
def organization_update(*, actor: Membership, **values: str) -> Organization:
    """Change the org's name, branding, time zone or holiday calendar."""
    require(actor, "org.change_settings")
    org = Organization.objects.select_for_update().get(pk=actor.org_id)
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationFailed("Unknown setting.", fields={k: ["unknown"] for k in unknown})
    before = {f: getattr(org, f) for f in SETTINGS_FIELDS}
    for field, value in values.items():
        value = (value or "").strip()
        setattr(org, field, value.upper() if field.startswith("holiday_") else value)
    if not org.name:
        raise ValidationFailed("A name is required.", fields={"name": ["This field is required."]})
    validate_lengths(Organization, {f: getattr(org, f) for f in SETTINGS_FIELDS})
    validate_calendar_settings(
        time_zone=org.time_zone, country=org.holiday_country, subdivision=org.holiday_subdivision
    )
    org.save()
    changes = model_changes(org, SETTINGS_FIELDS, before)
    update_record(
        org_id=org.pk,
        actor_id=actor.user_id,
        name="organization",
        target=org,
        changes=changes,
    )
    return org


@transaction.atomic
def business_hours_set(*, actor: Membership, week: dict[int, Sequence[tuple[time, time]]]) -> None:
    """Replace the org's weekly hours; a weekday missing from `week` is closed."""
    require(actor, "org.change_settings")
    errors: dict[str, list[str]] = {}
    for day, intervals in week.items():
        if day not in range(7):
            errors.setdefault(f"hours.{day}", []).append("not a weekday (0=Mon to 6=Sun)")
            continue
        ordered = sorted(intervals)
        for start, end in ordered:
            if end <= start and end != time(0):
                errors.setdefault(f"hours.{day}", []).append("closes before it opens")
        for (_, end), (start, _) in itertools.pairwise(ordered):
            # A close of 00:00 is the midnight that ends the day, so nothing may follow it.
            if end == time(0) or start < end:
                errors.setdefault(f"hours.{day}", []).append("intervals overlap")
    if errors:
        raise ValidationFailed("Invalid business hours.", fields=errors)
    BusinessHours.objects.filter(org_id=actor.org_id).delete()
    BusinessHours.objects.bulk_create(
        BusinessHours(org_id=actor.org_id, weekday=day, opens_at=start, closes_at=end)
        for day, intervals in week.items()
        for start, end in intervals
    )
    org_config_changed(actor.org_id)
    summary = {str(d): [[s.isoformat(), e.isoformat()] for s, e in iv] for d, iv in week.items()}
    org = actor.org
    audit_and_emit(
        org_id=org.pk,
        actor_id=actor.user_id,
        action="business_hours.set",
        target=org,
        changes={"hours": summary},
        kind="business_hours.changed",
    )


@transaction.atomic
def closure_add(*, actor: Membership, closed_on: date, name: str) -> Closure:
    require(actor, "org.change_settings")
    name = name.strip()
    if not name:
        raise ValidationFailed("A reason is required.", fields={"name": ["Give a reason."]})
    validate_lengths(Closure, {"name": name})
    if Closure.objects.filter(org_id=actor.org_id, closed_on=closed_on).exists():
        raise Conflict("That day is already closed.", fields={"closed_on": ["already closed"]})
    closure = Closure.objects.create(org_id=actor.org_id, closed_on=closed_on, name=name)
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="closure.add",
        target=closure,
        kind="closure.added",
        payload={"closed_on": closed_on.isoformat()},
    )
    return closure


@transaction.atomic
def closure_remove(*, actor: Membership, closure_id: int) -> None:
    require(actor, "org.change_settings")
    closure = Closure.objects.filter(org_id=actor.org_id, pk=closure_id).first()
    if closure is None:
        raise NotFound("No such closure.")
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="closure.remove",
        target=closure,
        kind="closure.removed",
        payload={"closed_on": closure.closed_on.isoformat()},
    )
    closure.delete()
