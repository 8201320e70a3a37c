"""Deadline reminders name the day the deadline falls on for their reader, never the UTC day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail

from rallypoynt.journeys.tests.factories import engagement_for
from rallypoynt.orgs.models import Notification
from rallypoynt.orgs.tests.brokerage import Brokerage, build_brokerage
from rallypoynt.transactions.models import Deadline
from rallypoynt.transactions.services.deadlines import deadline_add
from rallypoynt.transactions.services.deals import deal_open
from rallypoynt.transactions.services.reminders import deadline_notices_send

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 6, 4, 30, tzinfo=UTC)  # Sat Dec 5, 9:30 PM in Denver
END_OF_DEC_9 = datetime(2026, 12, 10, 6, 59, tzinfo=UTC)  # Wed Dec 9, 11:59 PM MST
REMIND = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # inside the 3-day reminder window


@pytest.fixture
def firm() -> Brokerage:
    with time_machine.travel(NOW, tick=False):
        found = build_brokerage("Mile High")
        found.org.time_zone = "America/Denver"
        found.org.save(update_fields=["time_zone"])
        yield found


def deadline_due_end_of_dec_9(firm: Brokerage) -> Deadline:
    deal = deal_open(
        actor=firm.ben,
        engagement_id=engagement_for(firm.ben).pk,
        kind="purchase",
        street="1 Main St",
        state="CO",
        accepted_on=date(2026, 12, 1),
    )
    row = deadline_add(actor=firm.ben, deal_id=deal.pk, kind="inspection", amount=30)
    Deadline.objects.filter(pk=row.pk).update(due_at=END_OF_DEC_9)
    return row


def bodies(member) -> list[str]:
    rows = Notification.objects.filter(recipient=member, kind="transaction.deadline")
    return list(rows.order_by("pk").values_list("body", flat=True))


def test_a_deadline_due_at_the_end_of_wed_dec_9_is_named_wed_dec_9(
    firm, django_capture_on_commit_callbacks
):
    deadline_due_end_of_dec_9(firm)
    with django_capture_on_commit_callbacks(execute=True):
        assert deadline_notices_send(REMIND) == 1  # the 3-day reminder
    assert bodies(firm.ben) == ["Due Wed Dec 9, end of day."]
    [email] = [m for m in mail.outbox if m.to == [firm.ben.user.email]]
    assert "Wed Dec 9" in email.body and "Dec 10" not in email.body


def test_the_passed_alert_names_the_local_day_too(firm):
    deadline_due_end_of_dec_9(firm)
    deadline_notices_send(datetime(2026, 12, 10, 7, 5, tzinfo=UTC))
    [alert] = [b for b in bodies(firm.ben) if b.startswith("It was due")]
    assert alert.startswith("It was due Wed Dec 9, end of day and is still open.")


def test_a_recipient_with_their_own_zone_reads_their_own_clock(firm):
    firm.ben.user.time_zone = "America/New_York"
    firm.ben.user.save(update_fields=["time_zone"])
    deadline_due_end_of_dec_9(firm)
    deadline_notices_send(REMIND)
    assert bodies(firm.ben) == ["Due Thu Dec 10, 1:59 AM EST."]
