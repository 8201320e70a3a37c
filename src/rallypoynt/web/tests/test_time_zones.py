"""Pages print times in the reader's zone: an org in Denver at 04:30 UTC on Dec 6 is still on
Saturday Dec 5, and no page may say Dec 6 or a UTC clock for it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.test import Client

from rallypoynt.accounts.services import api_token_create
from rallypoynt.contacts.tests.factories import ContactFactory, TaskFactory
from rallypoynt.core.audit import audit_record
from rallypoynt.core.timefmt import due_text
from rallypoynt.journeys.selectors import engagement_evaluate
from rallypoynt.journeys.tests.factories import engagement_for
from rallypoynt.leads.models import LeadInquiry
from rallypoynt.orgs.models import Notification
from rallypoynt.orgs.services import notification_send
from rallypoynt.orgs.tests.brokerage import Brokerage, build_brokerage

pytestmark = pytest.mark.django_db

NIGHT = datetime(2026, 12, 6, 4, 30, tzinfo=UTC)  # Sat Dec 5, 9:30 PM MST
DUE = datetime(2026, 12, 6, 3, 29, tzinfo=UTC)  # Sat Dec 5, 8:29 PM MST
LOCAL_DUE = "Sat Dec 5, 8:29 PM MST"
LOCAL_NOW = "Sat Dec 5, 9:30 PM MST"
UTC_TEXTS = ("Dec 6", "3:29 AM", "4:30 AM", "03:29", "04:30", "UTC")


@pytest.fixture
def night():
    with time_machine.travel(NIGHT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def firm(night) -> Brokerage:
    found = build_brokerage("Mile High")
    found.org.time_zone = "America/Denver"
    found.org.save(update_fields=["time_zone"])
    return found


def page(member, url: str) -> str:
    client = Client()
    client.force_login(member.user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def assert_local(html: str, *expected: str) -> None:
    for text in expected:
        assert text in html
    for text in UTC_TEXTS:
        assert text not in html, text


def test_my_day_shows_an_overdue_task_and_a_lead_due_in_the_orgs_evening(firm):
    contact = ContactFactory(org=firm.org, owner=firm.ben, stage="lead")
    TaskFactory(contact=contact, assignee=firm.ben, due_at=DUE, title="Call back")
    LeadInquiry.objects.create(
        org=firm.org,
        contact=contact,
        channel="web",
        assigned_to=firm.ben,
        status="assigned",
        received_at=NIGHT - timedelta(hours=2),
        first_response_due_at=DUE,
    )
    html = page(firm.ben, "/")
    assert_local(html, f"overdue since {LOCAL_DUE}", f"respond by {LOCAL_DUE}", LOCAL_NOW)


def test_the_contact_pages_tasks_read_the_same_as_my_day(firm):
    contact = ContactFactory(org=firm.org, owner=firm.ben)
    TaskFactory(contact=contact, assignee=firm.ben, due_at=DUE, title="Call back")
    html = page(firm.ben, f"/contacts/{contact.pk}/")
    assert_local(html, f"overdue since {LOCAL_DUE}", f"due {LOCAL_DUE}")


def test_a_task_due_at_the_end_of_the_day_names_that_day(firm):
    contact = ContactFactory(org=firm.org, owner=firm.ben)
    end_of_day = datetime(2026, 12, 10, 6, 59, tzinfo=UTC)  # Wed Dec 9, 11:59 PM MST
    TaskFactory(contact=contact, assignee=firm.ben, due_at=end_of_day, title="Sign")
    html = page(firm.ben, f"/contacts/{contact.pk}/")
    assert "due Wed Dec 9, end of day" in html and "Dec 10" not in html


def test_notifications_show_when_they_came_in_the_orgs_zone(firm):
    notification_send(recipient=firm.ben, kind="test", title="Hello", email=False)
    assert_local(page(firm.ben, "/notifications/"), LOCAL_NOW)


def test_the_audit_log_prints_local_12_hour_times(firm):
    audit_record(
        org_id=firm.org.pk, actor_id=firm.broker.user_id, action="test.touch", target=firm.org
    )
    assert_local(page(firm.broker, "/settings/audit/"), LOCAL_NOW)


def test_the_api_tokens_page_prints_local_times(firm):
    token, _ = api_token_create(actor=firm.ben, name="Zillow")
    token.last_used_at = DUE
    token.save(update_fields=["last_used_at"])
    assert_local(page(firm.ben, "/accounts/tokens/"), LOCAL_NOW, LOCAL_DUE)


def test_a_deal_closed_in_the_orgs_evening_is_earned_that_day(firm):
    from rallypoynt.transactions.models import Deal
    from rallypoynt.transactions.services.commission import commission_set
    from rallypoynt.transactions.tests.factories import plan_for, priced_deal

    plan_for(firm, firm.ben, agent_percent=D(70), starts_on=date(2026, 1, 1))
    deal = priced_deal(firm.ben, price=D(400000), closing_on=date(2026, 12, 5))
    commission_set(actor=firm.ben, deal_id=deal.pk, side="buy", rate_percent=D(3))
    Deal.objects.filter(pk=deal.pk).update(status="under_contract", accepted_on=date(2026, 11, 1))
    client = Client()
    client.force_login(firm.ben.user)
    # The close form's date left blank means today: the org's Dec 5, not UTC's Dec 6.
    client.post(f"/transactions/{deal.pk}/close/", {"final_price": "400000"})
    assert Deal.objects.get(pk=deal.pk).closed_on == date(2026, 12, 5)
    html = page(firm.ben, "/transactions/commission/statement/")
    assert "Sat Dec 5" in html and "Dec 6" not in html


def test_the_duplicates_page_dates_contacts_on_the_orgs_day(firm):
    ContactFactory(org=firm.org, owner=firm.ben, first_name="Zelda", emails=["z@x.com"])
    ContactFactory(org=firm.org, owner=firm.ben, first_name="Zelda", emails=["z@x.com"])
    html = page(firm.ben, "/contacts/duplicates/")
    assert "added Sat Dec 5, 2026" in html and "Dec 6" not in html


def test_the_escalation_notice_names_local_times(firm):
    from rallypoynt.leads.services import inquiry_sla_enforce

    contact = ContactFactory(org=firm.org, owner=firm.ben)
    inquiry = LeadInquiry.objects.create(
        org=firm.org,
        contact=contact,
        channel="web",
        assigned_to=firm.ben,
        status="assigned",
        received_at=DUE - timedelta(hours=1),
        first_response_due_at=DUE,
    )
    assert inquiry_sla_enforce(inquiry_id=inquiry.pk, now=NIGHT) == "escalated"
    inquiry.refresh_from_db()
    assert f"due {LOCAL_DUE}" in inquiry.escalation_reason
    assert f"at {LOCAL_NOW}" in inquiry.escalation_reason
    body = Notification.objects.filter(kind="lead.escalated").first().body
    assert f"due {LOCAL_DUE}" in body and "UTC" not in body


def test_the_engagement_page_uses_the_12_hour_clock_and_the_orgs_zone(firm):
    engagement = engagement_for(firm.ben)
    html = page(firm.ben, f"/pipeline/engagements/{engagement.pk}/")
    assert LOCAL_NOW in html  # when the first phase was entered
    for step in engagement_evaluate(engagement, NIGHT).steps:
        if step.due_at:
            assert due_text(step.due_at, "America/Denver") in html
    assert "04:30" not in html and "21:30" not in html


def test_the_users_own_zone_wins_over_the_orgs(firm):
    firm.ben.user.time_zone = "America/New_York"
    firm.ben.user.save(update_fields=["time_zone"])
    contact = ContactFactory(org=firm.org, owner=firm.ben)
    TaskFactory(contact=contact, assignee=firm.ben, due_at=DUE, title="Call back")
    html = page(firm.ben, "/")
    assert "overdue since Sat Dec 5, 10:29 PM EST" in html and "MST" not in html
    # A colleague without a zone of their own still reads Denver time.
    other = ContactFactory(org=firm.org, owner=firm.maria)
    TaskFactory(contact=other, assignee=firm.maria, due_at=DUE, title="Call back")
    assert LOCAL_DUE in page(firm.maria, "/")
