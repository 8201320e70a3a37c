"""Template filters that write times the one way (core/timefmt.py), in the active zone.

The zone is the reader's: the middleware activates the org's (or the user's own) zone for
each request, and e-mails render under `timezone.override(reader_zone(recipient))`.

    {{ task.due_at|moment }}   Sat Dec 5, 8:29 PM MST
    {{ task.due_at|due }}      Wed Dec 9, end of day   (or the moment when not end of day)
    {{ row.created_at|day }}   Sat Dec 5               (a date: the day itself)
    {{ deal.closing_on|day:"year" }}  Wed Dec 9, 2026
    {{ task.due_at|clock }}    8:29 PM MST
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone

from rallypoynt.core import timefmt

register = template.Library()


def active_zone() -> ZoneInfo:
    """The zone activated for this request or message (UTC when none is)."""
    zone = timezone.get_current_timezone()
    if isinstance(zone, ZoneInfo):
        return zone
    # A fixed-offset zone (datetime.timezone) has no IANA key; UTC is the only one we use.
    return timefmt.UTC_ZONE


def _aware(value: datetime) -> datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value, timefmt.UTC_ZONE)


Value = datetime | date | str | None


def _parsed(value: Value) -> datetime | date | None:
    """A datetime or date; ISO text (snapshots, JSON payloads) is read, junk gives None."""
    if not value:
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, date) else None


@register.filter
def moment(value: Value, arg: str = "") -> str:
    """A moment with day, 12-hour clock and zone; 'nozone' drops the abbreviation."""
    value = _parsed(value)
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return timefmt.day_text(value, where=active_zone())
    return timefmt.moment_text(_aware(value), active_zone(), zone=arg != "nozone")


@register.filter
def day(value: Value, arg: str = "") -> str:
    """The reader's calendar day of a moment, or a date as is; 'year' always adds the year."""
    value = _parsed(value)
    if value is None:
        return ""
    year = True if arg == "year" else None
    if isinstance(value, datetime):
        return timefmt.moment_day_text(_aware(value), active_zone(), year=year)
    return timefmt.day_text(value, year=year, where=active_zone())


@register.filter
def due(value: Value) -> str:
    """A deadline: the day alone when due at the end of it, else the moment."""
    value = _parsed(value)
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return timefmt.day_text(value, where=active_zone())
    return timefmt.due_text(_aware(value), active_zone())


@register.filter
def clock(value: Value, arg: str = "") -> str:
    """The wall-clock time alone, with the zone ('nozone' drops it)."""
    value = _parsed(value)
    if not isinstance(value, datetime):
        return ""
    return timefmt.clock_text(_aware(value), active_zone(), zone=arg != "nozone")
