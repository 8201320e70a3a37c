"""CRM models: people, touchpoints and tasks, lists and imports."""

from rallypoynt.contacts.models.activity import Task, Touchpoint
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
    "ImportJob",
    "Relationship",
    "SmartList",
    "Tag",
    "Task",
    "Touchpoint",
]
