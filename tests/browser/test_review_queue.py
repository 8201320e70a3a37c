"""The lead review queue in a real browser: a lead agent fixes a queued message into a lead."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rallypoynt.accounts.tests.factories import PASSWORD
from rallypoynt.leads.choices import ReviewStatus
from rallypoynt.leads.tests.factories import bad_email_item
from rallypoynt.orgs.tests.brokerage import build_brokerage


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_lead_agent_fixes_a_queued_message_in_the_browser(live_server, page):
    brokerage = build_brokerage()
    item = bad_email_item(brokerage.org)
    page.goto(live_server.url + reverse("leads:review_queue"))
    page.get_by_label("E-mail").fill(brokerage.lead.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Lead review queue").wait_for()
    page.get_by_role("link", name=item.subject, exact=True).click()
    page.get_by_role("heading", name="Fix it into a lead").wait_for()
    assert page.get_by_label("First name").input_value() == "Tess"
    assert "Name: Tess Ford" in page.get_by_label("Raw message").input_value()
    page.get_by_label("E-mail").fill("tess.ford@example.com")
    page.get_by_role("button", name="Create the lead").click()
    page.get_by_role("heading", name="Lead review queue").wait_for()
    assert "Lead created: inquiry" in page.get_by_role("status").text_content()
    item.refresh_from_db()
    assert item.status == ReviewStatus.RESOLVED
