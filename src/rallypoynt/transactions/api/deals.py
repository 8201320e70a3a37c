"""API: deals (list, read, open, amend, close, terminate), their deadlines, and the
deadlines across my deals. The deadline calculator is in api_calculator.py."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status

from rallypoynt.core.api.schemas import ERRORS
from rallypoynt.core.api.types import (
    BoundedDate,
    Days,
    Int64,
    LocalTime,
    Money,
    PageLimit,
    WindowDays,
)
from rallypoynt.core.errors import NotFound
from rallypoynt.core.pagination import paginate
from rallypoynt.transactions import selectors
from rallypoynt.transactions.models import Deadline
from rallypoynt.transactions.services import closing, deadlines, resolution
from rallypoynt.transactions.services import deals as deal_services

router = Router(tags=["deadlines"])


class DeadlineOutRow(Schema):
    id: Int64
    deal_id: Int64
    property: str
    kind: str
    name: str
    is_contingency: bool
    status: str
    due_on: date | None
    due_at: datetime | None

    @staticmethod
    def resolve_property(row) -> str:
        return str(row.deal)


class DeadlinePage(Schema):
    items: list[DeadlineOutRow]
    next_cursor: str | None


class UpcomingQuery(Schema):
    days: WindowDays = 7
    cursor: str | None = None
    limit: PageLimit = 50


@router.get("/deadlines", response={200: DeadlinePage, **ERRORS})
def deadlines_upcoming_endpoint(request, query: Query[UpcomingQuery]):
    """Open deadlines due within `days` (overdue ones first) across the caller's deals."""
    qs = selectors.deadlines_upcoming(actor=request.auth, days=query.days)
    return paginate(qs, cursor=query.cursor, limit=query.limit, ordering=("due_at", "id"))


class DealIn(Schema):
    engagement_id: Int64
    kind: str
    street: str
    city: str = ""
    state: str = ""
    postal_code: str = ""
    list_price: Money | None = None
    offer_price: Money | None = None
    accepted_on: BoundedDate | None = None
    closing_on: BoundedDate | None = None


class DealOut(Schema):
    id: Int64
    kind: str
    status: str
    street: str
    city: str
    state: str
    postal_code: str
    list_price: Decimal | None
    offer_price: Decimal | None
    contract_price: Decimal | None
    final_price: Decimal | None
    earnest_money: Decimal | None
    accepted_on: date | None
    closing_on: date | None
    closed_on: date | None
    possession_on: date | None
    terminated_on: date | None
    terminated_reason: str
    deadlines: list[DeadlineOutRow]

    @staticmethod
    def resolve_deadlines(deal) -> list:
        return list(selectors.deadline_list(deal=deal).select_related("deal"))


class DeadlineAddIn(Schema):
    kind: str
    amount: Days = 0  # days or hours from the anchor; a 32-bit column
    name: str = ""
    anchor: str = "acceptance"
    anchor_deadline_id: Int64 | None = None
    anchor_on: BoundedDate | None = None
    day_type: str = "calendar"
    roll: str = "none"
    unit: str = "days"
    time_of_day: LocalTime = time(23, 59)
    # Stored unchecked in its column (PostgreSQL refuses longer text with a 500).
    responsible_role: str = Field(
        "", max_length=Deadline._meta.get_field("responsible_role").max_length
    )


class AmendIn(Schema):
    reason: str
    accepted_on: BoundedDate | None = None
    closing_on: BoundedDate | None = None


class DealCloseIn(Schema):
    closed_on: BoundedDate
    final_price: Money
    possession_on: BoundedDate | None = None


class TerminateIn(Schema):
    reason: str
    terminated_on: BoundedDate | None = None


class SummaryOut(Schema):
    outcome: str
    created_at: datetime
    record: dict


class ResolveIn(Schema):
    status: str
    note: str = ""


def _deal(request, deal_id: Int64):
    deal = selectors.deal_get(actor=request.auth, deal_id=deal_id)
    if deal is None:
        raise NotFound("No such deal.")
    return deal


class DealRow(Schema):
    id: Int64
    kind: str
    status: str
    property: str
    list_price: Decimal | None
    contract_price: Decimal | None
    final_price: Decimal | None
    accepted_on: date | None
    closing_on: date | None
    closed_on: date | None
    terminated_on: date | None

    @staticmethod
    def resolve_property(deal) -> str:
        return str(deal)


class DealPage(Schema):
    items: list[DealRow]
    next_cursor: str | None


class DealQuery(Schema):
    status: str = ""
    kind: str = ""
    cursor: str | None = None
    limit: PageLimit = 50


@router.get("/transactions", response={200: DealPage, **ERRORS})
def deal_list_endpoint(request, query: Query[DealQuery]):
    """The caller's deals, newest first; `status` and `kind` narrow them (read one for its
    deadlines)."""
    qs = selectors.deal_list(actor=request.auth, status=query.status, kind=query.kind)
    return paginate(qs, cursor=query.cursor, limit=query.limit, ordering=("-id",))


@router.post("/transactions", response={201: DealOut, **ERRORS})
def deal_create_endpoint(request, body: DealIn):
    deal = deal_services.deal_open(actor=request.auth, **body.dict())
    return Status(201, _deal(request, deal.pk))


@router.get("/transactions/{deal_id}", response={200: DealOut, **ERRORS})
def deal_read_endpoint(request, deal_id: Int64):
    """A deal with its deadlines, soonest first."""
    return _deal(request, deal_id)


@router.post("/transactions/{deal_id}/deadlines", response={201: DealOut, **ERRORS})
def deadline_create_endpoint(request, deal_id: Int64, body: DeadlineAddIn):
    deadlines.deadline_add(actor=request.auth, deal_id=deal_id, **body.dict())
    return Status(201, _deal(request, deal_id))


@router.post("/transactions/{deal_id}/amend", response={200: DealOut, **ERRORS})
def deal_amend_endpoint(request, deal_id: Int64, body: AmendIn):
    """Move the acceptance or closing date; every dependent deadline is recounted."""
    deadlines.deal_dates_amend(actor=request.auth, deal_id=deal_id, **body.dict())
    return _deal(request, deal_id)


@router.post("/deadlines/{deadline_id}/resolve", response={200: DeadlineOutRow, **ERRORS})
def deadline_resolve_endpoint(request, deadline_id: Int64, body: ResolveIn):
    """Removed/satisfied, waived or failed."""
    return resolution.deadline_resolve(actor=request.auth, deadline_id=deadline_id, **body.dict())


@router.post("/transactions/{deal_id}/close", response={200: DealOut, **ERRORS})
def deal_close_endpoint(request, deal_id: Int64, body: DealCloseIn):
    """Record the closing: every contingency must be resolved; commission becomes final and
    the transaction summary record is written."""
    closing.deal_close(actor=request.auth, deal_id=deal_id, **body.dict())
    return _deal(request, deal_id)


@router.post("/transactions/{deal_id}/terminate", response={200: DealOut, **ERRORS})
def deal_terminate_endpoint(request, deal_id: Int64, body: TerminateIn):
    """End the contract (after a failed contingency, say) with the reason."""
    closing.deal_terminate(actor=request.auth, deal_id=deal_id, **body.dict())
    return _deal(request, deal_id)


@router.get("/transactions/{deal_id}/summary", response={200: SummaryOut, **ERRORS})
def deal_summary_endpoint(request, deal_id: Int64):
    """The transaction summary record written at closing or termination."""
    deal = _deal(request, deal_id)
    found = selectors.summary_get(deal=deal)
    if found is None:
        raise NotFound("The deal has not ended yet.")
    return found
