"""Routing and pond pages: who sees and changes what, form errors, preview, claim, query counts."""

from __future__ import annotations

import pytest
from django.test import Client

from rallypoynt.accounts.tests.factories import UserFactory
from rallypoynt.core.testing import client_for, count_queries, page
from rallypoynt.leads.choices import InquiryStatus, RoutingAction
from rallypoynt.leads.models import LeadInquiry, LeadSettings, RoutingRule
from rallypoynt.leads.services.intake import LeadIn, lead_intake
from rallypoynt.leads.tests.factories import make_rule
from rallypoynt.orgs.tests.brokerage import Brokerage, build_brokerage

pytestmark = pytest.mark.django_db

ROUTING = "/leads/routing/"
POND = "/leads/pond/"


@pytest.fixture
def brokerage(db) -> Brokerage:
    return build_brokerage()


@pytest.fixture
def other(db) -> Brokerage:
    return build_brokerage("Other Realty")


_seq = iter(range(1_000_000))


def intake(org, **values) -> LeadInquiry:
    values.setdefault("emails", [f"page{next(_seq)}@example.net"])
    values.setdefault("first_name", f"Lead{next(_seq)}")
    return lead_intake(org_id=org.pk, lead=LeadIn(**values)).inquiry


def test_the_pages_need_a_login_and_a_seat(db):
    assert Client().get(ROUTING).status_code == 302
    client = Client()
    client.force_login(UserFactory())
    assert client.get(ROUTING).status_code == 403
    assert client.get(POND).status_code == 403


# the routing page


def test_an_agent_reads_the_rules_but_gets_no_forms(brokerage, other):
    make_rule(brokerage.org, "Zillow buyers", sources=["Zillow"], assignee=brokerage.ben)
    make_rule(other.org, "Secret rule", assignee=other.ben)
    html = page(client_for(brokerage.maria).get(ROUTING))
    assert "Zillow buyers" in html and "source: Zillow" in html
    assert "Secret rule" not in html
    assert "Add a rule" not in html and "Save lead settings" not in html
    assert "60 business minutes" in html


def test_a_broker_gets_the_forms(brokerage):
    html = page(client_for(brokerage.broker).get(ROUTING))
    assert "Add a rule" in html and "Save lead settings" in html


def test_a_manager_adds_a_rule_from_comma_separated_values(brokerage):
    response = client_for(brokerage.manager).post(
        "/leads/routing/rules/new/",
        {
            "name": "Boulder Spanish",
            "is_active": "on",
            "action": "round_robin",
            "team_id": brokerage.flatirons.pk,
            "sources": "Zillow, Website",
            "lead_types": ["buyer", "renter"],
            "postal_codes": "803, 80403",
            "languages": "es",
            "pond_timeout_minutes": "15",
        },
    )
    assert response.status_code == 302
    rule = RoutingRule.objects.get()
    assert (rule.sources, rule.lead_types, rule.postal_codes, rule.team) == (
        ["Zillow", "Website"],
        ["buyer", "renter"],
        ["803", "80403"],
        brokerage.flatirons,
    )


def test_a_bad_rule_shows_the_errors_and_saves_nothing(brokerage):
    response = client_for(brokerage.broker).post(
        "/leads/routing/rules/new/",
        {"name": "RR", "action": "round_robin", "postal_codes": "!!", "pond_timeout_minutes": "5"},
    )
    assert response.status_code == 422
    form = response.context["rule_form"]
    assert set(form.errors) == {"team_id", "postal_codes"}
    assert not RoutingRule.objects.exists()


def test_agents_cannot_post_rules_or_settings(brokerage):
    client = client_for(brokerage.ben)
    rule = make_rule(brokerage.org, "Keep", assignee=brokerage.ben)
    data = {"name": "X", "action": "assign", "assignee_id": brokerage.ben.pk}
    assert client.post("/leads/routing/rules/new/", data).status_code == 403
    assert client.post(f"/leads/routing/rules/{rule.pk}/delete/").status_code == 403
    assert client.get(f"/leads/routing/rules/{rule.pk}/").status_code == 403
    assert client.post("/leads/routing/settings/", {}).status_code == 403
    assert list(RoutingRule.objects.values_list("name", flat=True)) == ["Keep"]


def test_edit_move_and_delete_a_rule(brokerage, other):
    first = make_rule(brokerage.org, "First", assignee=brokerage.ben)
    second = make_rule(brokerage.org, "Second", assignee=brokerage.buyer)
    client = client_for(brokerage.broker)
    edit = f"/leads/routing/rules/{first.pk}/"
    assert "First" in page(client.get(edit))
    saved = client.post(
        edit,
        {
            "name": "First, renamed",
            "action": "assign",
            "assignee_id": brokerage.lead.pk,
            "pond_timeout_minutes": "15",
        },
    )
    assert saved.status_code == 302
    first.refresh_from_db()
    assert (first.name, first.assignee, first.is_active) == (
        "First, renamed",
        brokerage.lead,
        False,
    )
    client.post(f"/leads/routing/rules/{second.pk}/move/", {"direction": "up"})
    assert list(RoutingRule.objects.order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]
    assert client_for(other.broker).get(edit).status_code == 404
    assert client_for(other.broker).post(f"{edit}delete/").status_code == 404
    assert client.post(f"{edit}delete/").status_code == 302
    assert not RoutingRule.objects.filter(pk=first.pk).exists()


