"""API: managing a deal — checklists (and the org's templates), the issue log, progress
updates to the clients and the final walk-through report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Query, Router, Schema, Status
from pydantic import Field

from rallypoynt.api.schemas import ERRORS
from rallypoynt.core.errors import NotFound
from rallypoynt.core.pagination import paginate
from rallypoynt.transactions import selectors
from rallypoynt.transactions import selectors_management as reads
from rallypoynt.transactions.services import checklists, issues, progress, walkthrough

router = Router(tags=["management"])


def _name(member) -> str | None:
    return str(member.user) if member is not None else None


class ChecklistItemOut(Schema):
    id: int
    transaction_id: int
    kind: str
    key: str
    title: str
    responsible_role: str
    anchor: str
    offset_days: int
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
    done: int
    total: int
    items: list[ChecklistItemOut]


class DueItemOut(ChecklistItemOut):
    property: str

    @staticmethod
    def resolve_property(row) -> str:
        return str(row.transaction)


class DuePage(Schema):
    items: list[DueItemOut]
    next_cursor: str | None


class DueQuery(Schema):
    days: int = 7
    cursor: str | None = None
    limit: int = 50


class ChecklistApplyIn(Schema):
    kinds: list[str] | None = None


class ChecklistItemIn(Schema):
    kind: str
    title: str
    due_on: date | None = None
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
    id: int
    kind: str
    side: str
    state: str
    name: str
    items: list[dict[str, Any]]


def _deal(request, transaction_id: int):
    deal = selectors.transaction_get(actor=request.auth, transaction_id=transaction_id)
    if deal is None:
        raise NotFound("No such transaction.")
    return deal


@router.get(
    "/transactions/{transaction_id}/checklists", response={200: list[ChecklistGroupOut], **ERRORS}
)
def checklist_groups(request, transaction_id: int):
    """The deal's checklists by kind: due diligence, pre-closing, closing, termination."""
    return reads.checklist_groups(transaction=_deal(request, transaction_id))


@router.post(
    "/transactions/{transaction_id}/checklists/apply",
    response={200: list[ChecklistGroupOut], **ERRORS},
)
def checklist_apply(request, transaction_id: int, body: ChecklistApplyIn):
    """Add the items of the best templates for the deal's side(s) and state (by default due
    diligence, pre-closing and closing); items already there are kept."""
    checklists.checklists_apply_for(
        actor=request.auth, transaction_id=transaction_id, kinds=body.kinds
    )
    return reads.checklist_groups(transaction=_deal(request, transaction_id))


@router.post(
    "/transactions/{transaction_id}/checklist-items", response={201: ChecklistItemOut, **ERRORS}
)
def checklist_item_add(request, transaction_id: int, body: ChecklistItemIn):
    row = checklists.checklist_item_add(
        actor=request.auth, transaction_id=transaction_id, **body.dict()
    )
    return Status(201, row)


@router.get("/checklist-items", response={200: DuePage, **ERRORS})
def checklist_due_soon(request, query: Query[DueQuery]):
    """Open checklist items due within `days` (overdue first) across the caller's deals."""
    qs = reads.checklist_due_soon(actor=request.auth, days=query.days)
    return paginate(qs, cursor=query.cursor, limit=query.limit, ordering=("due_on", "id"))


@router.post("/checklist-items/{item_id}", response={200: ChecklistItemOut, **ERRORS})
def checklist_item_mark(request, item_id: int, body: ChecklistMarkIn):
    """Mark an item done or n/a, or reopen it."""
    checklists.checklist_item_mark(actor=request.auth, item_id=item_id, **body.dict())
    return reads.checklist_item_get(actor=request.auth, item_id=item_id)


@router.get("/checklist-templates", response={200: list[ChecklistTemplateOut], **ERRORS})
def checklist_templates(request):
    """The org's checklist templates (the shipped ones until the org changes them)."""
    return checklists.checklist_templates_for(request.auth.org_id)


@router.put("/checklist-templates", response={200: ChecklistTemplateOut, **ERRORS})
def checklist_template_save(request, body: ChecklistTemplateIn):
    """Create or replace the template for a kind, side ("" both) and state ("" every state);
    the most specific one wins for a deal. Admins and transaction coordinators only."""
    return checklists.checklist_template_save(actor=request.auth, **body.dict())


class IssueIn(Schema):
    title: str
    description: str = ""
    owner_id: int | None = None
    due_on: date | None = None
    deadline_id: int | None = None


class IssuePatchIn(Schema):
    title: str | None = None
    description: str | None = None
    owner_id: int | None = None
    due_on: date | None = None


class IssueResolveIn(Schema):
    resolution: str
    resolved_on: date | None = None


class IssueReopenIn(Schema):
    reason: str = ""


