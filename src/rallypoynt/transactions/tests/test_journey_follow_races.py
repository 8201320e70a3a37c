"""Races on PostgreSQL (real row locks, two threads with their own connections): two deals of
one engagement ending at once, a checklist's last two items ticked at once, the wrap-up chore
on two workers. Each hook waits briefly for the other thread; with the locks right, the
second waits for the first to commit instead, and nothing is doubled or lost."""

from __future__ import annotations

import contextlib
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from rallypoynt.core.models import Event
from rallypoynt.journeys.models import Engagement
from rallypoynt.journeys.services import outcomes
from rallypoynt.journeys.tests.factories import engagement_for
from rallypoynt.transactions.choices import ItemStatus
from rallypoynt.transactions.models import ChecklistItem
from rallypoynt.transactions.services import checklists, journey_link
from rallypoynt.transactions.services.checklists import checklist_item_mark
from rallypoynt.transactions.services.closing import deal_terminate
from rallypoynt.transactions.services.deals import deal_open
from rallypoynt.transactions.services.offers import offer_accept, offer_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite runs one writer at a time"
    ),
]


def meet(barrier: threading.Barrier) -> None:
    """Wait for the other thread; if it is held on a row lock, go on after a moment."""
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait()


TERMS = {
    "price": "610000",
    "earnest_money": "10000",
    "financing": "conventional",
    "down_payment": "122000",
    "contingencies": [{"kind": "inspection", "days": 10}],
    "closing_on": "2027-03-15",
}


def accepted(agent, e, street):
    deal = deal_open(actor=agent, engagement_id=e.pk, kind="purchase", street=street, state="CO")
    offer = offer_create(actor=agent, deal_id=deal.pk, buyer_name="N", terms=TERMS)
    offer_accept(actor=agent, offer_id=offer.pk)
    return deal


def both(fn_a, fn_b):
    errors = []

    def run(fn):
        try:
            fn()
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(f,)) for f in (fn_a, fn_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return errors


def test_two_deals_of_one_engagement_ending_together_send_it_back_once(brokerage, monkeypatch):
    agent = brokerage.ben
    e = engagement_for(agent)
    Engagement.objects.filter(pk=e.pk).update(phase_key="transaction_initiation")
    a = accepted(agent, e, "1 A St")
    b = accepted(agent, e, "2 B St")
    barrier = threading.Barrier(2, timeout=2)
    original = journey_link._deal_events

    def slow(deal):
        meet(barrier)
        return original(deal)

    monkeypatch.setattr(journey_link, "_deal_events", slow)
    errors = both(
        lambda: deal_terminate(actor=agent, deal_id=a.pk, reason="x"),
        lambda: deal_terminate(actor=agent, deal_id=b.pk, reason="y"),
    )
    e.refresh_from_db()
    assert errors == []
    assert e.phase_key == "search_selection"


def test_the_last_two_items_ticked_together_complete_the_checklist_once(brokerage, monkeypatch):
    agent = brokerage.ben
    e = engagement_for(agent)
    deal = accepted(agent, e, "1 A St")
    items = list(ChecklistItem.objects.filter(deal=deal, kind="due_diligence").order_by("pk"))
    for item in items[:-2]:
        checklist_item_mark(actor=agent, item_id=item.pk, status="done")
    barrier = threading.Barrier(2, timeout=2)
    original = checklists._kind_completed

    def slow(row, actor):
        meet(barrier)
        return original(row, actor)

    monkeypatch.setattr(checklists, "_kind_completed", slow)
    both(
        lambda: checklist_item_mark(actor=agent, item_id=items[-2].pk, status="done"),
        lambda: checklist_item_mark(actor=agent, item_id=items[-1].pk, status="done"),
    )
    assert not ChecklistItem.objects.filter(
        deal=deal, kind="due_diligence", status=ItemStatus.OPEN
    ).exists()
    assert Event.objects.filter(kind="checklist.due_diligence_completed").count() == 1


def test_the_wrap_up_chore_on_two_workers_moves_an_engagement_once(brokerage, monkeypatch):
    agent = brokerage.ben
    e = engagement_for(agent)
    Engagement.objects.filter(pk=e.pk).update(
        status="won", phase_key="closing_transition", closed_at=timezone.now() - timedelta(days=20)
    )
    barrier = threading.Barrier(2, timeout=2)
    original = outcomes.event_emit

    def slow(**kw):
        meet(barrier)
        return original(**kw)

    monkeypatch.setattr(outcomes, "event_emit", slow)
    counts = []
    both(
        lambda: counts.append(outcomes.wrap_ups_due()),
        lambda: counts.append(outcomes.wrap_ups_due()),
    )
    assert Event.objects.filter(kind=outcomes.WRAP_UP_EVENT, subject_id=e.pk).count() == 1
