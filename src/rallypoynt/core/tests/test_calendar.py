"""Tests for the pure-Python business calendar (no Django, no network)."""

from __future__ import annotations

import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from rallypoynt.core import calendar as calendar_module
from rallypoynt.core.calendar import (
    DEFAULT_HOURS,
    BusinessCalendar,
    add_business_days,
    add_business_minutes,
    business_minutes_between,
    is_business_day,
    is_business_time,
    next_business_day,
    next_business_moment,
    previous_business_day,
)

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
ALL_DAY = ((time(0), time(0)),)

US = BusinessCalendar(time_zone="America/New_York", country="US")
US_CA = BusinessCalendar(time_zone="America/Los_Angeles", country="US", subdivision="CA")
PLAIN = BusinessCalendar()


def ny(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


def hours_of(moment: datetime) -> float:
    return moment.utcoffset() / timedelta(hours=1)


# --- construction ----------------------------------------------------------------------------


def test_default_calendar_is_utc_nine_to_five_monday_to_friday():
    assert PLAIN.tzinfo() == ZoneInfo("UTC")
    assert {day: DEFAULT_HOURS.get(day, ()) for day in range(7)} == {
        **{day: ((time(9), time(17)),) for day in range(5)},
        5: (),
        6: (),
    }
    assert PLAIN.intervals_on(date(2026, 3, 9)) == [
        (datetime(2026, 3, 9, 9, tzinfo=UTC), datetime(2026, 3, 9, 17, tzinfo=UTC))
    ]


def test_calendar_is_hashable_and_equal_by_value():
    twin = BusinessCalendar(time_zone="America/New_York", country="US", hours=dict(DEFAULT_HOURS))
    assert twin == US
    assert hash(twin) == hash(US)
    assert twin != BusinessCalendar(time_zone="America/New_York")


def test_later_mutation_of_the_callers_hours_dict_has_no_effect():
    hours = {0: [(time(9), time(17))]}
    cal = BusinessCalendar(hours=hours)
    hours[1] = [(time(9), time(17))]
    assert not cal.is_business_day(date(2026, 3, 10))
    assert cal.hours == {0: ((time(9), time(17)),)}


def test_closed_on_accepts_any_iterable_and_is_stored_as_frozenset():
    cal = BusinessCalendar(closed_on=[date(2026, 3, 10)])  # type: ignore[arg-type]
    assert cal.closed_on == frozenset({date(2026, 3, 10)})


# --- holidays --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [date(2026, 11, 26), date(2026, 12, 25), date(2027, 1, 1)],
    ids=["thanksgiving", "christmas-friday", "new-year-friday"],
)
def test_us_federal_holidays_are_holidays_and_not_business_days(day):
    assert US.is_holiday(day)
    assert not US.is_business_day(day)
    assert US.holiday_name(day) == holidays.country_holidays("US", years=day.year)[day]


def test_ordinary_weekday_has_no_holiday_name():
    assert not US.is_holiday(date(2026, 11, 25))
    assert US.holiday_name(date(2026, 11, 25)) is None


def test_calendar_without_country_has_no_public_holidays():
    assert PLAIN.is_business_day(date(2026, 12, 25))
    assert PLAIN.holiday_name(date(2026, 12, 25)) is None


def test_state_holiday_applies_only_with_subdivision():
    cesar_chavez_day = date(2026, 3, 31)  # a Tuesday
    assert cesar_chavez_day in holidays.country_holidays("US", subdiv="CA", years=2026)
    assert cesar_chavez_day not in holidays.country_holidays("US", years=2026)

    assert US_CA.is_holiday(cesar_chavez_day)
    assert not US.is_holiday(cesar_chavez_day)
    assert add_business_days(US_CA, date(2026, 3, 30), 1) == date(2026, 4, 1)
    assert add_business_days(US, date(2026, 3, 30), 1) == cesar_chavez_day


def test_day_after_thanksgiving_is_closed_in_california_but_not_federally():
    friday = date(2026, 11, 27)
    assert friday in holidays.country_holidays("US", subdiv="CA", years=2026)
    assert friday not in holidays.country_holidays("US", years=2026)

    assert add_business_days(US, date(2026, 11, 25), 1) == friday
    assert add_business_days(US_CA, date(2026, 11, 25), 1) == date(2026, 11, 30)


