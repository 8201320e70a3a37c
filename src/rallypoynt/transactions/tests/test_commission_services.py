"""Commission services: projected splits from the agent's plan, finalizing at closing against
the cap year (only final commissions of the same year count), and who may set plans."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection, connections

from rallypoynt.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rallypoynt.journeys.tests.factories import engagement_for
from rallypoynt.orgs.tests.brokerage import org_today
from rallypoynt.transactions.models import Commission
from rallypoynt.transactions.selectors import cap_progress
from rallypoynt.transactions.services import commission as commission_service
from rallypoynt.transactions.services.commission import (
    commission_set,
    commissions_reproject,
)
from rallypoynt.transactions.services.commission_plans import (
    split_plan_assign,
    split_plan_create,
    split_plan_update,
)
from rallypoynt.transactions.tests.factories import close, plan_for, priced_deal, splits

pytestmark = pytest.mark.django_db


def test_a_projected_commission_splits_by_the_agents_plan(brokerage):
    plan_for(brokerage, brokerage.ben, agent_percent=D(70), annual_cap=D(20000))
    deal = priced_deal(brokerage.ben, price=D(400000))
    row = commission_set(
        actor=brokerage.ben,
        deal_id=deal.pk,
        side="buy",
        rate_percent=D("2.5"),
        referral_percent=D(25),
        referral_to="Mountain Referrals",
    )
    assert row.status == "projected" and row.gross == D("10000.00")
    assert row.earned_on == date(2026, 6, 1)
    assert splits(row) == {"referral": D(2500), "agent": D(5250), "brokerage": D(2250)}
    names = {s.payee: s.name for s in row.splits.all()}
    assert names["referral"] == "Mountain Referrals" and names["brokerage"] == brokerage.org.name

    again = commission_set(actor=brokerage.ben, deal_id=deal.pk, side="buy", flat_amount=D(8000))
    assert again.pk == row.pk and splits(again) == {"agent": D(5600), "brokerage": D(2400)}


def test_the_team_gets_its_share_on_a_team_engagement(brokerage):
    plan_for(brokerage, brokerage.buyer, agent_percent=D(60), team_percent=D(15))
    deal = priced_deal(brokerage.buyer, team=brokerage.summit, price=D(300000))
    row = commission_set(actor=brokerage.lead, deal_id=deal.pk, side="buy", rate_percent=D(3))
    assert row.team_id == brokerage.summit.pk
    assert splits(row) == {"agent": D(5400), "team": D(1350), "brokerage": D(2250)}


def test_without_a_plan_the_commission_asks_for_one_and_the_default_plan_serves(brokerage):
    deal = priced_deal(brokerage.ben)
    with pytest.raises(ValidationFailed) as caught:
        commission_set(actor=brokerage.ben, deal_id=deal.pk, side="buy", rate_percent=D(3))
    assert "plan" in caught.value.fields
    split_plan_create(actor=brokerage.broker, name="House", agent_percent=D(50), is_default=True)
    row = commission_set(actor=brokerage.ben, deal_id=deal.pk, side="buy", rate_percent=D(3))
    assert row.plan.name == "House" and splits(row)["agent"] == D(7500)


def test_the_plan_in_force_on_the_closing_date_applies(brokerage):
    plan_for(brokerage, brokerage.ben, name="Old", agent_percent=D(60), starts_on=date(2025, 1, 1))
    plan_for(brokerage, brokerage.ben, name="New", agent_percent=D(80), starts_on=date(2026, 7, 1))
    early = priced_deal(brokerage.ben, closing_on=date(2026, 6, 30))
    late = priced_deal(brokerage.ben, closing_on=date(2026, 7, 1))
    for deal in (early, late):
        commission_set(actor=brokerage.ben, deal_id=deal.pk, side="buy", flat_amount=D(1000))
    rows = {r.deal_id: r for r in Commission.objects.select_related("plan")}
    assert rows[early.pk].plan.name == "Old" and rows[late.pk].plan.name == "New"


def test_two_closings_across_a_cap_year_boundary(brokerage):
    plan_for(
        brokerage,
        brokerage.ben,
        agent_percent=D(70),
        annual_cap=D(5000),
        post_cap_fee=D(300),
        cap_year_month=7,
        cap_year_day=1,
    )
    first, second, third, fourth = (priced_deal(brokerage.ben, price=D(400000)) for _ in range(4))
    for deal in (first, second, third, fourth):
        commission_set(actor=brokerage.ben, deal_id=deal.pk, side="buy", rate_percent=D("2.5"))
    # 10,000 gross each: brokerage 30% = 3,000 until the 5,000 cap of the year from July 1.
    [a] = close(first, on=date(2026, 6, 10))
    assert splits(a) == {"agent": D(7000), "brokerage": D(3000)}
    [b] = close(second, on=date(2026, 6, 30))
    assert splits(b) == {"agent": D(8000), "brokerage": D(2000)}
    assert a.status == b.status == "final" and b.earned_on == date(2026, 6, 30)
    [c] = close(third, on=date(2026, 7, 1))
    assert splits(c) == {"agent": D(7000), "brokerage": D(3000)}
    [d] = close(fourth, on=date(2026, 7, 2), price=D(480000))
    assert d.gross == D(12000) and splits(d) == {"agent": D(10000), "brokerage": D(2000)}
    progress = cap_progress(
        org_id=brokerage.org.pk, member_id=brokerage.ben.pk, on=date(2026, 8, 1)
    )
    assert (progress.start, progress.end) == (date(2026, 7, 1), date(2027, 6, 30))
    assert progress.paid == D(5000) and progress.remaining == 0 and progress.percent == 100


def test_once_capped_later_deals_pay_only_the_fee(brokerage):
    plan_for(brokerage, brokerage.ben, annual_cap=D(3000), post_cap_fee=D(300))
    first, second = priced_deal(brokerage.ben), priced_deal(brokerage.ben)
    for deal in (first, second):
        commission_set(actor=brokerage.ben, deal_id=deal.pk, side="buy", flat_amount=D(10000))
    close(first, on=date(2026, 3, 1))
    [row] = close(second, on=date(2026, 3, 2))
    assert splits(row) == {"agent": D(9700), "brokerage": D(300)}


def test_the_cap_counts_only_final_commissions_of_the_agent_in_that_year(brokerage):
    plan_for(brokerage, brokerage.ben, annual_cap=D(5000))
    plan_for(brokerage, brokerage.maria, name="Maria's", annual_cap=D(5000))
    projected = priced_deal(brokerage.ben, closing_on=date(2026, 2, 1))
    last_year = priced_deal(brokerage.ben)
    marias = priced_deal(brokerage.maria)
    mine = priced_deal(brokerage.ben)
    for actor, deal in (
        (brokerage.ben, projected),
        (brokerage.ben, last_year),
        (brokerage.maria, marias),
        (brokerage.ben, mine),
    ):
        commission_set(actor=actor, deal_id=deal.pk, side="buy", flat_amount=D(10000))
    close(last_year, on=date(2025, 12, 31))
    close(marias, on=date(2026, 1, 15))
    [row] = close(mine, on=date(2026, 3, 1))
    # Projected (not closed), last year's and another agent's commissions leave the cap alone.
    assert splits(row) == {"agent": D(7000), "brokerage": D(3000)}
    assert Commission.objects.get(deal=projected).status == "projected"


def test_dual_agency_for_one_agent_spends_the_cap_side_by_side(brokerage):
    plan_for(brokerage, brokerage.ben, annual_cap=D(4000), post_cap_fee=D(100))
    deal = priced_deal(brokerage.ben)
    seller = engagement_for(brokerage.ben, side="sell")
    deal.sides.create(org=brokerage.org, engagement=seller, side="sell")
    for side in ("buy", "sell"):
        commission_set(actor=brokerage.ben, deal_id=deal.pk, side=side, flat_amount=D(10000))
    buy, sell = close(deal, on=date(2026, 5, 1))
    assert (buy.side, sell.side) == ("buy", "sell")
    assert splits(buy)["brokerage"] == D(3000) and splits(sell)["brokerage"] == D(1000)


def test_a_final_commission_cannot_be_reset_and_closing_twice_changes_nothing(brokerage):
    plan_for(brokerage, brokerage.ben)
    deal = priced_deal(brokerage.ben)
    commission_set(actor=brokerage.ben, deal_id=deal.pk, side="buy", flat_amount=D(5000))
    close(deal, on=date(2026, 4, 1))
    with pytest.raises(Conflict):
        commission_set(actor=brokerage.ben, deal_id=deal.pk, side="buy", flat_amount=D(1))
    [row] = close(deal, on=date(2026, 4, 2))
    assert row.earned_on == date(2026, 4, 1) and row.gross == D(5000)


def test_a_late_entry_on_a_closed_deal_is_final_at_once(brokerage):
    plan_for(brokerage, brokerage.ben)
    deal = priced_deal(brokerage.ben)
    close(deal, on=date(2026, 4, 1), price=D(450000))
    row = commission_set(actor=brokerage.ben, deal_id=deal.pk, side="buy", rate_percent=D(2))
    assert row.status == "final" and row.earned_on == date(2026, 4, 1) and row.gross == D(9000)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"side": "both", "rate_percent": D(3)}, "side"),
        ({"side": "buy"}, "rate_percent"),
        ({"side": "buy", "rate_percent": D(3), "flat_amount": D(1)}, "rate_percent"),
        ({"side": "buy", "rate_percent": D(101)}, "rate_percent"),
        ({"side": "buy", "flat_amount": D(-1)}, "flat_amount"),
        ({"side": "buy", "flat_amount": D(1), "referral_percent": D(5)}, "referral_to"),
        ({"side": "sell", "flat_amount": D(1)}, "side"),
    ],
)
def test_bad_commission_input_names_the_field(brokerage, values, field):
    plan_for(brokerage, brokerage.ben)
    deal = priced_deal(brokerage.ben)
    with pytest.raises(ValidationFailed) as caught:
        commission_set(actor=brokerage.ben, deal_id=deal.pk, **values)
    assert field in caught.value.fields


def test_a_rate_needs_a_price(brokerage):
    plan_for(brokerage, brokerage.ben)
    deal = priced_deal(brokerage.ben, price=None)
    with pytest.raises(ValidationFailed) as caught:
        commission_set(actor=brokerage.ben, deal_id=deal.pk, side="buy", rate_percent=D(3))
    assert "price" in caught.value.fields


def test_only_people_over_the_agent_set_a_deals_commission(brokerage, other):
    plan_for(brokerage, brokerage.buyer)
    deal = priced_deal(brokerage.buyer, team=brokerage.summit)
    for outsider in (brokerage.maria, brokerage.chris, other.broker):
        with pytest.raises(NotFound):
            commission_set(actor=outsider, deal_id=deal.pk, side="buy", flat_amount=D(1))
    for insider in (brokerage.buyer, brokerage.lead, brokerage.broker):
        commission_set(actor=insider, deal_id=deal.pk, side="buy", flat_amount=D(100))
    # Compliance reads every deal but sets nobody's pay; the Boulder manager does not see it.
    with pytest.raises(PermissionDenied):
        commission_set(actor=brokerage.compliance, deal_id=deal.pk, side="buy", flat_amount=D(5))
    with pytest.raises(NotFound):
        commission_set(actor=brokerage.manager, deal_id=deal.pk, side="buy", flat_amount=D(5))
    assert Commission.objects.get(deal=deal, agent=brokerage.buyer).flat_amount == D(100)


@pytest.mark.parametrize("who", ["broker", "sysadmin"])
def test_plan_admins_create_update_and_assign_plans(brokerage, who):
    actor = getattr(brokerage, who)
    plan = split_plan_create(actor=actor, name="Cap 18k", agent_percent=D(80), annual_cap=D(18000))
    plan = split_plan_update(
        actor=actor, plan_id=plan.pk, name="Cap 20k", agent_percent=D(80), annual_cap=D(20000)
    )
    assert plan.annual_cap == D(20000)
    row = split_plan_assign(
        actor=actor, member_id=brokerage.maria.pk, plan_id=plan.pk, starts_on=date(2026, 1, 1)
    )
    assert row.plan_id == plan.pk


def test_an_office_manager_assigns_plans_in_their_office_but_does_not_change_plans(brokerage):
    # Split plans are org-wide (the broker's); the manager only puts Boulder members on one.
    plan = split_plan_create(actor=brokerage.broker, name="Std", agent_percent=D(70))
    row = split_plan_assign(
        actor=brokerage.manager,
        member_id=brokerage.maria.pk,
        plan_id=plan.pk,
        starts_on=org_today(),
    )
    assert row.member_id == brokerage.maria.pk
    with pytest.raises(PermissionDenied):
        split_plan_create(actor=brokerage.manager, name="Mine", agent_percent=D(100))
    with pytest.raises(PermissionDenied):
        split_plan_update(
            actor=brokerage.manager, plan_id=plan.pk, name="Std", agent_percent=D(100)
        )
    with pytest.raises(NotFound):
        split_plan_assign(
            actor=brokerage.manager,
            member_id=brokerage.ben.pk,
            plan_id=plan.pk,
            starts_on=org_today(),
        )
    with pytest.raises(PermissionDenied):
        split_plan_assign(
            actor=brokerage.manager,
            member_id=brokerage.manager.pk,
            plan_id=plan.pk,
            starts_on=org_today(),
        )


@pytest.mark.parametrize("who", ["ben", "lead", "compliance", "chris"])
def test_nobody_else_sets_plans(brokerage, who):
    actor = getattr(brokerage, who)
    plan = split_plan_create(actor=brokerage.broker, name="Std", agent_percent=D(70))
    with pytest.raises(PermissionDenied):
        split_plan_create(actor=actor, name="Mine", agent_percent=D(100))
    with pytest.raises(PermissionDenied):
        split_plan_update(actor=actor, plan_id=plan.pk, name="Std", agent_percent=D(100))
    with pytest.raises(PermissionDenied):
        split_plan_assign(actor=actor, member_id=actor.pk, plan_id=plan.pk, starts_on=org_today())


def test_plans_stay_inside_their_org(brokerage, other):
    ours = split_plan_create(actor=brokerage.broker, name="Std", agent_percent=D(70))
    with pytest.raises(NotFound):
        split_plan_update(actor=other.broker, plan_id=ours.pk, name="Std", agent_percent=D(1))
    with pytest.raises(ValidationFailed):
        split_plan_assign(
            actor=other.broker, member_id=other.ben.pk, plan_id=ours.pk, starts_on=org_today()
        )
    with pytest.raises(NotFound):
        split_plan_assign(
            actor=brokerage.broker, member_id=other.ben.pk, plan_id=ours.pk, starts_on=org_today()
        )


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"agent_percent": D(120)}, "agent_percent"),
        ({"agent_percent": D(80), "team_percent": D(30)}, "team_percent"),
        ({"agent_percent": D(70), "annual_cap": D(-1)}, "annual_cap"),
        ({"agent_percent": D(70), "post_cap_fee": D(-1)}, "post_cap_fee"),
        ({"agent_percent": D(70), "cap_year_month": 13}, "cap_year_month"),
        ({"agent_percent": D(70), "cap_year_month": 4, "cap_year_day": 31}, "cap_year_day"),
        ({"agent_percent": D(70), "name": " "}, "name"),
        ({"agent_percent": D(70), "name": "std"}, "name"),
    ],
)
def test_bad_plans_are_refused_naming_the_field(brokerage, terms, field):
    split_plan_create(actor=brokerage.broker, name="Std", agent_percent=D(70))
    terms.setdefault("name", "New")
    with pytest.raises(ValidationFailed) as caught:
        split_plan_create(actor=brokerage.broker, **terms)
    assert field in caught.value.fields


def test_one_default_plan_per_org_and_feb_29_plans_are_fine(brokerage):
    first = split_plan_create(
        actor=brokerage.broker, name="A", agent_percent=D(70), is_default=True
    )
    split_plan_create(
        actor=brokerage.broker,
        name="B",
        agent_percent=D(70),
        is_default=True,
        cap_year_month=2,
        cap_year_day=29,
    )
    first.refresh_from_db()
    assert first.is_default is False


@pytest.mark.django_db(transaction=True)
def test_two_closings_for_one_agent_at_once_never_spend_the_same_cap_room(brokerage, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite runs one writer at a time")
    plan_for(brokerage, brokerage.ben, annual_cap=D(4000))
    deals = [priced_deal(brokerage.ben) for _ in range(2)]
    for deal in deals:
        commission_set(actor=brokerage.ben, deal_id=deal.pk, side="buy", flat_amount=D(10000))
    real_cap_paid = commission_service.cap_paid

    def slow_cap_paid(**kwargs):
        # Widen the window between reading the cap and writing the split.
        paid = real_cap_paid(**kwargs)
        time.sleep(0.3)
        return paid

    monkeypatch.setattr(commission_service, "cap_paid", slow_cap_paid)
    barrier, errors = threading.Barrier(2), []

    def closing(deal):
        try:
            barrier.wait()
            close(deal, on=date(2026, 5, 1))
        except Exception as exc:  # the assertion below reports it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=closing, args=(deal,)) for deal in deals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    taken = sorted(
        s.amount
        for row in Commission.objects.prefetch_related("splits")
        for s in row.splits.all()
        if s.payee == "brokerage"
    )
    assert taken == [D(1000), D(3000)]


def test_projected_commissions_follow_a_new_price_and_closing_date(brokerage):
    plan_for(brokerage, brokerage.ben, name="Old", agent_percent=D(60), starts_on=date(2025, 1, 1))
    plan_for(brokerage, brokerage.ben, name="New", agent_percent=D(80), starts_on=date(2026, 7, 1))
    deal = priced_deal(brokerage.ben, price=D(400000), closing_on=date(2026, 6, 1))
    commission_set(actor=brokerage.ben, deal_id=deal.pk, side="buy", rate_percent=D(2))
    deal.contract_price, deal.closing_on = D(500000), date(2026, 7, 15)
    deal.save()
    [row] = commissions_reproject(deal=deal, actor=brokerage.ben)
    assert row.gross == D(10000) and row.plan.name == "New" and row.earned_on == date(2026, 7, 15)
    assert splits(row) == {"agent": D(8000), "brokerage": D(2000)}