class IssueOut(Schema):
    id: int
    transaction_id: int
    title: str
    description: str
    status: str
    owner_id: int | None
    owner: str | None
    raised_on: date
    due_on: date | None
    resolution: str
    resolved_on: date | None
    resolved_by: str | None
    deadline_id: int | None

    @staticmethod
    def resolve_owner(row) -> str | None:
        return _name(row.owner) if row.owner_id else None

    @staticmethod
    def resolve_resolved_by(row) -> str | None:
        return _name(row.resolved_by) if row.resolved_by_id else None


def _issue(request, issue_id: int):
    row = reads.issue_get(actor=request.auth, issue_id=issue_id)
    if row is None:
        raise NotFound("No such issue.")
    return row


@router.get("/transactions/{transaction_id}/issues", response={200: list[IssueOut], **ERRORS})
def issue_list(request, transaction_id: int):
    """The issue log: open issues first."""
    return reads.issue_list(transaction=_deal(request, transaction_id))


@router.post("/transactions/{transaction_id}/issues", response={201: IssueOut, **ERRORS})
def issue_raise(request, transaction_id: int, body: IssueIn):
    row = issues.issue_raise(actor=request.auth, transaction_id=transaction_id, **body.dict())
    return Status(201, _issue(request, row.pk))


@router.get("/issues/{issue_id}", response={200: IssueOut, **ERRORS})
def issue_read(request, issue_id: int):
    return _issue(request, issue_id)


@router.patch("/issues/{issue_id}", response={200: IssueOut, **ERRORS})
def issue_update(request, issue_id: int, body: IssuePatchIn):
    """Change the title, description, owner or due date (null clears owner and due date)."""
    issues.issue_update(actor=request.auth, issue_id=issue_id, **body.dict(exclude_unset=True))
    return _issue(request, issue_id)


@router.post("/issues/{issue_id}/resolve", response={200: IssueOut, **ERRORS})
def issue_resolve(request, issue_id: int, body: IssueResolveIn):
    issues.issue_resolve(actor=request.auth, issue_id=issue_id, **body.dict())
    return _issue(request, issue_id)


@router.post("/issues/{issue_id}/reopen", response={200: IssueOut, **ERRORS})
def issue_reopen(request, issue_id: int, body: IssueReopenIn):
    issues.issue_reopen(actor=request.auth, issue_id=issue_id, **body.dict())
    return _issue(request, issue_id)


class ProgressIn(Schema):
    note: str
    send: bool = False


class ProgressUpdateOut(Schema):
    id: int
    transaction_id: int
    author: str | None
    note: str
    snapshot: dict[str, Any]
    recipients: list[dict[str, str]]
    sent_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_author(row) -> str | None:
        return _name(row.author) if row.author_id else None


@router.get("/transactions/{transaction_id}/progress", response={200: dict[str, Any], **ERRORS})
def progress_snapshot(request, transaction_id: int):
    """Where the deal stands now (what a progress update would record)."""
    return reads.progress_snapshot(deal=_deal(request, transaction_id))


@router.get(
    "/transactions/{transaction_id}/progress-updates",
    response={200: list[ProgressUpdateOut], **ERRORS},
)
def progress_update_list(request, transaction_id: int):
    return reads.progress_update_list(transaction=_deal(request, transaction_id))


@router.post(
    "/transactions/{transaction_id}/progress-updates", response={201: ProgressUpdateOut, **ERRORS}
)
def progress_update_post(request, transaction_id: int, body: ProgressIn):
    """Keep an update with a snapshot; with `send`, e-mail it to the buyer/seller parties."""
    row = progress.progress_update_post(
        actor=request.auth, transaction_id=transaction_id, **body.dict()
    )
    return Status(201, row)


class WalkthroughIn(Schema):
    done_on: date
    attendees: str = ""
    # [{"area": "Kitchen", "ok": true, "note": ""}], checked by the service (path errors).
    findings: list[Any]
    notes: str = ""


class WalkthroughOut(Schema):
    id: int
    transaction_id: int
    done_on: date
    attendees: str
    findings: list[dict[str, Any]]
    is_ok: bool
    notes: str
    author: str | None

    @staticmethod
    def resolve_author(row) -> str | None:
        return _name(row.author) if row.author_id else None


@router.get(
    "/transactions/{transaction_id}/walkthroughs", response={200: list[WalkthroughOut], **ERRORS}
)
def walkthrough_list(request, transaction_id: int):
    return reads.walkthrough_list(transaction=_deal(request, transaction_id))


@router.post(
    "/transactions/{transaction_id}/walkthroughs", response={201: WalkthroughOut, **ERRORS}
)
def walkthrough_record(request, transaction_id: int, body: WalkthroughIn):
    """Record the final walk-through; areas not in order go on the issue log, and an
    all-clear satisfies the walk-through deadline."""
    row = walkthrough.walkthrough_record(
        actor=request.auth, transaction_id=transaction_id, **body.dict()
    )
    return Status(201, row)
