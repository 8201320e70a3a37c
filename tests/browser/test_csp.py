"""The Content-Security-Policy in a real browser: pages, an htmx swap and the API docs run
without a single violation (no inline script or style, no eval)."""

from __future__ import annotations

import pytest

from rallypoynt.accounts.tests.factories import PASSWORD
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.journeys.tests.factories import engagement_for
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch(page) -> list[str]:
    """Collect console errors and CSP violation reports the page raises from now on."""
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}")
            if msg.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    # securitypolicyviolation fires for every blocked script, style, eval or connection.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    return problems


def log_in(page, base_url: str, email: str, next_url: str, heading: str) -> None:
    page.goto(f"{base_url}/accounts/login/?next={next_url}")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name=heading).wait_for()


def test_contacts_and_pipeline_run_under_the_policy_without_violations(live_server, page):
    org = build_brokerage()
    target = ContactFactory(org=org.org, owner=org.ben, first_name="Isabel", last_name="Conner")
    ContactFactory(org=org.org, owner=org.ben, last_name="Lee")
    engagement_for(org.ben, title="Lind family", expected_value=15000)
    problems = watch(page)

    response = page.goto(f"{live_server.url}/accounts/login/")
    csp = response.all_headers()["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp
    log_in(page, live_server.url, org.broker.user.email, "/contacts/", "Contacts")

    # An htmx interaction: the search swaps the results in place.
    page.get_by_label("Search", exact=True).fill(target.last_name)
    # A function, not a string: the page's CSP forbids evaluating strings.
    page.wait_for_function("() => location.search.includes('q=Conner')")
    page.locator("#results").get_by_role("link", name=target.full_name).first.wait_for()
    assert page.locator("#results tbody tr").count() == 1
    assert page.evaluate("htmx.config.allowEval") is False
    # htmx's indicator rules come from app.css, not an injected <style>.
    assert page.locator("head style").count() == 0

    page.goto(f"{live_server.url}/pipeline/")
    page.get_by_role("heading", name="Pipeline").wait_for()
    page.locator(".board-card").first.wait_for()
    assert problems == [], "\n".join(problems)


def test_delete_asks_first_without_an_inline_handler(live_server, page):
    org = build_brokerage()
    target = ContactFactory(org=org.org, owner=org.ben, first_name="Isabel", last_name="Conner")
    problems = watch(page)
    log_in(
        page, live_server.url, org.broker.user.email, f"/contacts/{target.pk}/", target.full_name
    )
    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Delete contact").click()
    assert asked == ["Delete this contact and their history?"]
    page.get_by_role("heading", name=target.full_name).wait_for()
    assert problems == [], "\n".join(problems)


def test_the_api_docs_render_from_our_own_files_within_their_policy(live_server, page):
    problems = watch(page)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server.url}/api/v1/docs")
    # The schema takes a few seconds to build and Swagger UI to lay out: allow for a busy machine.
    page.locator(".swagger-ui .info .title").wait_for(timeout=30_000)
    page.get_by_text("RallyPoynt OS API").first.wait_for()
    page.locator(".opblock").first.wait_for(timeout=30_000)
    assert problems == [], "\n".join(problems)
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requests)
