"""The header search: the results page, the dropdown's JSON and `GET /api/v1/search` find
contacts, deals and engagements the reader may see (and nothing else, answered as if it did not
exist), refuse input that cannot match with a 4xx, and run as many queries at any size."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from rallypoynt.accounts.services import api_token_create
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.testing import assert_queries_flat, client_for, page
from rallypoynt.journeys.services.engagements import engagement_open
from rallypoynt.orgs.tests.brokerage import build_brokerage
from rallypoynt.transactions.models import Deal
from rallypoynt.transactions.tests.factories import deal_for

pytestmark = pytest.mark.django_db

SEARCH, SUGGEST, API = "/search/", "/search/suggest", "/api/v1/search"


@pytest.fixture
def firm():
    return build_brokerage()


def api_client(member) -> Client:
    secret = api_token_create(actor=member, name="search tests")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def engagement(member, first: str, last: str, title: str = ""):
    client = ContactFactory(org=member.org, owner=member, first_name=first, last_name=last)
    return engagement_open(actor=member, contact_ids=[client.pk], side="buy", title=title)


def world(firm):
    """Ben's contact, deal and engagement; Maria's, which Ben may not see."""
    ben = {
        "contact": ContactFactory(
            org=firm.org,
            owner=firm.ben,
            first_name="Wilhelmina",
            last_name="Quist",
            emails=["wquist@gmail.com"],
            phones=["+13035559007"],
            street="12 Elm St",
        ),
        "deal": deal_for(firm.ben, street="4471 Tennyson St", city="Denver"),
        "engagement": engagement(firm.ben, "Ottoline", "Vance", "Vance family move"),
    }
    Deal.objects.filter(pk=ben["deal"].pk).update(mls_number="REC8814402")
    maria = {
        "contact": ContactFactory(
            org=firm.org, owner=firm.maria, first_name="Wilhelm", last_name="Quistgaard"
        ),
        "deal": deal_for(firm.maria, street="4470 Tennyson Pl"),
        "engagement": engagement(firm.maria, "Ottokar", "Vanceley"),
    }
    return ben, maria


def hits(response) -> dict[str, list[str]]:
    body = response.json()
    return {g["key"]: [i["url"] for i in g["items"]] for g in body["groups"]}


def test_the_header_holds_the_search_box_and_its_script_without_inline_code(firm):
    body = page(client_for(firm.ben).get("/"))
    assert 'role="search"' in body and 'data-suggest-url="/search/suggest"' in body
    assert "rallypoynt/search.js" in body
    # Every script is a file (the CSP runs no inline script).
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)


def test_the_page_shows_each_kind_linked_to_its_record(firm):
    ben, _ = world(firm)
    client = client_for(firm.ben)
    found = page(client.get(SEARCH, {"q": "quist wil"}))
    assert f'href="/contacts/{ben["contact"].pk}/"' in found and "wquist@gmail.com" in found
    found = page(client.get(SEARCH, {"q": "tennyson"}))
    assert f'href="/transactions/{ben["deal"].pk}/"' in found
    found = page(client.get(SEARCH, {"q": "REC8814402"}))
    assert re.findall(r'href="/transactions/(\d+)/"', found) == [str(ben["deal"].pk)]
    found = page(client.get(SEARCH, {"q": "ottoline"}))  # the client's name, not the title
    assert f'href="/pipeline/engagements/{ben["engagement"].pk}/"' in found
    assert "data-search-results" in found
    assert client.get(SEARCH).status_code == 200  # no query yet: the empty page


@pytest.mark.parametrize(
    "typed",
    ["(303) 555-9007", "3035559007", "555 9007", "gmail", "wquist", "12 elm", "Quist, W"],
)
def test_the_dropdown_finds_a_contact_by_phone_e_mail_address_or_name(firm, typed):
    ben, _ = world(firm)
    response = client_for(firm.ben).get(SUGGEST, {"q": typed})
    assert response.status_code == 200
    assert hits(response)["contacts"] == [f"/contacts/{ben['contact'].pk}/"]
    assert response.json()["all_url"].startswith("/search/?q=")


def test_the_api_answers_the_same_matches_by_id(firm):
    ben, _ = world(firm)
    client = api_client(firm.ben)
    body = client.get(API, {"q": "vance"}).json()
    assert [e["id"] for e in body["engagements"]] == [ben["engagement"].pk]
    body = client.get(API, {"q": "tennyson", "limit": 1}).json()
    assert [d["id"] for d in body["deals"]] == [ben["deal"].pk]
    assert body["deals"][0]["mls_number"] == "REC8814402"
    body = client.get(API, {"q": "wquist"}).json()
    assert body["contacts"][0]["email"] == "wquist@gmail.com"
    assert body["contacts"][0]["phone"] == "+13035559007"


def test_what_the_reader_may_not_see_answers_as_if_it_did_not_exist(firm):
    _, maria = world(firm)
    outsider = build_brokerage("Elsewhere")
    for who in (firm.ben, outsider.broker):
        client, api = client_for(who), api_client(who)
        for typed in ("quistgaard", "4470 tennyson pl", "vanceley", "ottokar"):
            missing = "zzqx" + typed.replace(" ", "")
            assert hits(client.get(SUGGEST, {"q": typed})) == hits(
                client.get(SUGGEST, {"q": missing})
            )
            seen = client.get(SEARCH, {"q": typed})
            assert seen.status_code == 200 and "Nothing you can see matches" in page(seen)
            body = api.get(API, {"q": typed}).json()
            assert body["contacts"] == body["deals"] == body["engagements"] == []
    # Maria's team lead and the broker see them.
    for who in (firm.chris, firm.broker):
        body = api_client(who).get(API, {"q": "quistgaard"}).json()
        assert [c["id"] for c in body["contacts"]] == [maria["contact"].pk]
        body = api_client(who).get(API, {"q": "vanceley"}).json()
        assert [e["id"] for e in body["engagements"]] == [maria["engagement"].pk]


BAD = {
    "too long": "a" * 101,
    "empty": "",
    "blank": "   ",
    "punctuation": "!!! ???",
    "emoji": "😀😀",
    "replacement": "\ufffd",
    "nul": "ann\x00",
    "control": "\x01\x02",
}


@pytest.mark.parametrize("value", BAD.values(), ids=BAD.keys())
def test_input_that_cannot_match_is_refused_with_a_4xx_never_a_500(firm, value):
    client = client_for(firm.ben)
    response = client.get(SEARCH, {"q": value})
    assert response.status_code == 400
    assert 'class="errorlist"' in page(response) or value == "ann\x00"
    response = client.get(SUGGEST, {"q": value})
    assert response.status_code == 400
    response = api_client(firm.ben).get(API, {"q": value})
    assert response.status_code == 422
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_odd_bytes_in_the_query_string_are_refused_or_answered_never_a_500(firm):
    client = client_for(firm.ben)
    for raw in ("%FF%FE", "%ED%A0%80", "%E2%80%AE%E2%80%AEabc", "a%25_%5C", "q=1"):
        for path in (SEARCH, SUGGEST):
            assert client.get(f"{path}?q={raw}").status_code in (200, 400), (path, raw)
        assert api_client(firm.ben).get(f"{API}?q={raw}").status_code in (200, 422), raw
    assert client.get(SEARCH, {"q": ["a", "b"]}).status_code == 200  # the last one wins
    assert api_client(firm.ben).get(API, {"q": "ann", "limit": 51}).status_code == 422


@pytest.mark.query_guard("web:search", "web:search_suggest", "GET /api/v1/search")
@pytest.mark.parametrize("reader", ["broker", "chris", "ben"])
def test_the_search_runs_as_many_queries_with_many_matches_as_with_few(firm, reader):
    member = getattr(firm, reader)
    client, api = client_for(member), api_client(member)
    made = {"n": 0}

    def grow():
        # One more of each kind for Ben and for Maria: every reader's matches grow.
        for owner in (firm.ben, firm.maria):
            made["n"] += 1
            n = made["n"]
            ContactFactory(org=firm.org, owner=owner, first_name="Paxton", last_name=f"P{n}")
            deal_for(owner, street=f"{n} Paxton Way")
            engagement(owner, "Paxton", f"Q{n}")

    grow()
    for fetch in (
        lambda: client.get(SEARCH, {"q": "paxton"}),
        lambda: client.get(SUGGEST, {"q": "paxton"}),
        lambda: api.get(API, {"q": "paxton", "limit": 50}),
    ):
        assert_queries_flat(fetch, grow)
