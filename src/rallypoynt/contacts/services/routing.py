"""Lead routing: which member gets a new inquiry, and why."""

from __future__ import annotations

from django.utils import timezone

from rallypoynt.contacts.choices import InquiryStatus
from rallypoynt.contacts.models import LeadInquiry, LeadSettings


def inquiry_route(*, inquiry: LeadInquiry) -> LeadInquiry:
    """Assign the inquiry by the org's rules; records the rule and the reason."""
    settings = LeadSettings.objects.filter(org_id=inquiry.org_id).first()
    assignee = settings.default_assignee if settings else None
    if inquiry.contact.owner_id and assignee is None:
        assignee = inquiry.contact.owner
    if assignee is None:
        inquiry.routing_reason = "No routing rule matched and the org has no default assignee."
        inquiry.save(update_fields=["routing_reason", "updated_at"])
        return inquiry
    inquiry.assigned_to = assignee
    inquiry.assigned_at = timezone.now()
    inquiry.status = InquiryStatus.ASSIGNED
    inquiry.routing_reason = "Default assignee."
    inquiry.save()
    return inquiry
