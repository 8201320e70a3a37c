"""Factories for journeys tests."""

from __future__ import annotations

from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.journeys.models import Engagement
from rallypoynt.journeys.services.engagements import engagement_open


def engagement_for(member, *, side: str = "buy", level: str = "team", **values) -> Engagement:
    """An engagement of `member` for a new contact they own, through the real service."""
    contact = ContactFactory(org=member.org, owner=member)
    return engagement_open(actor=member, contact_ids=[contact.pk], side=side, level=level, **values)
