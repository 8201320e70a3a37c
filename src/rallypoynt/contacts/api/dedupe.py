"""API: duplicate candidates, "not a duplicate", and merging two contacts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Query, Router, Schema, Status

from rallypoynt.contacts.selectors import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    contact_get,
    duplicate_candidates,
)
from rallypoynt.contacts.services.dedupe import contact_merge, duplicate_dismiss
from rallypoynt.core.api.schemas import ERRORS
from rallypoynt.core.api.types import Int64
from rallypoynt.core.errors import ValidationFailed

router = Router(tags=["contacts"])


class _Channels(Schema):
    """A contact's e-mail addresses and phone numbers as plain strings."""

    emails: list[str]
    phones: list[str]

    @staticmethod
    def resolve_emails(c) -> list[str]:
        return [e.address for e in c.emails.all()]

    @staticmethod
    def resolve_phones(c) -> list[str]:
        return [p.number for p in c.phones.all()]


class PersonOut(_Channels):
    """Enough of a contact to judge a pair without another call."""

    id: Int64
    full_name: str
    street: str
    city: str
    postal_code: str
    owner_id: Int64 | None
    created_at: datetime


class PairOut(Schema):
    keep: PersonOut
    other: PersonOut
    score: Int64
    reasons: list[str]


class PairList(Schema):
    items: list[PairOut]
    count: Int64


class DuplicatesQuery(Schema):
    limit: Int64 = DEFAULT_LIMIT
    min_score: Int64 = 0


@router.get("/contacts/duplicates", response={200: PairList, **ERRORS})
def duplicates_list_endpoint(request, query: Query[DuplicatesQuery]):
    """Likely duplicate pairs among the contacts you see, best first; `keep` is the older."""
    if not 1 <= query.limit <= MAX_LIMIT:
        raise ValidationFailed(
            "Invalid limit.", fields={"limit": [f"must be between 1 and {MAX_LIMIT}"]}
        )
    pairs = duplicate_candidates(actor=request.auth, limit=query.limit, min_score=query.min_score)
    return {"items": pairs, "count": len(pairs)}


class DismissIn(Schema):
    first_id: Int64
    second_id: Int64


@router.post("/contacts/duplicates/dismiss", response={204: None, **ERRORS})
def duplicates_dismiss_endpoint(request, payload: DismissIn):
    """Mark two contacts as different people; the pair is not suggested again."""
    duplicate_dismiss(actor=request.auth, first_id=payload.first_id, second_id=payload.second_id)
    return Status(204, None)


class MergeIn(Schema):
    keep_id: Int64
    merge_id: Int64
    field_choices: dict[str, Literal["keep", "merge"]] | None = None


class MergedOut(_Channels):
    id: Int64
    first_name: str
    last_name: str
    stage: str
    source: str
    owner_id: Int64 | None
    street: str
    city: str
    state: str
    postal_code: str
    country: str
    birthday_on: date | None
    language: str
    background: str
    email_consent: str
    sms_consent: str
    is_do_not_contact: bool
    custom: dict[str, Any]
    last_touchpoint_at: datetime | None
    tags: list[str]

    @staticmethod
    def resolve_tags(c) -> list[str]:
        return [link.tag.name for link in c.tag_links.all()]


@router.post("/contacts/merge", response={200: MergedOut, **ERRORS})
def contacts_merge_endpoint(request, payload: MergeIn):
    """Merge `merge_id` into `keep_id`; every related row moves and the other is deleted."""
    kept = contact_merge(
        actor=request.auth,
        keep_id=payload.keep_id,
        merge_id=payload.merge_id,
        field_choices=payload.field_choices,
    )
    # The owner chosen may put the contact outside the caller's scope: still show the result.
    return contact_get(actor=request.auth, contact_id=kept.pk) or kept
