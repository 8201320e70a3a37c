"""Duplicates and merge pages: what each member sees, merging end to end, query counts."""

from __future__ import annotations

import pytest
from django.test import Client

from rallypoynt.accounts.tests.factories import UserFactory
from rallypoynt.contacts.models import Contact, Touchpoint
from rallypoynt.contacts.tests.factories import ContactFactory, TouchpointFactory
from rallypoynt.core.testing import client_for
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


def text(response) -> str:
    return response.content.decode()


def test_the_pages_need_a_login_and_a_seat_in_an_org(db):
    assert Client().get("/contacts/duplicates/").status_code == 302
    client = Client()
    client.force_login(UserFactory())
    assert client.get("/contacts/duplicates/").status_code == 403
    assert client.get("/contacts/merge/1/2/").status_code == 403


def test_the_duplicates_page_lists_pairs_with_score_and_reasons(firm):
    person(firm.ben, first="Zelda", emails=["zelda@x.com"])
    person(firm.ben, first="Zelda", emails=["zelda@x.com"])
    response = client_for(firm.ben).get("/contacts/duplicates/")
    page = text(response)
    assert response.status_code == 200
    assert "same e-mail zelda@x.com" in page
    assert '<span class="badge">100</span>' in page
    assert "Review and merge" in page and "Not a duplicate" in page


def test_the_duplicates_page_shows_nothing_of_another_org_or_outside_the_agents_scope(firm, other):
    person(other.ben, first="Secretia", emails=["secret@x.com"])
    person(other.ben, first="Secretia", emails=["secret@x.com"])
    person(firm.ben, first="Hidden", emails=["hidden@x.com"])
    person(firm.maria, first="Hidden", emails=["hidden@x.com"])
    for member in (firm.ben, firm.broker):
        page = text(client_for(member).get("/contacts/duplicates/"))
        assert "Secretia" not in page and "secret@x.com" not in page
    page = text(client_for(firm.ben).get("/contacts/duplicates/"))
    assert "hidden@x.com" not in page and "No likely duplicates" in page
    assert "hidden@x.com" in text(client_for(firm.broker).get("/contacts/duplicates/"))


@pytest.mark.query_guard("contacts:duplicates")
def test_the_duplicates_page_runs_a_constant_number_of_queries(firm, django_assert_max_num_queries):
    client = client_for(firm.broker)

    def add_pairs(n, start):
        for i in range(start, start + n):
            for owner in (firm.ben, firm.maria):
                person(owner, first=f"P{i}", emails=[f"p{i}@x.com"], phones=["+13035550100"])
                TouchpointFactory(contact=Contact.objects.filter(owner=owner).last())

    add_pairs(2, 0)
    client.get("/contacts/duplicates/")  # warm per-process caches (content types, sessions)
    with django_assert_max_num_queries(12) as few:
        assert client.get("/contacts/duplicates/").status_code == 200
    add_pairs(12, 2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = text(client.get("/contacts/duplicates/"))
    assert page.count("Review and merge") >= 14


def test_the_merge_page_shows_both_contacts_with_a_choice_per_differing_field(firm):
    keep = person(firm.ben, first="Ana", source="Zillow", emails=["a@x.com"])
    merge = person(firm.ben, first="Anna", source="", emails=["b@x.com"])
    TouchpointFactory.create_batch(2, contact=merge)
    response = client_for(firm.ben).get(f"/contacts/merge/{keep.pk}/{merge.pk}/")
    page = text(response)
    assert response.status_code == 200
    assert 'name="choice_first_name" value="keep" checked' in page
    assert 'name="choice_first_name" value="merge"' in page
    assert 'name="choice_source"' in page  # differs: one side is empty
    assert 'name="choice_last_name"' not in page  # the same on both sides
    assert "a@x.com" in page and "b@x.com" in page
    assert "2 touchpoints" in page and "1 touchpoints" not in page


def test_confirming_a_merge_applies_the_choices_and_goes_to_the_kept_contact(firm):
    keep = person(firm.ben, first="Ana")
    merge = person(firm.ben, first="Anna")
    touchpoint = TouchpointFactory(contact=merge)
    response = client_for(firm.ben).post(
        f"/contacts/merge/{keep.pk}/{merge.pk}/", {"choice_first_name": "merge"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{keep.pk}/"
    keep.refresh_from_db()
    assert keep.first_name == "Anna"
    assert Touchpoint.objects.get(pk=touchpoint.pk).contact_id == keep.pk
    assert not Contact.objects.filter(pk=merge.pk).exists()


def test_the_merge_page_is_not_found_across_orgs_or_outside_scope_and_merges_nothing(firm, other):
    mine, theirs, hers = person(firm.ben), person(other.ben), person(firm.maria)
    broker, ben = client_for(firm.broker), client_for(firm.ben)
    for client, a, b in ((broker, mine, theirs), (broker, theirs, mine), (ben, mine, hers)):
        assert client.get(f"/contacts/merge/{a.pk}/{b.pk}/").status_code == 404
        assert client.post(f"/contacts/merge/{a.pk}/{b.pk}/").status_code == 404
    assert client_for(firm.ben).get(f"/contacts/merge/{mine.pk}/{mine.pk}/").status_code == 404
    assert Contact.objects.filter(pk__in=[mine.pk, theirs.pk, hers.pk]).count() == 3


def test_not_a_duplicate_removes_the_pair_with_htmx_or_a_plain_post(firm, other):
    a = person(firm.ben, emails=["a@x.com"])
    b = person(firm.ben, emails=["a@x.com"])
    c = person(firm.ben, emails=["c@x.com"])
    d = person(firm.ben, emails=["c@x.com"])
    client = client_for(firm.ben)
    response = client.post(
        "/contacts/duplicates/dismiss/", {"first": a.pk, "second": b.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and response.content == b""
    response = client.post("/contacts/duplicates/dismiss/", {"first": c.pk, "second": d.pk})
    assert response.status_code == 302
    assert "No likely duplicates" in text(client.get("/contacts/duplicates/"))
    theirs = person(other.ben)
    response = client.post(
        "/contacts/duplicates/dismiss/",
        {"first": a.pk, "second": theirs.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 404