def test_lead_settings_save_and_bad_template_is_reported(brokerage):
    client = client_for(brokerage.broker)
    data = {
        "first_response_minutes": "30",
        "is_ack_enabled": "on",
        "ack_subject": "Thanks {{ first_name }}",
        "ack_body": "We got it.",
        "default_assignee_id": str(brokerage.ben.pk),
    }
    assert client.post("/leads/routing/settings/", data).status_code == 302
    saved = LeadSettings.objects.get(org=brokerage.org)
    assert (saved.first_response_minutes, saved.default_assignee) == (30, brokerage.ben)
    bad = client.post("/leads/routing/settings/", {**data, "ack_body": "{% if %}"})
    assert bad.status_code == 422
    assert "template error" in page(bad)
    assert LeadSettings.objects.get(org=brokerage.org).ack_body == "We got it."


def test_preview_names_the_rule_as_a_fragment_for_htmx_and_in_the_full_page(brokerage):
    make_rule(brokerage.org, "Luxury", price_min=1_000_000, assignee=brokerage.lead)
    client = client_for(brokerage.ben)
    url = "/leads/routing/preview/?price=2000000&lead_type=buyer"
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert "Luxury" in page(fragment) and "<html" not in page(fragment)
    assert str(brokerage.lead.user) in page(fragment)
    full = page(client.get(url))
    assert "<html" in full and "Luxury" in full
    nothing = page(client.get("/leads/routing/preview/?price=5", HTTP_HX_REQUEST="true"))
    assert "No rule" in nothing


@pytest.mark.query_guard("leads:routing")
def test_the_routing_page_costs_the_same_queries_for_many_rules(brokerage):
    client = client_for(brokerage.broker)
    make_rule(brokerage.org, "R0", assignee=brokerage.ben)
    client.get(ROUTING)
    few = count_queries(lambda: client.get(ROUTING))
    for i in range(1, 11):
        make_rule(brokerage.org, f"R{i}", assignee=brokerage.buyer, team=brokerage.summit)
    client.get(ROUTING)  # new rules renewed the org's config stamp: let the cache refill
    assert count_queries(lambda: client.get(ROUTING)) == few


# the pond


@pytest.fixture
def pond_lead(brokerage) -> LeadInquiry:
    make_rule(brokerage.org, "Pond", action=RoutingAction.POND, team=brokerage.summit)
    return intake(brokerage.org, first_name="Pondering")


def test_the_pond_shows_a_claim_button_to_the_team_only(brokerage, other, pond_lead):
    html = page(client_for(brokerage.buyer).get(POND))
    assert "Pondering" in html and f"/leads/pond/{pond_lead.pk}/claim/" in html
    assert "Pondering" not in page(client_for(brokerage.maria).get(POND))
    assert "Pondering" not in page(client_for(other.broker).get(POND))
    broker_view = page(client_for(brokerage.broker).get(POND))
    assert "Pondering" in broker_view and "Not your team" in broker_view


def test_claiming_from_the_page_takes_the_lead_and_a_late_claim_is_told_who(brokerage, pond_lead):
    claim = f"/leads/pond/{pond_lead.pk}/claim/"
    won = client_for(brokerage.buyer).post(claim)
    assert won.status_code == 302 and won["Location"] == f"/contacts/{pond_lead.contact_id}/"
    assert LeadInquiry.objects.get(pk=pond_lead.pk).assigned_to == brokerage.buyer
    late = client_for(brokerage.lead).post(claim, follow=True)
    assert f"{brokerage.buyer.user} already has this lead" in page(late)
    assert "Pondering" not in page(late)


def test_outsiders_cannot_claim(brokerage, other, pond_lead):
    claim = f"/leads/pond/{pond_lead.pk}/claim/"
    # Another team's pond lead answers as a missing one.
    assert client_for(brokerage.maria).post(claim).status_code == 404
    assert client_for(other.buyer).post(claim).status_code == 404
    assert LeadInquiry.objects.get(pk=pond_lead.pk).status == InquiryStatus.POND


@pytest.mark.query_guard("leads:pond")
def test_the_pond_page_costs_the_same_queries_for_many_leads(brokerage, pond_lead):
    client = client_for(brokerage.buyer)
    client.get(POND)
    few = count_queries(lambda: client.get(POND))
    for _ in range(10):
        intake(brokerage.org, property={"address": "1 Main St", "city": "Denver"})
    assert count_queries(lambda: client.get(POND)) == few
