""" "My day": overdue and due-today tasks, new leads and leads awaiting a first response."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rallypoynt.contacts.models import Contact
from rallypoynt.contacts.selectors import day_bounds
from rallypoynt.contacts.tests.factories import ContactFactory, TaskFactory
from rallypoynt.core.testing import count_queries
from rallypoynt.leads.models import LeadInquiry
from rallypoynt.leads.selectors import inquiries_waiting, my_day
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return build_brokerage()


def inquiry(contact, **values) -> LeadInquiry:
    values.setdefault("received_at", timezone.now())
    return LeadInquiry.objects.create(org=contact.org, contact=contact, channel="web", **values)


def home(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def test_overdue_and_due_today_hold_only_my_open_tasks(org):
    now = datetime(2025, 3, 10, 15, 0, tzinfo=UTC)  # 11:00 in New York
    contact = ContactFactory(org=org.org, owner=org.ben)
    late = TaskFactory(contact=contact, assignee=org.ben, due_at=now - timedelta(hours=2))
    today = TaskFactory(contact=contact, assignee=org.ben, due_at=now + timedelta(hours=5))
    TaskFactory(contact=contact, assignee=org.ben, due_at=now + timedelta(days=1))
    TaskFactory(contact=contact, assignee=org.ben, due_at=now - timedelta(days=1), completed_at=now)
    TaskFactory(contact=contact, assignee=org.maria, due_at=now - timedelta(hours=1))
    day = my_day(actor=org.ben, now=now)
    assert day["overdue"].rows == [late]
    assert day["due_today"].rows == [today]


def test_today_is_the_orgs_local_day(org):
    # 02:00 UTC on March 11 is still March 10 in New York.
    start, end = day_bounds(actor=org.ben, now=datetime(2025, 3, 11, 2, 0, tzinfo=UTC))
    assert start.date().isoformat() == "2025-03-10" and (end - start) == timedelta(days=1)


def test_new_leads_are_recent_visible_leads_newest_first(org):
    old = ContactFactory(org=org.org, owner=org.ben, stage="lead")
    Contact.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    new = ContactFactory(org=org.org, owner=org.ben, stage="lead")
    ContactFactory(org=org.org, owner=org.ben, stage="client")
    ContactFactory(org=org.org, owner=org.maria, stage="lead")
    assert my_day(actor=org.ben)["new_leads"].rows == [new]


def test_waiting_leads_are_those_assigned_to_me_or_my_scope_or_my_teams_pond(org):
    mine = inquiry(
        ContactFactory(org=org.org, owner=org.buyer), status="assigned", assigned_to=org.buyer
    )
    inquiry(ContactFactory(org=org.org, owner=org.buyer), status="responded", assigned_to=org.buyer)
    pond = inquiry(ContactFactory(org=org.org, owner=None), status="pond", pond_team=org.summit)
    others = inquiry(
        ContactFactory(org=org.org, owner=org.maria), status="assigned", assigned_to=org.maria
    )
    assert set(inquiries_waiting(actor=org.buyer)) == {mine, pond}
    assert set(inquiries_waiting(actor=org.lead)) == {mine, pond}  # leads the Summit team
    assert set(inquiries_waiting(actor=org.chris)) == {others}
    assert set(inquiries_waiting(actor=org.ben)) == set()
    assert set(inquiries_waiting(actor=org.broker)) == {mine, pond, others}
    assert set(inquiries_waiting(actor=build_brokerage("Other Realty").broker)) == set()


def test_a_waiting_lead_past_its_response_target_is_marked_late(org):
    now = timezone.now()
    contact = ContactFactory(org=org.org, owner=org.ben)
    inquiry(
        contact, status="new", assigned_to=org.ben, first_response_due_at=now - timedelta(minutes=5)
    )
    [row] = my_day(actor=org.ben, now=now)["waiting"].rows
    assert row.is_late is True


def test_home_page_shows_my_day_sections(org):
    now = timezone.now()
    contact = ContactFactory(org=org.org, owner=org.ben, first_name="Lena", stage="lead")
    TaskFactory(
        contact=contact, assignee=org.ben, title="Call Lena", due_at=now - timedelta(hours=1)
    )
    inquiry(contact, status="assigned", assigned_to=org.ben, source="Zillow")
    body = home(org.ben).get("/").content.decode()
    for text in ("Overdue tasks", "Call Lena", "Leads waiting for a first response", "Zillow"):
        assert text in body
    assert f'href="/contacts/{contact.pk}/"' in body


@pytest.mark.query_guard("web:home")
def test_home_query_count_is_constant_as_tasks_and_leads_grow(org):
    contact = ContactFactory(org=org.org, owner=org.ben, stage="lead")
    client = home(org.ben)
    client.get("/")
    few = count_queries(lambda: client.get("/"))
    now = timezone.now()
    for i in range(15):
        c = ContactFactory(org=org.org, owner=org.ben, stage="lead")
        TaskFactory(contact=c, assignee=org.ben, due_at=now - timedelta(hours=i + 1))
        TaskFactory(contact=contact, assignee=org.ben, due_at=now + timedelta(minutes=i + 1))
        inquiry(c, status="assigned", assigned_to=org.ben)
    assert count_queries(lambda: client.get("/")) == few


def test_a_coordinator_on_the_team_sees_no_waiting_leads_but_their_own(org):
    from rallypoynt.orgs.choices import Role
    from rallypoynt.orgs.tests.factories import MembershipFactory, team_with

    tc = MembershipFactory(org=org.org, roles=[Role.TRANSACTION_COORDINATOR], office=org.denver)
    team_with(org.summit, tc)
    inquiry(ContactFactory(org=org.org, owner=org.buyer), status="assigned", assigned_to=org.buyer)
    inquiry(ContactFactory(org=org.org, owner=None), status="pond", pond_team=org.summit)
    handed = inquiry(ContactFactory(org=org.org, owner=tc), status="assigned", assigned_to=tc)
    assert set(inquiries_waiting(actor=tc)) == {handed}
