"""Reminders before each open deadline (3 days and 1 day by default) and an alert once one
passes unresolved, to the people working the deal: one hourly, idempotent pass."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from rallypoynt.core.timefmt import due_text, reader_zone
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.services import notification_send
from rallypoynt.transactions import selectors
from rallypoynt.transactions.models import Deadline, DeadlineNotice

ALERT = 0
# Looking this far back keeps a pass that missed an hour (a stopped worker) from losing a notice.
CATCH_UP = timedelta(days=2)


def reminder_offsets() -> list[int]:
    """Minutes before a deadline to remind (DEADLINE_REMINDER_MINUTES, default 3 days, 1 day)."""
    return list(getattr(settings, "DEADLINE_REMINDER_MINUTES", [3 * 24 * 60, 24 * 60]))


def _recipients(row: Deadline) -> list[Membership]:
    return selectors.deal_recipients(row.deal, row.responsible_role)


def _notify(row: Deadline, minutes_before: int, now: datetime) -> bool:
    """Record and send one notice; False when it was sent already."""
    due_at = row.due_at
    assert due_at is not None, "only deadlines with a due time are reminded"
    people = _recipients(row)
    try:
        with transaction.atomic():
            DeadlineNotice.objects.create(
                org_id=row.org_id,
                deadline=row,
                minutes_before=minutes_before,
                sent_at=now,
                recipients=[m.pk for m in people],
            )
            for member in people:
                # Each reader gets the due time on their own wall clock (a 11:59 PM MST
                # deadline is "Wed Dec 9, end of day", not Thu Dec 10 in UTC).
                when = due_text(due_at, reader_zone(member, row.org))
                if minutes_before == ALERT:
                    title = f"Deadline passed: {row.name} — {row.deal}"
                    body = f"It was due {when} and is still open. Resolve it or amend the contract."
                else:
                    title = f"Deadline coming: {row.name} — {row.deal}"
                    body = f"Due {when}."
                notification_send(
                    recipient=member, kind="transaction.deadline", title=title, body=body
                )
    except IntegrityError:
        return False
    return True


def deadline_notices_send(now: datetime | None = None) -> int:
    """Send every reminder and alert that is due and not yet sent; returns how many."""
    now = now or timezone.now()
    open_rows = Deadline.objects.filter(is_open=True, due_at__isnull=False)
    sent = 0
    for minutes in reminder_offsets():
        ahead = now + timedelta(minutes=minutes)
        due = open_rows.filter(due_at__gt=now, due_at__lte=ahead).exclude(
            notices__minutes_before=minutes
        )
        # Past the reminder time but not by more than the catch-up window.
        for row in due.filter(due_at__gte=ahead - CATCH_UP).select_related("deal", "org"):
            sent += _notify(row, minutes, now)
    passed = open_rows.filter(due_at__lte=now, due_at__gte=now - CATCH_UP).exclude(
        notices__minutes_before=ALERT
    )
    for row in passed.select_related("deal", "org"):
        sent += _notify(row, ALERT, now)
    return sent
