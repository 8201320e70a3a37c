"""The end of a deal: closing with the summary record and final commission; a failed
contingency starting the termination flow; the last contingency removed making it pending."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.core.errors import Conflict
from rallypoynt.core.models import Event
from rallypoynt.orgs.models import Notification
from rallypoynt.orgs.tests.brokerage import org_today
from rallypoynt.orgs.tests.factories import MembershipFactory
from rallypoynt.transactions.models import ChecklistItem, Deal, Issue
from rallypoynt.transactions.services.closing import deal_close
from rallypoynt.transactions.services.commission import commission_set
from rallypoynt.transactions.services.commission_plans import split_plan_create
from rallypoynt.transactions.services.deadlines import deadline_add
from rallypoynt.transactions.services.parties import party_add
from rallypoynt.transactions.services.resolution import deadline_resolve
from rallypoynt.transactions.tests.factories import deal_for

pytestmark = pytest.mark.django_db
TODAY = org_today


@pytest.fixture
def deal(brokerage):
    found = deal_for(
        brokerage.ben,
        list_price=Decimal("500000"),
        closing_on=TODAY() + timedelta(days=30),
    )
    Deal.objects.filter(pk=found.pk).update(
        status="under_contract",
        contract_price=Decimal("495000"),
        accepted_on=TODAY() - timedelta(days=20),
    )
    found.refresh_from_db()
    return found


def contingency(member, deal, kind="inspection", days=10):
    return deadline_add(actor=member, deal_id=deal.pk, kind=kind, amount=days)


def test_closing_writes_the_summary_and_makes_commission_final(brokerage, deal):
    split_plan_create(
        actor=brokerage.broker, name="70/30", agent_percent=Decimal(70), is_default=True
    )
    commission_set(actor=brokerage.ben, deal_id=deal.pk, side="buy", rate_percent=Decimal("2.5"))
    inspection = contingency(brokerage.ben, deal)
    deadline_add(actor=brokerage.ben, deal_id=deal.pk, kind="closing", anchor="closing")
    party_add(actor=brokerage.ben, deal_id=deal.pk, role="lender", name="Peak Mortgage")
    deadline_resolve(actor=brokerage.ben, deadline_id=inspection.pk, status="satisfied")
    deal.refresh_from_db()
    assert deal.status == "pending"  # nothing left that lets the buyer walk away

    closed = deal_close(
        actor=brokerage.ben,
        deal_id=deal.pk,
        closed_on=TODAY(),
        final_price=Decimal("490000"),
    )
    assert closed.status == "closed" and closed.closed_on == TODAY()
    record = closed.summary.record
    assert (
        record["prices"]["final"] == "490000"
        and record["prices"]["sale_to_list_percent"] == "98.00"
    )
    assert record["dates"]["days_contract_to_close"] == 20
    assert {p["role"] for p in record["parties"]} == {"buyer", "buyer_agent", "lender"}
    by_kind = {row["kind"]: row for row in record["deadlines"]}
    assert by_kind["inspection"]["resolution_days"] == 20
    assert by_kind["closing"]["status"] == "satisfied"
    [commission] = record["commission"]
    # 2.5% of the final price, not the contract price; final now.
    assert commission["gross"] == "12250.00" and commission["status"] == "final"
    event = Event.objects.get(kind="transaction.closed")
    assert event.payload["days_to_close"] == 20


def test_closing_waits_for_every_contingency_and_changes_nothing_until_then(brokerage, deal):
    contingency(brokerage.ben, deal, "appraisal")
    with pytest.raises(Conflict) as refused:
        deal_close(
            actor=brokerage.ben,
            deal_id=deal.pk,
            closed_on=TODAY(),
            final_price=Decimal("490000"),
        )
    assert refused.value.fields == {"contingencies": ["Appraisal contingency"]}
    deal.refresh_from_db()
    assert deal.status == "under_contract" and deal.final_price is None


def test_bad_closings_are_422_and_outsiders_get_404(brokerage, other, deal):
    url = f"/api/v1/transactions/{deal.pk}/close"
    api = ApiClient(brokerage.ben)
    future = (TODAY() + timedelta(days=2)).isoformat()
    for body, field in (
        ({"closed_on": future, "final_price": "490000"}, "closed_on"),
        ({"closed_on": TODAY().isoformat(), "final_price": "-5"}, "final_price"),
        ({"closed_on": "2020-01-01", "final_price": "490000"}, "closed_on"),
    ):
        response = api.post(url, body)
        assert response.status_code == 422 and field in response.json()["error"]["fields"]
    for outsider in (brokerage.maria, other.broker):
        body = {"closed_on": TODAY().isoformat(), "final_price": "490000"}
        assert ApiClient(outsider).post(url, body).status_code == 404
        assert ApiClient(outsider).get(f"/api/v1/transactions/{deal.pk}/summary").status_code == 404
    assert Deal.objects.get(pk=deal.pk).status == "under_contract"
    assert api.get(f"/api/v1/transactions/{deal.pk}/summary").status_code == 404  # not ended


def test_a_failed_contingency_starts_the_termination_flow(brokerage, deal):
    tc = MembershipFactory(org=brokerage.org, roles=["transaction_coordinator"])
    party_add(actor=brokerage.ben, deal_id=deal.pk, role="transaction_coordinator", member_id=tc.pk)
    financing = contingency(brokerage.ben, deal, "financing", 21)
    walkthrough = deadline_add(
        actor=brokerage.ben, deal_id=deal.pk, kind="final_walkthrough", anchor="closing"
    )
    deadline_resolve(actor=brokerage.ben, deadline_id=financing.pk, status="failed")
    issue = Issue.objects.get(deal=deal, deadline=financing)
    assert issue.status == "open" and "Financing" in issue.title
    steps = ChecklistItem.objects.filter(deal=deal, kind="termination")
    assert steps.exists()
    assert Notification.objects.filter(recipient=tc, kind="transaction.contingency_failed").exists()
    assert Deal.objects.get(pk=deal.pk).status == "under_contract"  # not ended yet

    api = ApiClient(tc)  # the coordinator carries it out
    assert api.post(f"/api/v1/transactions/{deal.pk}/terminate", {"reason": " "}).status_code == 422
    ended = api.post(
        f"/api/v1/transactions/{deal.pk}/terminate", {"reason": "Financing denied"}
    ).json()
    assert ended["status"] == "terminated" and ended["terminated_reason"] == "Financing denied"
    walkthrough.refresh_from_db()
    assert walkthrough.status == "waived"
    summary = api.get(f"/api/v1/transactions/{deal.pk}/summary").json()
    assert summary["outcome"] == "terminated"
    again = api.post(f"/api/v1/transactions/{deal.pk}/terminate", {"reason": "again"})
    assert again.status_code == 409


def test_the_closing_date_on_the_contract_is_not_overwritten(brokerage, deal):
    planned = deal.closing_on
    deal_close(
        actor=brokerage.ben,
        deal_id=deal.pk,
        closed_on=TODAY() - timedelta(days=1),
        final_price=Decimal("495000"),
        possession_on=TODAY() + timedelta(days=3),
    )
    deal.refresh_from_db()
    assert deal.closing_on == planned and deal.closed_on == TODAY() - timedelta(days=1)
    assert deal.possession_on == TODAY() + timedelta(days=3)
    assert isinstance(deal.closed_on, date)


def test_a_terminated_deal_sends_the_buyer_back_to_the_search(brokerage):
    from rallypoynt.journeys.models import Engagement
    from rallypoynt.journeys.tests.factories import advance_to, engagement_for
    from rallypoynt.transactions.services.closing import deal_terminate
    from rallypoynt.transactions.services.deals import deal_open

    engagement = engagement_for(brokerage.ben, side="buy", level="team")
    advance_to(brokerage.ben, engagement, "transaction_management", timezone.now(), finish=True)
    deal = deal_open(
        actor=brokerage.ben, engagement_id=engagement.pk, kind="purchase", street="8 Pine St"
    )
    Deal.objects.filter(pk=deal.pk).update(status="under_contract")
    tc = MembershipFactory(org=brokerage.org, roles=["transaction_coordinator"])
    party_add(actor=brokerage.ben, deal_id=deal.pk, role="transaction_coordinator", member_id=tc.pk)
    # The coordinator ends the deal; they do not work the journey, the deal gives the right.
    deal_terminate(actor=tc, deal_id=deal.pk, reason="Financing denied")
    engagement = Engagement.objects.get(pk=engagement.pk)
    assert engagement.phase_key == "search_selection"
    returned = Event.objects.get(kind="engagement.phase_returned", subject_id=engagement.pk)
    assert (
        "8 Pine St" in returned.payload["reason"]
        and "Financing denied" in returned.payload["reason"]
    )
    assert not Event.objects.filter(kind="engagement.return_waiting")


def test_a_backup_contract_keeps_the_journey_where_it_is(brokerage):
    from rallypoynt.journeys.models import Engagement
    from rallypoynt.journeys.tests.factories import advance_to, engagement_for
    from rallypoynt.transactions.services.closing import deal_terminate
    from rallypoynt.transactions.services.deals import deal_open

    engagement = engagement_for(brokerage.ben, side="buy", level="team")
    advance_to(brokerage.ben, engagement, "transaction_management", timezone.now(), finish=True)
    first, backup = (
        deal_open(actor=brokerage.ben, engagement_id=engagement.pk, kind="purchase", street=street)
        for street in ("8 Pine St", "9 Fir St")
    )
    Deal.objects.filter(pk__in=[first.pk, backup.pk]).update(status="under_contract")
    deal_terminate(actor=brokerage.ben, deal_id=first.pk, reason="Appraisal low")
    assert Engagement.objects.get(pk=engagement.pk).phase_key == "transaction_management"
    waiting = Event.objects.get(kind="engagement.return_waiting", subject_id=engagement.pk)
    assert waiting.payload["reason"] == "another deal is still under contract"
    # The backup ending too sends the buyer back to the search.
    deal_terminate(actor=brokerage.ben, deal_id=backup.pk, reason="Seller backed out")
    assert Engagement.objects.get(pk=engagement.pk).phase_key == "search_selection"
