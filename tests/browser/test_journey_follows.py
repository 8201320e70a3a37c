"""The journey follows the deal in a real browser: accepting an offer puts the engagement in
Transaction Management; closing the deal makes it won and the client a past client."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.utils import timezone

from rallypoynt.accounts.tests.factories import PASSWORD
from rallypoynt.journeys.selectors import engagement_evaluate
from rallypoynt.journeys.services.progress import phase_advance, step_complete
from rallypoynt.journeys.tests.factories import engagement_for
from rallypoynt.orgs.tests.brokerage import build_brokerage, org_today
from rallypoynt.transactions.models import Deadline
from rallypoynt.transactions.services.deals import deal_open
from rallypoynt.transactions.services.offers import offer_create
from rallypoynt.transactions.services.resolution import deadline_resolve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("RALLYPOYNT_SHOTS", "/tmp"))
TERMS = {"price": "515000", "contingencies": [{"kind": "inspection", "days": 10}]}


def _searching(agent):
    """A buyer whose consultation, agreement and search are done (a person's work)."""
    engagement = engagement_for(agent, side="buy", title="Nora Ames (buyer)")
    for _ in range(3):
        engagement.refresh_from_db()
        for status in engagement_evaluate(engagement, timezone.now()).open_steps:
            if not status.step.done_by or status.step.key.startswith("initial_"):
                step_complete(actor=agent, engagement_id=engagement.pk, step_key=status.step.key)
        if engagement.phase_key != "search_selection":
            phase_advance(actor=agent, engagement_id=engagement.pk)
    return engagement


def test_accepting_then_closing_moves_the_engagement_and_makes_a_past_client(live_server, page):
    org = build_brokerage()
    agent = org.ben
    engagement = _searching(agent)
    deal = deal_open(
        actor=agent, engagement_id=engagement.pk, kind="purchase", street="9 Aspen Ct", state="CO"
    )
    offer_create(actor=agent, deal_id=deal.pk, buyer_name="Nora Ames", terms=TERMS)

    page.goto(f"{live_server.url}/accounts/login/?next=/transactions/{deal.pk}/")
    page.get_by_label("E-mail").fill(agent.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Deadline timeline").wait_for()
    journeys = page.locator(f'[data-engagement="{engagement.pk}"]')
    assert "Transaction Initiation" in journeys.text_content()

    page.get_by_role("button", name="Accept").click()
    page.locator('[data-deadline="inspection"]').wait_for()
    page.get_by_role("link", name="Nora Ames (buyer)").click()
    page.get_by_role("heading", name="Transaction Management").wait_for()
    assert page.locator("#stage_key option:checked").inner_text() == "Agreement and Activation"

    row = Deadline.objects.get(deal=deal, kind="inspection")
    deadline_resolve(actor=agent, deadline_id=row.pk, status="satisfied")
    page.goto(f"{live_server.url}/transactions/{deal.pk}/")
    closing = page.locator("form").filter(has_text="Record the closing")
    closing.get_by_label("Closed on").fill(str(org_today()))
    closing.get_by_label("Final price").fill("512000")
    closing.get_by_role("button", name="Close the deal").click()
    page.get_by_role("heading", name="Transaction summary (closed)").wait_for()

    page.get_by_role("link", name="Nora Ames (buyer)").click()
    page.get_by_role("heading", name="Closing & Transition").wait_for()
    assert "Won" in page.locator(".won-line").inner_text()
    assert "past client" in page.locator(".client-stages").inner_text()
    execution = page.locator('[data-step="closing_execution"] .done-by')
    assert "from the closing of 9 Aspen Ct" in execution.inner_text()
    page.screenshot(path=str(SHOTS / "engagement-closing.png"), full_page=True)
