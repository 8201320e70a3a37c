"""Parties: the team contact list, the transaction coordinator who sees the deals assigned to
them, and the co-op agent who is only a name and never logs in."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.core.testing import client_for, count_queries
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Membership, Notification
from rallypoynt.orgs.tests.factories import MembershipFactory
from rallypoynt.transactions.models import Party
from rallypoynt.transactions.services.deadlines import deadline_add
from rallypoynt.transactions.services.parties import party_add
from rallypoynt.transactions.tests.factories import deal_for

pytestmark = pytest.mark.django_db


def parties_url(deal) -> str:
    return f"/api/v1/transactions/{deal.pk}/parties"


def test_a_new_deal_lists_its_clients_and_agent(brokerage):
    deal = deal_for(brokerage.ben)
    rows = ApiClient(brokerage.ben).get(parties_url(deal)).json()
    assert [(r["role"], r["side"]) for r in rows] == [("buyer", "buy"), ("buyer_agent", "buy")]
    assert rows[1]["member_id"] == brokerage.ben.pk
    assert rows[1]["email"] == brokerage.ben.user.email


def test_outsiders_are_named_with_checked_details(brokerage):
    deal = deal_for(brokerage.ben)
    api = ApiClient(brokerage.ben)
    lender = api.post(
        parties_url(deal),
        {
            "role": "lender",
            "name": " Pat Loan ",
            "company": "Peak Mortgage",
            "email": "Pat@PeakMortgage.example",
            "phone": "(303) 555-0142",
        },
    )
    assert lender.status_code == 201, lender.content
    assert lender.json()["email"] == "pat@peakmortgage.example"
    assert lender.json()["phone"] == "+13035550142" and lender.json()["name"] == "Pat Loan"
    before = Party.objects.count()
    for bad, field in (
        ({"role": "lender", "name": "X", "email": "not-an-email"}, "email"),
        ({"role": "lender", "name": "X", "phone": "12"}, "phone"),
        ({"role": "plumber", "name": "X"}, "role"),
        ({"role": "lender", "name": "  "}, "name"),
        ({"role": "attorney", "member_id": brokerage.ben.pk, "contact_id": 1}, "member_id"),
    ):
        response = api.post(parties_url(deal), bad)
        assert response.status_code == 422, (bad, response.content)
        assert field in response.json()["error"]["fields"]
    assert Party.objects.count() == before
    patched = api.patch(f"/api/v1/parties/{lender.json()['id']}", {"company": "Summit Loans"})
    assert patched.json()["company"] == "Summit Loans" and patched.json()["name"] == "Pat Loan"


def test_the_coordinator_sees_only_the_deals_assigned_to_them(brokerage):
    tc = MembershipFactory(org=brokerage.org, roles=[Role.TRANSACTION_COORDINATOR])
    assigned, other = deal_for(brokerage.ben), deal_for(brokerage.ben, street="2 Side St")
    deadline_add(actor=brokerage.ben, deal_id=assigned.pk, kind="inspection", amount=2)
    deadline_add(actor=brokerage.ben, deal_id=other.pk, kind="inspection", amount=2)
    api, page = ApiClient(tc), client_for(tc)
    assert api.get(f"/api/v1/transactions/{assigned.pk}").status_code == 404
    assert page.get(f"/transactions/{assigned.pk}/").status_code == 404

    party = ApiClient(brokerage.ben).post(
        parties_url(assigned), {"role": "transaction_coordinator", "member_id": tc.pk}
    )
    assert party.status_code == 201 and party.json()["name"] == str(tc.user)
    assert Notification.objects.filter(recipient=tc, kind="transaction.party_added").exists()
    assert api.get(f"/api/v1/transactions/{assigned.pk}").status_code == 200
    assert page.get(f"/transactions/{assigned.pk}/").status_code == 200
    assert api.get(f"/api/v1/transactions/{other.pk}").status_code == 404
    assert page.get(f"/transactions/{other.pk}/").status_code == 404
    week = api.get("/api/v1/deadlines?days=7").json()["items"]
    assert {row["deal_id"] for row in week} == {assigned.pk}
    # The coordinator works the deal: adds the title company.
    added = api.post(parties_url(assigned), {"role": "title_escrow", "name": "Alpine Title"})
    assert added.status_code == 201

    assert (
        ApiClient(brokerage.ben).delete(f"/api/v1/parties/{party.json()['id']}").status_code == 204
    )
    assert api.get(f"/api/v1/transactions/{assigned.pk}").status_code == 404


def test_a_co_op_agent_party_never_logs_in(brokerage, other):
    deal = deal_for(brokerage.ben)
    users = get_user_model().objects.count()
    memberships = Membership.objects.count()
    stranger = other.ben  # an agent of another brokerage, on our deal as the co-op agent
    co_op = ApiClient(brokerage.ben).post(
        parties_url(deal),
        {"role": "listing_agent", "name": "Sam Coop", "email": stranger.user.email},
    )
    assert co_op.status_code == 201 and co_op.json()["side"] == "sell"
    assert co_op.json()["member_id"] is None
    assert get_user_model().objects.count() == users
    assert Membership.objects.count() == memberships
    assert ApiClient(stranger).get(f"/api/v1/transactions/{deal.pk}").status_code == 404
    assert ApiClient(stranger).get(parties_url(deal)).status_code == 404
    assert client_for(stranger).get(f"/transactions/{deal.pk}/").status_code == 404


def test_a_member_of_another_org_cannot_be_made_a_party(brokerage, other):
    deal = deal_for(brokerage.ben)
    response = ApiClient(brokerage.ben).post(
        parties_url(deal), {"role": "transaction_coordinator", "member_id": other.ben.pk}
    )
    assert response.status_code == 422
    assert not Party.objects.filter(member=other.ben).exists()


def test_out_of_scope_members_cannot_read_or_change_parties(brokerage, other):
    deal = deal_for(brokerage.ben)
    party = party_add(actor=brokerage.ben, deal_id=deal.pk, role="inspector", name="Ivy")
    for outsider in (brokerage.maria, other.broker):
        api = ApiClient(outsider)
        assert api.get(parties_url(deal)).status_code == 404
        assert api.post(parties_url(deal), {"role": "lender", "name": "X"}).status_code == 404
        assert api.patch(f"/api/v1/parties/{party.pk}", {"name": "Y"}).status_code == 404
        assert api.delete(f"/api/v1/parties/{party.pk}").status_code == 404
    assert Party.objects.get(pk=party.pk).name == "Ivy"
    # The broker sees every deal of the org.
    assert ApiClient(brokerage.broker).get(parties_url(deal)).status_code == 200


@pytest.mark.query_guard("GET /api/v1/transactions/{deal_id}/parties")
def test_the_contact_list_costs_the_same_for_many_parties(brokerage):
    deal = deal_for(brokerage.ben)
    api = ApiClient(brokerage.ben)
    api.get(parties_url(deal))  # warm the per-process caches (org config, token)
    few = count_queries(lambda: api.get(parties_url(deal)))
    for n in range(6):
        member = MembershipFactory(org=brokerage.org)
        party_add(actor=brokerage.ben, deal_id=deal.pk, role="other", member_id=member.pk)
        party_add(actor=brokerage.ben, deal_id=deal.pk, role="inspector", name=f"I{n}")
    api.get(parties_url(deal))  # new members renewed the org's cached roles
    assert count_queries(lambda: api.get(parties_url(deal))) == few


def test_the_deal_page_lists_and_adds_parties_and_exports_them(brokerage, other):
    deal = deal_for(brokerage.ben)
    page = client_for(brokerage.ben)
    response = page.post(
        f"/transactions/{deal.pk}/party/",
        {"role": "title_escrow", "name": "=HYPERLINK(1)", "company": "Alpine Title"},
        follow=True,
    )
    html = response.content.decode()
    assert "Alpine Title" in html and "Title / escrow" in html
    bad = page.post(
        f"/transactions/{deal.pk}/party/", {"role": "lender", "email": "x@"}, follow=True
    )
    assert "needs a name" in bad.content.decode()
    exported = page.get(f"/transactions/{deal.pk}/contacts.csv")
    assert exported["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK(1)" in exported.content.decode()  # never run as a formula
    assert client_for(other.ben).get(f"/transactions/{deal.pk}/contacts.csv").status_code == 404
    assert (
        client_for(brokerage.maria).get(f"/transactions/{deal.pk}/contacts.csv").status_code == 404
    )
    removed = Party.objects.get(deal=deal, role="title_escrow")
    page.post(f"/transactions/{deal.pk}/party-remove/", {"party_id": removed.pk})
    assert not Party.objects.filter(pk=removed.pk).exists()
