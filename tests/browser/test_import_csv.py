"""Import a CSV in a real browser: upload, confirm the mapping, read the counts and bad rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from rallypoynt.accounts.tests.factories import PASSWORD
from rallypoynt.contacts.models import Contact
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SAMPLE = (
    Path(__file__).parents[2] / "src/rallypoynt/contacts/tests/data/imports/followupboss_people.csv"
)


def test_agent_imports_a_follow_up_boss_export_through_the_pages(live_server, page):
    brokerage = build_brokerage()
    agent = brokerage.ben
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill(agent.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My day").wait_for()

    page.goto(f"{live_server.url}/contacts/import/")
    page.get_by_label("File", exact=True).set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Upload and preview").click()

    page.get_by_role("heading", name="Import followupboss_people.csv").wait_for()
    assert page.get_by_label("Email 1").input_value() == "email"
    assert page.get_by_label("Assigned To").input_value() == ""
    # The agent keeps the notes out of this import.
    page.get_by_label("Background").select_option("")
    page.get_by_role("button", name="Import contacts").click()

    page.locator("#import-state", has_text="Done").wait_for()
    assert page.text_content("#count-total") == "8"
    assert page.text_content("#count-created") == "5"
    assert page.text_content("#count-duplicate") == "1"
    assert page.text_content("#count-failed") == "2"
    bad = page.get_by_role("table", name="Bad rows")
    assert "derek.olsen@@example.com" in bad.text_content()
    first = bad.locator("tbody tr").first.locator("td")
    assert first.nth(0).text_content() == "5"
    assert first.nth(1).text_content() == "Email 1"

    contacts = Contact.objects.filter(org=brokerage.org, owner=agent)
    assert contacts.count() == 5
    assert set(contacts.values_list("background", flat=True)) == {""}
    assert contacts.filter(last_name="Reyes", emails__address="marcus.reyes@example.net").exists()
