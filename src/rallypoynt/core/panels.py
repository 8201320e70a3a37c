"""Panels: a page of a lower app shows the work of the apps above it without importing them.

The page's app owns a `PanelRegistry` (the engagement page's in `journeys.panels`, the contact
page's in `contacts.panels`); a higher app adds its `Panel` from its `AppConfig.ready`, and the
page renders each panel with something to show. Core cannot name the page's row or the member
type, so both are generic here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

Row = TypeVar("Row")


@dataclass(frozen=True)
class Panel(Generic[Row]):
    """`context(row, actor)` gives the template's `panel`; None hides the panel. Panels show
    in `position` order, then by key."""

    key: str
    template: str
    context: Callable[[Row, Any], dict[str, Any] | None]
    position: int = 100


class PanelRegistry(Generic[Row]):
    """The panels of one page, filled at start-up (registering a key twice replaces it)."""

    def __init__(self, page: str) -> None:
        self.page = page
        self._panels: dict[str, Panel[Row]] = {}

    def register(self, panel: Panel[Row]) -> None:
        self._panels[panel.key] = panel

    def keys(self) -> list[str]:
        return [panel.key for panel in self._ordered()]

    def _ordered(self) -> list[Panel[Row]]:
        return sorted(self._panels.values(), key=lambda p: (p.position, p.key))

    def shown(self, row: Row, actor: Any) -> list[tuple[str, dict[str, Any]]]:
        """The (template, context) of each panel with something to show, in order."""
        shown = []
        for panel in self._ordered():
            context = panel.context(row, actor)
            if context is not None:
                shown.append((panel.template, context))
        return shown
