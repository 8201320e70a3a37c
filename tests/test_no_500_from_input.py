"""No 500 from input: each input review found answering Django's 500 page now answers a 4xx in
the API's error shape (or, on pages, a form message). The NUL-byte cases matter on PostgreSQL
(it cannot store NUL); run this file there too."""

from __future__ import annotations

import io

import pytest

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.core.testing import client_for
from rallypoynt.transactions.tests.factories import deal_for

pytestmark = pytest.mark.django_db
BIG = 2**63  # one past the largest 64-bit id


def assert_refused(response, status=(400, 422), field: str | None = None) -> dict:
    assert response.status_code in (status if isinstance(status, tuple) else (status,)), (
        response.status_code,
        response.content[:300],
    )
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    if field is not None:
        # endpoints whose body argument is named `body` report "body.<field>"
        assert field in error["fields"] or f"body.{field}" in error["fields"], error
    return error


@pytest.fixture
def api(brokerage):
    return ApiClient(brokerage.broker)


@pytest.fixture
def deal(brokerage):
    return deal_for(brokerage.broker)


# NUL bytes ---------------------------------------------------------------------------------


def test_nul_in_a_contact_name_is_refused(api):
    response = api.post("/api/v1/contacts", {"first_name": "A\x00b", "last_name": "C"})
    assert_refused(response, 422, "first_name")


def test_nul_in_search_is_refused(api):
    assert_refused(api.get("/api/v1/contacts", data={"q": "a\x00"}), 422, "q")


def test_nul_in_a_token_name_is_refused(api):
    assert_refused(api.post("/api/v1/tokens", {"name": "x\x00"}), 422, "name")


def test_nul_in_a_progress_note_is_refused(api, deal):
    url = f"/api/v1/transactions/{deal.pk}/progress-updates"
    assert_refused(api.post(url, {"note": "hello\x00"}), 422, "note")


def test_nul_in_a_json_body_without_content_type_is_refused(api):
    response = api.client.post(
        "/api/v1/tokens", data=b'{"name": "x\\u0000"}', content_type="", **api.headers
    )
    assert_refused(response, 422)


def test_nul_in_an_import_file_is_refused(api):
    upload = io.BytesIO(b"first_name,last_name\nA\x00,B\n")
    upload.name = "people.csv"
    response = api.client.post("/api/v1/imports", {"file": upload}, **api.headers)
    assert_refused(response, 422, "file")


def test_nul_in_a_page_form_is_a_400_page(brokerage):
    client = client_for(brokerage.broker)
    response = client.get("/contacts/", {"q": "a\x00"})
    assert response.status_code == 400
    response = client.post("/transactions/new/", {"street": "1 Main\x00"})
    assert response.status_code == 400


# Integers, money and dates beyond their columns -----------------------------------------------


def test_a_huge_day_count_filter_is_refused(api):
    response = api.get("/api/v1/contacts", data={"no_touchpoint_days": "1000000000000"})
    assert_refused(response, 422, "no_touchpoint_days")


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/tasks?contact_id={BIG}",
        f"/api/v1/tasks?assignee_id={BIG}",
        f"/api/v1/engagements?agent_id={BIG}",
        f"/api/v1/contacts?owner_id={BIG}",
        f"/api/v1/contacts/{BIG}",
    ],
)
def test_ids_beyond_64_bits_are_refused(api, path):
    assert_refused(api.get(path), 422)


def test_ids_beyond_64_bits_in_a_body_are_refused(api):
    response = api.post("/api/v1/engagements", {"contact_ids": [BIG], "side": "buy"})
    assert_refused(response, 422, "contact_ids.0")
    response = api.post("/api/v1/contacts", {"first_name": "A", "last_name": "B", "owner_id": BIG})
    assert_refused(response, 422, "owner_id")


def test_an_expected_value_beyond_the_column_is_refused(api, brokerage):
    contact = api.post("/api/v1/contacts", {"first_name": "A", "last_name": "B"}).json()
    body = {"contact_ids": [contact["id"]], "side": "buy", "expected_value": "1e30"}
    assert_refused(api.post("/api/v1/engagements", body), 422, "expected_value")


def test_a_deadline_anchored_at_the_end_of_time_is_refused(api):
    body = {"anchor_on": "9999-12-31", "days": 5, "day_type": "calendar"}
    assert_refused(api.post("/api/v1/deadlines/calculate", body), 422, "anchor_on")


def test_huge_closing_costs_are_refused(api, deal):
    url = f"/api/v1/transactions/{deal.pk}/offers?closing_costs=1.39e308"
    assert_refused(api.get(url), 422, "closing_costs")


def test_a_lead_price_of_false_is_refused(api):
    body = {"person": {"first_name": "A", "email": "a@example.com"}, "property": {"price": False}}
    assert_refused(api.post("/api/v1/leads", body), 422, "property.price")


@pytest.mark.parametrize("field", ["office_id", "team_id"])
def test_an_invitation_to_office_or_team_zero_is_refused(api, field):
    body = {"email": "new@example.com", "roles": ["agent"], field: 0}
    assert_refused(api.post("/api/v1/invitations", body), 422, field)


