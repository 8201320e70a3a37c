"""API: a deal's checklists and the org's checklist templates (the issue log, progress
updates and walk-throughs are in `api_issues`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Query, Router, Schema, Status
from pydantic import Field

from rallypoynt.core.api.schemas import ERRORS
from rallypoynt.core.api.types import (
    BoundedDate,
    Int32,
    Int64,
    PageLimit,
    PositiveInt32,
    WindowDays,
)
from rallypoynt.core.errors import NotFound
from rallypoynt.core.pagination import paginate
from rallypoynt.transactions import selectors
from rallypoynt.transactions.services import checklist_templates as templates
from rallypoynt.transactions.services import checklists

router = Router(tags=["management"])


def _name(member) -> str | None:
    return str(member.user) if member is not None else None


class ChecklistItemOut(Schema):
    id: Int64
    deal_id: Int64
    kind: str
    key: str
    title: str
    responsible_role: str
    anchor: str
    offset_days: Int32
    day_type: str
    due_on: date | None
    status: str
    done_at: datetime | None
    done_by: str | None
    note: str

    @staticmethod
    def resolve_done_by(row) -> str | None:
        return _name(row.done_by) if row.done_by_id else None


class ChecklistGroupOut(Schema):
    kind: str
    label: str
    done: PositiveInt32
    total: PositiveInt32
    items: list[ChecklistItemOut]


class DueItemOut(ChecklistItemOut):
    property: str

    @staticmethod
    def resolve_property(row) -> str:
        return str(row.deal)


class DuePage(Schema):
    items: list[DueItemOut]
    next_cursor: str | None


class DueQuery(Schema):
    days: WindowDays = 7
    cursor: str | None = None
    limit: PageLimit = 50


class ChecklistApplyIn(Schema):
    kinds: list[str] | None = None


class ChecklistItemIn(Schema):
    kind: str
    title: str
    due_on: BoundedDate | None = None
    role: str = ""


class ChecklistMarkIn(Schema):
    status: str = Field(description="done, na, or reopen")
    note: str = ""


class ChecklistTemplateIn(Schema):
    kind: str
    side: str = ""
    state: str = ""
    name: str
    # Checked by the template parser, which names each bad field by path (items[3].days).
    items: list[Any]


class ChecklistTemplateOut(Schema):
    id: Int64
    kind: str
    side: str
    state: str
    name: str
    items: list[dict[str, Any]]


def _deal(request, deal_id: Int64):
    deal = selectors.deal_get(actor=request.auth, deal_id=deal_id)
    if deal is None:
        raise NotFound("No such deal.")
    return deal


@router.get("/transactions/{deal_id}/checklists", response={200: list[ChecklistGroupOut], **ERRORS})
def checklist_groups_endpoint(request, deal_id: Int64):
    """The deal's checklists by kind: due diligence, pre-closing, closing, termination."""
    return selectors.checklist_groups(deal=_deal(request, deal_id))


@router.post(
    "/transactions/{deal_id}/checklists/apply",
    response={200: list[ChecklistGroupOut], **ERRORS},
)
def checklist_apply_endpoint(request, deal_id: Int64, body: ChecklistApplyIn):
    """Add the items of the best templates for the deal's side(s) and state (by default due
    diligence, pre-closing and closing); items already there are kept."""
    checklists.checklists_apply_for(actor=request.auth, deal_id=deal_id, kinds=body.kinds)
    return selectors.checklist_groups(deal=_deal(request, deal_id))


@router.post("/transactions/{deal_id}/checklist-items", response={201: ChecklistItemOut, **ERRORS})
def checklist_item_add_endpoint(request, deal_id: Int64, body: ChecklistItemIn):
    row = checklists.checklist_item_add(actor=request.auth, deal_id=deal_id, **body.dict())
    return Status(201, row)


@router.get("/checklist-items", response={200: DuePage, **ERRORS})
def checklist_due_soon_endpoint(request, query: Query[DueQuery]):
    """Open checklist items due within `days` (overdue first) across the caller's deals."""
    qs = selectors.checklist_due_soon(actor=request.auth, days=query.days)
    return paginate(qs, cursor=query.cursor, limit=query.limit, ordering=("due_on", "id"))


@router.post("/checklist-items/{item_id}", response={200: ChecklistItemOut, **ERRORS})
def checklist_item_mark_endpoint(request, item_id: Int64, body: ChecklistMarkIn):
    """Mark an item done or n/a, or reopen it."""
    checklists.checklist_item_mark(actor=request.auth, item_id=item_id, **body.dict())
    return selectors.checklist_item_get(actor=request.auth, item_id=item_id)


@router.get("/checklist-templates", response={200: list[ChecklistTemplateOut], **ERRORS})
def checklist_templates_endpoint(request):
    """The org's checklist templates (the shipped ones until the org changes them)."""
    return templates.checklist_templates_for(request.auth.org_id)


@router.put("/checklist-templates", response={200: ChecklistTemplateOut, **ERRORS})
def checklist_template_save_endpoint(request, body: ChecklistTemplateIn):
    """Create or replace the template for a kind, side ("" both) and state ("" every state);
    the most specific one wins for a deal. Admins and transaction coordinators only."""
    return templates.checklist_template_save(actor=request.auth, **body.dict())
