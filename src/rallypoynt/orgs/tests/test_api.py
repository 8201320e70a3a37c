"""The org API: tenant isolation on every resource, role rules, error shape, query counts."""

from __future__ import annotations

from datetime import time

import pytest
from django.core import mail

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.core.testing import count_queries
from rallypoynt.orgs import services
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Invitation, Membership, Office, Organization, Team
from rallypoynt.orgs.tests.brokerage import fresh
from rallypoynt.orgs.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    # Token ids repeat across tests while the rate-limit counter lives in a shared cache.
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000


@pytest.fixture
def broker(brokerage) -> ApiClient:
    return ApiClient(brokerage.broker)


@pytest.fixture
def agent(brokerage) -> ApiClient:
    return ApiClient(brokerage.ben)


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    return error


# organization


def test_get_organization_returns_the_callers_org(brokerage, other, agent):
    body = agent.get("/api/v1/organization").json()
    assert (body["id"], body["name"]) == (brokerage.org.pk, "Front Range")


def test_patch_organization_by_broker_changes_it(brokerage, broker):
    response = broker.patch("/api/v1/organization", {"time_zone": "America/Denver"})
    assert response.status_code == 200
    assert response.json()["time_zone"] == "America/Denver"


def test_patch_organization_by_agent_is_403_and_changes_nothing(brokerage, agent):
    error = error_of(agent.patch("/api/v1/organization", {"name": "Mine"}), 403)
    assert error["code"] == "permission_denied"
    assert Organization.objects.get(pk=brokerage.org.pk).name == "Front Range"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"time_zone": "Nowhere/Land"}, "time_zone"),
        ({"holiday_country": "USA"}, "holiday_country"),
        ({"holiday_subdivision": "ZZ"}, "holiday_subdivision"),
        ({"name": "n" * 500}, "name"),
    ],
)
def test_patch_organization_with_bad_values_is_422_with_fields(brokerage, broker, payload, field):
    error = error_of(broker.patch("/api/v1/organization", payload), 422)
    assert error["code"] == "validation_failed"
    assert list(error["fields"]) == [field]
    assert Organization.objects.get(pk=brokerage.org.pk).time_zone == "America/New_York"


def test_business_hours_lists_only_the_callers_weekly_intervals(brokerage, other, agent):
    services.business_hours_set(actor=brokerage.broker, week={0: [(time(8), time(12))]})
    services.business_hours_set(actor=other.broker, week={3: [(time(7), time(19))]})
    assert agent.get("/api/v1/organization/business-hours").json() == [
        {"weekday": 0, "opens_at": "08:00:00", "closes_at": "12:00:00"}
    ]


# offices and teams


def test_office_list_holds_only_the_callers_offices(brokerage, other, agent):
    body = agent.get("/api/v1/offices").json()
    assert [o["name"] for o in body] == ["Boulder", "Denver"]
    assert {o["id"] for o in body} == {brokerage.boulder.pk, brokerage.denver.pk}


def test_post_office_by_broker_is_201(brokerage, broker):
    response = broker.post("/api/v1/offices", {"name": "Golden", "phone": "+13035550100"})
    assert response.status_code == 201
    assert Office.objects.get(pk=response.json()["id"]).org_id == brokerage.org.pk


@pytest.mark.parametrize("key", ["ben", "manager", "compliance"])
def test_post_office_without_the_right_is_403_and_creates_nothing(brokerage, key):
    response = ApiClient(brokerage.people[key]).post("/api/v1/offices", {"name": "Golden"})
    error_of(response, 403)
    assert not Office.objects.filter(name="Golden").exists()


def test_post_office_duplicate_is_409_with_the_field(brokerage, broker):
    error = error_of(broker.post("/api/v1/offices", {"name": "denver"}), 409)
    assert error == {
        "code": "conflict",
        "message": "An office with that name exists.",
        "fields": {"name": ["taken"]},
    }


def test_post_office_without_a_name_is_422_naming_the_field(broker):
    error = error_of(broker.post("/api/v1/offices", {"address": "Main St"}), 422)
    assert list(error["fields"]) == ["name"]


def test_post_office_with_too_long_phone_is_422_not_500(broker):
    error = error_of(broker.post("/api/v1/offices", {"name": "Golden", "phone": "1" * 40}), 422)
    assert list(error["fields"]) == ["phone"]


