"""Every main page on a phone (390x844) and a desktop (1366x900), for each kind of demo staff:
nothing wider than the screen, and axe-core finds nothing serious or critical.

One browser and one demo load for the whole sweep, and one login for each role. axe-core
comes from the axe-playwright-python package (it ships axe.min.js, nothing is fetched);
Playwright's evaluate runs it outside the page's Content-Security-Policy. After the sweep:
the phone's menu, the folded filters, the board's own scroll box and the desktop's fit, and
the button hierarchy on a deal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rallypoynt.demo.loader import DEMO_PASSWORD, DOMAIN, demo_load

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SIZES = (PHONE, DESKTOP)

# One login for each kind of staff in the demo brokerage (e-mail local part).
ROLES = [
    "broker",  # broker/owner and agent: sees every page
    "compliance",  # compliance officer, contract reviewer
    "manager",  # office manager and agent
    "lead",  # lead agent, team lead
    "buyer",  # buyer specialist
    "tc",  # transaction coordinator
    "care",  # client care coordinator
    "marketing",  # marketing specialist
    "admin",  # admin support, systems administrator
    "ben",  # a plain agent
]

# The main pages by path; a contact, an engagement and a deal are found per role.
PAGES = {
    "home": "/",
    "contacts": "/contacts/",
    "tasks": "/contacts/tasks/",
    "lead review queue": "/leads/review/",
    "pipeline": "/pipeline/",
    "deals": "/transactions/",
    "settings": "/settings/",
    "settings: hours": "/settings/hours/",
    "settings: offices": "/settings/offices/",
    "settings: teams": "/settings/teams/",
    "settings: members": "/settings/members/",
    "settings: audit": "/settings/audit/",
    "templates": "/pipeline/templates/",
    "notifications": "/notifications/",
    "profile": "/accounts/profile/",
}
FOUND = {
    "a contact": ("/contacts/", "#results a[href^='/contacts/']", r"^/contacts/\d+/$"),
    "an engagement": ("/pipeline/", ".board-card a", r"^/pipeline/engagements/\d+/$"),
    "a deal": ("/transactions/", "main a[href^='/transactions/']", r"^/transactions/\d+/$"),
}
SERIOUS = {"serious", "critical"}
# Pages measured on the desktop for every role (the broker gets all of them at both sizes).
ON_DESKTOP = {"home", "contacts", "pipeline", "deals"}
# Pages axe checks on the phone for every role: the ones whose content differs most by role.
AXE_FOR_EACH_ROLE = {"home", "contacts", "a deal"}


def log_in(page, base_url: str, local: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("E-mail").fill(f"{local}@{DOMAIN}")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # Each role lands on its own home (Brokerage, My team, Closings, ..., My day).
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.locator("main h1").first.wait_for()


def first_href(page, selector: str, pattern: str) -> str | None:
    hrefs = page.locator(selector).evaluate_all("els => els.map(e => e.getAttribute('href'))")
    return next((h for h in hrefs if h and re.match(pattern, h)), None)


def badge_loaded(page) -> None:
    """Wait for the header's unread badge (htmx swaps it in after load) where there is one."""
    if page.locator("a[hx-get$='/notifications/badge/']").count():
        page.locator("#notifications-link").wait_for()


def too_wide(page, width: int) -> list[str]:
    """The first elements that stick out past the screen's right edge."""
    return page.evaluate(
        """(w) => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > w + 1)
            .slice(0, 4).map(e => e.tagName.toLowerCase() + '.' + e.className)""",
        width,
    )


@pytest.mark.browser
@pytest.mark.layout
@pytest.mark.django_db(transaction=True)
def test_pages_fit_a_phone_and_a_desktop_with_no_serious_axe_finding(live_server, browser):
    demo_load(scale=24, seed=7)  # one load for the sweep and the checks after it
    problems = []
    for local in ROLES:
        problems += sweep(live_server.url, browser, local)
    assert not problems, "\n".join(problems)
    phone_menu_filters_and_board(live_server.url, browser)
    deal_buttons_keep_readable_ink(live_server.url, browser)


