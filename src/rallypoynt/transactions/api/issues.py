"""API: the issue log of a deal, progress updates to the clients and the final walk-through
report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Router, Schema, Status

from rallypoynt.core.api.schemas import ERRORS
from rallypoynt.core.api.types import BoundedDate, Int64
from rallypoynt.core.errors import NotFound
from rallypoynt.transactions import selectors
from rallypoynt.transactions.services import issues, progress, walkthrough

router = Router(tags=["management"])


def _name(member) -> str | None:
    return str(member.user) if member is not None else None


def _deal(request, deal_id: Int64):
    deal = selectors.deal_get(actor=request.auth, deal_id=deal_id)
    if deal is None:
        raise NotFound("No such deal.")
    return deal


class IssueIn(Schema):
    title: str
    description: str = ""
    owner_id: Int64 | None = None
    due_on: BoundedDate | None = None
    deadline_id: Int64 | None = None


class IssuePatchIn(Schema):
    title: str | None = None
    description: str | None = None
    owner_id: Int64 | None = None
    due_on: BoundedDate | None = None


class IssueResolveIn(Schema):
    resolution: str
    resolved_on: BoundedDate | None = None


class IssueReopenIn(Schema):
    reason: str = ""


class IssueOut(Schema):
    id: Int64
    deal_id: Int64
    title: str
    description: str
    status: str
    owner_id: Int64 | None
    owner: str | None
    raised_on: date
    due_on: date | None
    resolution: str
    resolved_on: date | None
    resolved_by: str | None
    deadline_id: Int64 | None

    @staticmethod
    def resolve_owner(row) -> str | None:
        return _name(row.owner) if row.owner_id else None

    @staticmethod
    def resolve_resolved_by(row) -> str | None:
        return _name(row.resolved_by) if row.resolved_by_id else None


def _issue(request, issue_id: Int64):
    row = selectors.issue_get(actor=request.auth, issue_id=issue_id)
    if row is None:
        raise NotFound("No such issue.")
    return row


@router.get("/transactions/{deal_id}/issues", response={200: list[IssueOut], **ERRORS})
def issue_list_endpoint(request, deal_id: Int64):
    """The issue log: open issues first."""
    return selectors.issue_list(deal=_deal(request, deal_id))


@router.post("/transactions/{deal_id}/issues", response={201: IssueOut, **ERRORS})
def issue_raise_endpoint(request, deal_id: Int64, body: IssueIn):
    row = issues.issue_raise(actor=request.auth, deal_id=deal_id, **body.dict())
    return Status(201, _issue(request, row.pk))


@router.get("/issues/{issue_id}", response={200: IssueOut, **ERRORS})
def issue_read_endpoint(request, issue_id: Int64):
    return _issue(request, issue_id)


@router.patch("/issues/{issue_id}", response={200: IssueOut, **ERRORS})
def issue_update_endpoint(request, issue_id: Int64, body: IssuePatchIn):
    """Change the title, description, owner or due date (null clears owner and due date)."""
    issues.issue_update(actor=request.auth, issue_id=issue_id, **body.dict(exclude_unset=True))
    return _issue(request, issue_id)


@router.post("/issues/{issue_id}/resolve", response={200: IssueOut, **ERRORS})
def issue_resolve_endpoint(request, issue_id: Int64, body: IssueResolveIn):
    issues.issue_resolve(actor=request.auth, issue_id=issue_id, **body.dict())
    return _issue(request, issue_id)


@router.post("/issues/{issue_id}/reopen", response={200: IssueOut, **ERRORS})
def issue_reopen_endpoint(request, issue_id: Int64, body: IssueReopenIn):
    issues.issue_reopen(actor=request.auth, issue_id=issue_id, **body.dict())
    return _issue(request, issue_id)


class ProgressIn(Schema):
    note: str
    send: bool = False


class ProgressUpdateOut(Schema):
    id: Int64
    deal_id: Int64
    author: str | None
    note: str
    snapshot: dict[str, Any]
    recipients: list[dict[str, str]]
    sent_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_author(row) -> str | None:
        return _name(row.author) if row.author_id else None


@router.get("/transactions/{deal_id}/progress", response={200: dict[str, Any], **ERRORS})
def progress_snapshot_endpoint(request, deal_id: Int64):
    """Where the deal stands now (what a progress update would record)."""
    return selectors.progress_snapshot(deal=_deal(request, deal_id))


@router.get(
    "/transactions/{deal_id}/progress-updates",
    response={200: list[ProgressUpdateOut], **ERRORS},
)
def progress_update_list_endpoint(request, deal_id: Int64):
    return selectors.progress_update_list(deal=_deal(request, deal_id))


@router.post(
    "/transactions/{deal_id}/progress-updates", response={201: ProgressUpdateOut, **ERRORS}
)
def progress_update_post_endpoint(request, deal_id: Int64, body: ProgressIn):
    """Keep an update with a snapshot; with `send`, e-mail it to the buyer/seller parties."""
    row = progress.progress_update_post(actor=request.auth, deal_id=deal_id, **body.dict())
    return Status(201, row)


class WalkthroughIn(Schema):
    done_on: BoundedDate
    attendees: str = ""
    # [{"area": "Kitchen", "ok": true, "note": ""}], checked by the service (path errors).
    findings: list[Any]
    notes: str = ""


class WalkthroughOut(Schema):
    id: Int64
    deal_id: Int64
    done_on: date
    attendees: str
    findings: list[dict[str, Any]]
    is_ok: bool
    notes: str
    author: str | None

    @staticmethod
    def resolve_author(row) -> str | None:
        return _name(row.author) if row.author_id else None


@router.get("/transactions/{deal_id}/walkthroughs", response={200: list[WalkthroughOut], **ERRORS})
def walkthrough_list_endpoint(request, deal_id: Int64):
    return selectors.walkthrough_list(deal=_deal(request, deal_id))


@router.post("/transactions/{deal_id}/walkthroughs", response={201: WalkthroughOut, **ERRORS})
def walkthrough_record_endpoint(request, deal_id: Int64, body: WalkthroughIn):
    """Record the final walk-through; areas not in order go on the issue log, and an
    all-clear satisfies the walk-through deadline."""
    row = walkthrough.walkthrough_record(actor=request.auth, deal_id=deal_id, **body.dict())
    return Status(201, row)
