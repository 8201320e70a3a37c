"""The engagement page's panels (a deal, later showings and documents): other apps register
them from their `AppConfig.ready`, so the page shows the work of every module without
journeys importing any of them (the registry itself is core's)."""

from __future__ import annotations

from rallypoynt.core.panels import PanelRegistry
from rallypoynt.journeys.models import Engagement

ENGAGEMENT_PANELS: PanelRegistry[Engagement] = PanelRegistry("engagement page")

__all__ = ["ENGAGEMENT_PANELS"]
