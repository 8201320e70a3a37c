"""Deadlines on a real deal: counted from its dates, recounted on amendment with the
history kept, resolved with the resolution time; nobody outside the deal touches them."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from rallypoynt.core.errors import Conflict, NotFound, ValidationFailed
from rallypoynt.core.models import Event
from rallypoynt.journeys.models import Handoff
from rallypoynt.journeys.tests.factories import engagement_for
from rallypoynt.transactions.models import DeadlineChange
from rallypoynt.transactions.services.deadlines import (
    deadline_add,
    deal_dates_amend,
)
from rallypoynt.transactions.services.deals import deal_open
from rallypoynt.transactions.services.resolution import deadline_resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(brokerage):
    engagement = engagement_for(brokerage.ben)
    return deal_open(
        actor=brokerage.ben,
        engagement_id=engagement.pk,
        kind="purchase",
        street="1550 Blake St",
        city="Denver",
        state="CO",
        accepted_on=date(2026, 12, 18),
        closing_on=date(2027, 1, 22),
    )


def test_deadlines_count_from_the_contract_dates_in_the_properties_state(brokerage, deal):
    inspection = deadline_add(
        actor=brokerage.ben,
        deal_id=deal.pk,
        kind="inspection",
        amount=10,
        day_type="business",
        time_of_day=time(17, 0),
    )
    # Fri Dec 18 + 10 business days, skipping Christmas and New Year's Day (and weekends).
    assert inspection.due_on == date(2027, 1, 5) and inspection.is_contingency
    # 5 PM on the org's wall clock.
    assert inspection.due_at.astimezone(ZoneInfo(brokerage.org.time_zone)).hour == 17
    walkthrough = deadline_add(
        actor=brokerage.ben,
        deal_id=deal.pk,
        kind="final_walkthrough",
        amount=-1,
        anchor="closing",
        roll="previous_business_day",
    )
    assert walkthrough.due_on == date(2027, 1, 21) and not walkthrough.is_contingency


def test_an_amendment_recounts_the_dependent_deadlines_and_keeps_their_history(brokerage, deal):
    appraisal = deadline_add(
        actor=brokerage.ben,
        deal_id=deal.pk,
        kind="appraisal",
        amount=17,
        roll="next_business_day",
    )
    loan = deadline_add(
        actor=brokerage.ben,
        deal_id=deal.pk,
        kind="financing",
        amount=4,
        anchor="deadline",
        anchor_deadline_id=appraisal.pk,
    )
    before = (appraisal.due_on, loan.due_on)
    moved = deal_dates_amend(
        actor=brokerage.ben,
        deal_id=deal.pk,
        accepted_on=date(2026, 12, 21),
        reason="Amendment 1: acceptance re-dated",
    )
    assert {d.pk for d in moved} == {appraisal.pk, loan.pk}
    appraisal.refresh_from_db()
    loan.refresh_from_db()
    assert (appraisal.due_on, loan.due_on) != before
    change = DeadlineChange.objects.filter(deadline=loan).order_by("pk").last()
    assert change.reason == "Amendment 1: acceptance re-dated"
    assert change.due_at_after == loan.due_at and change.due_at_before is not None
    assert Event.objects.filter(kind="transaction.deadlines_moved", subject_id=deal.pk).exists()
    with pytest.raises(ValidationFailed):
        deal_dates_amend(actor=brokerage.ben, deal_id=deal.pk, reason=" ")


def test_resolving_records_how_and_when_and_only_once(brokerage, deal):
    row = deadline_add(actor=brokerage.ben, deal_id=deal.pk, kind="inspection", amount=10)
    deadline_resolve(actor=brokerage.ben, deadline_id=row.pk, status="satisfied")
    event = Event.objects.get(kind="deadline.satisfied", subject_id=row.pk)
    assert event.payload["resolution_days"] is not None
    with pytest.raises(Conflict):
        deadline_resolve(actor=brokerage.ben, deadline_id=row.pk, status="waived")
    with pytest.raises(ValidationFailed):
        deadline_add(actor=brokerage.ben, deal_id=deal.pk, kind="moonrise")


def test_a_responsible_role_longer_than_its_column_is_named(brokerage, deal):
    with pytest.raises(ValidationFailed) as refused:
        deadline_add(
            actor=brokerage.ben,
            deal_id=deal.pk,
            kind="inspection",
            responsible_role="x" * 31,
        )
    assert "responsible_role" in refused.value.fields
    assert not deal.deadlines.filter(kind="inspection", responsible_role__startswith="x").exists()


def test_nobody_outside_the_deal_can_add_move_or_resolve(brokerage, other, deal):
    row = deadline_add(actor=brokerage.ben, deal_id=deal.pk, kind="title", amount=5)
    for outsider in (brokerage.maria, other.broker):
        with pytest.raises(NotFound):
            deadline_add(actor=outsider, deal_id=deal.pk, kind="title", amount=5)
        with pytest.raises(NotFound):
            deal_dates_amend(
                actor=outsider, deal_id=deal.pk, reason="x", closing_on=date(2027, 2, 1)
            )
        with pytest.raises(NotFound):
            deadline_resolve(actor=outsider, deadline_id=row.pk, status="waived")


def test_an_amendment_extends_contingencies_and_tells_the_people_on_the_deal(brokerage, deal):
    from rallypoynt.orgs.models import Notification
    from rallypoynt.orgs.tests.factories import MembershipFactory
    from rallypoynt.transactions.services.parties import party_add

    tc = MembershipFactory(org=brokerage.org, roles=["transaction_coordinator"])
    party_add(actor=brokerage.ben, deal_id=deal.pk, role="transaction_coordinator", member_id=tc.pk)
    financing = deadline_add(actor=brokerage.ben, deal_id=deal.pk, kind="financing", amount=21)
    closing = deadline_add(actor=brokerage.ben, deal_id=deal.pk, kind="closing", anchor="closing")
    deal_dates_amend(
        actor=brokerage.ben,
        deal_id=deal.pk,
        reason="Lender needs a week",
        accepted_on=date(2026, 12, 22),
        closing_on=date(2027, 1, 29),
    )
    financing.refresh_from_db()
    closing.refresh_from_db()
    assert financing.status == "extended" and financing.due_on == date(2027, 1, 12)
    # A milestone is not a contingency, but it is moved the same way and stays open.
    assert closing.due_on == date(2027, 1, 29) and closing.status == "open"
    told = Notification.objects.get(recipient=tc, kind="transaction.amended")
    assert "Lender needs a week" in told.title and "Financing" in told.body
    # The one who amended it is not told what they did.
    assert not Notification.objects.filter(recipient=brokerage.ben, kind="transaction.amended")
    # Extended contingencies still count as open in "deadlines across my deals".
    from rallypoynt.transactions.selectors import deadlines_upcoming

    assert financing in deadlines_upcoming(actor=brokerage.ben, days=366)


def test_both_shapes_of_my_deals_and_their_deadlines_agree(brokerage, deal, monkeypatch):
    from rallypoynt.transactions import selectors
    from rallypoynt.transactions.services.parties import party_add
    from rallypoynt.transactions.tests.factories import deal_for

    theirs = deal_for(brokerage.maria, street="9 Other Rd")
    coordinated = deal_for(brokerage.maria, street="3 Shared Ct")
    handed = deal_for(brokerage.maria, street="5 Handed Way")
    for found in (deal, theirs, coordinated, handed):
        owner = brokerage.ben if found is deal else brokerage.maria
        deadline_add(actor=owner, deal_id=found.pk, kind="inspection", amount=2)
    party_add(
        actor=brokerage.maria,
        deal_id=coordinated.pk,
        role="transaction_coordinator",
        member_id=brokerage.ben.pk,
    )
    # Work on the engagement behind `handed` was handed to Ben (a handoff, not a party).
    Handoff.objects.create(
        org=brokerage.org,
        engagement=handed.sides.get().engagement,
        phase_key="transaction_management",
        step_key="coordinate",
        role="transaction_coordinator",
        from_member=brokerage.maria,
        to_member=brokerage.ben,
    )

    everyone = (deal, theirs, coordinated, handed)

    def seen():
        ben = brokerage.ben
        rows = selectors.deadlines_upcoming(actor=ben, days=366)
        listed = selectors.deal_list(actor=ben).values_list("pk", flat=True)
        read = [d.pk for d in everyone if selectors.deal_get(actor=ben, deal_id=d.pk)]
        return sorted(row.deal_id for row in rows), sorted(listed), sorted(read)

    sparse = seen()  # few deals: their ids as a literal list
    monkeypatch.setattr(selectors, "DENSE_DEALS", 0)  # many: each row's deal checked
    mine = sorted([deal.pk, coordinated.pk, handed.pk])
    assert seen() == sparse == (mine, mine, mine)
