"""Lead inquiries on a contact's timeline (contacts shows them without knowing leads)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from rallypoynt.contacts.selectors import TimelineSource
from rallypoynt.leads.models import LeadInquiry


def _inquiries(scope: dict[str, Any]) -> QuerySet[LeadInquiry]:
    return LeadInquiry.objects.filter(**scope).select_related("assigned_to__user")


def _title(row: LeadInquiry) -> str:
    return f"{row.get_lead_type_display()} inquiry via {row.get_channel_display()}"


def _data(row: LeadInquiry) -> dict[str, Any]:
    fields = (
        "channel",
        "source",
        "lead_type",
        "status",
        "message",
        "assigned_to_id",
        "routing_reason",
        "first_responded_at",
    )
    return {name: getattr(row, name) for name in fields}


INQUIRIES = TimelineSource(
    "inquiry", 2, _inquiries, "received_at", _title, _data, "leads/_timeline_inquiry.html"
)