def test_own_closure_days_are_holidays_named_closed():
    retreat = date(2026, 3, 10)
    cal = BusinessCalendar(closed_on=frozenset({retreat}))
    assert cal.is_holiday(retreat)
    assert not cal.is_business_day(retreat)
    assert cal.holiday_name(retreat) == "Closed"
    assert add_business_days(cal, date(2026, 3, 9), 1) == date(2026, 3, 11)


def test_public_holiday_name_wins_over_closure_name():
    cal = BusinessCalendar(country="US", closed_on=frozenset({date(2026, 12, 25)}))
    assert cal.holiday_name(date(2026, 12, 25)) == "Christmas Day"


def test_holiday_tables_are_built_once_per_country_subdivision_and_year(monkeypatch):
    calls = []
    real = holidays.country_holidays

    def counting(*args, **kwargs):
        calls.append(kwargs.get("years"))
        return real(*args, **kwargs)

    monkeypatch.setattr(holidays, "country_holidays", counting)
    calendar_module._public_holidays.cache_clear()
    for offset in range(300):
        US.is_holiday(date(2026, 1, 1) + timedelta(days=offset))
    assert calls == [2026]


# --- business days ---------------------------------------------------------------------------


def test_add_business_days_skips_weekends():
    assert add_business_days(PLAIN, date(2026, 3, 6), 1) == date(2026, 3, 9)  # Fri -> Mon
    assert add_business_days(PLAIN, date(2026, 3, 2), 5) == date(2026, 3, 9)  # Mon -> Mon


def test_adding_zero_business_days_returns_start_even_on_a_closed_day():
    assert add_business_days(US, date(2026, 3, 7), 0) == date(2026, 3, 7)
    assert add_business_days(US, date(2026, 12, 25), 0) == date(2026, 12, 25)


def test_negative_business_days_count_backwards_over_weekends_and_holidays():
    assert add_business_days(PLAIN, date(2026, 3, 9), -1) == date(2026, 3, 6)
    assert add_business_days(US, date(2026, 11, 27), -1) == date(2026, 11, 25)
    assert add_business_days(US, date(2027, 1, 4), -2) == date(2026, 12, 30)


def test_start_on_a_weekend_does_not_count():
    assert add_business_days(PLAIN, date(2026, 3, 7), 1) == date(2026, 3, 9)
    assert add_business_days(PLAIN, date(2026, 3, 8), -1) == date(2026, 3, 6)


def test_start_on_a_holiday_does_not_count():
    assert add_business_days(US, date(2026, 11, 26), 1) == date(2026, 11, 27)


def test_christmas_on_a_friday_rolls_to_monday():
    assert add_business_days(US, date(2026, 12, 24), 1) == date(2026, 12, 28)


