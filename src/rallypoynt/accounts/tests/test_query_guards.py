"""Query-count guards for the account pages and endpoints that list rows: the same number of
queries at a few rows and at more."""

from __future__ import annotations

import pytest

from rallypoynt.accounts.services import api_token_create
from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.core.testing import assert_queries_flat, client_for
from rallypoynt.orgs.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def add_tokens(member, count: int) -> None:
    for n in range(count):
        api_token_create(actor=member, name=f"Script {n}")


@pytest.mark.query_guard("account:tokens")
def test_the_tokens_page(brokerage):
    client = client_for(brokerage.ben)
    add_tokens(brokerage.ben, 1)
    assert_queries_flat(
        lambda: client.get("/accounts/tokens/"), lambda: add_tokens(brokerage.ben, 5)
    )


@pytest.mark.query_guard("GET /api/v1/tokens")
def test_the_token_list(brokerage):
    api = ApiClient(brokerage.ben)
    assert_queries_flat(lambda: api.get("/api/v1/tokens"), lambda: add_tokens(brokerage.ben, 5))


@pytest.mark.query_guard("account:profile")
def test_the_profile_page_with_more_seats(brokerage):
    client = client_for(brokerage.ben)
    MembershipFactory(user=brokerage.ben.user)  # the seat picker shows from two seats on

    def more_seats() -> None:
        for _ in range(4):
            MembershipFactory(user=brokerage.ben.user)

    assert_queries_flat(lambda: client.get("/accounts/profile/"), more_seats)
