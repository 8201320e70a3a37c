"""Reads of the org's settings: business hours, closures and holidays, and the audit log."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.db.models import QuerySet

from rallypoynt.core.calendar import BusinessCalendar
from rallypoynt.core.clock import local_today
from rallypoynt.core.errors import PermissionDenied
from rallypoynt.core.models import AuditEntry
from rallypoynt.orgs.models import BusinessHours, Closure, Membership, Organization
from rallypoynt.orgs.permissions import can


def business_hours_of(*, org: Organization) -> dict[int, tuple[tuple[time, time], ...]]:
    """The org's opening hours by weekday (0 Monday), each day's intervals in order."""
    hours: dict[int, list[tuple[time, time]]] = {}
    for row in BusinessHours.objects.filter(org=org).order_by("weekday", "opens_at"):
        hours.setdefault(row.weekday, []).append((row.opens_at, row.closes_at))
    return {day: tuple(intervals) for day, intervals in hours.items()}


def calendar_for_org(*, org: Organization) -> BusinessCalendar:
    """The org's business calendar: its time zone, weekly hours, public holidays and closures."""
    closures = frozenset(Closure.objects.filter(org=org).values_list("closed_on", flat=True))
    return BusinessCalendar(
        time_zone=org.time_zone,
        hours=business_hours_of(org=org),
        country=org.holiday_country or None,
        subdivision=org.holiday_subdivision or None,
        closed_on=closures,
    )


def closure_list(*, actor: Membership) -> QuerySet[Closure]:
    """The days the org is closed, in date order."""
    return Closure.objects.filter(org_id=actor.org_id).order_by("closed_on")


def upcoming_holidays(*, calendar: BusinessCalendar, days: int = 365) -> list[tuple[date, str]]:
    """Public holidays and closures in the next `days`, for the hours page."""
    start = local_today(calendar.tzinfo())
    found = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        name = calendar.holiday_name(day)
        if name:
            found.append((day, name))
    return found


def audit_list(
    *, actor: Membership, object_type: str = "", action: str = ""
) -> QuerySet[AuditEntry]:
    """The org's audit log, newest first; only roles allowed `org.view_audit` may read it."""
    if not can(actor, "org.view_audit"):
        raise PermissionDenied("Your roles do not allow reading the audit log.")
    qs = AuditEntry.objects.filter(org_id=actor.org_id).select_related("actor")
    if object_type:
        qs = qs.filter(object_type=object_type)
    if action:
        qs = qs.filter(action=action)
    return qs.order_by("-at", "-id")
