"""The journeys API: engagements and their moves, templates as YAML, the error shape."""

from __future__ import annotations

import pytest

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.testing import count_queries
from rallypoynt.journeys.models import Engagement

pytestmark = pytest.mark.django_db

PHASE_ONE = [
    "initial_inquiry_processing",
    "initial_response",
    "needs_discovery",
    "relationship_establishment",
    "client_onboarding",
]


def opened(api: ApiClient, member, **body) -> dict:
    contact = ContactFactory(org=member.org, owner=member)
    response = api.post("/api/v1/engagements", {"contact_ids": [contact.pk], "side": "buy", **body})
    assert response.status_code == 201, response.content
    return response.json()


def test_open_answers_with_the_first_phase_its_steps_and_what_blocks_it(brokerage):
    api = ApiClient(brokerage.ben)
    body = opened(api, brokerage.ben, expected_value="12500.00")
    assert body["phase_key"] == "discovery" and body["stage_key"] == "prospect_identification"
    steps = body["evaluation"]["steps"]
    assert [s["key"] for s in steps] == PHASE_ONE
    assert steps[1]["due_at"] is not None and steps[1]["checklist"]
    assert body["evaluation"]["can_advance"] is False
    assert body["evaluation"]["guidance"][0].startswith("First impressions")


def test_advancing_past_an_unmet_gate_is_a_409_naming_what_is_missing(brokerage):
    api = ApiClient(brokerage.ben)
    engagement = opened(api, brokerage.ben)
    response = api.post(f"/api/v1/engagements/{engagement['id']}/advance")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert any("Needs Discovery" in reason for reason in error["fields"]["blockers"])
    assert Engagement.objects.get(pk=engagement["id"]).phase_key == "discovery"


def test_completing_the_steps_releases_the_gate_and_the_stage_follows(brokerage):
    api = ApiClient(brokerage.ben)
    engagement = opened(api, brokerage.ben)
    url = f"/api/v1/engagements/{engagement['id']}"
    for key in PHASE_ONE:
        assert api.post(f"{url}/steps/{key}/complete").status_code == 200
    assert api.post(f"{url}/steps/{PHASE_ONE[0]}/complete").status_code == 409
    body = api.post(f"{url}/advance").json()
    assert (body["phase_key"], body["stage_key"]) == ("strategy", "solution_development")


def test_stage_moves_close_and_validation_errors(brokerage):
    api = ApiClient(brokerage.ben)
    url = f"/api/v1/engagements/{opened(api, brokerage.ben)['id']}"
    assert (
        api.post(f"{url}/stage", {"stage_key": "presentation_negotiation"}).json()["stage_key"]
        == "presentation_negotiation"
    )
    assert api.post(f"{url}/stage", {"stage_key": "nowhere"}).status_code == 422
    assert api.post(f"{url}/close", {"status": "lost"}).status_code == 422
    closed = api.post(f"{url}/close", {"status": "lost", "reason": "Chose another agent"}).json()
    assert closed["status"] == "lost" and closed["lost_reason"] == "Chose another agent"
    assert api.post(f"{url}/advance").status_code == 409


def test_nobody_outside_the_scope_sees_or_moves_an_engagement(brokerage, other):
    engagement = opened(ApiClient(brokerage.ben), brokerage.ben)
    url = f"/api/v1/engagements/{engagement['id']}"
    for outsider in (other.broker, brokerage.maria):
        api = ApiClient(outsider)
        assert api.get(url).status_code == 404
        assert api.post(f"{url}/steps/initial_response/complete").status_code == 404
        assert engagement["id"] not in [
            e["id"] for e in api.get("/api/v1/engagements").json()["items"]
        ]
    assert ApiClient(brokerage.broker).get(url).status_code == 200


def test_a_contact_the_caller_cannot_see_cannot_be_made_a_client(brokerage):
    theirs = ContactFactory(org=brokerage.org, owner=brokerage.maria)
    response = ApiClient(brokerage.ben).post(
        "/api/v1/engagements", {"contact_ids": [theirs.pk], "side": "buy"}
    )
    assert response.status_code == 422
    assert not Engagement.objects.exists()


@pytest.mark.query_guard("GET /api/v1/engagements")
def test_the_list_filters_and_costs_the_same_queries_for_more_rows(brokerage):
    api = ApiClient(brokerage.broker)
    opened(api, brokerage.broker)
    api.get("/api/v1/engagements")
    few = count_queries(lambda: api.get("/api/v1/engagements?stage=prospect_identification"))
    for _ in range(5):
        opened(api, brokerage.broker, side="sell")
    many = count_queries(lambda: api.get("/api/v1/engagements?stage=prospect_identification"))
    assert few == many
    sells = api.get("/api/v1/engagements?side=sell").json()["items"]
    assert len(sells) == 5 and {e["side"] for e in sells} == {"sell"}
    assert api.get("/api/v1/engagements?status=bogus").status_code == 422


def test_templates_export_as_yaml_and_import_as_a_new_draft(brokerage):
    api = ApiClient(brokerage.broker)
    opened(api, brokerage.broker)
    template = next(
        t for t in api.get("/api/v1/journey-templates").json() if t["kind"] == "journey"
    )
    url = f"/api/v1/journey-templates/{template['id']}/versions"
    text = api.get(f"{url}/1/export.yaml").content.decode()
    assert "Discovery & Engagement" in text
    changed = text.replace("name: Client journey", "name: Our journey", 1)
    draft = api.client.post(url, changed, content_type="application/yaml", **api.headers)
    assert draft.status_code == 201 and draft.json()["number"] == 2
    assert draft.json()["data"]["name"] == "Our journey"
    broken = api.client.post(
        url, "key: x\nphases: [", content_type="application/yaml", **api.headers
    )
    assert broken.status_code == 422
    assert api.post(f"{url}/2/publish").status_code == 200
    assert api.post(f"{url}/2/publish").status_code == 409


def test_an_agent_cannot_change_templates(brokerage):
    api = ApiClient(brokerage.ben)
    assert api.post("/api/v1/journey-templates", {"kind": "journey"}).status_code == 403
    assert (
        api.get("/api/v1/journey-templates/shipped/pipeline?level=agent").json()["stages"][0]["key"]
        == "prospecting_engagement"
    )


def test_the_receiver_lists_and_accepts_a_handoff_through_the_api_and_the_page(brokerage):
    from rallypoynt.core.testing import client_for

    lead = ApiClient(brokerage.lead)
    engagement = opened(lead, brokerage.lead, team_id=brokerage.summit.pk)
    buyer = ApiClient(brokerage.buyer)
    mine = buyer.get("/api/v1/handoffs?mine=true&is_open=true").json()["items"]
    assert [h["step_key"] for h in mine] == ["initial_response"]
    assert ApiClient(brokerage.ben).post(
        f"/api/v1/handoffs/{mine[0]['id']}/accept"
    ).status_code in (
        403,
        404,
    )
    page = client_for(brokerage.buyer).get(f"/pipeline/engagements/{engagement['id']}/")
    assert "Accept" in page.content.decode()
    accepted = buyer.post(f"/api/v1/handoffs/{mine[0]['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["accepted_at"]
    assert buyer.post(f"/api/v1/handoffs/{mine[0]['id']}/accept").status_code == 409