def test_year_end_plus_one_business_day_skips_new_year_and_weekend():
    assert add_business_days(US, date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_module_is_business_day_matches_the_method():
    for offset in range(14):
        day = date(2026, 12, 20) + timedelta(days=offset)
        assert is_business_day(US, day) is US.is_business_day(day)


def test_next_business_day_keeps_a_business_day_unless_today_is_excluded():
    assert next_business_day(US, date(2026, 12, 24)) == date(2026, 12, 24)
    assert next_business_day(US, date(2026, 12, 24), include_today=False) == date(2026, 12, 28)
    assert next_business_day(US, date(2026, 12, 26)) == date(2026, 12, 28)


def test_previous_business_day_keeps_a_business_day_unless_today_is_excluded():
    assert previous_business_day(US, date(2026, 12, 28)) == date(2026, 12, 28)
    assert previous_business_day(US, date(2026, 12, 28), include_today=False) == date(2026, 12, 24)
    assert previous_business_day(US, date(2027, 1, 3)) == date(2026, 12, 31)


def test_calendar_without_any_open_weekday_cannot_count_business_days():
    never_open = BusinessCalendar(hours={})
    with pytest.raises(ValueError, match="no opening hours"):
        add_business_days(never_open, date(2026, 3, 9), 1)
    with pytest.raises(ValueError, match="no opening hours"):
        next_business_day(never_open, date(2026, 3, 9))
    with pytest.raises(ValueError, match="no opening hours"):
        add_business_minutes(never_open, ny(2026, 3, 9, 10), 1)


def test_search_stops_at_a_horizon_when_closures_never_end():
    start = date(2026, 1, 1)
    closed = frozenset(start + timedelta(days=offset) for offset in range(1, 4000))
    cal = BusinessCalendar(closed_on=closed)
    with pytest.raises(ValueError, match="No business day within"):
        add_business_days(cal, start, 1)
    with pytest.raises(ValueError, match="No business time within"):
        next_business_moment(cal, datetime(2026, 1, 1, 18, tzinfo=UTC))


# --- intervals -------------------------------------------------------------------------------


def test_intervals_on_a_closed_day_are_empty():
    assert US.intervals_on(date(2026, 3, 7)) == []
    assert US.intervals_on(date(2026, 11, 26)) == []


def test_intervals_are_aware_datetimes_in_the_calendar_zone():
    [(opens, closes)] = US.intervals_on(date(2026, 3, 9))
    assert (opens, closes) == (ny(2026, 3, 9, 9), ny(2026, 3, 9, 17))
    assert opens.tzinfo == NEW_YORK
    assert hours_of(opens) == -4


def test_split_intervals_are_returned_in_order():
    cal = BusinessCalendar(hours={0: ((time(13), time(17)), (time(8), time(12)))})
    assert [(o.hour, c.hour) for o, c in cal.intervals_on(date(2026, 3, 9))] == [(8, 12), (13, 17)]


def test_midnight_to_midnight_means_open_all_day():
    cal = BusinessCalendar(hours={0: ALL_DAY})
    assert cal.intervals_on(date(2026, 3, 9)) == [
        (datetime(2026, 3, 9, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC))
    ]


def test_close_earlier_than_open_means_until_midnight_not_into_the_next_day():
    cal = BusinessCalendar(hours={0: ((time(22), time(2)),)})
    assert cal.intervals_on(date(2026, 3, 9)) == [
        (datetime(2026, 3, 9, 22, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC))
    ]
    assert not is_business_time(cal, datetime(2026, 3, 10, 1, tzinfo=UTC))


def test_opening_inside_the_spring_forward_gap_moves_to_the_first_instant_after_it():
    cal = BusinessCalendar(time_zone="America/New_York", hours={6: ((time(2, 30), time(12)),)})
    [(opens, _)] = cal.intervals_on(date(2026, 3, 8))
    assert opens.astimezone(UTC) == datetime(2026, 3, 8, 7, tzinfo=UTC)  # 03:00 EDT


def test_london_opening_inside_the_gap_moves_to_two_am_summer_time():
    cal = BusinessCalendar(time_zone="Europe/London", hours={6: ((time(1, 30), time(12)),)})
    [(opens, _)] = cal.intervals_on(date(2026, 3, 29))
    assert opens.astimezone(UTC) == datetime(2026, 3, 29, 1, tzinfo=UTC)  # 02:00 BST


def test_interval_wholly_inside_the_gap_is_never_open():
    cal = BusinessCalendar(time_zone="America/New_York", hours={6: ((time(2, 10), time(2, 50)),)})
    assert cal.intervals_on(date(2026, 3, 8)) == []
    assert len(cal.intervals_on(date(2026, 3, 15))) == 1


def test_ambiguous_fall_back_opening_uses_the_first_occurrence():
    cal = BusinessCalendar(time_zone="America/New_York", hours={6: ((time(1, 30), time(12)),)})
    [(opens, _)] = cal.intervals_on(date(2026, 11, 1))
    assert opens.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT


# --- add_business_minutes --------------------------------------------------------------------


def test_add_business_minutes_within_a_day():
    assert add_business_minutes(US, ny(2026, 3, 9, 10), 90) == ny(2026, 3, 9, 11, 30)


def test_count_ending_exactly_at_close_returns_the_closing_time():
    result = add_business_minutes(US, ny(2026, 3, 9, 16), 60)
    assert result == ny(2026, 3, 9, 17)
    assert result.tzinfo == NEW_YORK


def test_add_business_minutes_carries_over_the_night():
    assert add_business_minutes(US, ny(2026, 3, 9, 16), 61) == ny(2026, 3, 10, 9, 1)


def test_adding_zero_minutes_returns_the_next_business_moment():
    assert add_business_minutes(US, ny(2026, 3, 9, 10), 0) == ny(2026, 3, 9, 10)
    assert add_business_minutes(US, ny(2026, 3, 9, 17), 0) == ny(2026, 3, 10, 9)
    assert add_business_minutes(US, ny(2026, 3, 7, 12), 0) == ny(2026, 3, 9, 9)


def test_counting_from_outside_hours_starts_at_the_next_opening():
    assert add_business_minutes(US, ny(2026, 3, 9, 7), 30) == ny(2026, 3, 9, 9, 30)
    assert add_business_minutes(US, ny(2026, 3, 7, 12), 30) == ny(2026, 3, 9, 9, 30)


def test_utc_input_returns_a_result_in_the_calendar_zone():
    result = add_business_minutes(US, datetime(2026, 3, 9, 14, tzinfo=UTC), 30)  # 10:00 EDT
    assert result.tzinfo == NEW_YORK
    assert (result.hour, result.minute) == (10, 30)


def test_add_business_minutes_across_new_year():
    result = add_business_minutes(US, ny(2026, 12, 31, 16, 30), 60)
    assert result == ny(2027, 1, 4, 9, 30)
    assert hours_of(result) == -5


def test_friday_afternoon_over_the_spring_forward_weekend_lands_on_monday_edt():
    start = ny(2026, 3, 6, 16, 30)
    assert hours_of(start) == -5
    result = add_business_minutes(US, start, 60)
    assert result.replace(tzinfo=None) == datetime(2026, 3, 9, 9, 30)
    assert hours_of(result) == -4
    assert result.astimezone(UTC) == datetime(2026, 3, 9, 13, 30, tzinfo=UTC)


def test_friday_afternoon_over_the_fall_back_weekend_lands_on_monday_est():
    result = add_business_minutes(US, ny(2026, 10, 30, 16, 30), 60)
    assert result.replace(tzinfo=None) == datetime(2026, 11, 2, 9, 30)
    assert hours_of(result) == -5
    assert result.astimezone(UTC) == datetime(2026, 11, 2, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "sunday", "real_hours"),
    [
        ("America/New_York", date(2026, 3, 8), 23),
        ("America/New_York", date(2026, 11, 1), 25),
        ("Europe/London", date(2026, 3, 29), 23),
        ("Europe/London", date(2026, 10, 25), 25),
    ],
)
def test_all_day_sunday_on_a_dst_change_counts_real_hours(zone, sunday, real_hours):
    cal = BusinessCalendar(time_zone=zone, hours={6: ALL_DAY})
    tz = ZoneInfo(zone)
    saturday_midnight = datetime.combine(sunday - timedelta(days=1), time(0), tzinfo=tz)
    monday_midnight = datetime.combine(sunday + timedelta(days=1), time(0), tzinfo=tz)

    assert business_minutes_between(cal, saturday_midnight, monday_midnight) == real_hours * 60
    result = add_business_minutes(cal, saturday_midnight, real_hours * 60)
    assert result == monday_midnight
    assert result.replace(tzinfo=None) == monday_midnight.replace(tzinfo=None)


