"""Contacts in a real browser: search the list, open a contact, log a call without a reload."""

from __future__ import annotations

import pytest

from rallypoynt.accounts.tests.factories import PASSWORD
from rallypoynt.contacts.models import Touchpoint
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/?next=/contacts/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Contacts").wait_for()


def test_search_the_list_open_a_contact_and_log_a_call_on_its_timeline(live_server, page):
    org = build_brokerage()
    for i in range(60):
        ContactFactory(org=org.org, owner=org.ben if i % 2 else org.maria, last_name=f"Lee{i:02d}")
    target = ContactFactory(org=org.org, owner=org.ben, first_name="Isabel", last_name="Conner")
    log_in(page, live_server.url, org.broker.user.email)
    assert page.locator("#results tbody tr").count() == 50
    assert page.get_by_role("link", name="Next page").is_visible()

    page.get_by_label("Search", exact=True).fill(target.last_name)
    # htmx swaps the results in place and keeps the query in the address bar.
    page.wait_for_function(f"() => location.search.includes('q={target.last_name}')")
    row_link = page.locator("#results").get_by_role("link", name=target.full_name).first
    row_link.wait_for()
    assert page.locator("#results tbody tr").count() < 50
    row_link.click()
    page.get_by_role("heading", name=target.full_name).wait_for()

    page.evaluate("window.__noReload = true")
    quick_log = page.locator("form.crm-quicklog")
    quick_log.get_by_label("Kind").select_option("call")
    quick_log.get_by_label("Outcome").select_option("connected")
    quick_log.get_by_label("Minutes").fill("7")
    quick_log.get_by_label("What happened").fill("Wants a 3-bedroom near Wash Park")
    quick_log.get_by_role("button", name="Log it").click()

    page.get_by_role("status").filter(has_text="Touchpoint logged.").wait_for()
    first = page.locator("#timeline li").first
    assert "Wants a 3-bedroom near Wash Park" in first.text_content()
    assert "Connected" in first.text_content()
    assert page.evaluate("window.__noReload") is True  # same document: no full reload
    tp = Touchpoint.objects.get(contact=target, summary="Wants a 3-bedroom near Wash Park")
    assert (tp.kind, tp.outcome, tp.duration_minutes) == ("call", "connected", 7)
    # The form is fresh again for the next call.
    assert quick_log.get_by_label("What happened").input_value() == ""
