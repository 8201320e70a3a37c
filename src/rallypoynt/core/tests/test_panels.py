"""The panel registry: a page shows the panels higher apps registered, in order, each only
when it has something to show."""

from __future__ import annotations

from rallypoynt.contacts.panels import CONTACT_PANELS
from rallypoynt.core.panels import Panel, PanelRegistry
from rallypoynt.journeys.panels import ENGAGEMENT_PANELS


def test_panels_show_in_position_then_key_order_and_none_hides_one():
    panels: PanelRegistry[str] = PanelRegistry("test page")
    panels.register(Panel("zeta", "z.html", lambda row, actor: {"row": row}, position=1))
    panels.register(Panel("beta", "b.html", lambda row, actor: {"actor": actor}))
    panels.register(Panel("alpha", "a.html", lambda row, actor: None))
    assert panels.keys() == ["zeta", "alpha", "beta"]
    assert panels.shown("the row", "me") == [
        ("z.html", {"row": "the row"}),
        ("b.html", {"actor": "me"}),
    ]


def test_registering_a_key_again_replaces_the_panel():
    panels: PanelRegistry[str] = PanelRegistry("test page")
    panels.register(Panel("deals", "old.html", lambda row, actor: {}))
    panels.register(Panel("deals", "new.html", lambda row, actor: {}))
    assert panels.shown("row", None) == [("new.html", {})]


def test_the_engagement_and_contact_pages_share_the_one_registry_class():
    assert isinstance(CONTACT_PANELS, PanelRegistry) and isinstance(
        ENGAGEMENT_PANELS, PanelRegistry
    )
    assert CONTACT_PANELS.keys() == ["engagements", "deals"]
    assert ENGAGEMENT_PANELS.keys() == ["deals"]
