"""API: lead intake (JSON and raw e-mail, with Idempotency-Key) and the lead review queue."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest, JsonResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import AfterValidator, field_validator

from rallypoynt.contacts.choices import Channel
from rallypoynt.core.api.schemas import ERRORS, ErrorOut, error_responses
from rallypoynt.core.api.types import Int64, Money, PageLimit
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.pagination import paginate
from rallypoynt.leads.choices import ReviewStatus
from rallypoynt.leads.selectors import review as selectors_review
from rallypoynt.leads.services.email_intake import lead_email_ingest
from rallypoynt.leads.services.email_parse import (
    LEAD_EMAIL_MAX_BYTES,
    lead_email_parse,
    price_parse,
)
from rallypoynt.leads.services.idempotency import (
    HEADER,
    IdempotentAnswer,
    idempotency_key_clean,
    idempotency_run,
    request_fingerprint,
)
from rallypoynt.leads.services.intake import LeadIn, lead_intake

router = Router(tags=["leads"])


def _printable(value: str) -> str:
    # PostgreSQL text cannot hold NUL; other control characters are never meant in a lead.
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise ValueError("must not contain control characters")
    return value.strip()


def _text(max_length: int) -> Any:
    return Annotated[str, Field(max_length=max_length), AfterValidator(_printable)]


class PersonIn(Schema):
    first_name: _text(100) = ""
    last_name: _text(100) = ""
    emails: list[_text(254)] = Field(default_factory=list, max_length=10)
    phones: list[_text(40)] = Field(default_factory=list, max_length=10)


class PropertyIn(Schema):
    address: _text(200) = ""
    city: _text(100) = ""
    state: _text(50) = ""
    postal_code: _text(20) = ""
    mls_number: _text(40) = ""
    price: Money | None = None

    @field_validator("price", mode="before")
    @classmethod
    def _price(cls, value: Any) -> Decimal | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):  # JSON true/false is no price (and no 1 or 0)
            raise ValueError("a price between 0 and 999,999,999,999.99")
        parsed = price_parse(value)
        if parsed is None:
            raise ValueError("a price between 0 and 999,999,999,999.99")
        return parsed


class LeadBody(Schema):
    source: _text(100) = ""
    type: Literal["buyer", "seller", "renter"] = "buyer"
    person: PersonIn
    message: _text(10_000) = ""
    timeframe: _text(100) = ""
    property: PropertyIn | None = None
    language: _text(10) = ""

    def to_lead(self) -> LeadIn:
        prop = self.property.dict() if self.property else {}
        if prop.get("price") is not None:
            prop["price"] = str(prop["price"])
        return LeadIn(
            source=self.source,
            lead_type=self.type,
            first_name=self.person.first_name,
            last_name=self.person.last_name,
            emails=list(self.person.emails),
            phones=list(self.person.phones),
            message=self.message,
            timeframe=self.timeframe,
            property=prop,
            language=self.language,
            channel=Channel.API,
            raw=self.dict(mode="json"),
        )


class LeadOut(Schema):
    contact_id: Int64
    inquiry_id: Int64
    assigned_to: Int64 | None
    deduplicated: bool
    # What the lead added to the existing contact it matched (and primaries it kept).
    added: list[str] = []


class ReviewQueuedOut(ErrorOut):
    """A 422: the request is not valid (an empty body, a bad key), or the message is not a
    readable lead and is kept for review (then with `review_item_id`)."""

    review_item_id: Int64 | None = Field(None, description="The review item keeping the message")


def _answer(answer: IdempotentAnswer) -> JsonResponse:
    response = JsonResponse(answer.body, status=answer.status_code)
    if answer.is_replay:
        response["Idempotent-Replayed"] = "true"
    return response


@router.post(
    "/leads",
    response={201: LeadOut, **ERRORS},
    summary="Receive a lead",
    description="Creates (or attaches to a matching) contact and records an inquiry. Send an "
    "`Idempotency-Key` header to make retries safe: the same key and body return the first "
    "answer (with `Idempotent-Replayed: true`); the same key with another body is a 409.",
)
def lead_create_endpoint(request: HttpRequest, payload: LeadBody):
    actor = request.auth
    key = idempotency_key_clean(request.headers.get(HEADER))
    lead = payload.to_lead()
    if key is None:
        return Status(201, lead_intake(org_id=actor.org_id, lead=lead, actor=actor).as_response())

    def call() -> tuple[int, dict]:
        return 201, lead_intake(org_id=actor.org_id, lead=lead, actor=actor).as_response()

    answer = idempotency_run(
        org_id=actor.org_id,
        scope="leads",
        key=key,
        request_hash=request_fingerprint(payload.dict(mode="json")),
        call=call,
    )
    return _answer(answer)


@router.post(
    "/leads/email",
    response={**ERRORS, **error_responses(413, 415), 201: LeadOut, 422: ReviewQueuedOut},
    summary="Receive a lead e-mail",
    description="The body is a raw RFC 5322 message (`Content-Type: message/rfc822`). RELM 1.0 "
    "meta tags and common plain-text layouts are read. A message that is not a readable lead "
    "is kept in the review queue: 422 with `review_item_id`. Redeliveries with the same "
    "Message-ID (or Idempotency-Key) replay the first answer.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def lead_email_create_endpoint(request: HttpRequest):
    if request.content_type != "message/rfc822":
        raise HttpError(415, "Send the raw message with Content-Type: message/rfc822.")
    raw = request.read(LEAD_EMAIL_MAX_BYTES + 1)
    if len(raw) > LEAD_EMAIL_MAX_BYTES:
        raise HttpError(413, f"A lead e-mail may be at most {LEAD_EMAIL_MAX_BYTES} bytes.")
    if not raw.strip():
        raise ValidationFailed("The message is empty.", fields={"__all__": ["empty body"]})
    answer = lead_email_ingest(
        org_id=request.auth.org_id,
        raw=raw,
        actor=request.auth,
        idempotency_key=idempotency_key_clean(request.headers.get(HEADER)),
    )
    return _answer(answer)


class ReviewItemOut(Schema):
    id: Int64
    channel: str
    subject: str
    sender: str
    reason: str
    status: str
    received_at: datetime
    resolved_at: datetime | None
    resolved_by_id: Int64 | None
    inquiry_id: Int64 | None


class ReviewItemDetailOut(ReviewItemOut):
    raw: str
    parsed: dict[str, str] = Field(description="What the parser found, to start a fix from")


class ReviewPage(Schema):
    items: list[ReviewItemOut]
    next_cursor: str | None


class ReviewQuery(Schema):
    status: Literal["open", "resolved", "discarded"] = ReviewStatus.OPEN
    cursor: str | None = None
    limit: PageLimit = 50


@router.get("/leads/review", response={200: ReviewPage, **ERRORS}, summary="Lead review queue")
def review_list_endpoint(request: HttpRequest, query: Query[ReviewQuery]):
    qs = selectors_review.review_item_list(actor=request.auth, status=query.status)
    return paginate(qs, cursor=query.cursor, limit=query.limit, ordering=("-received_at", "-id"))


@router.get("/leads/review/{item_id}", response={200: ReviewItemDetailOut, **ERRORS})
def review_get_endpoint(request: HttpRequest, item_id: Int64):
    item = selectors_review.review_item_get(actor=request.auth, item_id=item_id)
    item.parsed = lead_email_parse(item.raw.encode()).fields
    return item
