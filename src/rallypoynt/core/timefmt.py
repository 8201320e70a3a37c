"""The one way a time or a date is written for a person: 12-hour clock, the zone's
abbreviation, the weekday with a date. Pages, e-mails, notifications and reasons all use it.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rallypoynt.core.clock import Zoned, local_now, local_today, zone_of

# A deadline due at the very end of a day belongs to that day, not to the next.
END_OF_DAY = time(23, 59)
UTC_ZONE = ZoneInfo("UTC")


def _clock(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def day_text(day: date, *, year: bool | None = None, where: Zoned | None = None) -> str:
    """'Wed Dec 9' (with ', 2026' when asked, or by default when `day` is not this year).

    "This year" is the reader's (`where`), so Dec 31 in Denver is not dated ', 2026' just
    because it is already Jan 1 in UTC.
    """
    text = f"{day:%a %b} {day.day}"
    if year or (year is None and day.year != local_today(where or UTC_ZONE).year):
        text += f", {day.year}"
    return text


def clock_text(moment: datetime, where: Zoned, *, zone: bool = True) -> str:
    """'8:29 PM MST': the wall-clock time in `where`'s zone."""
    local = local_now(where, moment)
    return f"{_clock(local)} {local.tzname()}" if zone else _clock(local)


def moment_text(moment: datetime, where: Zoned, *, zone: bool = True) -> str:
    """'Sat Dec 5, 8:29 PM MST': a moment as a person in `where` reads it."""
    here = zone_of(where)
    local = local_now(here, moment)
    day = day_text(local.date(), where=here)
    return f"{day}, {clock_text(local, here, zone=zone)}"


def moment_day_text(moment: datetime, where: Zoned, *, year: bool | None = None) -> str:
    """'Sat Dec 5': the calendar day a moment falls on in `where`'s zone (no clock)."""
    here = zone_of(where)
    return day_text(local_now(here, moment).date(), year=year, where=here)


def due_text(moment: datetime, where: Zoned) -> str:
    """A due time: 'Wed Dec 9, end of day' when it is the end of that day, else with the time."""
    here = zone_of(where)
    local = local_now(here, moment)
    if local.time() >= END_OF_DAY:
        return f"{day_text(local.date(), where=here)}, end of day"
    return moment_text(moment, where)


def zone_named(name: str | None, default: Zoned = UTC_ZONE) -> ZoneInfo:
    """The zone called `name`, or `default` for a blank or unknown name (never raises)."""
    if name:
        try:
            return zone_of(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return zone_of(default)


def reader_zone(member: Any, org: Any = None) -> ZoneInfo:
    """The zone a member reads times in: their user's own zone if set, else their org's.

    Pass `org` when the caller holds it already (a member's org is theirs), saving a query.
    """
    own = getattr(getattr(member, "user", None), "time_zone", "")
    org = org if org is not None else getattr(member, "org", None)
    return zone_named(own, default=zone_named(getattr(org, "time_zone", None)))
