"""The one way a time or a date is written for a person: 12-hour clock, the zone's
abbreviation, the weekday with a date. Pages, e-mails, notifications and reasons all use it.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from rallypoynt.core.clock import Zoned, local_now

# A deadline due at the very end of a day belongs to that day, not to the next.
END_OF_DAY = time(23, 59)


def _clock(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def day_text(day: date, *, year: bool | None = None) -> str:
    """'Wed Dec 9' (with ', 2026' when asked, or by default when `day` is not this year)."""
    text = f"{day:%a %b} {day.day}"
    # Around New Year the UTC year may be a day off the reader's: it only decides a label.
    if year or (year is None and day.year != timezone.now().year):
        text += f", {day.year}"
    return text


def clock_text(moment: datetime, where: Zoned, *, zone: bool = True) -> str:
    """'8:29 PM MST': the wall-clock time in `where`'s zone."""
    local = local_now(where, moment)
    return f"{_clock(local)} {local.tzname()}" if zone else _clock(local)


def moment_text(moment: datetime, where: Zoned, *, zone: bool = True) -> str:
    """'Sat Dec 5, 8:29 PM MST': a moment as a person in `where` reads it."""
    local = local_now(where, moment)
    return f"{day_text(local.date())}, {clock_text(local, local.tzinfo, zone=zone)}"


def due_text(moment: datetime, where: Zoned) -> str:
    """A due time: 'Wed Dec 9' alone when it is the end of that day, else with the time."""
    local = local_now(where, moment)
    if local.time() >= END_OF_DAY:
        return f"{day_text(local.date())}, end of day"
    return moment_text(moment, where)
