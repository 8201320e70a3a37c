"""GET /calendar/<secret>.ics: a member's deadlines, closings and tasks as RFC 5545, in the org's
time zone; nothing of another agent's deals or another org; a revoked or unknown secret is 404."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from rallypoynt.accounts.services import calendar_feed_create, calendar_feed_revoke
from rallypoynt.contacts.services.activity import task_complete, task_create
from rallypoynt.core.testing import count_queries
from rallypoynt.journeys.tests.factories import engagement_for
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.tests.factories import MembershipFactory
from rallypoynt.transactions.domain import (
    FeedItems,
    calendar_feed_render,
    calendar_feed_window,
)
from rallypoynt.transactions.models import Deadline, Deal
from rallypoynt.transactions.services.deadlines import deadline_add
from rallypoynt.transactions.services.deals import deal_open
from rallypoynt.transactions.services.resolution import deadline_resolve

pytestmark = pytest.mark.django_db

DENVER = ZoneInfo("America/Denver")


def today() -> date:
    return timezone.now().astimezone(DENVER).date()


@pytest.fixture(autouse=True)
def _denver(brokerage):
    # Not the factory's New York, so the TZID in the feed can only come from the org.
    brokerage.org.time_zone = "America/Denver"
    brokerage.org.save()


def open_deal(member, street: str = "1550 Blake St", **dates) -> Deal:
    engagement = engagement_for(member)
    dates.setdefault("accepted_on", today() - timedelta(days=2))
    dates.setdefault("closing_on", today() + timedelta(days=30))
    return deal_open(
        actor=member,
        engagement_id=engagement.pk,
        kind="purchase",
        street=street,
        city="Denver",
        state="CO",
        **dates,
    )


def inspection(member, deal: Deal) -> Deadline:
    """Seven calendar days after acceptance (five days from now), at 5 PM in Denver."""
    return deadline_add(
        actor=member, deal_id=deal.pk, kind="inspection", amount=7, time_of_day=time(17, 0)
    )


def feed_url(member) -> str:
    _, secret = calendar_feed_create(actor=member)
    return f"/calendar/{secret}.ics"


def fetch(member) -> Calendar:
    response = Client().get(feed_url(member))
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_the_feed_has_the_deadline_the_closing_and_the_task_in_the_orgs_time_zone(brokerage):
    deal = open_deal(brokerage.ben)
    deadline = inspection(brokerage.ben, deal)
    due_at = timezone.now() + timedelta(days=2)
    task = task_create(
        actor=brokerage.ben,
        title="Call the lender",
        due_at=due_at,
        remind_at=due_at - timedelta(hours=1),
    )
    response = Client().get(feed_url(brokerage.ben))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=300"
    assert b"\r\n" in response.content  # RFC 5545 lines end in CRLF
    for line in (
        b"DTSTART;TZID=America/Denver:",
        b"X-WR-TIMEZONE:America/Denver",
        b"REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        b"X-PUBLISHED-TTL:PT1H",
        b"METHOD:PUBLISH",
    ):
        assert line in response.content
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0" and "RallyPoynt" in str(calendar["PRODID"])
    assert "Front Range" in str(calendar["X-WR-CALNAME"])
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/Denver"]
    found = events(calendar)
    assert set(found) == {
        f"deadline-{deadline.pk}@rallypoynt",
        f"closing-{deal.pk}@rallypoynt",
        f"task-{task.pk}@rallypoynt",
    }

    event = found[f"deadline-{deadline.pk}@rallypoynt"]
    assert str(event["SUMMARY"]) == "Inspection contingency — 1550 Blake St"
    assert event["DTSTART"].params["TZID"] == "America/Denver"
    start = event.decoded("DTSTART")
    assert start == deadline.due_at
    assert (start.astimezone(DENVER).date(), start.astimezone(DENVER).hour) == (
        today() + timedelta(days=5),
        17,
    )
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(days=1) and str(alarm["ACTION"]) == "DISPLAY"

    closing = found[f"closing-{deal.pk}@rallypoynt"]
    assert str(closing["SUMMARY"]) == "Closing — 1550 Blake St"
    assert closing.decoded("DTSTART") == deal.closing_on  # a date: an all-day event
    assert closing.decoded("DTEND") == deal.closing_on + timedelta(days=1)

    todo = found[f"task-{task.pk}@rallypoynt"]
    assert str(todo["SUMMARY"]) == "Call the lender"
    assert todo["DTSTART"].params["TZID"] == "America/Denver"
    assert todo.decoded("DTSTART") == task.due_at.replace(microsecond=0)  # iCalendar: seconds
    [reminder] = todo.walk("VALARM")
    assert reminder.decoded("TRIGGER") == -timedelta(hours=1)


def test_resolved_deadlines_and_done_or_undated_tasks_are_left_out(brokerage):
    deal = open_deal(brokerage.ben)
    kept = inspection(brokerage.ben, deal)
    removed = deadline_add(actor=brokerage.ben, deal_id=deal.pk, kind="appraisal", amount=9)
    deadline_resolve(actor=brokerage.ben, deadline_id=removed.pk, status="satisfied")
    done = task_create(actor=brokerage.ben, title="Done", due_at=timezone.now())
    task_complete(actor=brokerage.ben, task_id=done.pk)
    task_create(actor=brokerage.ben, title="Some day")
    assert set(events(fetch(brokerage.ben))) == {
        f"deadline-{kept.pk}@rallypoynt",
        f"closing-{deal.pk}@rallypoynt",
    }


def test_another_agents_deals_and_tasks_are_not_in_my_feed_but_my_broker_sees_the_deals(
    brokerage, other
):
    mine = open_deal(brokerage.ben)
    my_deadline = inspection(brokerage.ben, mine)
    theirs = open_deal(brokerage.maria, street="2 Pearl St")
    their_deadline = inspection(brokerage.maria, theirs)
    task_create(actor=brokerage.maria, title="Maria's call", due_at=timezone.now())
    foreign = open_deal(other.ben, street="9 Elsewhere Ave")
    inspection(other.ben, foreign)

    ben = set(events(fetch(brokerage.ben)))
    assert ben == {f"deadline-{my_deadline.pk}@rallypoynt", f"closing-{mine.pk}@rallypoynt"}
    # The broker-owner sees every deal of the org, never another org's, and nobody's tasks.
    broker = set(events(fetch(brokerage.broker)))
    assert broker == {
        f"deadline-{my_deadline.pk}@rallypoynt",
        f"closing-{mine.pk}@rallypoynt",
        f"deadline-{their_deadline.pk}@rallypoynt",
        f"closing-{theirs.pk}@rallypoynt",
    }


def test_the_feed_covers_a_month_back_to_a_year_ahead(brokerage):
    deal = open_deal(brokerage.ben, closing_on=today() + timedelta(days=400))
    far = deadline_add(
        actor=brokerage.ben,
        deal_id=deal.pk,
        kind="custom",
        name="Lease-back ends",
        anchor="fixed",
        anchor_on=today() + timedelta(days=380),
    )
    near = inspection(brokerage.ben, deal)
    open_deal(
        brokerage.ben,
        street="1 Old Rd",
        accepted_on=today() - timedelta(days=60),
        closing_on=today() - timedelta(days=31),
    )
    found = set(events(fetch(brokerage.ben)))
    assert found == {f"deadline-{near.pk}@rallypoynt"}
    assert f"deadline-{far.pk}@rallypoynt" not in found


def test_a_closing_tracked_as_a_deadline_shows_once(brokerage):
    deal = open_deal(brokerage.ben)
    closing = deadline_add(actor=brokerage.ben, deal_id=deal.pk, kind="closing", anchor="closing")
    assert set(events(fetch(brokerage.ben))) == {f"deadline-{closing.pk}@rallypoynt"}


def test_terminated_deals_drop_out(brokerage):
    deal = open_deal(brokerage.ben)
    inspection(brokerage.ben, deal)
    Deal.objects.filter(pk=deal.pk).update(status="terminated")
    assert events(fetch(brokerage.ben)) == {}


def test_unknown_and_revoked_secrets_are_404(brokerage):
    feed, secret = calendar_feed_create(actor=brokerage.ben)
    client = Client()
    assert client.get(f"/calendar/{secret}.ics").status_code == 200
    assert client.get(f"/calendar/{secret[:-1]}x.ics").status_code == 404
    assert client.get("/calendar/not-a-feed.ics").status_code == 404
    calendar_feed_revoke(actor=brokerage.ben, feed_id=feed.pk)
    assert client.get(f"/calendar/{secret}.ics").status_code == 404


def test_a_member_who_left_the_org_gets_a_404(brokerage):
    url = feed_url(brokerage.ben)
    brokerage.ben.is_active = False
    brokerage.ben.save(update_fields=["is_active"])
    assert Client().get(url).status_code == 404


def test_a_feed_answers_only_for_its_own_org(brokerage, other):
    # The same person with a seat in two orgs: each org's secret shows that org's deals.
    second = MembershipFactory(org=other.org, user=brokerage.ben.user, roles=[Role.AGENT])
    elsewhere = open_deal(second, street="9 Elsewhere Ave")
    mine = open_deal(brokerage.ben)
    assert set(events(fetch(brokerage.ben))) == {f"closing-{mine.pk}@rallypoynt"}
    assert set(events(fetch(second))) == {f"closing-{elsewhere.pk}@rallypoynt"}


def test_calendar_apps_polling_an_unchanged_feed_get_a_304(brokerage):
    inspection(brokerage.ben, open_deal(brokerage.ben))
    url = feed_url(brokerage.ben)
    client = Client()
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again["Cache-Control"] == "private, max-age=300"
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


@pytest.mark.query_guard("calendar:feed")
def test_the_feed_costs_the_same_queries_for_one_deal_or_many(brokerage):
    inspection(brokerage.ben, open_deal(brokerage.ben))
    task_create(actor=brokerage.ben, title="Call", due_at=timezone.now())
    url = feed_url(brokerage.ben)
    client = Client()
    client.get(url)  # the org's roles land in the configuration cache
    one = count_queries(lambda: client.get(url))
    for n in range(3):
        inspection(brokerage.ben, open_deal(brokerage.ben, street=f"{n} Main St"))
        task_create(actor=brokerage.ben, title=f"Call {n}", due_at=timezone.now())
    assert count_queries(lambda: client.get(url)) == one
    # The member by token, their led teams, handoffs, parties, the deal probe; three reads.
    assert one <= 8


def test_an_undated_time_falls_back_to_an_all_day_event_without_a_database():
    deal = Deal(pk=7, street="1550 Blake St", city="Denver", state="CO")
    deal.updated_at = datetime(2026, 11, 1, tzinfo=ZoneInfo("UTC"))
    row = Deadline(pk=3, deal=deal, name="Title review", due_on=date(2026, 12, 1))
    row.updated_at = deal.updated_at
    window = calendar_feed_window(
        time_zone="Europe/Berlin", now=datetime(2026, 11, 23, 12, tzinfo=ZoneInfo("UTC"))
    )
    calendar = calendar_feed_render(
        actor=Membership(pk=1), items=FeedItems(deadlines=[row]), window=window, name="Test"
    )
    parsed = Calendar.from_ical(calendar.to_ical())
    [event] = parsed.walk("VEVENT")
    assert event.decoded("DTSTART") == date(2026, 12, 1)
    assert str(event["UID"]) == "deadline-3@rallypoynt"
    assert str(parsed["X-WR-TIMEZONE"]) == "Europe/Berlin"
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_a_second_parser_reads_the_same_instants_from_the_embedded_time_zone(brokerage):
    # vobject resolves TZID through the feed's own VTIMEZONE, as Outlook and Apple Calendar do.
    deadline = inspection(brokerage.ben, open_deal(brokerage.ben))
    _, secret = calendar_feed_create(actor=brokerage.ben)
    text = Client().get(f"/calendar/{secret}.ics").content.decode()
    parsed = vobject.readOne(text)
    [event] = [e for e in parsed.vevent_list if e.uid.value.startswith("deadline-")]
    assert event.dtstart.value == deadline.due_at
    assert event.dtstart.value.utcoffset() == deadline.due_at.astimezone(DENVER).utcoffset()