@pytest.mark.parametrize(("sunday", "real_hours"), [(date(2026, 3, 8), 3), (date(2026, 11, 1), 5)])
def test_one_to_five_am_on_a_dst_day_is_three_or_five_real_hours(sunday, real_hours):
    cal = BusinessCalendar(time_zone="America/New_York", hours={6: ((time(1), time(5)),)})
    start = datetime.combine(sunday, time(0), tzinfo=NEW_YORK)
    end = datetime.combine(sunday, time(12), tzinfo=NEW_YORK)
    assert business_minutes_between(cal, start, end) == real_hours * 60
    assert add_business_minutes(cal, start, real_hours * 60 - 1).hour == 4


# --- is_business_time / next_business_moment -------------------------------------------------


@pytest.mark.parametrize(
    ("utc_moment", "expected"),
    [
        (datetime(2026, 3, 9, 12, 59, 59, tzinfo=UTC), False),  # 08:59:59 EDT
        (datetime(2026, 3, 9, 13, 0, tzinfo=UTC), True),  # 09:00 EDT: open is inclusive
        (datetime(2026, 3, 9, 20, 59, 59, tzinfo=UTC), True),  # 16:59:59 EDT
        (datetime(2026, 3, 9, 21, 0, tzinfo=UTC), False),  # 17:00 EDT: close is exclusive
        (datetime(2026, 3, 10, 2, 0, tzinfo=UTC), False),  # 22:00 EDT the evening before
    ],
)
def test_is_business_time_boundaries_with_utc_input(utc_moment, expected):
    assert is_business_time(US, utc_moment) is expected


