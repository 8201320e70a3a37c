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
from rallypoynt.contacts.models.profiles import ClientProfile
from rallypoynt.contacts.models.search import ContactSearchTerm

__all__ = [
    "ClientProfile",
    "Contact",
    "ContactCollaborator",
    "ContactEmail",
    "ContactPhone",
    "ContactSearchTerm",
    "ContactTag",
    "CustomField",
    "ImportJob",
    "Relationship",
    "SmartList",
    "Tag",
    "Task",
    "Touchpoint",
]
