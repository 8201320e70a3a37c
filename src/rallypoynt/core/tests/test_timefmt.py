"""The one time format: 12-hour clock, the zone's abbreviation, weekday dates, DST and New Year."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
import time_machine

from rallypoynt.core.timefmt import (
    clock_text,
    day_text,
    due_text,
    moment_day_text,
    moment_text,
    reader_zone,
    zone_named,
)

DENVER = "America/Denver"
NIGHT = datetime(2026, 12, 6, 3, 29, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime(2026, 12, 6, 4, 30, tzinfo=UTC), tick=False):
        yield


def test_a_utc_night_is_the_previous_evening_in_denver():
    assert moment_text(NIGHT, DENVER) == "Sat Dec 5, 8:29 PM MST"
    assert clock_text(NIGHT, DENVER) == "8:29 PM MST"
    assert clock_text(NIGHT, DENVER, zone=False) == "8:29 PM"
    assert moment_day_text(NIGHT, DENVER) == "Sat Dec 5"
    assert moment_text(NIGHT, "UTC") == "Sun Dec 6, 3:29 AM UTC"


def test_noon_and_midnight_on_the_12_hour_clock():
    assert clock_text(datetime(2026, 6, 1, 12, 0, tzinfo=UTC), "UTC") == "12:00 PM UTC"
    assert clock_text(datetime(2026, 6, 1, 0, 5, tzinfo=UTC), "UTC") == "12:05 AM UTC"


def test_a_deadline_at_the_end_of_a_day_names_that_day():
    end = datetime(2026, 12, 10, 6, 59, tzinfo=UTC)  # 11:59 PM MST on Wed Dec 9
    assert due_text(end, DENVER) == "Wed Dec 9, end of day"
    assert due_text(datetime(2026, 12, 10, 6, 58, tzinfo=UTC), DENVER) == (
        "Wed Dec 9, 11:58 PM MST"
    )


def test_dates_name_the_year_only_outside_this_year():
    assert day_text(date(2026, 12, 9)) == "Wed Dec 9"
    assert day_text(date(2027, 1, 1)) == "Fri Jan 1, 2027"
    assert day_text(date(2026, 12, 9), year=True) == "Wed Dec 9, 2026"


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        # Sun Mar 8 2026: at 2:00 AM MST the clock jumps to 3:00 AM MDT.
        (datetime(2026, 3, 8, 8, 59, tzinfo=UTC), "Sun Mar 8, 1:59 AM MST"),
        (datetime(2026, 3, 8, 9, 0, tzinfo=UTC), "Sun Mar 8, 3:00 AM MDT"),
        # Sun Nov 1 2026: 1:30 AM happens twice, first in MDT then in MST.
        (datetime(2026, 11, 1, 7, 30, tzinfo=UTC), "Sun Nov 1, 1:30 AM MDT"),
        (datetime(2026, 11, 1, 8, 30, tzinfo=UTC), "Sun Nov 1, 1:30 AM MST"),
        # The UTC day after the change: still Saturday evening in Denver.
        (datetime(2026, 3, 8, 5, 0, tzinfo=UTC), "Sat Mar 7, 10:00 PM MST"),
    ],
)
def test_us_daylight_saving_change_days(moment, text):
    assert moment_text(moment, DENVER) == text


def test_a_deadline_at_the_end_of_a_dst_change_day():
    # Sun Nov 1 2026 11:59 PM MST is 06:59 UTC on Nov 2; on Mar 8 it is 05:59 UTC (MDT).
    assert due_text(datetime(2026, 11, 2, 6, 59, tzinfo=UTC), DENVER) == "Sun Nov 1, end of day"
    assert due_text(datetime(2026, 3, 9, 5, 59, tzinfo=UTC), DENVER) == "Sun Mar 8, end of day"


def test_new_years_eve_at_23_30_utc_in_three_zones():
    moment = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        assert moment_text(moment, "UTC") == "Thu Dec 31, 11:30 PM UTC"
        assert moment_text(moment, DENVER) == "Thu Dec 31, 4:30 PM MST"
        # Already 2027 in Tokyo: that is this year there, so no year is added.
        assert moment_text(moment, "Asia/Tokyo") == "Fri Jan 1, 8:30 AM JST"
        assert due_text(moment, DENVER) == "Thu Dec 31, 4:30 PM MST"


def test_just_after_midnight_utc_on_new_years_day_denver_is_still_in_the_old_year():
    moment = datetime(2027, 1, 1, 0, 30, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        assert moment_text(moment, DENVER) == "Thu Dec 31, 5:30 PM MST"
        assert moment_text(moment, "UTC") == "Fri Jan 1, 12:30 AM UTC"


def test_the_readers_own_zone_wins_over_the_orgs():
    org = SimpleNamespace(time_zone=DENVER)
    follows = SimpleNamespace(user=SimpleNamespace(time_zone=""), org=org)
    own = SimpleNamespace(user=SimpleNamespace(time_zone="Europe/Berlin"), org=org)
    assert str(reader_zone(follows)) == DENVER
    assert str(reader_zone(own)) == "Europe/Berlin"
    assert str(reader_zone(follows, SimpleNamespace(time_zone="Asia/Tokyo"))) == "Asia/Tokyo"


def test_an_unknown_zone_name_falls_back_instead_of_failing():
    assert str(zone_named("Mars/Olympus")) == "UTC"
    assert str(zone_named("", default=DENVER)) == DENVER
