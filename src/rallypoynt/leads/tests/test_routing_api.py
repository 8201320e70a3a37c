"""Routing API: rules, lead settings, inquiries (claim, reassign), notifications; isolation,
role rules, the error shape and query counts."""

from __future__ import annotations

import pytest

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.core.testing import count_queries
from rallypoynt.leads.choices import InquiryStatus, RoutingAction
from rallypoynt.leads.models import LeadInquiry, LeadSettings, RoutingRule
from rallypoynt.leads.services.intake import LeadIn, lead_intake
from rallypoynt.orgs.models import Notification
from rallypoynt.orgs.services import notification_send
from rallypoynt.orgs.tests.brokerage import Brokerage, build_brokerage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000


@pytest.fixture
def brokerage(db) -> Brokerage:
    return build_brokerage()


@pytest.fixture
def other(db) -> Brokerage:
    return build_brokerage("Other Realty")


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    return error


_seq = iter(range(1_000_000))


def intake(org, **values) -> LeadInquiry:
    values.setdefault("emails", [f"api{next(_seq)}@example.net"])
    return lead_intake(org_id=org.pk, lead=LeadIn(first_name="Api", **values)).inquiry


def assign_rule(member, **values) -> RoutingRule:
    count = RoutingRule.objects.filter(org=member.org).count()
    values.setdefault("name", f"R{count}")
    return RoutingRule.objects.create(
        org=member.org, position=count, action="assign", assignee=member, **values
    )


# rules


def test_members_read_their_orgs_rules_in_order_and_never_another_orgs(brokerage, other):
    second = assign_rule(brokerage.ben)
    first = assign_rule(brokerage.buyer)
    RoutingRule.objects.filter(pk=second.pk).update(position=5)
    assign_rule(other.ben, name="Secret")
    body = ApiClient(brokerage.maria).get("/api/v1/routing-rules").json()
    assert [r["id"] for r in body] == [first.pk, second.pk]
    assert error_of(ApiClient(other.broker).get(f"/api/v1/routing-rules/{first.pk}"), 404)


def test_a_broker_creates_a_rule_and_an_agent_is_refused(brokerage):
    payload = {
        "name": "Spanish speakers",
        "action": "round_robin",
        "team_id": brokerage.flatirons.pk,
        "languages": ["ES"],
        "price_min": "100000",
    }
    created = ApiClient(brokerage.broker).post("/api/v1/routing-rules", payload)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["languages"], body["team_id"], body["position"]) == (
        ["es"],
        brokerage.flatirons.pk,
        0,
    )
    error = error_of(ApiClient(brokerage.ben).post("/api/v1/routing-rules", payload), 403)
    assert error["code"] == "permission_denied"
    assert RoutingRule.objects.count() == 1


def test_a_bad_rule_is_422_naming_the_fields(brokerage, other):
    response = ApiClient(brokerage.broker).post(
        "/api/v1/routing-rules",
        {"name": "", "action": "assign", "assignee_id": other.ben.pk, "price_min": "-5"},
    )
    error = error_of(response, 422)
    assert {"name", "assignee_id", "price_min"} <= set(error["fields"])
    assert error_of(ApiClient(brokerage.broker).post("/api/v1/routing-rules", {}), 422)["fields"]
    assert not RoutingRule.objects.exists()


def test_patch_delete_and_order_rules(brokerage, other):
    # Rules naming members of the manager's office (Boulder); the order is the broker's
    # (org-wide), so the manager patches and deletes and the broker reorders.
    a, b = assign_rule(brokerage.maria), assign_rule(brokerage.chris)
    client = ApiClient(brokerage.manager)
    patched = client.patch(f"/api/v1/routing-rules/{a.pk}", {"sources": ["Zillow"]})
    assert patched.json()["sources"] == ["Zillow"]
    assert error_of(client.patch(f"/api/v1/routing-rules/{a.pk}", {"name": None}), 422)
    assert error_of(client.post("/api/v1/routing-rules/order", {"rule_ids": [b.pk, a.pk]}), 403)
    broker = ApiClient(brokerage.broker)
    ordered = broker.post("/api/v1/routing-rules/order", {"rule_ids": [b.pk, a.pk]})
    assert [r["id"] for r in ordered.json()] == [b.pk, a.pk]
    assert error_of(broker.post("/api/v1/routing-rules/order", {"rule_ids": [b.pk]}), 422)
    assert error_of(ApiClient(other.broker).delete(f"/api/v1/routing-rules/{a.pk}"), 404)
    assert client.delete(f"/api/v1/routing-rules/{a.pk}").status_code == 204
    assert list(RoutingRule.objects.values_list("pk", flat=True)) == [b.pk]


