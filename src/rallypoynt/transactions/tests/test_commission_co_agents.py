"""Co-listing: agents sharing a side split its gross by share, each under their own plan and
cap; co-agents join the deal as parties; bad shares change nothing; API and page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.testing import client_for
from rallypoynt.transactions.models import Commission, Party
from rallypoynt.transactions.selectors import agent_statement, deal_get
from rallypoynt.transactions.services.commission import CoAgent, commission_set
from rallypoynt.transactions.tests.factories import close, plan_for, priced_deal, splits

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(brokerage):
    """Ben's listing at $600,000; Ben on 70/30, Maria on 80/20 with a capped year."""
    plan_for(brokerage, brokerage.ben, agent_percent=D(70))
    plan_for(brokerage, brokerage.maria, agent_percent=D(80), annual_cap=D(1000))
    return priced_deal(brokerage.ben, side="sell", price=D(600000))


def rows_of(deal) -> dict[int, Commission]:
    return {row.agent_id: row for row in Commission.objects.filter(deal=deal)}


def test_co_listing_splits_the_side_by_share_under_each_agents_plan(brokerage, listing):
    maria = brokerage.maria
    commission_set(
        actor=brokerage.ben,
        deal_id=listing.pk,
        side="sell",
        rate_percent=D(3),
        co_agents=[CoAgent(maria.pk, D(40))],
    )
    rows = rows_of(listing)
    ben, co = rows[brokerage.ben.pk], rows[maria.pk]
    # 3% of 600,000 is 18,000: Ben keeps 60%, Maria has 40%.
    assert (ben.share_percent, ben.gross) == (D(60), D("10800.00"))
    assert (co.share_percent, co.gross) == (D(40), D("7200.00"))
    assert splits(ben) == {"agent": D("7560.00"), "brokerage": D("3240.00")}
    # Maria's brokerage share stops at her 1,000 cap; she keeps what the cap spares.
    # She is on Flatirons, whose share in her plan is nil.
    assert splits(co) == {"agent": D("6200.00"), "team": D("0.00"), "brokerage": D("1000.00")}
    assert sum(sum(splits(r).values()) for r in rows.values()) == D("18000.00")

    # She joins the deal as a listing agent party, so she can see it and is told.
    party = Party.objects.get(deal=listing, member=maria)
    assert party.role == "listing_agent"
    assert deal_get(actor=maria, deal_id=listing.pk) is not None

    # At closing both parts become final, hers counted against her own cap.
    close(listing, on=date(2026, 6, 1))
    final = rows_of(listing)
    assert {r.status for r in final.values()} == {"final"}
    statement = agent_statement(
        actor=maria, member_id=maria.pk, start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    assert [(r.deal_id, r.gross) for r in statement.rows] == [(listing.pk, D("7200.00"))]


def test_setting_the_side_again_replaces_its_co_agents(brokerage, listing):
    maria = brokerage.maria
    values = {"actor": brokerage.ben, "deal_id": listing.pk, "side": "sell"}
    commission_set(**values, rate_percent=D(3), co_agents=[CoAgent(maria.pk, D(50))])
    commission_set(**values, flat_amount=D(9000))
    rows = rows_of(listing)
    assert list(rows) == [brokerage.ben.pk]
    assert (rows[brokerage.ben.pk].share_percent, rows[brokerage.ben.pk].gross) == (
        D(100),
        D("9000.00"),
    )
    # Off the split, off the deal (test_a_dropped_co_agent_leaves_the_deal).
    assert not Party.objects.filter(deal=listing, member=maria).exists()


@pytest.mark.parametrize(
    "shares",
    [
        lambda b: [CoAgent(b.ben.pk, D(40))],  # the side's agent as their own co-agent
        lambda b: [CoAgent(b.maria.pk, D(100))],  # nothing left for the side's agent
        lambda b: [CoAgent(b.maria.pk, D(60)), CoAgent(b.chris.pk, D(40))],
        lambda b: [CoAgent(b.maria.pk, D(0))],
        lambda b: [CoAgent(b.maria.pk, D(20)), CoAgent(b.maria.pk, D(20))],
        lambda b: [CoAgent(999_999, D(20))],
    ],
)
def test_bad_co_agents_are_refused_and_nothing_changes(brokerage, listing, other, shares):
    commission_set(actor=brokerage.ben, deal_id=listing.pk, side="sell", rate_percent=D(3))
    with pytest.raises(ValidationFailed) as caught:
        commission_set(
            actor=brokerage.ben,
            deal_id=listing.pk,
            side="sell",
            rate_percent=D(2),
            co_agents=shares(brokerage),
        )
    assert "co_agents" in caught.value.fields
    (row,) = Commission.objects.filter(deal=listing)
    assert (row.rate_percent, row.share_percent, row.gross) == (D(3), D(100), D("18000.00"))
    assert not Party.objects.filter(deal=listing, member__isnull=False).exclude(
        member=brokerage.ben
    )


def test_another_orgs_member_cannot_be_a_co_agent(brokerage, listing, other):
    with pytest.raises(ValidationFailed):
        commission_set(
            actor=brokerage.ben,
            deal_id=listing.pk,
            side="sell",
            rate_percent=D(3),
            co_agents=[CoAgent(other.maria.pk, D(30))],
        )
    assert not Commission.objects.filter(deal=listing).exists()


def test_the_api_and_the_page(brokerage, listing):
    url = f"/api/v1/transactions/{listing.pk}/commissions"
    body = {
        "side": "sell",
        "rate_percent": "3",
        "co_agents": [{"member_id": brokerage.maria.pk, "share_percent": "25"}],
    }
    assert ApiClient(brokerage.chris).put(url, body).status_code == 404  # not their deal
    answer = ApiClient(brokerage.ben).put(url, body)
    assert answer.status_code == 200, answer.content
    found = {row["agent_id"]: row for row in answer.json()["commissions"]}
    assert found[brokerage.maria.pk]["share_percent"] == "25.000"
    assert found[brokerage.maria.pk]["gross"] == "4500.00"
    assert answer.json()["totals"]["gross"] == "18000.00"
    bad = ApiClient(brokerage.ben).put(url, {**body, "co_agents": [{"member_id": 0}]})
    assert bad.status_code == 422

    page = client_for(brokerage.ben).get(f"/transactions/{listing.pk}/commission/")
    assert "25%</strong> of the side" in page.content.decode()
    client_for(brokerage.ben).post(
        f"/transactions/{listing.pk}/commission/set/",
        {"side": "sell", "rate_percent": "3", "co_agent_1": brokerage.maria.pk, "co_share_1": "50"},
    )
    assert rows_of(listing)[brokerage.maria.pk].share_percent == D(50)
    # The co-agent reads the commission page of the deal they now work.
    seen = client_for(brokerage.maria).get(f"/transactions/{listing.pk}/commission/")
    assert seen.status_code == 200


def test_shares_finer_than_the_stored_thousandth_are_refused(brokerage, listing):
    with pytest.raises(ValidationFailed) as caught:
        commission_set(
            actor=brokerage.ben,
            deal_id=listing.pk,
            side="sell",
            rate_percent=D(3),
            co_agents=[CoAgent(brokerage.maria.pk, D("33.3333"))],
        )
    assert "each share to at most 3 decimals" in caught.value.fields["co_agents"]


def test_a_co_agent_from_another_team_pays_their_own_team(brokerage, listing):
    chris = brokerage.chris  # leads Flatirons; the listing has no team
    plan_for(brokerage, chris, agent_percent=D(60), team_percent=D(10))
    commission_set(
        actor=brokerage.ben,
        deal_id=listing.pk,
        side="sell",
        flat_amount=D(10000),
        co_agents=[CoAgent(chris.pk, D(50))],
    )
    row = rows_of(listing)[chris.pk]
    assert row.team_id == brokerage.flatirons.pk
    assert splits(row) == {"agent": D("3000.00"), "team": D("500.00"), "brokerage": D("1500.00")}


def test_a_dropped_co_agent_leaves_the_deal(brokerage, listing):
    maria = brokerage.maria
    values = {"actor": brokerage.ben, "deal_id": listing.pk, "side": "sell"}
    commission_set(**values, rate_percent=D(3), co_agents=[CoAgent(maria.pk, D(50))])
    assert deal_get(actor=maria, deal_id=listing.pk) is not None
    commission_set(**values, rate_percent=D(3))
    assert not Party.objects.filter(deal=listing, member=maria).exists()
    assert deal_get(actor=maria, deal_id=listing.pk) is None
    assert client_for(maria).get(f"/transactions/{listing.pk}/commission/").status_code == 404


def test_the_page_keeps_the_sides_agent_first_at_an_even_split(brokerage, listing):
    url = f"/transactions/{listing.pk}/commission/"
    form = {"side": "sell", "rate_percent": "3", "co_agent_1": brokerage.maria.pk}
    client_for(brokerage.ben).post(f"{url}set/", {**form, "co_share_1": "50"})
    page = client_for(brokerage.ben).get(url)
    (entry,) = page.context["sides"]
    assert entry["row"].agent_id == brokerage.ben.pk
    assert [slot.agent_id for slot in entry["slots"] if slot] == [brokerage.maria.pk]
    # Saving the form as shown changes nothing and raises nothing.
    again = client_for(brokerage.ben).post(f"{url}set/", {**form, "co_share_1": "50"}, follow=True)
    assert not [m for m in again.context["messages"] if m.level_tag == "error"]
    assert {r.agent_id: r.share_percent for r in rows_of(listing).values()} == {
        brokerage.ben.pk: D(50),
        brokerage.maria.pk: D(50),
    }
