"""A deal in a real browser: open it, record and accept an offer, see its contingency
deadlines on the timeline, remove one."""

from __future__ import annotations

import pytest

from rallypoynt.accounts.tests.factories import PASSWORD
from rallypoynt.journeys.tests.factories import engagement_for
from rallypoynt.orgs.tests.brokerage import build_brokerage
from rallypoynt.transactions.models import Deadline, Deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_accept_an_offer_then_remove_a_contingency_on_the_timeline(live_server, page):
    org = build_brokerage()
    engagement_for(org.ben, side="sell", title="Elm St listing")
    page.goto(f"{live_server.url}/accounts/login/?next=/transactions/")
    page.get_by_label("E-mail").fill(org.ben.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Transactions", exact=True).wait_for()

    form = page.locator("form").filter(has_text="Open a deal")
    form.get_by_label("Kind").select_option("sale")
    form.get_by_label("Street").fill("22 Elm St")
    form.get_by_label("State").fill("CO")
    form.get_by_label("List price").fill("650000")
    form.get_by_role("button", name="Open").click()
    page.get_by_role("heading", name="Deadline timeline").wait_for()

    offer = page.locator("form").filter(has_text="Record an offer")
    offer.get_by_label("Buyer").fill("The Linds")
    offer.get_by_label("Price", exact=True).fill("640000")
    offer.get_by_label("Inspection (days)").fill("10")
    offer.get_by_label("Financing (days)").fill("21")
    offer.get_by_role("button", name="Record offer").click()
    page.get_by_role("button", name="Accept").click()

    inspection = page.locator('[data-deadline="inspection"]')
    inspection.wait_for()
    assert "Inspection contingency" in inspection.text_content()
    assert page.locator('[data-deadline="financing"]').is_visible()
    inspection.get_by_role("button", name="Remove contingency").click()
    page.locator('.step.is-done[data-deadline="inspection"]').wait_for()

    deal = Deal.objects.get()
    assert deal.status == "under_contract"
    assert Deadline.objects.get(deal=deal, kind="inspection").status == "satisfied"

    # The contract brought the seller's due-diligence schedule: tick an item off.
    page.get_by_role("link", name="Checklists").click()
    row = page.locator('[data-item="open-escrow"]')
    row.wait_for()
    row.get_by_role("button", name="Done").click()
    page.locator('tr.task-done[data-item="open-escrow"]').wait_for()

    # The transaction coordinator joins the team contact list.
    page.get_by_role("link", name="Deal and deadlines").click()
    party = page.locator("form").filter(has_text="Add a party")
    party.get_by_label("Role").select_option("title_escrow")
    party.get_by_label("Name").fill("Alpine Title")
    party.get_by_label("E-mail").fill("closings@alpinetitle.example")
    party.get_by_role("button", name="Add party").click()
    page.locator('[data-party="title_escrow"]').wait_for()

    # The last contingency goes, then the closing is recorded with its summary.
    page.locator('[data-deadline="financing"]').get_by_role(
        "button", name="Remove contingency"
    ).click()
    page.locator('.step.is-done[data-deadline="financing"]').wait_for()
    closing = page.locator("form").filter(has_text="Record the closing")
    closing.get_by_label("Closed on").fill(str(deal.accepted_on))
    closing.get_by_label("Final price").fill("640000")
    closing.get_by_role("button", name="Close the deal").click()
    page.get_by_role("heading", name="Transaction summary (closed)").wait_for()
    deal.refresh_from_db()
    assert deal.status == "closed" and deal.final_price == 640000
