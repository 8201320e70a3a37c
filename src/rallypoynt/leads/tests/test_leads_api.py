"""POST /api/v1/leads (JSON, Idempotency-Key), POST /leads/email, GET /leads/review."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.contacts.choices import Channel
from rallypoynt.contacts.models import Contact, ContactEmail
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.leads.api import leads as leads_api
from rallypoynt.leads.choices import ReviewStatus
from rallypoynt.leads.models import IdempotencyKey, LeadInquiry, LeadReviewItem
from rallypoynt.leads.services.review import review_item_create
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "lead_emails"
URL = "/api/v1/leads"
LEAD = {
    "source": "Zillow",
    "type": "buyer",
    "person": {
        "first_name": "Nora",
        "last_name": "Lind",
        "emails": ["Nora.Lind@Example.com"],
        "phones": ["(720) 555-0111"],
    },
    "message": "Can we see it Saturday?",
    "timeframe": "0-3 months",
    "property": {
        "address": "1550 Blake St",
        "city": "Denver",
        "state": "CO",
        "postal_code": "80202",
        "mls_number": "D123",
        "price": 640000,
    },
    "language": "en",
}


@pytest.fixture
def brokerage():
    return build_brokerage()


@pytest.fixture
def api(brokerage):
    return ApiClient(brokerage.broker)


def counts(org) -> tuple[int, int, int]:
    return (
        Contact.objects.filter(org=org).count(),
        LeadInquiry.objects.filter(org=org).count(),
        IdempotencyKey.objects.filter(org=org).count(),
    )


def error(response) -> dict:
    return response.json()["error"]


# POST /leads


def test_new_lead_creates_contact_and_inquiry(api, brokerage):
    response = api.post(URL, LEAD)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"contact_id", "inquiry_id", "assigned_to", "deduplicated", "added"}
    assert body["deduplicated"] is False and body["added"] == []
    inquiry = LeadInquiry.objects.get(pk=body["inquiry_id"])
    assert body["assigned_to"] == inquiry.assigned_to_id
    assert inquiry.contact_id == body["contact_id"]
    assert inquiry.org_id == brokerage.org.pk
    assert (inquiry.channel, inquiry.source, inquiry.lead_type) == (Channel.API, "Zillow", "buyer")
    assert inquiry.price == Decimal("640000.00")
    assert inquiry.property["postal_code"] == "80202"
    assert inquiry.language == "en"
    contact = Contact.objects.get(pk=body["contact_id"])
    assert (contact.first_name, contact.last_name, contact.language) == ("Nora", "Lind", "en")
    assert list(contact.emails.values_list("address", flat=True)) == ["nora.lind@example.com"]
    assert list(contact.phones.values_list("number", flat=True)) == ["+17205550111"]


def test_lead_matching_an_existing_email_attaches_to_that_contact(api, brokerage):
    existing = ContactFactory(org=brokerage.org, emails=["nora.lind@example.com"])
    body = api.post(URL, LEAD).json()
    assert body["deduplicated"] is True
    assert body["contact_id"] == existing.pk
    assert Contact.objects.filter(org=brokerage.org).count() == 1
    # The lead's phone number is added to the contact it matched.
    assert existing.phones.filter(number="+17205550111").exists()


def test_lead_matching_an_existing_phone_in_another_format_attaches(api, brokerage):
    existing = ContactFactory(org=brokerage.org, phones=["+17205550111"])
    lead = {**LEAD, "person": {"first_name": "N", "phones": ["720.555.0111"]}}
    body = api.post(URL, lead).json()
    assert (body["deduplicated"], body["contact_id"]) == (True, existing.pk)


def test_same_email_in_another_org_is_not_a_match(api, brokerage):
    other = build_brokerage("Other Realty")
    theirs = ContactFactory(org=other.org, emails=["nora.lind@example.com"])
    body = api.post(URL, LEAD).json()
    assert body["deduplicated"] is False
    assert body["contact_id"] != theirs.pk
    assert Contact.objects.get(pk=body["contact_id"]).org_id == brokerage.org.pk


def test_minimal_lead_needs_only_a_person_with_a_phone(api):
    response = api.post(URL, {"person": {"phones": ["303 555 0100"]}})
    assert response.status_code == 201
    inquiry = LeadInquiry.objects.get(pk=response.json()["inquiry_id"])
    assert (inquiry.lead_type, inquiry.price, inquiry.property) == ("buyer", None, {})


def test_price_may_be_written_as_text(api):
    lead = {**LEAD, "property": {"price": "$1,250,000"}}
    body = api.post(URL, lead).json()
    assert LeadInquiry.objects.get(pk=body["inquiry_id"]).price == Decimal("1250000.00")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "landlord"}, "type"),
        ({"person": {"first_name": "No Way To Reach"}}, "person"),
        ({"person": {"emails": ["not-an-address"]}}, "person.emails"),
        ({"person": {"phones": ["12"]}}, "person.phones"),
        ({"person": {"first_name": "Nul\x00l", "phones": ["3035550100"]}}, "person.first_name"),
        ({"person": {"first_name": "x" * 101, "phones": ["3035550100"]}}, "person.first_name"),
        ({"property": {"price": "call me"}}, "property.price"),
        ({"property": {"price": "1e20"}}, "property.price"),
        ({"language": "klingon-tlhingan"}, "language"),
        ({"person": None}, "person"),
    ],
)
def test_bad_lead_is_a_422_naming_the_field_and_writes_nothing(api, brokerage, change, field):
    before = counts(brokerage.org)
    response = api.post(URL, {**LEAD, **change})
    assert response.status_code == 422, response.content
    assert error(response)["code"] == "validation_failed"
    assert field in error(response)["fields"], error(response)
    assert counts(brokerage.org) == before


def test_missing_body_is_a_422(api):
    response = api.client.post(URL, data="", content_type="application/json", **api.headers)
    assert response.status_code in (400, 422)
    assert "error" in response.json()


def test_leads_need_authentication(brokerage):
    response = ApiClient().post(URL, LEAD)
    assert response.status_code == 401
    assert error(response)["code"] == "unauthenticated"
    assert counts(brokerage.org) == (0, 0, 0)


def test_post_lead_query_count_does_not_grow_with_the_contacts(
    api, brokerage, django_assert_max_num_queries
):
    # Auth (1), dedupe lookup (1), contact + e-mail (2), inquiry (1), notification (1),
    # audit entries (1), events (1), transaction (2): the org's configuration is cached. On
    # PostgreSQL one more: the lock on the person's addresses (SQLite has one writer).
    api.post(URL, {**LEAD, "person": {"emails": ["warm@example.com"]}})
    most = 10 + (connection.vendor == "postgresql")
    with django_assert_max_num_queries(most) as baseline:
        assert api.post(URL, {**LEAD, "person": {"emails": ["a@example.com"]}}).status_code == 201
    for i in range(30):
        ContactFactory(org=brokerage.org, owner=brokerage.ben, emails=[f"p{i}@example.com"])
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        response = api.post(URL, {**LEAD, "person": {"emails": ["new@example.com"]}})
        assert response.status_code == 201


# Idempotency-Key


def test_retry_with_the_same_key_returns_the_same_answer_and_creates_nothing(api, brokerage):
    first = api.post(URL, LEAD, HTTP_IDEMPOTENCY_KEY="lead-0001")
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    before = counts(brokerage.org)
    again = api.post(URL, LEAD, HTTP_IDEMPOTENCY_KEY="lead-0001")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert counts(brokerage.org) == before


def test_same_key_with_a_different_body_is_a_409(api, brokerage):
    api.post(URL, LEAD, HTTP_IDEMPOTENCY_KEY="lead-0002")
    before = counts(brokerage.org)
    changed = {**LEAD, "message": "Actually, Sunday."}
    response = api.post(URL, changed, HTTP_IDEMPOTENCY_KEY="lead-0002")
    assert response.status_code == 409
    assert error(response)["code"] == "conflict"
    assert "Idempotency-Key" in error(response)["fields"]
    assert counts(brokerage.org) == before


def test_a_key_is_private_to_its_org(api, brokerage):
    other = build_brokerage("Other Realty")
    ApiClient(other.broker).post(URL, LEAD, HTTP_IDEMPOTENCY_KEY="shared-key")
    response = api.post(URL, LEAD, HTTP_IDEMPOTENCY_KEY="shared-key")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert LeadInquiry.objects.filter(org=brokerage.org).count() == 1


def test_invalid_key_is_a_422(api, brokerage):
    response = api.post(URL, LEAD, HTTP_IDEMPOTENCY_KEY="x" * 201)
    assert response.status_code == 422
    assert "Idempotency-Key" in error(response)["fields"]
    assert counts(brokerage.org) == (0, 0, 0)


def test_invalid_lead_with_a_key_leaves_the_key_free(api, brokerage):
    bad = {**LEAD, "person": {"emails": ["nope"]}}
    assert api.post(URL, bad, HTTP_IDEMPOTENCY_KEY="lead-0003").status_code == 422
    assert api.post(URL, LEAD, HTTP_IDEMPOTENCY_KEY="lead-0003").status_code == 201


# POST /leads/email


def post_email(api, raw: bytes, content_type="message/rfc822", **extra):
    return api.client.post(
        f"{URL}/email", data=raw, content_type=content_type, **api.headers, **extra
    )


def test_relm_email_becomes_a_lead(api, brokerage):
    response = post_email(api, (DATA / "relm_buyer.eml").read_bytes())
    assert response.status_code == 201, response.content
    inquiry = LeadInquiry.objects.get(pk=response.json()["inquiry_id"])
    assert (inquiry.channel, inquiry.source, inquiry.org_id) == (
        Channel.EMAIL,
        "HomeFinder",
        brokerage.org.pk,
    )
    assert ContactEmail.objects.filter(
        org=brokerage.org, address="renee.oconnor@example.com"
    ).exists()


def test_unparseable_email_is_a_422_with_the_review_item_id(api, brokerage):
    response = post_email(api, (DATA / "unparseable.eml").read_bytes())
    assert response.status_code == 422
    body = response.json()
    assert body["error"]["code"] == "kept_for_review"
    assert "review queue" in body["error"]["message"]
    assert body["error"]["fields"]["message"] == [
        "No e-mail address or phone number found in the message."
    ]
    item = LeadReviewItem.objects.get(pk=body["review_item_id"])
    assert item.org_id == brokerage.org.pk and item.status == ReviewStatus.OPEN
    assert not LeadInquiry.objects.exists()


def test_redelivered_email_replays_the_first_answer(api, brokerage):
    raw = (DATA / "portal_plain.eml").read_bytes()
    first = post_email(api, raw)
    again = post_email(api, raw)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert LeadInquiry.objects.filter(org=brokerage.org).count() == 1


def test_email_with_idempotency_key_and_another_body_is_a_409(api):
    post_email(api, (DATA / "portal_plain.eml").read_bytes(), HTTP_IDEMPOTENCY_KEY="m-1")
    response = post_email(api, (DATA / "relm_buyer.eml").read_bytes(), HTTP_IDEMPOTENCY_KEY="m-1")
    assert response.status_code == 409
    assert LeadInquiry.objects.count() == 1


def test_email_needs_the_message_content_type(api):
    response = post_email(api, b"Subject: x\r\n\r\nhello", content_type="text/plain")
    assert response.status_code == 415
    assert error(response)["code"] == "unsupported_media_type"


def test_empty_email_is_a_422_and_keeps_nothing(api):
    response = post_email(api, b"  \r\n")
    assert response.status_code == 422
    assert error(response)["code"] == "validation_failed"
    assert not LeadReviewItem.objects.exists()


def test_too_large_email_is_a_413(api, monkeypatch):
    monkeypatch.setattr(leads_api, "LEAD_EMAIL_MAX_BYTES", 100)
    response = post_email(api, b"Subject: big\r\n\r\n" + b"x" * 200)
    assert response.status_code == 413
    assert error(response)["code"] == "too_large"
    assert not LeadReviewItem.objects.exists()


# GET /leads/review


def queue_item(org, n: int = 0) -> LeadReviewItem:
    return review_item_create(
        org_id=org.pk,
        subject=f"Unreadable {n}",
        sender="desk@portal.example",
        raw=f"Subject: Unreadable {n}\r\n\r\nName: Sam {n}\r\nEmail: sam{n}@@example\r\n",
        reason="Invalid e-mail address.",
    )


@pytest.mark.parametrize("who", ["broker", "lead", "manager", "sysadmin", "chris"])
def test_reviewers_see_their_orgs_queue(brokerage, who):
    mine = queue_item(brokerage.org)
    other = build_brokerage("Other Realty")
    queue_item(other.org)
    response = ApiClient(getattr(brokerage, who)).get(f"{URL}/review")
    assert response.status_code == 200
    assert [i["id"] for i in response.json()["items"]] == [mine.pk]


@pytest.mark.parametrize("who", ["ben", "maria", "buyer", "compliance"])
def test_members_without_a_review_role_see_no_queue(brokerage, who):
    item = queue_item(brokerage.org)
    client = ApiClient(getattr(brokerage, who))
    assert client.get(f"{URL}/review").status_code == 403
    response = client.get(f"{URL}/review/{item.pk}")
    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"


def test_another_orgs_item_is_not_found(brokerage):
    other = build_brokerage("Other Realty")
    theirs = queue_item(other.org)
    response = ApiClient(brokerage.broker).get(f"{URL}/review/{theirs.pk}")
    assert response.status_code == 404


def test_review_detail_shows_raw_message_and_what_was_parsed(api, brokerage):
    item = queue_item(brokerage.org, 3)
    body = api.get(f"{URL}/review/{item.pk}").json()
    assert body["raw"].startswith("Subject: Unreadable 3")
    assert body["reason"] == "Invalid e-mail address."
    assert body["parsed"] == {"first_name": "Sam", "last_name": "3", "email": "sam3@@example"}


def test_review_list_pages_with_a_cursor_and_filters_by_status(api, brokerage):
    items = [queue_item(brokerage.org, n) for n in range(5)]
    LeadReviewItem.objects.filter(pk=items[0].pk).update(status=ReviewStatus.DISCARDED)
    first = api.get(f"{URL}/review?limit=3").json()
    second = api.get(f"{URL}/review?limit=3&cursor={first['next_cursor']}").json()
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert ids == [i.pk for i in reversed(items[1:])]
    assert second["next_cursor"] is None
    discarded = api.get(f"{URL}/review?status=discarded").json()["items"]
    assert [i["id"] for i in discarded] == [items[0].pk]
    assert api.get(f"{URL}/review?status=lost").status_code == 422


@pytest.mark.query_guard("GET /api/v1/leads/review")
def test_review_list_runs_a_constant_number_of_queries(
    api, brokerage, django_assert_max_num_queries
):
    queue_item(brokerage.org)
    api.get(f"{URL}/review")
    with django_assert_max_num_queries(8) as few:
        api.get(f"{URL}/review")
    for n in range(20):
        queue_item(brokerage.org, n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get(f"{URL}/review").json()["items"]) == 21
