"""Commission through the API and the pages: who may see a deal's commission, whose
statement, who sets split plans; bad input is a 4xx; the statement costs fixed queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.core.testing import client_for, count_queries
from rallypoynt.transactions.services.commission import commission_set
from rallypoynt.transactions.tests.factories import closed_deal, plan_for, priced_deal

pytestmark = pytest.mark.django_db
YEAR = "start=2026-01-01&end=2026-12-31"


def put(api: ApiClient, path: str, body: dict):
    return api._send("put", path, body)


def test_the_agent_sets_and_reads_a_deals_commission(brokerage):
    plan_for(brokerage, brokerage.ben, agent_percent=D(70), annual_cap=D(20000))
    deal = priced_deal(brokerage.ben, price=D(400000))
    api = ApiClient(brokerage.ben)
    url = f"/api/v1/transactions/{deal.pk}/commissions"
    body = {"side": "buy", "rate_percent": "2.5", "referral_percent": 25, "referral_to": "Ref Co"}
    response = put(api, url, body)
    assert response.status_code == 200, response.content
    answer = response.json()
    [row] = answer["commissions"]
    assert row["status"] == "projected" and D(row["gross"]) == D(10000)
    assert {s["payee"]: D(s["amount"]) for s in row["splits"]} == {
        "referral": D(2500),
        "agent": D(5250),
        "brokerage": D(2250),
    }
    assert D(answer["totals"]["agent"]) == D(5250) and D(answer["totals"]["gross"]) == D(10000)
    assert api.get(url).json() == answer


@pytest.mark.parametrize(
    "body",
    [
        {"side": "buy"},
        {"side": "buy", "rate_percent": "abc"},
        {"side": "buy", "rate_percent": 150},
        {"side": "buy", "flat_amount": -5},
        {"side": "sideways", "flat_amount": 5},
        {"side": "buy", "flat_amount": 5, "referral_percent": 10},
    ],
)
def test_bad_commission_input_is_a_422(brokerage, body):
    plan_for(brokerage, brokerage.ben)
    deal = priced_deal(brokerage.ben)
    response = put(ApiClient(brokerage.ben), f"/api/v1/transactions/{deal.pk}/commissions", body)
    assert response.status_code == 422
    assert response.json()["error"]["fields"]


def test_another_orgs_or_an_out_of_scope_agent_sees_no_deal_commission(brokerage, other):
    plan_for(brokerage, brokerage.ben)
    deal = priced_deal(brokerage.ben)
    url = f"/api/v1/transactions/{deal.pk}/commissions"
    for outsider in (other.broker, brokerage.maria, brokerage.lead):
        api = ApiClient(outsider)
        assert api.get(url).status_code == 404
        assert put(api, url, {"side": "buy", "flat_amount": 1}).status_code == 404
        page = client_for(outsider)
        assert page.get(f"/transactions/{deal.pk}/commission/").status_code == 404
        page.post(f"/transactions/{deal.pk}/commission/set/", {"side": "buy", "flat_amount": "1"})
    assert ApiClient(brokerage.compliance).get(url).status_code == 200
    assert not deal.commissions.exists()


def test_statements_follow_the_visibility_scope(brokerage, other):
    for member in (brokerage.ben, brokerage.buyer, brokerage.maria):
        plan_for(brokerage, member, name=f"Plan {member.pk}", annual_cap=D(20000))
    allowed = {
        "ben": {"ben", "broker", "compliance"},
        "buyer": {"buyer", "lead", "broker", "compliance"},
        "maria": {"maria", "chris", "manager", "broker", "compliance"},
    }
    people = ("ben", "buyer", "maria", "lead", "chris", "manager", "broker", "compliance")
    for subject, readers in allowed.items():
        member = getattr(brokerage, subject)
        path = f"/api/v1/members/{member.pk}/commission-statement?{YEAR}"
        for who in people:
            status = ApiClient(getattr(brokerage, who)).get(path).status_code
            assert status == (200 if who in readers else 404), (subject, who)
            page = client_for(getattr(brokerage, who)).get(
                f"/transactions/commission/statement/?member={member.pk}&{YEAR}"
            )
            assert page.status_code == (200 if who in readers else 404), (subject, who)
        assert ApiClient(other.broker).get(path).status_code == 404
        assert ApiClient(other.broker).get(path.replace("?", ".csv?")).status_code == 404


def test_the_statement_lists_final_commissions_totals_and_cap_progress(brokerage):
    plan_for(brokerage, brokerage.ben, annual_cap=D(5000), post_cap_fee=D(200))
    closed_deal(brokerage.ben, on=date(2026, 2, 1))
    closed_deal(brokerage.ben, on=date(2026, 3, 1))
    closed_deal(brokerage.ben, on=date(2025, 3, 1))
    projected = priced_deal(brokerage.ben, closing_on=date(2026, 9, 1))
    commission_set(actor=brokerage.ben, deal_id=projected.pk, side="buy", flat_amount=D(99))
    api = ApiClient(brokerage.ben)
    path = f"/api/v1/members/{brokerage.ben.pk}/commission-statement?{YEAR}"
    answer = api.get(path).json()
    assert [r["earned_on"] for r in answer["rows"]] == ["2026-02-01", "2026-03-01"]
    assert [D(r["brokerage"]) for r in answer["rows"]] == [D(3000), D(2000)]
    totals = {k: D(v) for k, v in answer["totals"].items()}
    assert totals == {
        "gross": D(20000),
        "agent": D(15000),
        "team": D(0),
        "brokerage": D(5000),
        "referral": D(0),
    }
    assert answer["cap"]["cap"] is not None
    with_projected = api.get(path + "&include_projected=true").json()
    assert [r["status"] for r in with_projected["rows"]][-1] == "projected"

    csv_text = api.get(path.replace("?", ".csv?")).content.decode()
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("earned_on,closed_on,address")
    assert lines[-1].startswith("total,") and "20000.00" in lines[-1] and len(lines) == 4
    page = client_for(brokerage.ben).get(f"/transactions/commission/statement/?{YEAR}&format=csv")
    assert page["Content-Type"].startswith("text/csv") and page.content.decode() == csv_text


def test_a_bad_period_is_a_422(brokerage):
    api = ApiClient(brokerage.ben)
    base = f"/api/v1/members/{brokerage.ben.pk}/commission-statement"
    assert api.get(f"{base}?start=2026-12-31&end=2026-01-01").status_code == 422
    assert api.get(f"{base}?start=2020-01-01&end=2026-01-01").status_code == 422
    assert api.get(f"{base}?start=nope&end=2026-01-01").status_code == 422
    assert api.get(f"/api/v1/members/999999/commission-statement?{YEAR}").status_code == 404


@pytest.mark.query_guard(
    "transactions:commission_statement",
    "GET /api/v1/members/{member_id}/commission-statement",
)
def test_the_statement_costs_the_same_queries_for_more_deals(brokerage):
    plan_for(brokerage, brokerage.ben, annual_cap=D(50000))
    closed_deal(brokerage.ben)
    api, page = ApiClient(brokerage.broker), client_for(brokerage.broker)
    path = f"/api/v1/members/{brokerage.ben.pk}/commission-statement?{YEAR}"
    page_path = f"/transactions/commission/statement/?member={brokerage.ben.pk}&{YEAR}"
    api.get(path), page.get(page_path)
    few = count_queries(lambda: api.get(path)), count_queries(lambda: page.get(page_path))
    for day in range(2, 6):
        closed_deal(brokerage.ben, on=date(2026, 3, day))
    assert len(api.get(path).json()["rows"]) == 5
    more = count_queries(lambda: api.get(path)), count_queries(lambda: page.get(page_path))
    assert more == few


@pytest.mark.query_guard("GET /api/v1/transactions/{deal_id}/commissions")
def test_the_deal_commission_costs_the_same_queries_for_both_sides(brokerage):
    from rallypoynt.journeys.tests.factories import engagement_for

    plan_for(brokerage, brokerage.ben)
    deal = priced_deal(brokerage.ben)
    api, url = ApiClient(brokerage.ben), f"/api/v1/transactions/{deal.pk}/commissions"
    put(api, url, {"side": "buy", "flat_amount": 1000})
    api.get(url)
    one = count_queries(lambda: api.get(url))
    seller = engagement_for(brokerage.ben, side="sell")
    deal.sides.create(org=brokerage.org, engagement=seller, side="sell")
    put(api, url, {"side": "sell", "flat_amount": 2000, "referral_percent": 5, "referral_to": "X"})
    assert len(api.get(url).json()["commissions"]) == 2
    assert count_queries(lambda: api.get(url)) == one


def test_split_plans_through_the_api(brokerage, other):
    broker = ApiClient(brokerage.broker)
    body = {"name": "Std", "agent_percent": 70, "annual_cap": "18000", "post_cap_fee": 250}
    created = broker.post("/api/v1/split-plans", body)
    assert created.status_code == 201, created.content
    plan_id = created.json()["id"]
    updated = put(broker, f"/api/v1/split-plans/{plan_id}", {**body, "annual_cap": None})
    assert updated.status_code == 200 and updated.json()["annual_cap"] is None
    assignment = {"member_id": brokerage.ben.pk, "plan_id": plan_id, "starts_on": "2026-01-01"}
    assert broker.post("/api/v1/split-plan-assignments", assignment).status_code == 201
    assert [
        p["name"] for p in ApiClient(brokerage.compliance).get("/api/v1/split-plans").json()
    ] == ["Std"]

    agent = ApiClient(brokerage.ben)
    assert agent.get("/api/v1/split-plans").status_code == 403
    assert agent.post("/api/v1/split-plans", {**body, "name": "Mine"}).status_code == 403
    assert agent.post("/api/v1/split-plan-assignments", assignment).status_code == 403
    outsider = ApiClient(other.broker)
    assert put(outsider, f"/api/v1/split-plans/{plan_id}", body).status_code == 404
    assert outsider.get("/api/v1/split-plans").json() == []
    for bad in (
        {**body, "agent_percent": 120},
        {**body, "agent_percent": 80, "team_percent": 30},
        {**body, "cap_year_month": 2, "cap_year_day": 30},
        {**body, "name": "std"},
        {"name": "No terms"},
    ):
        assert broker.post("/api/v1/split-plans", bad).status_code == 422, bad


def test_the_pages_render_and_their_forms_work(brokerage):
    broker = client_for(brokerage.broker)
    page = broker.get("/transactions/commission/plans/")
    assert page.status_code == 200 and "New plan" in page.content.decode()
    broker.post(
        "/transactions/commission/plans/new/",
        {
            "name": "Std",
            "agent_percent": "70",
            "annual_cap": "20,000",
            "post_cap_fee": "0",
            "cap_year_month": "1",
            "cap_year_day": "1",
        },
    )
    broker.post(
        "/transactions/commission/plans/new/",
        {"name": "Bad", "agent_percent": "x"},
    )
    from rallypoynt.transactions.models import SplitPlan

    [plan] = SplitPlan.objects.filter(org=brokerage.org)
    broker.post(
        "/transactions/commission/plans/assign/",
        {
            "member_id": brokerage.ben.pk,
            "plan_id": plan.pk,
            "starts_on": "2026-01-01",
        },
    )
    assert "Std" in broker.get("/transactions/commission/plans/").content.decode()

    deal = priced_deal(brokerage.ben, price=D(500000))
    ben = client_for(brokerage.ben)
    url = f"/transactions/{deal.pk}/commission/"
    assert "Set the buyer side" in ben.get(url).content.decode()
    ben.post(f"{url}set/", {"side": "buy", "rate_percent": "3", "referral_percent": ""})
    html = ben.get(url).content.decode()
    assert "15,000.00" in html and "10,500.00" in html and "brokerage 30%" in html
    bad = ben.post(f"{url}set/", {"side": "buy", "rate_percent": "lots"})
    assert bad.status_code == 400 and "Enter a percentage" in bad.content.decode()
    statement = ben.get("/transactions/commission/statement/?projected=1").content.decode()
    assert "Cap progress" in statement and "<svg" in statement


def test_only_plan_readers_see_the_plans_page(brokerage, other):
    for who in ("ben", "lead", "chris", "maria"):
        client = client_for(getattr(brokerage, who))
        assert client.get("/transactions/commission/plans/").status_code == 403
        form = {"name": "X", "agent_percent": "100"}
        assert client.post("/transactions/commission/plans/new/", form).status_code == 403
    compliance = client_for(brokerage.compliance)
    assert compliance.get("/transactions/commission/plans/").status_code == 200
    form = {"name": "X", "agent_percent": "100"}
    assert compliance.post("/transactions/commission/plans/new/", form).status_code == 403
    ours = client_for(other.broker)
    plan_for(brokerage, brokerage.ben, name="Secret plan")
    assert "Secret plan" not in ours.get("/transactions/commission/plans/").content.decode()


def test_the_deals_coordinator_reads_the_commission_but_does_not_set_it(brokerage):
    plan_for(brokerage, brokerage.ben)
    deal = priced_deal(brokerage.ben)
    commission_set(actor=brokerage.ben, deal_id=deal.pk, side="buy", flat_amount=D(900))
    deal.parties.create(
        org=brokerage.org, role="transaction_coordinator", member=brokerage.maria, name="Maria"
    )
    api, url = ApiClient(brokerage.maria), f"/api/v1/transactions/{deal.pk}/commissions"
    assert api.get(url).status_code == 200
    assert put(api, url, {"side": "buy", "flat_amount": 1}).status_code == 403
    assert deal.commissions.get().gross == D(900)
