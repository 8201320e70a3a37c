"""Business calendar: opening hours, public holidays and business-time arithmetic.

Pure Python on purpose (no Django): callers build a BusinessCalendar from an organization's
settings, and the same engine serves tasks, the API and SLA metrics.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from types import MappingProxyType
from typing import TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

Interval: TypeAlias = tuple[time, time]
Hours: TypeAlias = Mapping[int, tuple[Interval, ...]]
# Normalized interval: a close of None stands for the midnight that ends the day.
_Span: TypeAlias = tuple[time, time | None]
_Window: TypeAlias = tuple[datetime, datetime]

DEFAULT_HOURS: Hours = MappingProxyType({weekday: ((time(9), time(17)),) for weekday in range(5)})

_MIDNIGHT = time(0)
_ONE_DAY = timedelta(days=1)
_ONE_MINUTE = timedelta(minutes=1)
_NO_HOLIDAYS: Mapping[date, str] = MappingProxyType({})
_CLOSURE_NAME = "Closed"
# Longest run of closed days searched before giving up: ten years covers any real closure
# list and still stops a runaway loop on a calendar that is effectively never open.
_MAX_CLOSED_RUN = 3660


@dataclass(frozen=True)
class BusinessCalendar:
    """An organization's time zone, weekly opening hours and closure days."""

    time_zone: str = "UTC"
    # weekday (0=Mon) -> open intervals in local wall time; missing or empty = closed all day.
    # A close of 00:00, or earlier than its open, means "until midnight": hours never spill
    # into the next day, so (00:00, 00:00) is open all day. Excluded from the hash because
    # mappings are unhashable; equality still compares it.
    hours: Hours = field(default_factory=lambda: DEFAULT_HOURS, hash=False)
    country: str | None = None
    subdivision: str | None = None
    closed_on: frozenset[date] = frozenset()
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _spans: tuple[tuple[_Span, ...], ...] = field(init=False, repr=False, compare=False)
    _open_weekdays: frozenset[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Validate once and precompute what the hot paths need."""
        _check_weekdays(self.hours)
        spans = tuple(_normalize_day(weekday, self.hours.get(weekday, ())) for weekday in range(7))
        # Snapshot hours so later mutation of the caller's dict cannot desync equality/repr.
        frozen_hours = MappingProxyType(
            {day: tuple(map(tuple, iv)) for day, iv in self.hours.items()}
        )
        object.__setattr__(self, "hours", frozen_hours)
        object.__setattr__(self, "closed_on", frozenset(self.closed_on))
        object.__setattr__(self, "_zone", _load_zone(self.time_zone))
        object.__setattr__(self, "_spans", spans)
        object.__setattr__(self, "_open_weekdays", frozenset(d for d, s in enumerate(spans) if s))
        _check_region(self.country, self.subdivision)

    def tzinfo(self) -> ZoneInfo:
        """The calendar's time zone."""
        return self._zone

    def is_holiday(self, day: date) -> bool:
        """Whether `day` is a public holiday of the country/subdivision or an own closure day."""
        return day in self.closed_on or day in self._public_holidays(day.year)

    def holiday_name(self, day: date) -> str | None:
        """The public holiday's name, "Closed" for an own closure day, else None."""
        name = self._public_holidays(day.year).get(day)
        if name is None and day in self.closed_on:
            return _CLOSURE_NAME
        return name

    def is_business_day(self, day: date) -> bool:
        """Whether the calendar has opening hours that weekday and `day` is not a holiday."""
        return day.weekday() in self._open_weekdays and not self.is_holiday(day)

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """Open intervals of `day` as aware datetimes in the calendar's zone; [] when closed."""
        return [
            (opens.astimezone(self._zone), closes.astimezone(self._zone))
            for opens, closes in self._windows(day)
        ]

    def _public_holidays(self, year: int) -> Mapping[date, str]:
        if self.country is None:
            return _NO_HOLIDAYS
        return _public_holidays(self.country, self.subdivision, year)

    def _windows(self, day: date) -> tuple[_Window, ...]:
        """Open intervals of `day` in UTC, where subtraction gives real elapsed time."""
        if not self.is_business_day(day):
            return ()
        return _utc_windows(self._zone, self._spans[day.weekday()], day)


def is_business_day(calendar: BusinessCalendar, day: date) -> bool:
    """Whether `day` is a business day of `calendar`."""
    return calendar.is_business_day(day)


def next_business_day(calendar: BusinessCalendar, day: date, *, include_today: bool = True) -> date:
    """The first business day on or after `day` (strictly after it if not include_today)."""
    if include_today and calendar.is_business_day(day):
        return day
    return _step(calendar, day, _ONE_DAY)


def previous_business_day(
    calendar: BusinessCalendar, day: date, *, include_today: bool = True
) -> date:
    """The last business day on or before `day` (strictly before it if not include_today)."""
    if include_today and calendar.is_business_day(day):
        return day
    return _step(calendar, day, -_ONE_DAY)


def add_business_days(calendar: BusinessCalendar, start: date, days: int) -> date:
    """The `days`-th business day after `start` (before it if negative); `start` never counts."""
    step = _ONE_DAY if days > 0 else -_ONE_DAY
    day = start
    for _ in range(abs(days)):
        day = _step(calendar, day, step)
    return day


def add_business_minutes(calendar: BusinessCalendar, start: datetime, minutes: int) -> datetime:
    """The moment `minutes` real business minutes after next_business_moment(start)."""
    if minutes < 0:
        raise ValueError(f"minutes must not be negative, got {minutes}")
    remaining = timedelta(minutes=minutes)
    for opens, closes in _windows_from(calendar, _as_utc(start)):
        # `<=` so a count ending exactly at a close returns that close, not the next opening.
        if remaining <= closes - opens:
            return (opens + remaining).astimezone(calendar.tzinfo())
        remaining -= closes - opens
    raise AssertionError("unreachable: _windows_from only stops by raising")


def is_business_time(calendar: BusinessCalendar, moment: datetime) -> bool:
    """Whether `moment` falls in an open interval (open inclusive, close exclusive)."""
    instant = _as_utc(moment)
    windows = calendar._windows(_local_day(calendar, instant))
    return any(opens <= instant < closes for opens, closes in windows)


def business_minutes_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> int:
    """Whole business minutes elapsed from `start` to `end`; 0 if `end` is not after `start`."""
    first, last = _as_utc(start), _as_utc(end)
    if last <= first:
        return 0
    elapsed = timedelta()
    day, last_day = _local_day(calendar, first), _local_day(calendar, last)
    while day <= last_day:
        for opens, closes in calendar._windows(day):
            elapsed += max(min(closes, last) - max(opens, first), timedelta())
        day += _ONE_DAY
    return elapsed // _ONE_MINUTE


def next_business_moment(calendar: BusinessCalendar, moment: datetime) -> datetime:
    """`moment` (in the calendar's zone) if it is business time, else the next opening."""
    opens, _ = next(_windows_from(calendar, _as_utc(moment)))
    return opens.astimezone(calendar.tzinfo())


def _step(calendar: BusinessCalendar, day: date, step: timedelta) -> date:
    """The nearest business day strictly after (or before, for a negative step) `day`."""
    if not calendar._open_weekdays:
        raise ValueError("The calendar has no opening hours on any weekday")
    candidate = day
    for _ in range(_MAX_CLOSED_RUN):
        candidate += step
        if calendar.is_business_day(candidate):
            return candidate
    raise ValueError(f"No business day within {_MAX_CLOSED_RUN} days of {day.isoformat()}")


def _windows_from(calendar: BusinessCalendar, instant: datetime) -> Iterator[_Window]:
    """UTC open intervals from `instant` on, the first one clipped to start at `instant`."""
    if not calendar._open_weekdays:
        raise ValueError("The calendar has no opening hours on any weekday")
    day, closed_run = _local_day(calendar, instant), 0
    while closed_run < _MAX_CLOSED_RUN:
        windows = calendar._windows(day)
        closed_run = 0 if windows else closed_run + 1
        for opens, closes in windows:
            if closes > instant:
                yield max(opens, instant), closes
        day += _ONE_DAY
    raise ValueError(f"No business time within {_MAX_CLOSED_RUN} days of {instant.isoformat()}")


def _as_utc(moment: datetime) -> datetime:
    # Aware datetimes sharing a tzinfo subtract by wall clock; UTC makes durations real.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"Expected a timezone-aware datetime, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def _local_day(calendar: BusinessCalendar, instant: datetime) -> date:
    return instant.astimezone(calendar.tzinfo()).date()


@lru_cache(maxsize=8192)
def _utc_windows(zone: ZoneInfo, spans: tuple[_Span, ...], day: date) -> tuple[_Window, ...]:
    """Resolve one day's wall-time spans to UTC intervals (cached: zone math is the hot cost)."""
    windows = []
    for opens, closes in spans:
        close_day, close_time = (day + _ONE_DAY, _MIDNIGHT) if closes is None else (day, closes)
        start = _wall_to_utc(datetime.combine(day, opens), zone)
        end = _wall_to_utc(datetime.combine(close_day, close_time), zone)
        if start < end:  # a span lying wholly inside a DST gap is never open
            windows.append((start, end))
    return tuple(windows)


def _wall_to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """Ambiguous wall times take fold=0; skipped ones move to the first instant after the gap."""
    local = wall.replace(tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    return _gap_end(local)


def _gap_end(local: datetime) -> datetime:
    """The transition instant ending the DST gap that contains the skipped wall time `local`."""
    # zoneinfo exposes no transition list; the fold=1 and fold=0 readings of a skipped time
    # bracket the transition, and tzdata transitions fall on whole seconds, so bisect seconds.
    zone = local.tzinfo
    after = local.replace(fold=1).utcoffset()
    low = math.floor(local.replace(fold=1).timestamp())
    high = math.ceil(local.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


@lru_cache(maxsize=1024)
def _public_holidays(country: str, subdivision: str | None, year: int) -> Mapping[date, str]:
    """One year's public holidays as a read-only dict (plain lookups beat HolidayBase's)."""
    return MappingProxyType(dict(_country_holidays(country, subdivision, year)))


@lru_cache(maxsize=256)
def _check_region(country: str | None, subdivision: str | None) -> None:
    """Fail at construction, not on the first lookup, for an unknown country/subdivision."""
    if country is None:
        if subdivision is not None:
            raise ValueError(f"Subdivision {subdivision!r} given without a country")
        return
    _country_holidays(country, subdivision, None)


def _country_holidays(
    country: str, subdivision: str | None, year: int | None
) -> holidays.HolidayBase:
    try:
        return holidays.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError as exc:
        raise ValueError(
            f"No public-holiday data for country {country!r}, subdivision {subdivision!r}: {exc}"
        ) from exc


def _load_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError) as exc:
        # zoneinfo raises OSError for a folder name such as 'America'.
        raise ValueError(f"Unknown time zone {name!r}") from exc


def _check_weekdays(hours: Hours) -> None:
    unknown = sorted(repr(day) for day in hours if day not in range(7))
    if unknown:
        raise ValueError(f"Opening-hours keys must be weekdays 0 (Mon) to 6 (Sun), got {unknown}")


def _normalize_day(weekday: int, intervals: tuple[Interval, ...]) -> tuple[_Span, ...]:
    """Validate one weekday's intervals and return them sorted, with midnight closes as None."""
    spans = sorted((_normalize_interval(weekday, interval) for interval in intervals), key=_key)
    for earlier, later in pairwise(spans):
        if _close_seconds(earlier) > _seconds(later[0]):
            raise ValueError(
                f"Opening hours overlap on weekday {weekday}: {_label(earlier)} and {_label(later)}"
            )
    return tuple(spans)


def _normalize_interval(weekday: int, interval: Interval) -> _Span:
    try:
        opens, closes = interval
    except (TypeError, ValueError):
        raise ValueError(
            f"Weekday {weekday}: expected an (open, close) pair, got {interval!r}"
        ) from None
    if not (isinstance(opens, time) and isinstance(closes, time)):
        raise ValueError(f"Weekday {weekday}: open and close must be datetime.time values")
    if opens.tzinfo is not None or closes.tzinfo is not None:
        raise ValueError(f"Weekday {weekday}: hours are local wall times, drop the tzinfo")
    if closes == _MIDNIGHT or closes < opens:
        return opens, None
    if closes == opens:
        raise ValueError(
            f"Weekday {weekday}: empty interval {opens.isoformat()}-{closes.isoformat()}"
        )
    return opens, closes


def _seconds(moment: time) -> float:
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6


def _close_seconds(span: _Span) -> float:
    return 86400 if span[1] is None else _seconds(span[1])


def _key(span: _Span) -> tuple[float, float]:
    return _seconds(span[0]), _close_seconds(span)


def _label(span: _Span) -> str:
    return f"{span[0].isoformat()}-{'24:00' if span[1] is None else span[1].isoformat()}"
