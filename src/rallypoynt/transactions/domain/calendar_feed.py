"""A member's calendar feed (RFC 5545), pure: the window of days it covers and the VCALENDAR
of the deadlines, closings and tasks it is given, on the org's wall clock.

`selectors.calendar_feed_items` reads the rows; rendering them needs no database, so what
Google Calendar, Outlook and Apple Calendar receive is tested without one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Alarm, Calendar, Event, Timezone, vDuration

from rallypoynt.transactions.choices import DeadlineKind

if TYPE_CHECKING:
    from rallypoynt.contacts.models import Task
    from rallypoynt.orgs.models import Membership
    from rallypoynt.transactions.models import Deadline, Deal

WINDOW_PAST_DAYS = 30
WINDOW_AHEAD_DAYS = 365
PRODID = "-//RallyPoynt OS//Calendar feed//EN"
UID_DOMAIN = "rallypoynt"
# Clients that honour it poll hourly; the view lets caches keep an answer five minutes.
REFRESH = timedelta(hours=1)
ALARM_BEFORE = timedelta(days=1)


@dataclass(frozen=True)
class FeedWindow:
    """The days the feed covers, as local dates of the org's time zone."""

    tz: ZoneInfo
    first_on: date
    last_on: date

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.first_on, time.min, self.tz)

    @property
    def end_at(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return datetime.combine(self.last_on + timedelta(days=1), time.min, self.tz)


@dataclass
class FeedItems:
    deadlines: list[Deadline] = field(default_factory=list)
    closings: list[Deal] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)


def org_zone(name: str) -> ZoneInfo:
    """The org's zone; an unknown name falls back to UTC rather than breaking the feed."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def calendar_feed_window(*, time_zone: str, now: datetime) -> FeedWindow:
    """The days around `now` (the caller's clock) in the org's zone that the feed covers."""
    tz = org_zone(time_zone)
    today = now.astimezone(tz).date()
    return FeedWindow(
        tz=tz,
        first_on=today - timedelta(days=WINDOW_PAST_DAYS),
        last_on=today + timedelta(days=WINDOW_AHEAD_DAYS),
    )


def _address(deal: Deal) -> str:
    place = " ".join(part for part in (deal.state, deal.postal_code) if part)
    return ", ".join(part for part in (deal.street, deal.city, place) if part)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _alarm(description: str, trigger: timedelta) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", description)
    alarm.add("trigger", trigger)
    return alarm


def _event(*, uid: str, summary: str, changed_at: datetime, category: str) -> Event:
    event = Event.new(
        uid=f"{uid}@{UID_DOMAIN}",
        summary=summary,
        stamp=_utc(changed_at),
        last_modified=_utc(changed_at),
        categories=[category],
    )
    # Deadlines and reminders are not meetings: they must not mark the member busy.
    event.add("transp", "TRANSPARENT")
    return event


def _all_day(event: Event, on: date) -> None:
    event.start = on
    event.end = on + timedelta(days=1)


def deadline_event(row: Deadline, tz: ZoneInfo) -> Event:
    deal = row.deal
    summary = f"{row.name} — {deal.street}"
    event = _event(
        uid=f"deadline-{row.pk}", summary=summary, changed_at=row.updated_at, category="Deadline"
    )
    kind = "Contingency" if row.is_contingency else "Milestone"
    event.add("description", f"{kind} on {_address(deal)}")
    event.add("location", _address(deal))
    if row.due_at is not None:
        # A point in time (RFC 5545 3.6.1: no DTEND means it ends when it starts).
        event.start = row.due_at.astimezone(tz)
    else:
        assert row.due_on is not None, "a deadline in the feed has a due date or time"
        _all_day(event, row.due_on)
    event.add_component(_alarm(f"Due tomorrow: {summary}", -ALARM_BEFORE))
    return event


def closing_event(deal: Deal) -> Event:
    event = _event(
        uid=f"closing-{deal.pk}",
        summary=f"Closing — {deal.street}",
        changed_at=deal.updated_at,
        category="Closing",
    )
    event.add("location", _address(deal))
    assert deal.closing_on is not None, "a closing in the feed has its date"
    _all_day(event, deal.closing_on)
    return event


def task_event(task: Task, tz: ZoneInfo) -> Event:
    event = _event(
        uid=f"task-{task.pk}", summary=task.title, changed_at=task.updated_at, category="Task"
    )
    due_at = task.due_at
    assert due_at is not None, "a task in the feed has its due time"
    event.start = due_at.astimezone(tz)
    if task.remind_at is not None and task.remind_at <= due_at:
        event.add_component(_alarm(task.title, task.remind_at - due_at))
    return event


def calendar_feed_render(
    *, actor: Membership, items: FeedItems, window: FeedWindow, name: str
) -> Calendar:
    """The VCALENDAR: the org's VTIMEZONE first, then deadlines, closings and tasks."""
    tzid = window.tz.key
    calendar = Calendar.new(
        name=name,
        description="Deadlines, closings and tasks from RallyPoynt",
        prodid=PRODID,
        method="PUBLISH",
        calscale="GREGORIAN",
        uid=f"calendar-{actor.pk}@{UID_DOMAIN}",
    )
    calendar.add("x-wr-timezone", tzid)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))  # Outlook's and Apple's refresh hint
    # Only the transitions inside the window: a VTIMEZONE from 1970 would dwarf the events.
    first_date = window.first_on - timedelta(days=1)
    last_date = window.last_on + timedelta(days=2)
    calendar.add_component(Timezone.from_tzid(tzid, first_date=first_date, last_date=last_date))
    # A deal whose closing is also tracked as a deadline shows it once, as the deadline.
    closing_deadlines = {d.deal_id for d in items.deadlines if d.kind == DeadlineKind.CLOSING}
    for row in items.deadlines:
        calendar.add_component(deadline_event(row, window.tz))
    for deal in items.closings:
        if deal.pk not in closing_deadlines:
            calendar.add_component(closing_event(deal))
    for task in items.tasks:
        calendar.add_component(task_event(task, window.tz))
    calendar.add_missing_timezones(first_date=first_date, last_date=last_date)
    return calendar
