"""Reminders before a deadline and an alert after it, each sent once, to the deal's people."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rallypoynt.journeys.tests.factories import engagement_for
from rallypoynt.orgs.models import Notification
from rallypoynt.orgs.tests.brokerage import org_today
from rallypoynt.transactions.models import DeadlineNotice
from rallypoynt.transactions.services.deadlines import deadline_add
from rallypoynt.transactions.services.deals import deal_open
from rallypoynt.transactions.services.reminders import deadline_notices_send
from rallypoynt.transactions.services.resolution import deadline_resolve

pytestmark = pytest.mark.django_db


def test_three_days_one_day_and_after_each_once_and_never_when_resolved(brokerage):
    engagement = engagement_for(brokerage.ben)
    today = org_today()
    deal = deal_open(
        actor=brokerage.ben,
        engagement_id=engagement.pk,
        kind="purchase",
        street="1 Main St",
        state="CO",
        accepted_on=today,
    )
    row = deadline_add(actor=brokerage.ben, deal_id=deal.pk, kind="inspection", amount=2)
    resolved = deadline_add(actor=brokerage.ben, deal_id=deal.pk, kind="title", amount=2)
    deadline_resolve(actor=brokerage.ben, deadline_id=resolved.pk, status="waived")
    now = timezone.now()

    assert deadline_notices_send(now) == 1  # the 3-day reminder, for the open one only
    assert deadline_notices_send(now) == 0
    mine = Notification.objects.filter(recipient=brokerage.ben, kind="transaction.deadline")
    assert mine.count() == 1 and "Deadline coming: Inspection contingency" in mine.get().title

    assert deadline_notices_send(row.due_at - timedelta(hours=12)) == 1  # the 1-day reminder
    assert deadline_notices_send(row.due_at + timedelta(minutes=5)) == 1  # the alert
    assert "Deadline passed" in mine.order_by("-pk").first().title
    assert sorted(DeadlineNotice.objects.values_list("minutes_before", flat=True)) == [
        0,
        1440,
        4320,
    ]
    assert deadline_notices_send(row.due_at + timedelta(hours=1)) == 0
