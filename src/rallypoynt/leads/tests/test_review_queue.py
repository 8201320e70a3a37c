"""The lead review queue pages: who sees them, fixing an item into a lead, discarding it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from rallypoynt.contacts.choices import Channel
from rallypoynt.contacts.models import Contact
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.errors import Conflict, PermissionDenied
from rallypoynt.core.models import Event
from rallypoynt.core.testing import client_for
from rallypoynt.leads.choices import ReviewStatus
from rallypoynt.leads.models import LeadInquiry, LeadReviewItem
from rallypoynt.leads.services.email_intake import lead_email_ingest
from rallypoynt.leads.services.intake import LeadIn
from rallypoynt.leads.services.review import (
    review_item_discard,
    review_item_resolve,
)
from rallypoynt.leads.tests.factories import bad_email_item
from rallypoynt.orgs.tests.brokerage import build_brokerage

DATA = Path(__file__).parent / "data" / "lead_emails"
QUEUE = "/leads/review/"
REVIEWERS = ["broker", "lead", "manager", "sysadmin", "chris"]
NOT_REVIEWERS = ["ben", "maria", "buyer", "compliance"]


@pytest.fixture
def brokerage(db):
    return build_brokerage()


@pytest.fixture
def other(db):
    return build_brokerage("Other Realty")


def queued(org, sample: str = "unparseable.eml") -> LeadReviewItem:
    answer = lead_email_ingest(org_id=org.pk, raw=(DATA / sample).read_bytes())
    return LeadReviewItem.objects.get(pk=answer.body["review_item_id"])


def html(response) -> str:
    return response.content.decode()


# Who sees the queue


@pytest.mark.parametrize("who", REVIEWERS)
def test_reviewers_see_their_orgs_open_items(brokerage, other, who):
    mine = queued(brokerage.org)
    theirs = bad_email_item(other.org, 9)
    response = client_for(getattr(brokerage, who)).get(QUEUE)
    assert response.status_code == 200
    page_html = html(response)
    assert mine.subject in page_html and mine.reason in page_html
    assert theirs.subject not in page_html


@pytest.mark.parametrize("who", NOT_REVIEWERS)
def test_members_without_a_review_role_are_refused(brokerage, who):
    item = queued(brokerage.org)
    client = client_for(getattr(brokerage, who))
    for url in (QUEUE, f"{QUEUE}{item.pk}/"):
        response = client.get(url)
        assert response.status_code == 403
        assert item.subject not in html(response)
    assert client.post(f"{QUEUE}{item.pk}/discard/").status_code == 403
    assert client.post(f"{QUEUE}{item.pk}/", {"email": "x@example.com", "type": "buyer"})
    item.refresh_from_db()
    assert item.status == ReviewStatus.OPEN


def test_another_orgs_item_is_not_found_even_for_a_broker(brokerage, other):
    theirs = queued(other.org)
    client = client_for(brokerage.broker)
    assert client.get(f"{QUEUE}{theirs.pk}/").status_code == 404
    assert client.post(f"{QUEUE}{theirs.pk}/discard/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ReviewStatus.OPEN


def test_queue_needs_a_login(db):
    response = Client().get(QUEUE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.query_guard("leads:review_queue")
def test_queue_page_query_count_stays_flat_as_items_grow(brokerage, django_assert_max_num_queries):
    client = client_for(brokerage.lead)
    bad_email_item(brokerage.org)
    client.get(QUEUE)
    with django_assert_max_num_queries(30) as baseline:
        client.get(QUEUE)
    for n in range(1, 30):
        item = bad_email_item(brokerage.org, n)
        if n % 3 == 0:
            review_item_discard(actor=brokerage.broker, item_id=item.pk)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        response = client.get(QUEUE)
    assert html(response).count("/leads/review/") >= 20
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        assert client.get(f"{QUEUE}?status=discarded").status_code == 200


def test_queue_pages_older_items_with_a_cursor(brokerage):
    items = [bad_email_item(brokerage.org, n) for n in range(30)]
    client = client_for(brokerage.broker)
    first = html(client.get(QUEUE))
    assert "Lead 29<" in first and "Lead 4<" not in first
    cursor = first.split("cursor=")[1].split('"')[0]
    second = html(client.get(f"{QUEUE}?status=open&cursor={cursor}"))
    assert "Lead 4<" in second and "Lead 29<" not in second
    # A tampered cursor falls back to the first page instead of an error.
    assert client.get(f"{QUEUE}?cursor=%%%").status_code == 200
    assert len(items) == 30


# The detail page


def test_detail_shows_reason_raw_message_and_a_prefilled_form(brokerage):
    item = bad_email_item(brokerage.org)
    response = client_for(brokerage.lead).get(f"{QUEUE}{item.pk}/")
    page_html = html(response)
    assert response.status_code == 200
    assert "Invalid e-mail address &#x27;tess.ford@@example.com&#x27;." in page_html
    assert "Name: Tess Ford" in page_html  # the raw message
    assert 'value="Tess"' in page_html and 'value="Ford"' in page_html
    assert 'value="tess.ford@@example.com"' in page_html
    assert 'value="portal.example"' in page_html  # source defaults to the sender's domain


def test_fixing_an_item_creates_the_lead_and_links_it(brokerage):
    item = bad_email_item(brokerage.org)
    form = {
        "first_name": "Tess",
        "last_name": "Ford",
        "email": "tess.ford@example.com",
        "type": "seller",
        "source": "Portal",
        "price": "$700,000",
        "postal_code": "80302",
    }
    response = client_for(brokerage.lead).post(f"{QUEUE}{item.pk}/", form)
    assert response.status_code == 302 and response["Location"] == QUEUE
    item.refresh_from_db()
    assert item.status == ReviewStatus.RESOLVED
    assert item.resolved_by == brokerage.lead and item.resolved_at
    inquiry = item.inquiry
    assert (inquiry.channel, inquiry.lead_type, inquiry.source) == (
        Channel.EMAIL,
        "seller",
        "Portal",
    )
    assert str(inquiry.price) == "700000.00"
    assert inquiry.raw["review_item_id"] == item.pk
    assert inquiry.contact.emails.get().address == "tess.ford@example.com"
    assert Event.objects.filter(org=brokerage.org, kind="lead.review_resolved").exists()
    followed = client_for(brokerage.lead).get(QUEUE)
    assert "Lead created: inquiry" not in html(followed)  # message shown once, on redirect
    assert item.subject not in html(followed)


def test_fixing_into_an_existing_contact_deduplicates(brokerage):
    existing = ContactFactory(org=brokerage.org, emails=["tess.ford@example.com"])
    item = bad_email_item(brokerage.org)
    form = {"email": "tess.ford@example.com", "type": "buyer"}
    client_for(brokerage.broker).post(f"{QUEUE}{item.pk}/", form)
    item.refresh_from_db()
    assert item.inquiry.contact_id == existing.pk and item.inquiry.is_deduplicated


def test_form_without_email_or_phone_shows_the_error_and_creates_nothing(brokerage):
    item = bad_email_item(brokerage.org)
    response = client_for(brokerage.lead).post(
        f"{QUEUE}{item.pk}/", {"first_name": "Tess", "type": "buyer"}
    )
    assert response.status_code == 200
    assert "A lead needs an e-mail address or a phone number." in html(response)
    item.refresh_from_db()
    assert item.status == ReviewStatus.OPEN
    assert not LeadInquiry.objects.exists() and not Contact.objects.exists()


def test_invalid_email_from_intake_lands_on_the_email_field(brokerage):
    item = bad_email_item(brokerage.org)
    response = client_for(brokerage.lead).post(
        f"{QUEUE}{item.pk}/", {"email": "tess.ford@@example.com", "type": "buyer"}
    )
    page_html = html(response)
    assert 'id="id_email-errors"' in page_html
    item.refresh_from_db()
    assert item.status == ReviewStatus.OPEN
    assert not LeadInquiry.objects.exists()


def test_bad_price_is_a_form_error(brokerage):
    item = bad_email_item(brokerage.org)
    response = client_for(brokerage.lead).post(
        f"{QUEUE}{item.pk}/", {"email": "t@example.com", "type": "buyer", "price": "lots"}
    )
    assert 'id="id_price-errors"' in html(response)
    assert not LeadInquiry.objects.exists()


def test_closed_item_shows_no_form_and_ignores_posts(brokerage):
    item = bad_email_item(brokerage.org)
    review_item_discard(actor=brokerage.broker, item_id=item.pk)
    client = client_for(brokerage.lead)
    page_html = html(client.get(f"{QUEUE}{item.pk}/"))
    assert "Create the lead" not in page_html and "Discarded by" in page_html
    response = client.post(f"{QUEUE}{item.pk}/", {"email": "t@example.com", "type": "buyer"})
    assert response.status_code == 302
    assert not LeadInquiry.objects.exists()
    response = client.post(f"{QUEUE}{item.pk}/discard/", follow=True)
    assert "already discarded" in html(response)


def test_discarding_closes_the_item(brokerage):
    item = queued(brokerage.org)
    response = client_for(brokerage.manager).post(f"{QUEUE}{item.pk}/discard/")
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.resolved_by) == (ReviewStatus.DISCARDED, brokerage.manager)
    assert item.inquiry is None
    assert client_for(brokerage.manager).get(f"{QUEUE}{item.pk}/discard/").status_code == 405


# The services behind the pages


def test_services_refuse_an_agent_and_a_second_close(brokerage):
    item = bad_email_item(brokerage.org)
    lead = LeadIn(emails=["t@example.com"])
    with pytest.raises(PermissionDenied):
        review_item_resolve(actor=brokerage.ben, item_id=item.pk, lead=lead)
    with pytest.raises(PermissionDenied):
        review_item_discard(actor=brokerage.ben, item_id=item.pk)
    review_item_resolve(actor=brokerage.lead, item_id=item.pk, lead=lead)
    with pytest.raises(Conflict):
        review_item_resolve(
            actor=brokerage.lead, item_id=item.pk, lead=LeadIn(phones=["3035550100"])
        )
    assert LeadInquiry.objects.count() == 1