def sweep(base_url: str, browser, local: str) -> list[str]:
    """One role's main pages: what is wider than the screen, and what axe finds serious.

    The broker sees every page: each is measured and checked by axe at both sizes. Every
    other role's pages are measured on the phone, where their own rows could push a page
    wide, with axe on the pages whose content differs most by role; on the desktop a few of
    theirs are measured too."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems: list[str] = []
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, base_url, local)
    everything = local == "broker"
    pages = list(PAGES.items())
    visited = 0
    for size in SIZES:
        page.set_viewport_size(size)
        width = size["width"]
        queue = (
            list(pages) if size is PHONE or everything else [p for p in pages if p[0] in ON_DESKTOP]
        )
        while queue:
            name, path = queue.pop(0)
            response = page.goto(f"{base_url}{path}")
            if response is None or response.status != 200:
                continue  # not this role's page (403/404): nothing of theirs to lay out
            visited += 1
            if size is PHONE:  # a contact, an engagement, a deal this role may open
                for found, (on, selector, pattern) in FOUND.items():
                    if on == path and (href := first_href(page, selector, pattern)):
                        pages.append((found, href))
                        queue.append((found, href))
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                problems.append(
                    f"{local}: {name} at {width}px is {scroll_width}px wide "
                    f"({too_wide(page, width)})"
                )
            if everything or (size is PHONE and name in AXE_FOR_EACH_ROLE):
                badge_loaded(page)  # its contrast counts too
                for violation in axe.run(page).response["violations"]:
                    if violation["impact"] in SERIOUS:
                        targets = [n["target"] for n in violation["nodes"][:3]]
                        problems.append(
                            f"{local}: {name} at {width}px, axe {violation['impact']} "
                            f"{violation['id']} {targets}"
                        )
    assert visited >= 10, f"{local} could open only {visited} pages"
    context.close()
    return problems


def phone_menu_filters_and_board(base_url: str, browser) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, base_url, "broker")

    # A phone: the modules and account links fold behind one Menu button.
    modules = page.get_by_role("navigation", name="Modules")
    menu = page.get_by_role("button", name="Menu")
    assert not modules.is_visible()
    assert menu.get_attribute("aria-expanded") == "false"
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert modules.get_by_role("link", name="Contacts").is_visible()
    assert page.get_by_role("navigation", name="Account").is_visible()
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert not modules.is_visible()

    # The contacts open on contacts, not on a screen of filters.
    page.goto(f"{base_url}/contacts/")
    search = page.get_by_label("Search", exact=True)
    assert not search.is_visible()
    first_row = page.locator("#results tbody tr").first
    assert first_row.bounding_box()["y"] < PHONE["height"]
    page.locator("summary", has_text="Filters").click()
    assert search.is_visible()

    # The board scrolls sideways in its own labelled box, not the page.
    page.goto(f"{base_url}/pipeline/")
    board = page.get_by_role("region", name=re.compile("Board columns"))
    assert board.get_attribute("tabindex") == "0"
    assert board.evaluate("b => b.scrollWidth > b.clientWidth")

    # A desktop: the menu button is gone, the filters are open, all six stage columns and
    # every contacts column fit without scrolling.
    page.set_viewport_size(DESKTOP)
    assert not menu.is_visible()
    assert page.get_by_role("navigation", name="Modules").is_visible()
    assert page.locator(".board-column").count() == 6
    widths = board.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert widths[0] <= widths[1], f"the board is {widths[0]}px in a {widths[1]}px box"
    page.goto(f"{base_url}/contacts/")
    assert page.get_by_label("Search", exact=True).is_visible()
    table_box = page.get_by_role("region", name="Contacts found")
    widths = table_box.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert widths[0] <= widths[1], f"the contacts table is {widths[0]}px in a {widths[1]}px box"
    assert page.locator("#results tbody tr").count() > 20  # the demo broker sees them all
    context.close()


def deal_buttons_keep_readable_ink(base_url: str, browser) -> None:
    """On a deal with open contingencies: no white-on-white button, and the hierarchy holds."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    log_in(page, base_url, "broker")
    page.goto(f"{base_url}/transactions/?status=under_contract")
    hrefs = page.locator("main a[href^='/transactions/']").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    for href in dict.fromkeys(h for h in hrefs if re.match(r"^/transactions/\d+/$", h)):
        page.goto(f"{base_url}{href}")
        if page.get_by_role("button", name="Failed").count():
            break
    else:
        pytest.fail("no demo deal with an open contingency")
    colours = page.evaluate(
        """() => [...document.querySelectorAll('main button, main .button')]
            .filter(b => b.offsetParent)
            .map(b => { const s = getComputedStyle(b);
                        return [b.textContent.trim(), s.color, s.backgroundColor]; })"""
    )
    for label, ink, fill in colours:
        # A transparent fill shows the white card: white ink there is invisible.
        assert not (ink == "rgb(255, 255, 255)" and fill in ("rgba(0, 0, 0, 0)", ink)), label

    def kind(name: str) -> str:
        return page.get_by_role("button", name=name).first.get_attribute("class") or ""

    assert "button--danger" in kind("Failed")
    assert "button--secondary" in kind("Waive")
    assert "button--danger" in kind("Terminate the contract")
    assert "button--" not in kind("Close the deal")  # the primary action
    context.close()


TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "rallypoynt"


def test_templates_use_the_one_button_hierarchy():
    """`secondary` and `danger` alone were the old classes: they style nothing now."""
    old = re.compile(r'class="[^"]*(?<![-\w])(secondary|danger)(?![-\w])[^"]*"')
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("templates/**/*.html")
        for match in old.finditer(path.read_text())
    ]
    assert not offenders, "\n".join(offenders)