# lead settings


def test_lead_settings_read_defaults_and_change_by_managers_only(brokerage, other):
    body = ApiClient(brokerage.ben).get("/api/v1/lead-settings").json()
    assert (body["first_response_minutes"], body["is_ack_enabled"]) == (60, True)
    changed = ApiClient(brokerage.sysadmin).patch(
        "/api/v1/lead-settings",
        {"first_response_minutes": 30, "default_assignee_id": brokerage.ben.pk},
    )
    assert changed.json()["first_response_minutes"] == 30
    assert error_of(
        ApiClient(brokerage.ben).patch("/api/v1/lead-settings", {"is_ack_enabled": False}), 403
    )
    bad = ApiClient(brokerage.broker).patch(
        "/api/v1/lead-settings", {"ack_body": "{% bogus %}", "default_assignee_id": other.ben.pk}
    )
    assert set(error_of(bad, 422)["fields"]) == {"ack_body", "default_assignee_id"}
    assert (
        ApiClient(other.broker).get("/api/v1/lead-settings").json()["first_response_minutes"] == 60
    )
    assert LeadSettings.objects.get(org=brokerage.org).is_ack_enabled is True


# inquiries


def test_agents_list_only_inquiries_they_may_see(brokerage, other):
    assign_rule(brokerage.maria, sources=["Maria"])
    assign_rule(brokerage.ben)
    marias = intake(brokerage.org, source="Maria")
    bens = intake(brokerage.org)
    intake(other.org)
    ids = lambda client: [i["id"] for i in client.get("/api/v1/inquiries").json()["items"]]  # noqa: E731
    assert ids(ApiClient(brokerage.maria)) == [marias.pk]
    assert ids(ApiClient(brokerage.chris)) == [marias.pk]
    assert ids(ApiClient(brokerage.ben)) == [bens.pk]
    assert sorted(ids(ApiClient(brokerage.broker))) == sorted([marias.pk, bens.pk])
    assert error_of(ApiClient(brokerage.ben).get(f"/api/v1/inquiries/{marias.pk}"), 404)
    body = ApiClient(brokerage.maria).get(f"/api/v1/inquiries/{marias.pk}").json()
    assert body["routing_reason"].startswith('Rule "R0" matched (source Maria)')
    assert body["assigned_to_name"] == str(brokerage.maria.user)


def test_inquiries_filter_by_status_and_page_with_a_cursor(brokerage):
    assign_rule(brokerage.ben)
    made = [intake(brokerage.org) for _ in range(3)]
    LeadInquiry.objects.filter(pk=made[0].pk).update(status=InquiryStatus.RESPONDED)
    client = ApiClient(brokerage.broker)
    first = client.get("/api/v1/inquiries?status=assigned&limit=1").json()
    rest = client.get(f"/api/v1/inquiries?status=assigned&limit=1&cursor={first['next_cursor']}")
    got = [first["items"][0]["id"], rest.json()["items"][0]["id"]]
    assert sorted(got) == sorted([made[1].pk, made[2].pk])
    assert error_of(client.get("/api/v1/inquiries?status=lost"), 422)["fields"] == {
        "status": ["one of new, pond, assigned, responded, escalated"]
    }
    assert error_of(client.get("/api/v1/inquiries?cursor=%%%"), 422)