def test_team_list_holds_only_the_callers_teams_with_their_leads(brokerage, other, agent):
    body = agent.get("/api/v1/teams").json()
    assert body == [
        {
            "id": brokerage.flatirons.pk,
            "name": "Flatirons",
            "office_id": brokerage.boulder.pk,
            "lead_member_ids": [brokerage.chris.pk],
        },
        {
            "id": brokerage.summit.pk,
            "name": "Summit",
            "office_id": brokerage.denver.pk,
            "lead_member_ids": [brokerage.lead.pk],
        },
    ]


def test_post_team_by_office_manager_is_201(brokerage):
    response = ApiClient(brokerage.manager).post(
        "/api/v1/teams", {"name": "Canyon", "office_id": brokerage.boulder.pk}
    )
    assert response.status_code == 201
    assert response.json()["lead_member_ids"] == []


def test_post_team_with_another_orgs_office_is_422(brokerage, other, broker):
    error = error_of(
        broker.post("/api/v1/teams", {"name": "Canyon", "office_id": other.denver.pk}), 422
    )
    assert error["fields"] == {"office_id": ["not found"]}
    assert not Team.objects.filter(name="Canyon").exists()


def test_post_team_by_agent_is_403(brokerage, agent):
    error_of(agent.post("/api/v1/teams", {"name": "Canyon"}), 403)
    assert not Team.objects.filter(name="Canyon").exists()


# members


def test_member_list_holds_only_the_callers_org_including_inactive(brokerage, other, agent):
    brokerage.maria.is_active = False
    brokerage.maria.save()
    body = agent.get("/api/v1/members?limit=200").json()
    assert {m["id"] for m in body["items"]} == {m.pk for m in brokerage.people.values()}
    assert body["next_cursor"] is None
    maria = next(m for m in body["items"] if m["id"] == brokerage.maria.pk)
    assert maria["is_active"] is False
    assert maria["team_ids"] == [brokerage.flatirons.pk]
    assert maria["roles"] == ["agent"]


def test_member_list_pages_with_a_cursor(brokerage, agent):
    first = agent.get("/api/v1/members?limit=5").json()
    second = agent.get(f"/api/v1/members?limit=5&cursor={first['next_cursor']}").json()
    ids = [m["id"] for m in first["items"] + second["items"]]
    assert ids == sorted(m.pk for m in brokerage.people.values())
    assert second["next_cursor"] is None


def test_member_list_with_bad_cursor_or_limit_is_422(agent):
    assert error_of(agent.get("/api/v1/members?cursor=%%%"), 422)["fields"] == {
        "cursor": ["malformed"]
    }
    assert list(error_of(agent.get("/api/v1/members?limit=0"), 422)["fields"]) == ["limit"]


@pytest.mark.query_guard("GET /api/v1/members")
def test_member_list_query_count_does_not_grow_with_members(brokerage, broker):
    def fetch():
        assert broker.get("/api/v1/members?limit=200").status_code == 200

    fetch()  # warm up: token's last_used_at is written on first use
    few = count_queries(fetch)
    for _ in range(27):
        member = MembershipFactory(org=brokerage.org, office=brokerage.denver)
        brokerage.summit.members.create(org=brokerage.org, membership=member)
    fetch()  # new members renewed the org's config stamp: let the cache refill
    many = count_queries(fetch)
    assert few == many <= 7


@pytest.mark.query_guard("GET /api/v1/offices", "GET /api/v1/teams", "GET /api/v1/invitations")
@pytest.mark.parametrize("path", ["/api/v1/offices", "/api/v1/teams", "/api/v1/invitations"])
def test_other_list_endpoints_have_a_constant_query_count(brokerage, broker, path):
    broker.get(path)
    few = count_queries(lambda: broker.get(path))
    for i in range(10):
        Office.objects.create(org=brokerage.org, name=f"Extra {i}")
        team = Team.objects.create(org=brokerage.org, name=f"Extra {i}")
        team.members.create(org=brokerage.org, membership=brokerage.ben, is_lead=True)
        Invitation.objects.create(
            org=brokerage.org,
            email=f"x{i}@example.com",
            token_hash=f"{i:064}",
            expires_at="2999-01-01T00:00:00Z",
        )
    broker.get(path)  # new teams renewed the org's config stamp: let the cache refill
    assert count_queries(lambda: broker.get(path)) == few <= 5


