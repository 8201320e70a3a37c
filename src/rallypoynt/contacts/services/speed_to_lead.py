"""Speed to lead: acknowledgement, first-response target and escalation."""

from __future__ import annotations

from rallypoynt.contacts.models import LeadInquiry, Touchpoint


def inquiry_followups_schedule(*, inquiry: LeadInquiry) -> None:
    """Queue the acknowledgement and the first-response check after commit."""


def inquiry_first_response_record(*, touchpoint: Touchpoint) -> None:
    """A member's touchpoint answers the contact's open inquiries."""
