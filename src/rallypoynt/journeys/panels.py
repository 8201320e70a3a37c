"""Panels other apps add to the engagement page (a deal, later showings and documents), so
the page shows the work of every module without journeys importing any of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rallypoynt.journeys.models import Engagement
from rallypoynt.orgs.models import Membership


@dataclass(frozen=True)
class Panel:
    """`context(engagement, actor)` gives the template's `panel`; None hides it."""

    key: str
    template: str
    context: Callable[[Engagement, Membership], dict[str, Any] | None]


_panels: dict[str, Panel] = {}


def engagement_panel_register(panel: Panel) -> None:
    """Add a panel (apps call this from AppConfig.ready; registering twice replaces)."""
    _panels[panel.key] = panel


def engagement_panels(engagement: Engagement, actor: Membership) -> list[tuple[str, dict]]:
    """The (template, context) of each panel with something to show, in key order."""
    shown = []
    for key in sorted(_panels):
        panel = _panels[key]
        context = panel.context(engagement, actor)
        if context is not None:
            shown.append((panel.template, context))
    return shown