def test_is_business_time_accepts_a_third_time_zone():
    tokyo = ZoneInfo("Asia/Tokyo")
    assert is_business_time(US, datetime(2026, 3, 9, 23, tzinfo=tokyo))  # 10:00 EDT Monday
    assert not is_business_time(US, datetime(2026, 3, 9, 9, tzinfo=tokyo))  # Sunday evening


def test_weekends_and_holidays_are_not_business_time():
    assert not is_business_time(US, ny(2026, 3, 7, 12))
    assert not is_business_time(US, ny(2026, 11, 26, 12))


def test_all_day_interval_is_business_time_until_the_last_instant_of_the_day():
    cal = BusinessCalendar(hours={0: ALL_DAY})
    assert is_business_time(cal, datetime(2026, 3, 9, 0, tzinfo=UTC))
    assert is_business_time(cal, datetime(2026, 3, 9, 23, 59, 59, 999999, tzinfo=UTC))
    assert not is_business_time(cal, datetime(2026, 3, 10, 0, tzinfo=UTC))


def test_next_business_moment_is_the_moment_itself_during_business_time():
    moment = datetime(2026, 3, 9, 14, 15, 30, tzinfo=UTC)
    result = next_business_moment(US, moment)
    assert result == moment
    assert result.tzinfo == NEW_YORK


def test_next_business_moment_at_close_or_after_hours_is_the_next_opening():
    assert next_business_moment(US, ny(2026, 3, 9, 17)) == ny(2026, 3, 10, 9)
    assert next_business_moment(US, ny(2026, 3, 9, 6)) == ny(2026, 3, 9, 9)
    assert next_business_moment(US, ny(2026, 3, 6, 18)) == ny(2026, 3, 9, 9)
    assert next_business_moment(US, ny(2026, 12, 24, 18)) == ny(2026, 12, 28, 9)


# --- business_minutes_between ----------------------------------------------------------------


def test_business_minutes_within_a_day():
    assert business_minutes_between(US, ny(2026, 3, 9, 10), ny(2026, 3, 9, 11, 30)) == 90


def test_business_minutes_across_a_night():
    assert business_minutes_between(US, ny(2026, 3, 9, 16), ny(2026, 3, 10, 10)) == 120


def test_business_minutes_across_a_weekend():
    assert business_minutes_between(US, ny(2026, 3, 6, 16), ny(2026, 3, 9, 10)) == 120


def test_business_minutes_across_a_holiday_and_weekend():
    assert business_minutes_between(US, ny(2026, 12, 24, 16), ny(2026, 12, 28, 10)) == 120


def test_business_minutes_ignore_time_outside_hours_at_both_ends():
    assert business_minutes_between(US, ny(2026, 3, 9, 6), ny(2026, 3, 9, 20)) == 480


def test_business_minutes_are_zero_when_end_is_not_after_start():
    assert business_minutes_between(US, ny(2026, 3, 9, 11), ny(2026, 3, 9, 10)) == 0
    assert business_minutes_between(US, ny(2026, 3, 9, 11), ny(2026, 3, 9, 11)) == 0


def test_partial_business_minutes_are_rounded_down():
    start = ny(2026, 3, 9, 10)
    assert business_minutes_between(US, start, start + timedelta(seconds=119)) == 1


def test_business_minutes_accept_mixed_time_zones():
    start = datetime(2026, 3, 9, 14, tzinfo=UTC)  # 10:00 EDT
    end = datetime(2026, 3, 9, 15, 30, tzinfo=LONDON)  # 11:30 EDT
    assert business_minutes_between(US, start, end) == 90


