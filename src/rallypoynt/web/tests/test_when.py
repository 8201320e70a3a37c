"""Template filters |moment, |day, |due and |clock write times in the active (reader's) zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.template import Context, Template
from django.utils import timezone

NIGHT = datetime(2026, 12, 6, 3, 29, tzinfo=UTC)


def render(source: str, zone: str = "America/Denver", **values) -> str:
    with timezone.override(zone):
        return Template("{% load when %}" + source).render(Context(values))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime(2026, 12, 6, 4, 30, tzinfo=UTC), tick=False):
        yield


def test_moment_day_and_clock_follow_the_active_zone():
    assert render("{{ v|moment }}", v=NIGHT) == "Sat Dec 5, 8:29 PM MST"
    assert render("{{ v|moment:'nozone' }}", v=NIGHT) == "Sat Dec 5, 8:29 PM"
    assert render("{{ v|day }}", v=NIGHT) == "Sat Dec 5"
    assert render("{{ v|day:'year' }}", v=NIGHT) == "Sat Dec 5, 2026"
    assert render("{{ v|clock }}", v=NIGHT) == "8:29 PM MST"
    assert render("{{ v|moment }}", zone="UTC", v=NIGHT) == "Sun Dec 6, 3:29 AM UTC"


def test_due_names_the_day_for_an_end_of_day_deadline():
    end = datetime(2026, 12, 10, 6, 59, tzinfo=UTC)
    assert render("{{ v|due }}", v=end) == "Wed Dec 9, end of day"
    assert render("{{ v|due }}", v=NIGHT) == "Sat Dec 5, 8:29 PM MST"


def test_dates_are_days_whatever_the_zone():
    assert render("{{ v|day }}", zone="Asia/Tokyo", v=date(2026, 12, 9)) == "Wed Dec 9"
    assert render("{{ v|moment }}", v=date(2027, 1, 4)) == "Mon Jan 4, 2027"


def test_iso_text_is_read_and_blanks_or_junk_print_nothing():
    assert render("{{ v|day }}", v="2026-12-09") == "Wed Dec 9"
    assert render("{{ v|moment }}", v="2026-12-06T03:29:00+00:00") == "Sat Dec 5, 8:29 PM MST"
    assert render("[{{ v|moment }}{{ v|day }}{{ v|due }}{{ v|clock }}]", v=None) == "[]"
    assert render("[{{ v|day }}]", v="soon") == "[]"
    assert render("{{ v|moment|default:'never' }}", v=None) == "never"


def test_dst_change_days_in_templates():
    spring = datetime(2026, 3, 8, 9, 0, tzinfo=UTC)
    fall = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    assert render("{{ v|moment }}", v=spring) == "Sun Mar 8, 3:00 AM MDT"
    assert render("{{ v|moment }}", v=fall) == "Sun Nov 1, 1:30 AM MST"


def test_new_years_eve_at_23_30_utc():
    moment = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        assert render("{{ v|moment }}", v=moment) == "Thu Dec 31, 4:30 PM MST"
        assert render("{{ v|day }}", zone="Asia/Tokyo", v=moment) == "Fri Jan 1"
        assert render("{{ v|moment }}", zone="UTC", v=moment) == "Thu Dec 31, 11:30 PM UTC"
