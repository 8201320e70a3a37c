"""The contact page's panels (engagements, deals, later showings and documents): the apps
above contacts register them from their `AppConfig.ready`, so the page shows the whole
relationship without contacts importing any of them."""

from __future__ import annotations

from rallypoynt.contacts.models import Contact
from rallypoynt.core.panels import PanelRegistry

CONTACT_PANELS: PanelRegistry[Contact] = PanelRegistry("contact page")

__all__ = ["CONTACT_PANELS"]
