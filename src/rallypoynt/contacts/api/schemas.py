"""Schemas of the people API: contacts, touchpoints, timeline, tasks, lists, relations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, Field

from rallypoynt.contacts.services.normalize import EmailEntry, PhoneEntry
from rallypoynt.core.api.types import (
    BoundedDate,
    BoundedDateTime,
    Int64,
    PageLimit,
    PositiveInt16,
    PositiveInt32,
)


class PageQuery(Schema):
    cursor: str | None = None
    limit: PageLimit = 50


class EmailOut(Schema):
    address: str
    kind: str
    is_primary: bool


class PhoneOut(Schema):
    number: str
    kind: str
    is_primary: bool


class ContactOut(Schema):
    """A list row: what the contacts list shows, loaded in a constant number of queries."""

    id: Int64
    first_name: str
    last_name: str
    full_name: str
    stage: str
    # The closing that made them a past client (the latest, when they bought or sold twice).
    past_client_on: date | None
    source: str
    owner_id: Int64 | None
    owner_name: str
    emails: list[EmailOut]
    phones: list[PhoneOut]
    tags: list[str]
    city: str
    state: str
    last_touchpoint_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_owner_name(c) -> str:
        return c.owner.user.get_full_name() if c.owner_id else ""

    # List pages attach plain rows (selectors_lists.contact_page); a single contact is prefetched.
    @staticmethod
    def resolve_emails(c) -> list:
        rows = getattr(c, "email_rows", None)
        return rows if rows is not None else list(c.emails.all())

    @staticmethod
    def resolve_phones(c) -> list:
        rows = getattr(c, "phone_rows", None)
        return rows if rows is not None else list(c.phones.all())

    @staticmethod
    def resolve_tags(c) -> list[str]:
        names = getattr(c, "tag_names", None)
        return names if names is not None else [link.tag.name for link in c.tag_links.all()]


class ContactDetailOut(ContactOut):
    street: str
    postal_code: str
    country: str
    birthday_on: date | None
    language: str
    background: str
    email_consent: str
    sms_consent: str
    is_do_not_contact: bool
    consent_updated_at: datetime | None
    custom: dict[str, Any]


class ContactPage(Schema):
    items: list[ContactOut]
    next_cursor: str | None


class EmailIn(Schema):
    address: str
    kind: str | None = Field(
        None, description="personal, work or other; left out: personal, or the kind it has"
    )


class PhoneIn(Schema):
    number: str = Field(description="Any format; stored in E.164")
    kind: str | None = Field(
        None, description="mobile, home, work or other; left out: mobile, or the kind it has"
    )


def _from_string(key: str) -> Callable[[Any], Any]:
    # A bare string is the value without a kind; one model (no union) keeps error paths plain.
    return lambda value: {key: value} if isinstance(value, str) else value


EmailItem = Annotated[
    EmailIn, BeforeValidator(_from_string("address"), json_schema_input_type=str | EmailIn)
]
PhoneItem = Annotated[
    PhoneIn, BeforeValidator(_from_string("number"), json_schema_input_type=str | PhoneIn)
]
EMAILS_DOC = "Addresses, or {address, kind} objects; the first is the primary."
PHONES_DOC = "Numbers, or {number, kind} objects; the first is the primary."


def channels_typed(values: dict[str, Any]) -> dict[str, Any]:
    """The payload's e-mails and phones as the services' entries."""
    if values.get("emails"):
        values["emails"] = [EmailEntry(e["address"], e.get("kind")) for e in values["emails"]]
    if values.get("phones"):
        values["phones"] = [PhoneEntry(p["number"], p.get("kind")) for p in values["phones"]]
    return values


class ContactIn(Schema):
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    emails: list[EmailItem] = Field([], description=EMAILS_DOC)
    phones: list[PhoneItem] = Field([], description=PHONES_DOC)
    stage: str = "lead"
    source: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = "US"
    birthday_on: BoundedDate | None = None
    language: str = ""
    background: str = ""
    tags: list[str] = []
    custom: dict[str, Any] = {}
    owner_id: Int64 | None = Field(None, description="Defaults to the caller")


class ContactPatch(Schema):
    first_name: str | None = None
    last_name: str | None = None
    emails: list[EmailItem] | None = Field(None, description=EMAILS_DOC)
    phones: list[PhoneItem] | None = Field(None, description=PHONES_DOC)
    stage: str | None = None
    source: str | None = None
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    birthday_on: BoundedDate | None = None
    language: str | None = None
    background: str | None = None
    tags: list[str] | None = None
    custom: dict[str, Any] | None = None
    owner_id: Int64 | None = None


class ConsentIn(Schema):
    email_consent: str
    sms_consent: str
    is_do_not_contact: bool


class TouchpointCreate(Schema):
    kind: str
    direction: str = "outbound"
    outcome: str = ""
    duration_minutes: PositiveInt32 | None = None
    occurred_at: BoundedDateTime | None = None
    summary: str = ""


class TouchpointOut(Schema):
    id: Int64
    contact_id: Int64
    kind: str
    direction: str
    outcome: str
    duration_minutes: PositiveInt32 | None
    occurred_at: datetime
    summary: str
    logged_by_id: Int64 | None
    is_automated: bool
    inquiry_id: Int64 | None


class TouchpointPage(Schema):
    items: list[TouchpointOut]
    next_cursor: str | None


class TimelineEntryOut(Schema):
    """One entry of the merged timeline; `data` is the row in its own shape."""

    kind: str
    id: Int64
    at: datetime
    title: str
    data: dict[str, Any]


class TimelinePage(Schema):
    items: list[TimelineEntryOut]
    next_cursor: str | None


class RelationshipIn(Schema):
    related_id: Int64
    kind: str


class RelationshipOut(Schema):
    id: Int64
    kind: str
    label: str
    is_outgoing: bool
    other_id: Int64
    other_name: str


class CollaboratorIn(Schema):
    membership_id: Int64


class CollaboratorOut(Schema):
    membership_id: Int64
    name: str
    added_at: datetime


class TaskIn(Schema):
    title: str = Field(..., max_length=200)
    notes: str = ""
    contact_id: Int64 | None = None
    assignee_id: Int64 | None = None
    due_at: BoundedDateTime | None = None
    remind_at: BoundedDateTime | None = None


class TaskPatch(Schema):
    """Any subset: change fields, and/or complete (is_done true) or reopen (false)."""

    title: str | None = None
    notes: str | None = None
    due_at: BoundedDateTime | None = None
    remind_at: BoundedDateTime | None = None
    assignee_id: Int64 | None = None
    is_done: bool | None = None


class TaskOut(Schema):
    id: Int64
    title: str
    notes: str
    contact_id: Int64 | None
    contact_name: str
    assignee_id: Int64
    created_by_id: Int64 | None
    due_at: datetime | None
    remind_at: datetime | None
    completed_at: datetime | None
    is_done: bool
    created_at: datetime

    @staticmethod
    def resolve_contact_name(t) -> str:
        return t.contact.full_name if t.contact_id else ""


class TaskPage(Schema):
    items: list[TaskOut]
    next_cursor: str | None


class TaskQuery(Schema):
    cursor: str | None = None
    limit: PageLimit = 50
    status: str = Field("open", description="open, done or all")
    due: str = Field("", description="overdue or today (open tasks)")
    contact_id: Int64 | None = None
    assignee_id: Int64 | None = Field(None, description="Defaults to the caller")


class SmartListIn(Schema):
    name: str
    filters: dict[str, Any] = {}
    is_shared: bool = False


class SmartListPatch(Schema):
    name: str | None = None
    filters: dict[str, Any] | None = None
    is_shared: bool | None = None
    position: PositiveInt32 | None = None


class SmartListOut(Schema):
    id: Int64
    name: str
    filters: dict[str, Any]
    is_shared: bool
    position: PositiveInt32
    owner_id: Int64
    is_mine: bool = False
    count: Int64 | None = None
    count_is_capped: bool = False


class CustomFieldIn(Schema):
    label: str
    field_type: str = "text"
    choices: list[str] = []


class CustomFieldOut(Schema):
    id: Int64
    key: str
    label: str
    field_type: str
    choices: list[str]
    position: PositiveInt16
