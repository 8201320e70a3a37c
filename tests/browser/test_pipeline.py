"""The pipeline in a real browser: drag a card to the next stage, work a phase's checklist,
see the gate block advancing and then let it through."""

from __future__ import annotations

import pytest

from rallypoynt.accounts.tests.factories import PASSWORD
from rallypoynt.journeys.models import Engagement
from rallypoynt.journeys.tests.factories import engagement_for
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHASE_ONE = [
    "initial_inquiry_processing",
    "initial_response",
    "needs_discovery",
    "relationship_establishment",
    "client_onboarding",
]


def log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/?next=/pipeline/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Pipeline").wait_for()


def test_drag_to_the_next_stage_then_work_the_checklist_until_the_gate_opens(live_server, page):
    org = build_brokerage()
    engagement = engagement_for(org.ben, title="Lind family", expected_value=15000)
    log_in(page, live_server.url, org.ben.user.email)

    card = page.locator(f'[data-engagement="{engagement.pk}"]')
    assert "Lind family" in card.text_content() or card.is_visible()
    target = page.locator('[data-column="initial_engagement"]')
    card.drag_to(target)
    page.get_by_role("status").filter(has_text="Stage changed.").wait_for()
    moved = page.locator(f'[data-column="initial_engagement"] [data-engagement="{engagement.pk}"]')
    moved.wait_for()
    assert Engagement.objects.get(pk=engagement.pk).stage_key == "initial_engagement"

    moved.get_by_role("link").click()
    page.get_by_role("heading", name="Discovery & Engagement").wait_for()
    page.get_by_role("button", name="Advance to Strategy & Planning").click()
    alert = page.get_by_role("status").filter(has_text="cannot be left yet")
    alert.wait_for()
    assert "Needs Discovery" in alert.text_content()

    for key in PHASE_ONE:
        page.locator(f'[data-step="{key}"]').get_by_role("button", name="Mark done").click()
        page.locator(f'.step.is-done[data-step="{key}"]').wait_for()
    page.get_by_text("Nothing blocks the next phase.").wait_for()
    page.get_by_role("button", name="Advance to Strategy & Planning").click()
    page.get_by_role("heading", name="Strategy & Planning").wait_for()
    engagement.refresh_from_db()
    assert (engagement.phase_key, engagement.stage_key) == ("strategy", "solution_development")

    # The clients change their minds: back to discovery, saying why.
    page.get_by_label("Back to phase").select_option("discovery")
    page.get_by_label("Why it goes back").fill("The buyers want to rethink the budget")
    page.get_by_role("button", name="Move back").click()
    page.get_by_role("status").filter(has_text="Moved back.").wait_for()
    page.get_by_role("heading", name="Discovery & Engagement").wait_for()
    engagement.refresh_from_db()
    assert engagement.phase_key == "discovery"
