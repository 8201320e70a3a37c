"""The people API: contacts CRUD with filters and cursors, touchpoints, timeline, consent,
relations and custom fields; every row stays inside its org and the caller's scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.contacts.models import Contact, ContactTag, CustomField, Tag, Touchpoint
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.testing import count_queries
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return build_brokerage()


@pytest.fixture
def other():
    return build_brokerage("Other Realty")


def api(member) -> ApiClient:
    return ApiClient(member)


def put(client: ApiClient, path: str, data):
    return client._send("put", path, data)


def make(member, **values) -> Contact:
    values.setdefault("emails", [])
    return ContactFactory(org=member.org, owner=member, **values)


def test_list_returns_visible_contacts_newest_first_with_related_rows(org):
    older = make(org.ben, first_name="Ann", emails=["ann@example.com"], phones=["+13035550100"])
    Contact.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=2))
    newer = make(org.ben, first_name="Bob")
    tag = Tag.objects.create(org=org.org, name="Buyer")
    ContactTag.objects.create(org=org.org, contact=newer, tag=tag)
    make(org.maria)  # another agent's contact
    body = api(org.ben).get("/api/v1/contacts").json()
    assert [c["id"] for c in body["items"]] == [newer.pk, older.pk]
    assert body["items"][0]["tags"] == ["Buyer"]
    assert body["items"][1]["emails"] == [
        {"address": "ann@example.com", "kind": "personal", "is_primary": True}
    ]
    assert body["items"][1]["phones"][0]["number"] == "+13035550100"
    assert body["next_cursor"] is None


def test_list_pages_with_a_cursor_without_gaps_or_repeats(org):
    ids = {make(org.ben).pk for _ in range(7)}
    client = api(org.ben)
    seen, cursor = [], None
    while True:
        url = "/api/v1/contacts?limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).json()
        seen += [c["id"] for c in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 7


def test_list_filters_by_search_stage_source_tag_and_touchpoint_age(org):
    smith = make(org.ben, first_name="Jo", last_name="Smith", stage="prospect", source="Zillow")
    make(org.ben, first_name="Al", last_name="Jones", stage="lead", source="Website")
    client = api(org.ben)

    def ids(query):
        response = client.get(f"/api/v1/contacts?{query}")
        assert response.status_code == 200, response.content
        return [c["id"] for c in response.json()["items"]]

    assert ids("q=smi") == [smith.pk]
    assert ids("q=jo+smi") == [smith.pk]
    assert ids("stage=prospect") == [smith.pk]
    assert ids("source=zillow") == [smith.pk]
    assert len(ids("no_touchpoint_days=30")) == 2
    Contact.objects.filter(pk=smith.pk).update(last_touchpoint_at=timezone.now())
    assert smith.pk not in ids("no_touchpoint_days=30")


def test_list_refuses_unknown_filters_and_bad_values_with_the_error_shape(org):
    client = api(org.ben)
    response = client.get("/api/v1/contacts?colour=red&stage=vip&owner_id=x")
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"colour", "stage", "owner_id"}
    assert client.get("/api/v1/contacts?limit=0").status_code == 422
    assert client.get("/api/v1/contacts?limit=abc").status_code == 422
    assert client.get("/api/v1/contacts?cursor=@@@").status_code == 422


@pytest.mark.query_guard("GET /api/v1/contacts")
def test_list_query_count_is_the_same_for_10_and_100_rows(org):
    for i in range(100):
        make(org.ben, emails=[f"p{i}@example.com"], phones=[f"+1303555{i:04d}"])
    client = api(org.broker)
    client.get("/api/v1/contacts?limit=10")
    small = count_queries(lambda: client.get("/api/v1/contacts?limit=10"))
    big = count_queries(lambda: client.get("/api/v1/contacts?limit=100"))
    assert small == big


def test_nobody_outside_the_scope_or_org_sees_a_contact(org, other):
    contact = make(org.maria, first_name="Private")
    for member in (org.ben, org.lead, other.broker):
        client = api(member)
        assert contact.pk not in [c["id"] for c in client.get("/api/v1/contacts").json()["items"]]
        for path in ("", "/touchpoints", "/timeline", "/relationships", "/collaborators"):
            assert client.get(f"/api/v1/contacts/{contact.pk}{path}").status_code == 404
        assert (
            client.patch(f"/api/v1/contacts/{contact.pk}", {"first_name": "X"}).status_code == 404
        )
        assert client.delete(f"/api/v1/contacts/{contact.pk}").status_code == 404
        assert (
            client.post(f"/api/v1/contacts/{contact.pk}/touchpoints", {"kind": "call"}).status_code
            == 404
        )
    # Maria's team lead and the broker do see it.
    assert api(org.chris).get(f"/api/v1/contacts/{contact.pk}").status_code == 200
    assert api(org.broker).get(f"/api/v1/contacts/{contact.pk}").status_code == 200
    contact.refresh_from_db()
    assert contact.first_name == "Private"


def test_create_normalises_and_owns_by_the_caller_by_default(org):
    response = api(org.ben).post(
        "/api/v1/contacts",
        {
            "first_name": "Ana",
            "last_name": "Ruiz",
            "emails": ["Ana@Example.com"],
            "phones": ["(303) 555-0142"],
            "tags": ["Buyer"],
            "stage": "prospect",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner_id"] == org.ben.pk
    assert body["emails"][0]["address"] == "ana@example.com"
    assert body["phones"][0]["number"] == "+13035550142"
    assert body["tags"] == ["Buyer"] and body["email_consent"] == "unknown"


def test_create_reports_every_bad_field_and_writes_nothing(org):
    response = api(org.ben).post(
        "/api/v1/contacts", {"first_name": "X", "emails": ["nope"], "stage": "vip"}
    )
    assert response.status_code == 422
    assert {"emails", "stage"} <= set(response.json()["error"]["fields"])
    assert not Contact.objects.exists()
    missing = api(org.ben).post("/api/v1/contacts", {"first_name": 5})
    assert missing.status_code == 422


def test_create_takes_plain_and_typed_emails_and_phones_and_answers_their_kinds(org):
    response = api(org.ben).post(
        "/api/v1/contacts",
        {
            "first_name": "Ana",
            "emails": ["ana@example.com", {"address": "Ana@Work.example.com", "kind": "work"}],
            "phones": ["+13035550100", {"number": "(303) 555-0101", "kind": "work"}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(e["address"], e["kind"], e["is_primary"]) for e in body["emails"]] == [
        ("ana@example.com", "personal", True),
        ("ana@work.example.com", "work", False),
    ]
    assert [(p["number"], p["kind"]) for p in body["phones"]] == [
        ("+13035550100", "mobile"),
        ("+13035550101", "work"),
    ]


def test_a_bad_kind_is_a_422_in_the_error_shape_naming_the_entry(org):
    client = api(org.ben)
    response = client.post(
        "/api/v1/contacts",
        {"first_name": "Ana", "phones": ["+13035550100", {"number": "+13035550101", "kind": "x"}]},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["fields"] == {"phones.1.kind": ["one of mobile, home, work, other"]}
    assert not Contact.objects.exists()
    no_address = client.post("/api/v1/contacts", {"first_name": "A", "emails": [{"kind": "work"}]})
    assert no_address.status_code == 422
    assert no_address.json()["error"]["fields"] == {"emails.0.address": ["Field required"]}


def test_patch_replaces_kinds_and_a_known_number_given_with_a_new_kind_changes_it(org):
    contact = make(org.ben, first_name="Ana", phones=["+13035550100", "+13035550101"])
    client = api(org.ben)
    response = client.patch(
        f"/api/v1/contacts/{contact.pk}",
        {"phones": [{"number": "303-555-0100", "kind": "home"}, "+13035550101"]},
    )
    assert response.status_code == 200, response.content
    assert {p["number"]: p["kind"] for p in response.json()["phones"]} == {
        "+13035550100": "home",
        "+13035550101": "mobile",
    }
    bad = client.patch(
        f"/api/v1/contacts/{contact.pk}", {"emails": [{"address": "a@example.com", "kind": "?"}]}
    )
    assert bad.status_code == 422
    assert list(bad.json()["error"]["fields"]) == ["emails.0.kind"]


def test_patch_changes_only_the_given_fields_and_delete_removes(org):
    contact = make(org.ben, first_name="Old", last_name="Name", emails=["a@example.com"])
    client = api(org.ben)
    response = client.patch(
        f"/api/v1/contacts/{contact.pk}", {"first_name": "New", "tags": ["VIP"], "custom": None}
    )
    assert response.status_code == 200, response.content
    assert response.json()["first_name"] == "New" and response.json()["last_name"] == "Name"
    assert response.json()["tags"] == ["VIP"]
    assert client.patch(f"/api/v1/contacts/{contact.pk}", {"stage": "vip"}).status_code == 422
    assert client.delete(f"/api/v1/contacts/{contact.pk}").status_code == 204
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_touchpoints_are_logged_listed_and_validated(org):
    contact = make(org.ben)
    client = api(org.ben)
    response = client.post(
        f"/api/v1/contacts/{contact.pk}/touchpoints",
        {"kind": "call", "outcome": "connected", "duration_minutes": 12, "summary": "Talked"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["logged_by_id"] == org.ben.pk
    future = (timezone.now() + timedelta(days=1)).isoformat()
    bad = client.post(
        f"/api/v1/contacts/{contact.pk}/touchpoints", {"kind": "fax", "occurred_at": future}
    )
    assert bad.status_code == 422
    assert {"kind", "occurred_at"} <= set(bad.json()["error"]["fields"])
    listed = client.get(f"/api/v1/contacts/{contact.pk}/touchpoints").json()
    assert [t["summary"] for t in listed["items"]] == ["Talked"]
    contact.refresh_from_db()
    assert contact.last_touchpoint_at is not None
    assert Touchpoint.objects.count() == 1


def test_timeline_endpoint_merges_kinds_newest_first(org):
    contact = make(org.ben)
    client = api(org.ben)
    client.post(f"/api/v1/contacts/{contact.pk}/touchpoints", {"kind": "note", "summary": "n"})
    client.post("/api/v1/tasks", {"title": "Call back", "contact_id": contact.pk})
    body = client.get(f"/api/v1/contacts/{contact.pk}/timeline?limit=1").json()
    assert len(body["items"]) == 1 and body["next_cursor"]
    rest = client.get(f"/api/v1/contacts/{contact.pk}/timeline?cursor={body['next_cursor']}")
    kinds = [body["items"][0]["kind"], *[i["kind"] for i in rest.json()["items"]]]
    assert sorted(kinds) == ["task", "touchpoint"]


def test_consent_put_sets_all_three_and_refuses_bad_values(org, other):
    contact = make(org.ben)
    client = api(org.ben)
    path = f"/api/v1/contacts/{contact.pk}/consent"
    ok = put(
        client,
        path,
        {"email_consent": "opted_in", "sms_consent": "opted_out", "is_do_not_contact": True},
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["sms_consent"] == "opted_out" and ok.json()["is_do_not_contact"] is True
    bad = put(
        client, path, {"email_consent": "maybe", "sms_consent": "unknown", "is_do_not_contact": 0}
    )
    assert bad.status_code == 422 and "email_consent" in bad.json()["error"]["fields"]
    contact.refresh_from_db()
    assert contact.email_consent == "opted_in"
    stranger = put(
        api(other.broker),
        path,
        {"email_consent": "opted_out", "sms_consent": "opted_out", "is_do_not_contact": False},
    )
    assert stranger.status_code == 404


def test_relationships_and_collaborators_through_the_api(org):
    ann, bob = make(org.ben, first_name="Ann"), make(org.ben, first_name="Bob")
    client = api(org.ben)
    made = client.post(
        f"/api/v1/contacts/{ann.pk}/relationships", {"related_id": bob.pk, "kind": "spouse"}
    )
    assert made.status_code == 201, made.content
    assert made.json()["other_id"] == bob.pk
    seen_from_bob = client.get(f"/api/v1/contacts/{bob.pk}/relationships").json()
    assert [r["other_id"] for r in seen_from_bob] == [ann.pk]
    again = client.post(
        f"/api/v1/contacts/{bob.pk}/relationships", {"related_id": ann.pk, "kind": "spouse"}
    )
    assert again.status_code == 409
    rid = made.json()["id"]
    assert client.delete(f"/api/v1/contacts/{ann.pk}/relationships/{rid}").status_code == 204

    added = client.post(f"/api/v1/contacts/{ann.pk}/collaborators", {"membership_id": org.maria.pk})
    assert added.status_code == 201, added.content
    assert api(org.maria).get(f"/api/v1/contacts/{ann.pk}").status_code == 200
    # A collaborator cannot share the contact further.
    further = api(org.maria).post(
        f"/api/v1/contacts/{ann.pk}/collaborators", {"membership_id": org.buyer.pk}
    )
    assert further.status_code == 403
    gone = client.delete(f"/api/v1/contacts/{ann.pk}/collaborators/{org.maria.pk}")
    assert gone.status_code == 204
    assert api(org.maria).get(f"/api/v1/contacts/{ann.pk}").status_code == 404


def test_custom_fields_are_listed_for_all_and_created_by_settings_roles_only(org, other):
    assert api(org.ben).post("/api/v1/custom-fields", {"label": "Budget"}).status_code == 403
    made = api(org.broker).post(
        "/api/v1/custom-fields", {"label": "Budget", "field_type": "number"}
    )
    assert made.status_code == 201, made.content
    assert [f["key"] for f in api(org.ben).get("/api/v1/custom-fields").json()] == ["budget"]
    assert api(other.ben).get("/api/v1/custom-fields").json() == []
    contact = make(org.ben)
    client = api(org.ben)
    bad = client.patch(f"/api/v1/contacts/{contact.pk}", {"custom": {"budget": "lots"}})
    assert bad.status_code == 422 and "custom.budget" in bad.json()["error"]["fields"]
    ok = client.patch(f"/api/v1/contacts/{contact.pk}", {"custom": {"budget": "450000"}})
    assert ok.json()["custom"] == {"budget": "450000"}
    assert CustomField.objects.filter(org=org.org).count() == 1
