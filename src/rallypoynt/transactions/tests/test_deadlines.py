"""Deadline rules: weekends, US federal and state holidays, year end, leap day, DST, rolling."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from rallypoynt.transactions.domain import (
    DayType,
    DeadlineRule,
    Roll,
    Unit,
    deadline_calendar,
    due,
)

CA = deadline_calendar("US", "CA", "America/Los_Angeles")
TX = deadline_calendar("US", "TX", "America/Chicago")
LA = ZoneInfo("America/Los_Angeles")


def on(rule: DeadlineRule, anchor, calendar=CA) -> date:
    return due(rule, anchor, calendar).on


def test_calendar_days_count_every_day_and_do_not_roll_unless_asked():
    # Fri 2026-03-06 + 1 calendar day = Saturday, kept as is without a roll policy.
    assert on(DeadlineRule(1), date(2026, 3, 6)) == date(2026, 3, 7)
    rolled = due(DeadlineRule(1, roll=Roll.NEXT_BUSINESS_DAY), date(2026, 3, 6), CA)
    assert rolled.on == date(2026, 3, 9) and rolled.is_rolled
    assert [reason for _, reason in rolled.skipped] == ["Saturday", "Sunday"]


def test_business_days_skip_weekends_and_federal_holidays_across_year_end():
    found = due(DeadlineRule(10, day_type=DayType.BUSINESS), date(2026, 12, 22), CA)
    assert found.on == date(2027, 1, 7)
    reasons = dict(found.skipped)
    assert reasons[date(2026, 12, 25)] == "Christmas Day"
    assert reasons[date(2027, 1, 1)] == "New Year's Day"


def test_state_holidays_differ_by_state():
    # Texas Independence Day (Mar 2) is a Texas holiday, not a California one.
    rule = DeadlineRule(1, day_type=DayType.BUSINESS)
    assert on(rule, date(2027, 3, 1), TX) == date(2027, 3, 3)
    assert on(rule, date(2027, 3, 1), CA) == date(2027, 3, 2)


def test_a_deadline_on_a_holiday_rolls_to_the_next_business_day():
    # Independence Day 2026 is a Saturday, observed Friday July 3.
    rule = DeadlineRule(2, roll=Roll.NEXT_BUSINESS_DAY)
    found = due(rule, date(2026, 7, 1), CA)
    assert found.on == date(2026, 7, 6)
    assert {d for d, _ in found.skipped} == {date(2026, 7, 3), date(2026, 7, 4), date(2026, 7, 5)}


def test_leap_day():
    assert on(DeadlineRule(1), date(2028, 2, 28)) == date(2028, 2, 29)
    assert on(DeadlineRule(365), date(2028, 2, 29)) == date(2029, 2, 28)
    assert on(DeadlineRule(1, day_type=DayType.BUSINESS), date(2028, 2, 28)) == date(2028, 2, 29)


def test_days_before_an_anchor_count_backwards_and_roll_earlier():
    # A walk-through 5 days before a Monday closing, never on a weekend.
    rule = DeadlineRule(-5, roll=Roll.PREVIOUS_BUSINESS_DAY)
    assert on(rule, date(2026, 6, 15)) == date(2026, 6, 10)
    assert on(DeadlineRule(-1, day_type=DayType.BUSINESS), date(2026, 6, 15)) == date(2026, 6, 12)
    assert on(DeadlineRule(-2, roll=Roll.PREVIOUS_BUSINESS_DAY), date(2026, 6, 15)) == date(
        2026, 6, 12
    )


def test_the_time_of_day_is_wall_clock_across_daylight_saving():
    # Spring forward on 2026-03-08: 5 PM stays 5 PM local, the UTC offset changes.
    rule = DeadlineRule(3, time_of_day=time(17, 0))
    found = due(rule, date(2026, 3, 6), CA)
    assert found.at == datetime(2026, 3, 9, 17, 0, tzinfo=LA)
    assert found.at.utcoffset() == timedelta(hours=-7)
    before = due(rule, date(2026, 3, 1), CA)
    assert before.at.utcoffset() == timedelta(hours=-8)


def test_hours_count_real_time_across_daylight_saving():
    start = datetime(2026, 11, 1, 0, 30, tzinfo=LA)  # the night the clocks fall back
    found = due(DeadlineRule(48, unit=Unit.HOURS), start, CA)
    # The clocks fall back one hour: 48 real hours later it is 23:30, not 00:30, local.
    assert found.at == datetime(2026, 11, 2, 23, 30, tzinfo=LA)
    assert found.at.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=48)


def test_business_hours_skip_the_weekend():
    friday_4pm = datetime(2026, 3, 6, 16, 0, tzinfo=LA)
    found = due(DeadlineRule(2, unit=Unit.HOURS, day_type=DayType.BUSINESS), friday_4pm, CA)
    assert found.at == datetime(2026, 3, 9, 10, 0, tzinfo=LA)


def test_an_unknown_place_is_refused():
    with pytest.raises(ValueError):
        deadline_calendar("US", "ZZ")
    with pytest.raises(ValueError):
        on(DeadlineRule(4000), date(2026, 1, 1))