def test_get_member_of_another_org_is_404(brokerage, other, broker):
    error = error_of(broker.get(f"/api/v1/members/{other.ben.pk}"), 404)
    assert error["code"] == "not_found"


def test_get_member_of_own_org(brokerage, agent):
    body = agent.get(f"/api/v1/members/{brokerage.lead.pk}").json()
    assert body["email"] == brokerage.lead.user.email
    assert body["roles"] == ["agent", "lead_agent"]


def test_patch_member_of_another_org_is_404_and_changes_nothing(brokerage, other, broker):
    response = broker.patch(f"/api/v1/members/{other.ben.pk}", {"roles": ["broker_owner"]})
    error_of(response, 404)
    assert sorted(fresh(other.ben).roles) == ["agent"]
    deactivate = broker.patch(f"/api/v1/members/{other.broker.pk}", {"is_active": False})
    error_of(deactivate, 404)
    assert fresh(other.broker).is_active


def test_patch_member_roles_by_broker(brokerage, broker):
    response = broker.patch(
        f"/api/v1/members/{brokerage.ben.pk}", {"roles": ["agent", "lead_agent"], "title": "Lead"}
    )
    assert response.status_code == 200
    assert response.json()["roles"] == ["agent", "lead_agent"]
    assert response.json()["title"] == "Lead"


def test_patch_member_with_unknown_role_is_422(brokerage, broker):
    error = error_of(broker.patch(f"/api/v1/members/{brokerage.ben.pk}", {"roles": ["czar"]}), 422)
    assert error["fields"] == {"roles": ["'czar' is not a role"]}


def test_patch_demoting_the_last_owner_is_409(brokerage, broker):
    response = broker.patch(f"/api/v1/members/{brokerage.broker.pk}", {"roles": ["agent"]})
    assert error_of(response, 409)["code"] == "conflict"
    assert Role.BROKER_OWNER in fresh(brokerage.broker).roles


def test_patch_member_by_agent_is_403(brokerage, agent):
    response = agent.patch(f"/api/v1/members/{brokerage.ben.pk}", {"roles": ["broker_owner"]})
    error_of(response, 403)
    assert fresh(brokerage.ben).roles == {"agent"}


def test_office_manager_cannot_make_themselves_broker_owner(brokerage):
    client = ApiClient(brokerage.manager)
    response = client.patch(
        f"/api/v1/members/{brokerage.manager.pk}", {"roles": ["office_manager", "broker_owner"]}
    )
    error_of(response, 403)
    assert Role.BROKER_OWNER not in fresh(brokerage.manager).roles


# invitations


def test_post_invitation_is_201_and_mails_after_commit(
    brokerage, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = broker.post(
            "/api/v1/invitations",
            {"email": "nia@example.com", "roles": ["agent"], "team_id": brokerage.summit.pk},
        )
    assert response.status_code == 201
    assert response.json()["roles"] == ["agent"]
    assert "token" not in response.json()
    assert [m.to for m in mail.outbox] == [["nia@example.com"]]
    assert "http://testserver/invitations/" in mail.outbox[0].body


def test_post_invitation_with_bad_email_is_422(broker):
    error = error_of(broker.post("/api/v1/invitations", {"email": "not-an-email"}), 422)
    assert list(error["fields"]) == ["email"]


def test_post_invitation_with_another_orgs_team_is_422(brokerage, other, broker):
    response = broker.post(
        "/api/v1/invitations", {"email": "nia@example.com", "team_id": other.summit.pk}
    )
    assert error_of(response, 422)["fields"] == {"team_id": ["not found"]}
    assert not Invitation.objects.exists()


def test_post_invitation_by_agent_is_403(agent):
    error_of(agent.post("/api/v1/invitations", {"email": "nia@example.com"}), 403)
    assert not Invitation.objects.exists()


def test_invitation_list_holds_only_the_callers_org(brokerage, other, broker):
    mine, _ = services.invitation_create(actor=brokerage.broker, email="mine@example.com", roles=[])
    services.invitation_create(actor=other.broker, email="theirs@example.com", roles=[])
    assert [i["id"] for i in broker.get("/api/v1/invitations").json()] == [mine.pk]


def test_inactive_members_token_is_refused(brokerage):
    client = ApiClient(brokerage.ben)
    Membership.objects.filter(pk=brokerage.ben.pk).update(is_active=False)
    error_of(client.get("/api/v1/offices"), 401)
