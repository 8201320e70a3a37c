"""Duplicates and merge API: scope, error shape, nothing half-written, query counts."""

from __future__ import annotations

import pytest

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.contacts.models import Contact, ContactEmail, Task
from rallypoynt.contacts.tests.factories import ContactFactory, TaskFactory
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm():
    return build_brokerage()


@pytest.fixture
def other():
    return build_brokerage("Other Realty")


def person(owner, first="Ana", last="Ruiz", **values) -> Contact:
    return ContactFactory(org=owner.org, owner=owner, first_name=first, last_name=last, **values)


def test_duplicates_lists_pairs_with_both_contacts_score_and_reasons(firm):
    a = person(firm.ben, emails=["ana@x.com"], street="1 Elm St", postal_code="80202")
    b = person(firm.ben, emails=["ana@x.com"], phones=["+13035550101"])
    response = ApiClient(firm.ben).get("/api/v1/contacts/duplicates")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [pair] = body["items"]
    assert (pair["keep"]["id"], pair["other"]["id"]) == (a.pk, b.pk)
    assert pair["other"]["phones"] == ["+13035550101"]
    assert pair["keep"]["street"] == "1 Elm St"
    assert pair["score"] == 100
    assert pair["reasons"] == ["same e-mail ana@x.com", "same name (Ana Ruiz)"]


def test_duplicates_never_include_another_org_or_contacts_outside_the_agents_scope(firm, other):
    person(other.broker, emails=["secret@x.com"])
    person(other.broker, emails=["secret@x.com"])
    person(firm.ben, emails=["shared@x.com"])
    person(firm.maria, emails=["shared@x.com"])
    assert ApiClient(firm.broker).get("/api/v1/contacts/duplicates").json()["count"] == 1
    body = ApiClient(firm.ben).get("/api/v1/contacts/duplicates").json()
    assert body == {"items": [], "count": 0}


@pytest.mark.query_guard("GET /api/v1/contacts/duplicates")
def test_duplicates_cost_a_constant_number_of_queries(firm, django_assert_max_num_queries):
    api = ApiClient(firm.broker)

    def add(n, start):
        for i in range(start, start + n):
            person(firm.ben, first=f"P{i}", emails=[f"p{i}@x.com"])
            person(firm.maria, first=f"P{i}", emails=[f"p{i}@x.com"])

    add(2, 0)
    api.get("/api/v1/contacts/duplicates")
    with django_assert_max_num_queries(14) as few:
        api.get("/api/v1/contacts/duplicates")
    add(10, 2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get("/api/v1/contacts/duplicates").json()["count"] == 12


def test_duplicates_limit_is_checked_with_the_error_shape(firm):
    response = ApiClient(firm.ben).get("/api/v1/contacts/duplicates?limit=0")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"limit": ["must be between 1 and 500"]}


def test_merge_returns_the_kept_contact_with_everything_united(firm):
    keep = person(firm.ben, emails=["a@x.com"], language="")
    merge = person(firm.ben, first="Anna", emails=["b@x.com"], language="es")
    task = TaskFactory(contact=merge)
    response = ApiClient(firm.ben).post(
        "/api/v1/contacts/merge",
        {"keep_id": keep.pk, "merge_id": merge.pk, "field_choices": {"first_name": "merge"}},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == keep.pk
    assert body["first_name"] == "Anna" and body["language"] == "es"
    assert body["emails"] == ["a@x.com", "b@x.com"]
    assert Task.objects.get(pk=task.pk).contact_id == keep.pk
    assert not Contact.objects.filter(pk=merge.pk).exists()


def test_merge_refuses_another_orgs_contact_even_for_a_broker(firm, other):
    mine = person(firm.ben, emails=["a@x.com"])
    theirs = person(other.ben, emails=["a@x.com"])
    api = ApiClient(firm.broker)
    response = api.post("/api/v1/contacts/merge", {"keep_id": mine.pk, "merge_id": theirs.pk})
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": "No such contact.",
        "fields": {"merge_id": ["no such contact"]},
    }
    response = api.post("/api/v1/contacts/merge", {"keep_id": theirs.pk, "merge_id": mine.pk})
    assert response.status_code == 404
    assert ContactEmail.objects.filter(contact__in=[mine, theirs]).count() == 2


def test_merge_refuses_a_contact_outside_the_agents_scope(firm):
    mine, hers = person(firm.ben), person(firm.maria)
    response = ApiClient(firm.ben).post(
        "/api/v1/contacts/merge", {"keep_id": hers.pk, "merge_id": mine.pk}
    )
    assert response.status_code == 404
    assert response.json()["error"]["fields"] == {"keep_id": ["no such contact"]}
    assert Contact.objects.filter(pk__in=[mine.pk, hers.pk]).count() == 2


def test_merge_rejects_bad_input_with_422_and_changes_nothing(firm):
    a, b = person(firm.ben), person(firm.ben)
    api = ApiClient(firm.ben)
    cases = [
        ({"keep_id": a.pk, "merge_id": a.pk}, {"merge_id"}),
        ({"keep_id": a.pk, "merge_id": b.pk, "field_choices": {"bogus": "keep"}}, None),
        ({"keep_id": a.pk, "merge_id": b.pk, "field_choices": {"stage": "both"}}, None),
        ({"keep_id": "x", "merge_id": b.pk}, {"keep_id"}),
        ({"merge_id": b.pk}, {"keep_id"}),
    ]
    for payload, fields in cases:
        response = api.post("/api/v1/contacts/merge", payload)
        assert response.status_code == 422, payload
        error = response.json()["error"]
        assert error["code"] == "validation_failed"
        if fields:
            assert set(error["fields"]) == fields
        else:
            assert all(k.startswith("field_choices") for k in error["fields"])
    assert Contact.objects.count() == 2


def test_dismissing_a_pair_hides_it_and_needs_both_contacts_visible(firm, other):
    a = person(firm.ben, emails=["a@x.com"])
    b = person(firm.ben, emails=["a@x.com"])
    api = ApiClient(firm.ben)
    theirs = person(other.ben)
    response = api.post(
        "/api/v1/contacts/duplicates/dismiss", {"first_id": a.pk, "second_id": theirs.pk}
    )
    assert response.status_code == 404
    response = api.post(
        "/api/v1/contacts/duplicates/dismiss", {"first_id": a.pk, "second_id": b.pk}
    )
    assert response.status_code == 204
    assert api.get("/api/v1/contacts/duplicates").json()["count"] == 0


def test_the_api_needs_a_token(db):
    response = ApiClient().get("/api/v1/contacts/duplicates")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
