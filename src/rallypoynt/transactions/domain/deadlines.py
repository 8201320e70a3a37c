"""The deadline engine (pure): when a contingency or milestone falls due, and why.

A rule counts N calendar or business days (or hours) from an anchor, lands at a time of day
in the org's time zone, and rolls off a weekend or holiday when the contract says so.
Business days skip weekends and the public holidays of the property's country and state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType

from rallypoynt.core.calendar import (
    BusinessCalendar,
    add_business_days,
    add_business_minutes,
    next_business_day,
    previous_business_day,
)

WEEKDAYS_9_TO_5 = MappingProxyType({day: ((time(9), time(17)),) for day in range(5)})
MAX_DAYS = 3650
END_OF_DAY = time(23, 59)


class DayType(StrEnum):
    CALENDAR = "calendar"
    BUSINESS = "business"


class Roll(StrEnum):
    NONE = "none"
    NEXT_BUSINESS_DAY = "next_business_day"
    PREVIOUS_BUSINESS_DAY = "previous_business_day"


class Unit(StrEnum):
    DAYS = "days"
    HOURS = "hours"


@dataclass(frozen=True)
class DeadlineRule:
    """`amount` `unit`s after the anchor (before it if negative)."""

    amount: int
    unit: Unit = Unit.DAYS
    day_type: DayType = DayType.CALENDAR
    roll: Roll = Roll.NONE
    time_of_day: time = END_OF_DAY


@dataclass(frozen=True)
class Due:
    """When the deadline falls, and every day it stepped over to get there (with why)."""

    on: date
    at: datetime
    is_rolled: bool = False
    skipped: tuple[tuple[date, str], ...] = field(default=())


@lru_cache(maxsize=512)
def deadline_calendar(
    country: str = "US", subdivision: str | None = None, time_zone: str = "UTC"
) -> BusinessCalendar:
    """Monday to Friday less the public holidays of the country and state (ValueError if the
    holidays library does not know them)."""
    return BusinessCalendar(
        time_zone=time_zone,
        hours=WEEKDAYS_9_TO_5,
        country=country or None,
        subdivision=subdivision or None,
    )


def why_not_business(calendar: BusinessCalendar, day: date) -> str:
    """'Saturday', 'Christmas Day', … ('' for a business day)."""
    if calendar.is_business_day(day):
        return ""
    return calendar.holiday_name(day) or day.strftime("%A")


def _days(rule: DeadlineRule, anchor: date, calendar: BusinessCalendar) -> date:
    if abs(rule.amount) > MAX_DAYS:
        raise ValueError(f"at most {MAX_DAYS} days either way")
    if rule.day_type == DayType.BUSINESS:
        return add_business_days(calendar, anchor, rule.amount)
    return anchor + timedelta(days=rule.amount)


def _rolled(rule: DeadlineRule, day: date, calendar: BusinessCalendar) -> date:
    if rule.roll == Roll.NEXT_BUSINESS_DAY:
        return next_business_day(calendar, day)
    if rule.roll == Roll.PREVIOUS_BUSINESS_DAY:
        return previous_business_day(calendar, day)
    return day


def _closed_days(calendar: BusinessCalendar, first: date, last: date) -> list[tuple[date, str]]:
    """Non-business days from `first` to `last` inclusive (either direction), with why."""
    step = timedelta(days=1 if last >= first else -1)
    found, day = [], first
    while True:
        if reason := why_not_business(calendar, day):
            found.append((day, reason))
        if day == last:
            return found
        day += step


def _skipped(
    rule: DeadlineRule, anchor_on: date, counted: date, final: date, calendar: BusinessCalendar
) -> tuple[tuple[date, str], ...]:
    """Days that did not count (business days) and days rolled over (weekend, holiday)."""
    found: list[tuple[date, str]] = []
    if rule.day_type == DayType.BUSINESS and counted != anchor_on:
        step = timedelta(days=1 if counted > anchor_on else -1)
        found += _closed_days(calendar, anchor_on + step, counted)
    if final != counted:
        step = timedelta(days=1 if final > counted else -1)
        found += _closed_days(calendar, counted, final - step)
    return tuple(found)


def due(rule: DeadlineRule, anchor: date | datetime, calendar: BusinessCalendar) -> Due:
    """When a deadline counted by `rule` from `anchor` falls, in the calendar's time zone."""
    zone = calendar.tzinfo()
    if rule.unit == Unit.HOURS:
        start = anchor if isinstance(anchor, datetime) else datetime.combine(anchor, time(0))
        start = start if start.tzinfo else start.replace(tzinfo=zone)
        if rule.day_type == DayType.BUSINESS:
            at = add_business_minutes(calendar, start, rule.amount * 60)
        else:
            # Real hours: add in UTC (aware arithmetic in one zone is wall-clock arithmetic).
            at = start.astimezone(UTC) + timedelta(hours=rule.amount)
        at = at.astimezone(zone)
        return Due(on=at.date(), at=at)
    anchor_on = anchor.astimezone(zone).date() if isinstance(anchor, datetime) else anchor
    counted = _days(rule, anchor_on, calendar)
    final = _rolled(rule, counted, calendar)
    # Wall-clock time in the org's zone: "5:00 PM on the 10th" stays 5 PM across DST.
    at = datetime.combine(final, rule.time_of_day).replace(tzinfo=zone)
    return Due(
        on=final,
        at=at,
        is_rolled=final != counted,
        skipped=_skipped(rule, anchor_on, counted, final, calendar),
    )
