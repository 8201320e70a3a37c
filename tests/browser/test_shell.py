"""The web shell in a real browser: log in as the demo broker, see home, log out."""

from __future__ import annotations

import pytest

from rallypoynt.demo.crm import LEADS
from rallypoynt.demo.loader import DEMO_PASSWORD, demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_broker_logs_in_sees_home_and_logs_out(live_server, page):
    demo_load(scale=60, seed=7)
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url

    page.get_by_label("E-mail").fill("broker@demo.rallypoynt.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # A broker opens on the brokerage; My day is one tab away.
    page.get_by_role("heading", name="Brokerage").wait_for()
    page.get_by_role("navigation", name="Homes").get_by_role("link", name="My day").click()
    page.get_by_role("heading", name="My day").wait_for()
    assert page.get_by_role("link", name="Front Range Realty").is_visible()
    assert page.locator("svg.chart[aria-labelledby='stages-title'] rect").count() == 5
    assert f"{60 + len(LEADS)} in all" in page.text_content("#stages-heading")
    assert page.get_by_role("navigation", name="Modules").is_visible()

    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="Log in").wait_for()
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url


def test_wrong_password_shows_an_error_and_stays_on_login(live_server, page):
    demo_load(scale=10, seed=7)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill("broker@demo.rallypoynt.test")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").text_content().strip().startswith("That e-mail")
    assert "/accounts/login/" in page.url
