"""The commission arithmetic, no database: splits add up to the gross to the cent, the
referral comes off the top, caps (reached mid-deal, already reached, fee above the net),
team shares, cap years (Feb 29 anniversaries) and the gross from a price."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from rallypoynt.transactions.domain import (
    CommissionInputError,
    PlanTerms,
    cap_year,
    gross_from_price,
    gross_shares,
    splits_compute,
)

PLAN = PlanTerms(agent_percent=D(70))
CAPPED = PlanTerms(agent_percent=D(70), annual_cap=D(20000), post_cap_fee=D(250))
TEAM = PlanTerms(agent_percent=D(60), team_percent=D(15))


def amounts(splits) -> dict[str, D]:
    return {split.payee: split.amount for split in splits}


def test_a_plain_split_gives_the_brokerage_the_rest():
    found = amounts(splits_compute(gross=D(10000), plan=PLAN))
    assert found == {"agent": D("7000.00"), "brokerage": D("3000.00")}


@pytest.mark.parametrize("gross", ["100.01", "0.01", "0.03", "33333.33", "1.00", "0"])
@pytest.mark.parametrize("agent", ["33.333", "66.667", "70", "0", "100"])
def test_the_splits_add_up_to_the_gross_exactly(gross, agent):
    plan = PlanTerms(agent_percent=D(agent), team_percent=D("0") if agent == "100" else D("7.5"))
    splits = splits_compute(gross=D(gross), plan=plan, referral_percent=D("12.5"), has_team=True)
    assert sum(s.amount for s in splits) == D(gross)
    assert all(s.amount == s.amount.quantize(D("0.01")) and s.amount >= 0 for s in splits)


@pytest.mark.parametrize("gross", ["100.01", "0.01", "15000", "33333.33", "0"])
@pytest.mark.parametrize("shares", [["100"], ["60", "40"], ["33.334", "33.333", "33.333"]])
def test_co_agents_shares_add_up_to_the_side_exactly(gross, shares):
    parts = gross_shares(D(gross), [D(share) for share in shares])
    assert sum(parts) == D(gross) and len(parts) == len(shares)
    assert all(part == part.quantize(D("0.01")) and part >= 0 for part in parts)


def test_co_agents_split_by_share_and_the_first_takes_the_rounding():
    assert gross_shares(D("15000"), [D(60), D(40)]) == [D("9000.00"), D("6000.00")]
    assert gross_shares(D("100.01"), [D(50), D(50)]) == [D("50.00"), D("50.01")]


@pytest.mark.parametrize("shares", [["60", "30"], ["100", "0"], ["-10", "110"], ["50", "50", "1"]])
def test_shares_that_do_not_make_a_whole_are_refused(shares):
    with pytest.raises(CommissionInputError) as caught:
        gross_shares(D(1000), [D(share) for share in shares])
    assert caught.value.field == "share_percent"


def test_the_rounding_cent_goes_to_the_brokerage():
    # A third of 100.01 is 33.3366...; the agent gets 33.34 and the brokerage keeps the rest.
    found = amounts(splits_compute(gross=D("100.01"), plan=PlanTerms(agent_percent=D("33.333"))))
    assert found == {"agent": D("33.34"), "brokerage": D("66.67")}


def test_half_a_cent_rounds_up_not_to_even():
    found = amounts(splits_compute(gross=D("0.05"), plan=PlanTerms(agent_percent=D(50))))
    assert found["agent"] == D("0.03") and found["brokerage"] == D("0.02")


def test_the_referral_comes_off_the_top():
    splits = splits_compute(gross=D(12000), plan=PLAN, referral_percent=D(25))
    assert amounts(splits) == {
        "referral": D("3000.00"),
        "agent": D("6300.00"),
        "brokerage": D("2700.00"),
    }
    assert "25% of gross" in splits[0].basis


def test_the_team_takes_its_share_of_the_net():
    found = amounts(splits_compute(gross=D(10000), plan=TEAM, has_team=True))
    assert found == {"agent": D("6000.00"), "team": D("1500.00"), "brokerage": D("2500.00")}


def test_without_a_team_the_agent_keeps_the_teams_share():
    splits = splits_compute(gross=D(10000), plan=TEAM, has_team=False)
    assert amounts(splits) == {"agent": D("7500.00"), "brokerage": D("2500.00")}
    assert "no team" in splits[0].basis


def test_below_the_cap_the_brokerage_takes_its_full_share():
    splits = splits_compute(gross=D(10000), plan=CAPPED, cap_paid=D(5000))
    assert amounts(splits) == {"agent": D("7000.00"), "brokerage": D("3000.00")}
    assert "12,000.00 left of the 20,000.00 cap" in splits[-1].basis


def test_the_cap_reached_mid_deal_gives_the_brokerage_only_what_is_left():
    splits = splits_compute(gross=D(10000), plan=CAPPED, cap_paid=D(18500))
    assert amounts(splits) == {"agent": D("8500.00"), "brokerage": D("1500.00")}
    assert "limited to the 1,500.00 left" in splits[-1].basis
    assert "1,500.00 spared by the cap" in splits[0].basis


def test_landing_exactly_on_the_cap_is_a_full_share_not_a_fee():
    found = amounts(splits_compute(gross=D(10000), plan=CAPPED, cap_paid=D(17000)))
    assert found == {"agent": D("7000.00"), "brokerage": D("3000.00")}


@pytest.mark.parametrize("paid", [D(20000), D("20000.01"), D(35000)])
def test_once_capped_the_brokerage_takes_only_the_fee(paid):
    splits = splits_compute(gross=D(10000), plan=CAPPED, cap_paid=paid)
    assert amounts(splits) == {"agent": D("9750.00"), "brokerage": D("250.00")}
    assert "per-deal fee" in splits[-1].basis


def test_a_fee_above_the_net_takes_the_net_and_nothing_more():
    plan = PlanTerms(agent_percent=D(60), team_percent=D(15), annual_cap=D(1), post_cap_fee=D(900))
    splits = splits_compute(
        gross=D(1000), plan=plan, referral_percent=D(50), cap_paid=D(1), has_team=True
    )
    assert amounts(splits) == {
        "referral": D("500.00"),
        "agent": D("0.00"),
        "team": D("0.00"),
        "brokerage": D("500.00"),
    }


def test_a_fee_leaves_the_team_its_share_when_the_net_allows():
    plan = PlanTerms(agent_percent=D(60), team_percent=D(15), annual_cap=D(0), post_cap_fee=D(500))
    splits = splits_compute(gross=D(10000), plan=plan, has_team=True)
    assert amounts(splits) == {
        "agent": D("8000.00"),
        "team": D("1500.00"),
        "brokerage": D("500.00"),
    }


def test_the_cap_applies_after_the_referral_and_team():
    plan = PlanTerms(
        agent_percent=D(60), team_percent=D(10), annual_cap=D(10000), post_cap_fee=D(0)
    )
    splits = splits_compute(
        gross=D(20000), plan=plan, referral_percent=D(10), cap_paid=D(9000), has_team=True
    )
    # net 18,000: team 1,800; brokerage 30% = 5,400 but only 1,000 of cap left.
    assert amounts(splits) == {
        "referral": D("2000.00"),
        "agent": D("15200.00"),
        "team": D("1800.00"),
        "brokerage": D("1000.00"),
    }


@pytest.mark.parametrize(
    ("plan", "field"),
    [
        (PlanTerms(agent_percent=D(101)), "agent_percent"),
        (PlanTerms(agent_percent=D(-1)), "agent_percent"),
        (PlanTerms(agent_percent=D(90), team_percent=D(20)), "team_percent"),
        (PlanTerms(agent_percent=D(70), annual_cap=D(-5)), "annual_cap"),
        (PlanTerms(agent_percent=D(70), post_cap_fee=D(-5)), "post_cap_fee"),
    ],
)
def test_nonsense_terms_are_refused_naming_the_field(plan, field):
    with pytest.raises(CommissionInputError) as caught:
        splits_compute(gross=D(100), plan=plan)
    assert caught.value.field == field


def test_a_referral_over_100_percent_or_a_negative_gross_is_refused():
    with pytest.raises(CommissionInputError):
        splits_compute(gross=D(100), plan=PLAN, referral_percent=D(101))
    with pytest.raises(CommissionInputError):
        splits_compute(gross=D(-1), plan=PLAN)


def test_the_gross_is_a_rate_of_the_price_or_a_flat_amount():
    assert gross_from_price(D(487500), rate_percent=D("2.5")) == D("12187.50")
    assert gross_from_price(D("333333"), rate_percent=D("2.75")) == D("9166.66")
    assert gross_from_price(None, flat_amount=D("5000")) == D("5000.00")
    for kwargs in ({}, {"rate_percent": D(3), "flat_amount": D(1)}):
        with pytest.raises(CommissionInputError):
            gross_from_price(D(1000), **kwargs)
    with pytest.raises(CommissionInputError) as caught:
        gross_from_price(None, rate_percent=D(3))
    assert caught.value.field == "price"


@pytest.mark.parametrize(
    ("month", "day", "on", "start", "end"),
    [
        (1, 1, date(2026, 6, 1), date(2026, 1, 1), date(2026, 12, 31)),
        (1, 1, date(2026, 1, 1), date(2026, 1, 1), date(2026, 12, 31)),
        (1, 1, date(2026, 12, 31), date(2026, 1, 1), date(2026, 12, 31)),
        (4, 15, date(2026, 4, 14), date(2025, 4, 15), date(2026, 4, 14)),
        (4, 15, date(2026, 4, 15), date(2026, 4, 15), date(2027, 4, 14)),
        # A Feb 29 anniversary starts on Feb 28 in years without Feb 29.
        (2, 29, date(2024, 2, 29), date(2024, 2, 29), date(2025, 2, 27)),
        (2, 29, date(2024, 2, 28), date(2023, 2, 28), date(2024, 2, 28)),
        (2, 29, date(2025, 2, 27), date(2024, 2, 29), date(2025, 2, 27)),
        (2, 29, date(2025, 2, 28), date(2025, 2, 28), date(2026, 2, 27)),
        (2, 29, date(2027, 12, 31), date(2027, 2, 28), date(2028, 2, 28)),
    ],
)
def test_cap_years_run_anniversary_to_anniversary(month, day, on, start, end):
    assert cap_year(month, day, on) == (start, end)


def test_cap_years_never_overlap_or_leave_a_gap():
    start, end = cap_year(2, 29, date(2023, 1, 1))
    for _ in range(8):
        next_start, next_end = cap_year(2, 29, end + timedelta(days=1))
        assert next_start == end + timedelta(days=1) and next_end > next_start
        start, end = next_start, next_end
    assert start.year == 2030


@pytest.mark.parametrize(("month", "day"), [(13, 1), (0, 1), (2, 30), (4, 31), (1, 0)])
def test_impossible_cap_year_starts_are_refused(month, day):
    with pytest.raises(CommissionInputError):
        cap_year(month, day, date(2026, 1, 1))
