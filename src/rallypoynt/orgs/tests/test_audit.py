"""The audit log page and endpoint, and switching between a user's organizations."""

import pytest
from django.test import Client

from rallypoynt.accounts.tests.factories import PASSWORD
from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.orgs import services
from rallypoynt.orgs.middleware import SESSION_ORG_KEY
from rallypoynt.orgs.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _browser(member) -> Client:
    client = Client()
    assert client.login(email=member.user.email, password=PASSWORD)
    return client


def test_broker_reads_the_audit_log_with_who_and_what_changed(brokerage, other):
    services.office_create(actor=brokerage.broker, name="Golden")
    services.office_create(actor=other.broker, name="Secret Office")
    page = _browser(brokerage.compliance).get("/settings/audit/")
    assert page.status_code == 200
    assert b"office.create" in page.content and b"Golden" in page.content
    assert b"Secret Office" not in page.content


def test_agents_cannot_read_the_audit_log_through_page_or_api(brokerage):
    services.office_create(actor=brokerage.broker, name="Golden")
    assert _browser(brokerage.ben).get("/settings/audit/").status_code == 403
    assert b"Audit log" not in _browser(brokerage.ben).get("/settings/").content
    response = ApiClient(brokerage.ben).get("/api/v1/audit")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_audit_endpoint_pages_and_filters_within_the_org(brokerage, other):
    for n in range(7):
        services.office_create(actor=brokerage.broker, name=f"Office {n}")
    services.office_create(actor=other.broker, name="Elsewhere")
    api = ApiClient(brokerage.broker)
    first = api.get("/api/v1/audit?action=office.create&limit=5").json()
    assert len(first["items"]) == 5 and first["next_cursor"]
    rest = api.get(f"/api/v1/audit?action=office.create&limit=5&cursor={first['next_cursor']}")
    names = [i["object_repr"] for i in first["items"] + rest.json()["items"]]
    assert sorted(names) == sorted(f"Office {n}" for n in range(7))


def test_a_user_with_two_seats_switches_organization(brokerage, other):
    second_seat = MembershipFactory(org=other.org, user=brokerage.ben.user)
    client = _browser(brokerage.ben)
    assert b"Work in" in client.get("/accounts/profile/").content
    client.post("/settings/switch/", {"org_id": other.org.pk})
    assert client.session[SESSION_ORG_KEY] == other.org.pk
    assert other.org.name.encode() in client.get("/").content
    assert second_seat.org_id == other.org.pk


def test_switching_to_an_org_without_a_seat_changes_nothing(brokerage, other):
    client = _browser(brokerage.ben)
    client.post("/settings/switch/", {"org_id": other.org.pk})
    assert SESSION_ORG_KEY not in client.session
    assert brokerage.org.name.encode() in client.get("/").content