# Pages parsing numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("deadline", {"kind": "inspection", "amount": "three"}),
        ("deadline", {"kind": "inspection", "amount": str(BIG)}),
        ("resolve", {"deadline_id": "x", "status": "met"}),
        ("accept", {"offer_id": "1e3"}),
        ("party-remove", {"party_id": str(BIG)}),
        ("close", {"final_price": "1e30"}),
    ],
)
def test_bad_numbers_on_the_deal_page_are_a_form_error(brokerage, deal, action, data):
    client = client_for(brokerage.broker)
    response = client.post(f"/transactions/{deal.pk}/{action}/", data)
    # The deal page again, a 400 with what could not be read (every page form is a Django form).
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="form-errors"' in page and "Nothing was saved" in page, page[:300]


def test_nul_in_a_yaml_template_is_refused(api):
    response = api.client.post(
        "/api/v1/journey-templates/1/versions",
        data=b'key: "a\\0b"\n',
        content_type="application/yaml",
        **api.headers,
    )
    assert_refused(response, 422)


def test_a_multipart_body_without_boundary_is_no_500(api):
    response = api.client.post(
        "/api/v1/journey-templates/1/versions",
        data=b"",
        content_type="multipart/form-data",
        **api.headers,
    )
    assert_refused(response, (400, 404, 415, 422))
    page = api.client.post("/transactions/new/", data=b"x", content_type="multipart/form-data")
    assert page.status_code < 500


def test_a_deadline_amount_beyond_its_column_is_refused(api, deal):
    body = {"kind": "inspection", "amount": 2**62}
    response = api.post(f"/api/v1/transactions/{deal.pk}/deadlines", body)
    assert_refused(response, 422, "amount")


# Found by the schema conformance checks and the probes around them ---------------------------


@pytest.mark.parametrize("at", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"])
def test_an_instant_at_the_end_of_time_is_refused(api, at):
    # Converting it to UTC for the database overflowed.
    assert_refused(api.post("/api/v1/tasks", {"title": "Call", "due_at": at}), 422, "due_at")


def test_an_instant_without_an_offset_is_utc(api, brokerage):
    contact = api.post("/api/v1/contacts", {"first_name": "A", "last_name": "B"}).json()
    url = f"/api/v1/contacts/{contact['id']}/touchpoints"
    # A naive time compared with the service's aware "now" raised.
    response = api.post(url, {"kind": "call", "occurred_at": "2020-01-02T10:00:00"})
    assert response.status_code == 201, response.content
    assert response.json()["occurred_at"] == "2020-01-02T10:00:00Z"
    task = {"title": "Call", "due_at": "2100-01-02T10:00:00", "remind_at": "2100-01-01T10:00Z"}
    assert api.post("/api/v1/tasks", task).status_code == 201


def test_a_deadline_time_with_its_own_offset_is_refused(api, deal):
    # The org's zone gives the offset; the database cannot store a time with one.
    body = {"kind": "inspection", "amount": 3, "time_of_day": "10:00:00+02:00"}
    response = api.post(f"/api/v1/transactions/{deal.pk}/deadlines", body)
    assert_refused(response, 422, "time_of_day")


def test_a_responsible_role_longer_than_its_column_is_refused(api, deal):
    body = {"kind": "inspection", "amount": 3, "responsible_role": "r" * 31}
    response = api.post(f"/api/v1/transactions/{deal.pk}/deadlines", body)
    assert_refused(response, 422, "responsible_role")


@pytest.fixture
def offer(api, brokerage) -> dict:
    deal = deal_for(brokerage.broker, side="sell")
    url = f"/api/v1/transactions/{deal.pk}/offers"
    return api.post(url, {"buyer_name": "Linds", "terms": {"price": "500000"}}).json()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"closing_on": "soon"}, "changes.closing_on"),
        ({"closing_on": "9999-12-31"}, "changes.closing_on"),
        ({"expires_at": "tomorrow"}, "changes.expires_at"),
        ({"price": "1e30"}, "changes.price"),
        ({"barter": True}, "changes.barter"),
    ],
)
def test_a_counter_with_bad_terms_is_refused(api, offer, changes, field):
    # The changes were any JSON: a date as a string reached the service (and its database).
    url = f"/api/v1/offers/{offer['id']}/counter"
    response = api.post(url, {"proposed_by": "sell", "changes": changes})
    assert_refused(response, 422, field)


def test_a_counter_with_an_expiry_is_answered(api, offer):
    url = f"/api/v1/offers/{offer['id']}/counter"
    changes = {"price": "490000", "expires_at": "2100-01-01T12:00:00Z"}
    response = api.post(url, {"proposed_by": "sell", "changes": changes})
    assert response.status_code == 200, response.content
    assert response.json()["versions"][1]["expires_at"] == "2100-01-01T12:00:00Z"


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_and_infinity_are_not_json(api, constant):
    body = b'{"name": "Zillow", "filters": {"q": ' + constant + b"}}"
    response = api.client.post(
        "/api/v1/smart-lists", data=body, content_type="application/json", **api.headers
    )
    assert_refused(response, 400)
