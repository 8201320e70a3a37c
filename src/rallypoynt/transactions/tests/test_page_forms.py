"""Every form of the deal pages parses what is typed: garbage (words, exponents, negative or
huge numbers, NUL, nothing) is a form error on the page (4xx) and changes nothing; a filled
form still does what it did. Split plans follow the service's scope (an office manager
assigns within their office)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.core.testing import FILLED, GARBAGE, client_for, rows_snapshot
from rallypoynt.orgs.tests.brokerage import org_today
from rallypoynt.transactions.models import (
    ChecklistItem,
    Commission,
    Deadline,
    Deal,
    Issue,
    Offer,
    OfferVersion,
    Party,
    ProgressUpdate,
    SplitPlan,
    SplitPlanAssignment,
    WalkthroughReport,
)
from rallypoynt.transactions.services.checklists import checklists_apply
from rallypoynt.transactions.services.commission_plans import split_plan_create
from rallypoynt.transactions.services.deadlines import deadline_add
from rallypoynt.transactions.services.issues import issue_raise, issue_resolve
from rallypoynt.transactions.services.offers import offer_create
from rallypoynt.transactions.services.parties import party_add
from rallypoynt.transactions.tests.factories import deal_for

pytestmark = pytest.mark.django_db

TEXT = ("\x00", "x" * 6000)  # longer than any text field takes
MODELS = (
    Deal,
    Deadline,
    Offer,
    OfferVersion,
    Party,
    ChecklistItem,
    Issue,
    ProgressUpdate,
    WalkthroughReport,
    Commission,
    SplitPlan,
    SplitPlanAssignment,
    AuditEntry,
    Event,
)


def snapshot() -> dict[str, list[dict]]:
    return rows_snapshot(MODELS)


@pytest.fixture
def world(brokerage):
    """A deal at the offer stage with a deadline, an offer, a party, checklist items and an
    issue; a deal under contract; a split plan."""
    ben, today = brokerage.ben, org_today()
    deal = deal_for(ben, closing_on=today + timedelta(days=40), list_price=D(500000))
    deadline = deadline_add(actor=ben, deal_id=deal.pk, kind="inspection", amount=3)
    offer = offer_create(
        actor=ben, deal_id=deal.pk, buyer_name="The Lees", terms={"price": "500000"}
    )
    party = party_add(actor=ben, deal_id=deal.pk, role="lender", name="Pat Loan")
    checklists_apply(deal=deal, kinds=["due_diligence"])
    issue = issue_raise(actor=ben, deal_id=deal.pk, title="Survey fence")
    contract = deal_for(ben, street="9 Contract Ct")
    Deal.objects.filter(pk=contract.pk).update(status="under_contract")
    plan = split_plan_create(
        actor=brokerage.broker, name="Std", agent_percent=D(70), is_default=True
    )
    return SimpleNamespace(
        brokerage=brokerage,
        deal=deal,
        deadline=deadline,
        offer=offer,
        party=party,
        item=ChecklistItem.objects.filter(deal=deal).first(),
        issue=issue,
        contract=contract,
        plan=plan,
        today=today.isoformat(),
    )


@dataclass
class Case:
    """One form: where it posts, a filled-in valid form, and the garbage for each field."""

    url: Callable[[SimpleNamespace], str]
    valid: Callable[[SimpleNamespace], dict]
    garbage: dict[str, tuple[str, ...]]
    who: str = "ben"
    method: str = "post"
    done: Callable[[SimpleNamespace], bool] = field(default=lambda w: True)
    setup: Callable[[SimpleNamespace], object] = field(default=lambda w: None)


def deal_url(action: str) -> Callable[[SimpleNamespace], str]:
    return lambda w: f"/transactions/{w.deal.pk}/{action}/"


def contract_url(action: str) -> Callable[[SimpleNamespace], str]:
    return lambda w: f"/transactions/{w.contract.pk}/{action}/"


PLANS = "/transactions/commission/plans/"
PLAN_TERMS = {"name": "Top", "agent_percent": "80", "cap_year_month": "1", "cap_year_day": "1"}


def _offer_accepted(w) -> bool:
    return Offer.objects.get(pk=w.offer.pk).status == "accepted"


CASES: dict[str, Case] = {
    "open a deal": Case(
        url=lambda w: "/transactions/new/",
        valid=lambda w: {
            "engagement_id": w.deal.sides.get().engagement_id,
            "kind": "purchase",
            "street": "5 New Rd",
            "list_price": "$450,000",
            "accepted_on": w.today,
        },
        garbage={
            "engagement_id": GARBAGE,
            "kind": GARBAGE,
            "street": ("", *TEXT),
            "list_price": FILLED,
            "accepted_on": FILLED,
        },
        done=lambda w: Deal.objects.filter(street="5 New Rd", list_price=450000).exists(),
    ),
    "add a deadline": Case(
        url=deal_url("deadline"),
        valid=lambda w: {"kind": "appraisal", "amount": "-2", "anchor": "closing"},
        garbage={
            # -1 is a day before the anchor: a deadline may fall before closing.
            "amount": tuple(value for value in GARBAGE if value != "-1"),
            "kind": GARBAGE,
            "day_type": FILLED,
            "anchor": FILLED,
            "roll": FILLED,
        },
        done=lambda w: w.deal.deadlines.filter(kind="appraisal", amount=-2).exists(),
    ),
    "resolve a deadline": Case(
        url=deal_url("resolve"),
        valid=lambda w: {"deadline_id": w.deadline.pk, "status": "waived"},
        garbage={"deadline_id": GARBAGE, "status": GARBAGE},
        done=lambda w: Deadline.objects.get(pk=w.deadline.pk).status == "waived",
    ),
    "amend the dates": Case(
        url=deal_url("amend"),
        valid=lambda w: {"reason": "Amendment 1", "closing_on": "2030-01-31"},
        garbage={"accepted_on": FILLED, "closing_on": FILLED, "reason": TEXT},
        done=lambda w: str(Deal.objects.get(pk=w.deal.pk).closing_on) == "2030-01-31",
    ),
    "record an offer": Case(
        url=deal_url("offer"),
        valid=lambda w: {"buyer_name": "The Linds", "price": "510,000", "inspection_days": "10"},
        garbage={
            "price": GARBAGE,
            "earnest_money": FILLED,
            "closing_on": FILLED,
            "inspection_days": FILLED,
            "financing_days": FILLED,
            "buyer_name": TEXT,
        },
        done=lambda w: OfferVersion.objects.filter(
            offer__buyer_name="The Linds", price=510000, contingencies__0__days=10
        ).exists(),
    ),
    "accept an offer": Case(
        url=deal_url("accept"),
        valid=lambda w: {"offer_id": w.offer.pk},
        garbage={"offer_id": GARBAGE},
        done=_offer_accepted,
    ),
    "add a party": Case(
        url=deal_url("party"),
        valid=lambda w: {"role": "transaction_coordinator", "member_id": w.brokerage.maria.pk},
        garbage={"role": GARBAGE, "member_id": FILLED, "name": TEXT, "email": TEXT},
        done=lambda w: w.deal.parties.filter(member=w.brokerage.maria).exists(),
    ),
    "remove a party": Case(
        url=deal_url("party-remove"),
        valid=lambda w: {"party_id": w.party.pk},
        garbage={"party_id": GARBAGE},
        done=lambda w: not Party.objects.filter(pk=w.party.pk).exists(),
    ),
    "record the closing": Case(
        url=contract_url("close"),
        valid=lambda w: {"final_price": "400000"},
        garbage={"final_price": GARBAGE, "closed_on": FILLED, "possession_on": FILLED},
        done=lambda w: Deal.objects.get(pk=w.contract.pk).status == "closed",
    ),
    "terminate": Case(
        url=contract_url("terminate"),
        valid=lambda w: {"reason": "Financing failed"},
        garbage={"reason": TEXT},
        done=lambda w: Deal.objects.get(pk=w.contract.pk).status == "terminated",
    ),
    "mark a checklist item": Case(
        url=deal_url("checklists/mark"),
        valid=lambda w: {"item_id": w.item.pk, "status": "na"},
        garbage={"item_id": GARBAGE, "status": GARBAGE, "note": TEXT},
        done=lambda w: ChecklistItem.objects.get(pk=w.item.pk).status == "na",
    ),
    "add a checklist item": Case(
        url=deal_url("checklists/add"),
        valid=lambda w: {"kind": "closing", "title": "Flowers", "role": "agent"},
        garbage={"kind": GARBAGE, "due_on": FILLED, "role": FILLED, "title": TEXT},
        done=lambda w: w.deal.checklist_items.filter(title="Flowers").exists(),
    ),
    "apply checklists": Case(
        url=deal_url("checklists/apply"),
        valid=lambda w: {"kinds": "closing"},
        garbage={"kinds": FILLED},
        done=lambda w: w.deal.checklist_items.filter(kind="closing").exists(),
    ),
    "raise an issue": Case(
        url=deal_url("issues/raise"),
        valid=lambda w: {"title": "Roof", "owner_id": w.brokerage.lead.pk},
        garbage={"owner_id": FILLED, "due_on": FILLED, "title": TEXT, "description": TEXT},
        done=lambda w: w.deal.issues.filter(title="Roof", owner=w.brokerage.lead).exists(),
    ),
    "resolve an issue": Case(
        url=deal_url("issues/resolve"),
        valid=lambda w: {"issue_id": w.issue.pk, "resolution": "Moved"},
        garbage={"issue_id": GARBAGE, "resolved_on": FILLED, "resolution": TEXT},
        done=lambda w: Issue.objects.get(pk=w.issue.pk).status == "resolved",
    ),
    "reopen an issue": Case(
        url=deal_url("issues/reopen"),
        valid=lambda w: {"issue_id": w.issue.pk},
        garbage={"issue_id": GARBAGE},
        setup=lambda w: issue_resolve(
            actor=w.brokerage.ben, issue_id=w.issue.pk, resolution="Fixed"
        ),
        done=lambda w: Issue.objects.get(pk=w.issue.pk).status == "open",
    ),
    "post a progress update": Case(
        url=deal_url("progress/post"),
        valid=lambda w: {"note": "Appraisal ordered."},
        garbage={"send": FILLED, "note": TEXT},
        done=lambda w: w.deal.progress_updates.filter(note="Appraisal ordered.").exists(),
    ),
    "record the walk-through": Case(
        url=deal_url("walkthrough/record"),
        valid=lambda w: {"area_0": "Kitchen", "ok_0": "0", "note_0": "Leak"},
        garbage={"ok_0": FILLED, "done_on": FILLED, "area_0": TEXT, "attendees": TEXT},
        done=lambda w: w.deal.walkthroughs.filter(is_ok=False).exists(),
    ),
    "set a side's commission": Case(
        url=deal_url("commission/set"),
        valid=lambda w: {"side": "buy", "rate_percent": "3%", "referral_percent": ""},
        garbage={
            "side": GARBAGE,
            "rate_percent": FILLED,
            "flat_amount": FILLED,
            "referral_percent": FILLED,
            "co_agent_1": FILLED,
            "referral_to": TEXT,
        },
        done=lambda w: w.deal.commissions.filter(rate_percent=3).exists(),
    ),
    "give a co-agent a share": Case(
        url=deal_url("commission/set"),
        valid=lambda w: {
            "side": "buy",
            "flat_amount": "9000",
            "co_agent_1": w.brokerage.maria.pk,
            "co_share_1": "25",
        },
        garbage={"co_share_1": GARBAGE},
        done=lambda w: w.deal.commissions.filter(agent=w.brokerage.maria).exists(),
    ),
    "create a split plan": Case(
        url=lambda w: PLANS + "new/",
        valid=lambda w: {**PLAN_TERMS, "annual_cap": "20,000"},
        garbage={
            "agent_percent": GARBAGE,
            "team_percent": FILLED,
            "annual_cap": FILLED,
            "post_cap_fee": FILLED,
            "cap_year_month": FILLED,
            "cap_year_day": FILLED,
            "name": ("", *TEXT),
        },
        who="broker",
        done=lambda w: SplitPlan.objects.filter(name="Top", annual_cap=20000).exists(),
    ),
    "change a split plan": Case(
        url=lambda w: PLANS + "update/",
        valid=lambda w: {"plan_id": w.plan.pk, **PLAN_TERMS},
        garbage={"plan_id": GARBAGE},
        who="broker",
        done=lambda w: SplitPlan.objects.get(pk=w.plan.pk).name == "Top",
    ),
    "assign a split plan": Case(
        url=lambda w: PLANS + "assign/",
        valid=lambda w: {
            "member_id": w.brokerage.ben.pk,
            "plan_id": w.plan.pk,
            "starts_on": w.today,
        },
        garbage={"member_id": GARBAGE, "plan_id": GARBAGE, "starts_on": FILLED},
        who="broker",
        done=lambda w: SplitPlanAssignment.objects.filter(member=w.brokerage.ben).exists(),
    ),
    "read a commission statement": Case(
        url=lambda w: "/transactions/commission/statement/",
        valid=lambda w: {"member": w.brokerage.ben.pk, "start": "2026-01-01", "projected": "1"},
        garbage={"member": FILLED, "start": FILLED, "end": FILLED},
        method="get",
    ),
}


def assert_error_shown(response, value: str, where) -> None:
    """The page says what is wrong; a NUL is refused before any view (RefuseNulMiddleware,
    for every page and the API) with the 400 page."""
    page = response.content.decode()
    if "\x00" in value:
        assert "We could not read that" in page, where
    else:
        assert 'role="alert" id="form-errors"' in page and "<li>" in page, where


def _send(client, case: Case, world, data: dict):
    return getattr(client, case.method)(case.url(world), data)


@pytest.mark.parametrize("name", list(CASES))
def test_garbage_is_a_form_error_on_the_page_and_changes_nothing(world, name):
    case = CASES[name]
    client = client_for(getattr(world.brokerage, case.who))
    before = snapshot()
    for field_name, values in case.garbage.items():
        for value in values:
            response = _send(client, case, world, {**case.valid(world), field_name: value})
            where = (name, field_name, value)
            assert response.status_code == 400, where
            assert_error_shown(response, value, where)
            assert snapshot() == before, where


@pytest.mark.parametrize("name", list(CASES))
def test_a_filled_in_form_still_does_its_work(world, name):
    case = CASES[name]
    case.setup(world)
    client = client_for(getattr(world.brokerage, case.who))
    response = _send(client, case, world, case.valid(world))
    assert response.status_code in (200, 302), (name, response.status_code)
    if response.status_code == 302:
        page = client.get(response.url)
        errors = [m for m in page.context["messages"] if m.level_tag == "error"]
        assert not errors, (name, [str(m) for m in errors])
    assert case.done(world), name


def test_a_row_of_another_deal_reads_like_a_missing_one(world):
    """A deadline, offer or party of another deal is a form error like a made-up id."""
    other = deal_for(world.brokerage.ben, street="3 Other Way")
    client = client_for(world.brokerage.ben)
    url = f"/transactions/{other.pk}/resolve/"
    theirs = client.post(url, {"deadline_id": world.deadline.pk, "status": "waived"})
    missing = client.post(url, {"deadline_id": "987654321", "status": "waived"})
    assert theirs.status_code == missing.status_code == 400
    assert "Pick a deadline of this deal from the list." in theirs.content.decode()
    assert Deadline.objects.get(pk=world.deadline.pk).status == "open"


def test_a_bad_status_or_page_on_the_deal_list_is_left_off(world):
    client = client_for(world.brokerage.ben)
    for query in ({"status": "sold"}, {"status": "9" * 20}, {"cursor": "x" * 500}):
        response = client.get("/transactions/", query)
        assert response.status_code == 200 and len(response.context["deals"]) == 2, query
        assert any("Showing all deals" in str(m) for m in response.context["messages"])


def test_an_unknown_action_is_a_404_and_a_page_takes_no_post(world):
    """Each action has its own URL: there is no action field to get wrong."""
    client = client_for(world.brokerage.ben)
    assert client.post(f"/transactions/{world.deal.pk}/explode/", {}).status_code == 404
    assert client.post(f"/transactions/{world.deal.pk}/checklists/explode/").status_code == 404
    assert client.post(f"/transactions/{world.deal.pk}/checklists/").status_code == 405
    assert client.post(PLANS + "assign/", {}).status_code == 403  # ben reads no plans
    assert client_for(world.brokerage.broker).post(PLANS).status_code == 405


# Split plans: the page follows the service's scope ---------------------------------------


def _assign(client, world, member_id) -> object:
    form = {"member_id": member_id, "plan_id": world.plan.pk}
    return client.post(PLANS + "assign/", {**form, "starts_on": world.today})


def test_an_office_manager_assigns_a_plan_within_their_office(world):
    brokerage = world.brokerage
    manager = client_for(brokerage.manager)  # Boulder office: Maria and Chris work there
    page = manager.get(PLANS)
    assert page.status_code == 200
    offered = {m.pk for m in page.context["assignees"]}
    assert brokerage.maria.pk in offered and brokerage.chris.pk in offered
    assert brokerage.ben.pk not in offered and brokerage.manager.pk not in offered
    assert "Assign a plan" in page.content.decode()
    assert "New plan" not in page.content.decode()  # the plans themselves are the broker's

    response = _assign(manager, world, brokerage.maria.pk)
    assert response.status_code == 302
    row = SplitPlanAssignment.objects.get(member=brokerage.maria)
    assert row.plan_id == world.plan.pk and str(row.starts_on) == world.today


def test_a_member_of_another_office_answers_like_a_missing_member(world):
    brokerage = world.brokerage
    manager = client_for(brokerage.manager)
    before = snapshot()
    elsewhere = _assign(manager, world, brokerage.ben.pk)  # Denver
    missing = _assign(manager, world, 987654321)
    assert elsewhere.status_code == missing.status_code == 400
    message = "Pick a member you assign plans to from the list."
    assert message in elsewhere.content.decode() and message in missing.content.decode()
    assert elsewhere.context["failed"].errors == missing.context["failed"].errors
    own = _assign(manager, world, brokerage.manager.pk)  # nobody sets their own plan
    assert own.status_code == 400 and message in own.content.decode()
    assert snapshot() == before


def test_an_office_manager_does_not_create_or_change_plans(world):
    manager = client_for(world.brokerage.manager)
    assert manager.post(PLANS + "new/", PLAN_TERMS).status_code == 403
    form = {"plan_id": world.plan.pk, **PLAN_TERMS}
    assert manager.post(PLANS + "update/", form).status_code == 403
    assert not SplitPlan.objects.filter(name="Top").exists()