@pytest.mark.query_guard("GET /api/v1/inquiries")
def test_the_inquiry_list_costs_the_same_queries_for_many_rows(brokerage):
    assign_rule(brokerage.ben)
    client = ApiClient(brokerage.broker)
    intake(brokerage.org)
    client.get("/api/v1/inquiries")  # the token's first use of the minute writes last_used_at
    few = count_queries(lambda: client.get("/api/v1/inquiries"))
    for _ in range(10):
        intake(brokerage.org)
    assert count_queries(lambda: client.get("/api/v1/inquiries")) == few


def test_claim_from_the_pond_first_wins_then_409_names_the_holder(brokerage, other):
    RoutingRule.objects.create(
        org=brokerage.org, name="Pond", action=RoutingAction.POND, team=brokerage.summit
    )
    inquiry = intake(brokerage.org)
    path = f"/api/v1/inquiries/{inquiry.pk}/claim"
    assert error_of(ApiClient(other.buyer).post(path), 404)
    missing = error_of(
        ApiClient(brokerage.maria).post(f"/api/v1/inquiries/{inquiry.pk + 999}/claim"), 404
    )
    assert error_of(ApiClient(brokerage.maria).post(path), 404) == missing  # not her pond
    won = ApiClient(brokerage.buyer).post(path)
    assert won.status_code == 200
    assert (won.json()["status"], won.json()["assigned_to_id"]) == ("assigned", brokerage.buyer.pk)
    late = error_of(ApiClient(brokerage.lead).post(path), 409)
    assert str(brokerage.buyer.user) in late["message"]


def test_reassign_by_team_lead_and_refusals(brokerage, other):
    assign_rule(brokerage.buyer)
    inquiry = intake(brokerage.org)
    path = f"/api/v1/inquiries/{inquiry.pk}/reassign"
    assert error_of(
        ApiClient(brokerage.buyer).post(path, {"membership_id": brokerage.lead.pk}), 403
    )
    assert error_of(ApiClient(other.broker).post(path, {"membership_id": other.ben.pk}), 404)
    assert error_of(ApiClient(brokerage.lead).post(path, {"membership_id": other.ben.pk}), 422)
    assert error_of(ApiClient(brokerage.lead).post(path, {}), 422)
    moved = ApiClient(brokerage.lead).post(path, {"membership_id": brokerage.lead.pk})
    assert moved.json()["assigned_to_id"] == brokerage.lead.pk


# notifications


def test_members_read_only_their_own_notifications(brokerage, other):
    mine = notification_send(recipient=brokerage.ben, kind="k", title="Mine", email=False)
    notification_send(recipient=brokerage.maria, kind="k", title="Maria's", email=False)
    notification_send(recipient=other.ben, kind="k", title="Other org", email=False)
    client = ApiClient(brokerage.ben)
    body = client.get("/api/v1/notifications").json()
    assert [n["title"] for n in body["items"]] == ["Mine"]
    theirs = Notification.objects.get(title="Maria's")
    assert error_of(client.post(f"/api/v1/notifications/{theirs.pk}/read"), 404)
    read = client.post(f"/api/v1/notifications/{mine.pk}/read")
    assert read.status_code == 200 and read.json()["read_at"]
    assert client.post(f"/api/v1/notifications/{mine.pk}/read").status_code == 200
    assert client.get("/api/v1/notifications?unread=true").json()["items"] == []
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_read_all_marks_only_the_callers(brokerage):
    for title in ("a", "b"):
        notification_send(recipient=brokerage.ben, kind="k", title=title, email=False)
    notification_send(recipient=brokerage.maria, kind="k", title="c", email=False)
    client = ApiClient(brokerage.ben)
    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 2}
    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 0}
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


@pytest.mark.query_guard("GET /api/v1/notifications")
def test_the_notification_list_costs_the_same_queries_for_many_rows(brokerage):
    client = ApiClient(brokerage.ben)
    notification_send(recipient=brokerage.ben, kind="k", title="first", email=False)
    client.get("/api/v1/notifications")
    few = count_queries(lambda: client.get("/api/v1/notifications"))
    for i in range(10):
        notification_send(recipient=brokerage.ben, kind="k", title=f"n{i}", email=False)
    assert count_queries(lambda: client.get("/api/v1/notifications")) == few