@pytest.mark.parametrize(
    "start",
    [
        ny(2026, 3, 9, 10, 17),  # business time
        ny(2026, 3, 6, 16, 30),  # spring-forward weekend
        ny(2026, 10, 30, 12),  # fall-back weekend
        ny(2026, 12, 23, 20),  # evening before Christmas Eve and New Year
        datetime(2026, 11, 25, 7, 45, 30, tzinfo=UTC),  # off hours, seconds, other zone
    ],
)
def test_minutes_between_start_and_added_minutes_round_trip(start):
    for minutes in range(0, 6000, 37):
        end = add_business_minutes(US, start, minutes)
        assert business_minutes_between(US, start, end) == minutes, minutes


def test_round_trip_on_an_all_day_dst_calendar():
    cal = BusinessCalendar(time_zone="Europe/London", hours=dict.fromkeys(range(7), ALL_DAY))
    start = datetime(2026, 3, 28, 12, tzinfo=LONDON)
    for minutes in range(0, 4000, 23):
        end = add_business_minutes(cal, start, minutes)
        assert business_minutes_between(cal, start, end) == minutes
        assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=minutes)


# --- invalid input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda naive: add_business_minutes(US, naive, 10),
        lambda naive: is_business_time(US, naive),
        lambda naive: next_business_moment(US, naive),
        lambda naive: business_minutes_between(US, naive, ny(2026, 3, 9, 12)),
        lambda naive: business_minutes_between(US, ny(2026, 3, 9, 12), naive),
    ],
    ids=["add", "is_business_time", "next_moment", "between-start", "between-end"],
)
def test_naive_datetimes_are_rejected(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call(datetime(2026, 3, 9, 10))


def test_negative_minutes_are_rejected():
    with pytest.raises(ValueError, match="negative"):
        add_business_minutes(US, ny(2026, 3, 9, 10), -1)


@pytest.mark.parametrize(
    "intervals",
    [
        ((time(9), time(13)), (time(12), time(17))),
        ((time(9), time(17)), (time(10), time(11))),
        ((time(20), time(0)), (time(22), time(23))),
        ((time(0), time(0)), (time(9), time(17))),
    ],
)
def test_overlapping_intervals_are_rejected(intervals):
    with pytest.raises(ValueError, match="overlap"):
        BusinessCalendar(hours={2: intervals})


def test_touching_intervals_are_allowed():
    cal = BusinessCalendar(hours={0: ((time(9), time(12)), (time(12), time(17)))})
    assert add_business_minutes(cal, datetime(2026, 3, 9, 11, tzinfo=UTC), 120) == datetime(
        2026, 3, 9, 13, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"country": "XX"}, "No public-holiday data for country 'XX'"),
        ({"country": "US", "subdivision": "ZZ"}, "subdivision 'ZZ'"),
        ({"subdivision": "CA"}, "without a country"),
        ({"time_zone": "Mars/Olympus_Mons"}, "Unknown time zone"),
        ({"hours": {7: ((time(9), time(17)),)}}, "weekdays 0"),
        ({"hours": {0: ((time(9), time(9)),)}}, "empty interval"),
        ({"hours": {0: ((time(9, tzinfo=UTC), time(17)),)}}, "wall times"),
        ({"hours": {0: (("09:00", "17:00"),)}}, "datetime.time"),
        ({"hours": {0: ((time(9),),)}}, "pair"),
    ],
)
def test_invalid_calendars_are_rejected_with_a_clear_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(**kwargs)


# --- throughput ------------------------------------------------------------------------------


def test_ten_thousand_business_day_deadlines_take_well_under_a_second():
    starts = [date(2026, 1, 1) + timedelta(days=offset % 730) for offset in range(10_000)]
    began = clock.perf_counter()
    for offset, start in enumerate(starts):
        add_business_days(US_CA, start, offset % 10 + 1)
    assert clock.perf_counter() - began < 2.0


def test_ten_thousand_business_minute_deadlines_take_well_under_a_second():
    starts = [ny(2026, 1, 1) + timedelta(minutes=97 * offset) for offset in range(10_000)]
    began = clock.perf_counter()
    for offset, start in enumerate(starts):
        add_business_minutes(US, start, offset % 960)
    assert clock.perf_counter() - began < 2.0
