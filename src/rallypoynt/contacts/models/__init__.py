"""CRM models: people, touchpoints and tasks, lead intake and routing, lists and imports."""

from rallypoynt.contacts.models.activity import Task, Touchpoint
from rallypoynt.contacts.models.intake import (
    IdempotencyKey,
    LeadInquiry,
    LeadReviewItem,
    LeadSettings,
    RoutingRule,
)
from rallypoynt.contacts.models.lists import ImportJob, SmartList
from rallypoynt.contacts.models.people import (
    Contact,
    ContactCollaborator,
    ContactEmail,
    ContactPhone,
    ContactTag,
    CustomField,
    Relationship,
    Tag,
)

__all__ = [
    "Contact",
    "ContactCollaborator",
    "ContactEmail",
    "ContactPhone",
    "ContactTag",
    "CustomField",
    "IdempotencyKey",
    "ImportJob",
    "LeadInquiry",
    "LeadReviewItem",
    "LeadSettings",
    "Relationship",
    "RoutingRule",
    "SmartList",
    "Tag",
    "Task",
    "Touchpoint",
]
