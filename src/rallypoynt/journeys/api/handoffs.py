"""API: handoffs of work between roles (the caller's own, or those they may see) and accepting."""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema

from rallypoynt.core.api.schemas import ERRORS
from rallypoynt.core.api.types import Int64, PageLimit
from rallypoynt.core.pagination import paginate
from rallypoynt.journeys.selectors import handoff_list
from rallypoynt.journeys.services.handoffs import handoff_accept

router = Router(tags=["engagements"])


class HandoffOut(Schema):
    id: Int64
    engagement_id: Int64
    phase_key: str
    step_key: str
    role: str
    from_member_id: Int64 | None
    to_member_id: Int64 | None
    task_id: Int64 | None
    created_at: datetime
    accepted_at: datetime | None
    closed_at: datetime | None
    closed_reason: str


class HandoffPage(Schema):
    items: list[HandoffOut]
    next_cursor: str | None


class HandoffQuery(Schema):
    is_open: bool | None = None
    mine: bool = False
    cursor: str | None = None
    limit: PageLimit = 50


@router.get("/handoffs", response={200: HandoffPage, **ERRORS})
def handoffs_endpoint(request, query: Query[HandoffQuery]):
    """Handoffs the caller may see, newest first; `mine=true` for those handed to the caller,
    `is_open=true` for those waiting to be accepted (not accepted, not closed)."""
    qs = handoff_list(actor=request.auth, is_open=query.is_open, mine=query.mine)
    return paginate(qs, cursor=query.cursor, limit=query.limit, ordering=("-created_at", "-id"))


@router.post("/handoffs/{handoff_id}/accept", response={200: HandoffOut, **ERRORS})
def accept_endpoint(request, handoff_id: Int64):
    """The receiver takes the work (or a team manager on their behalf); accepting twice is 409."""
    return handoff_accept(actor=request.auth, handoff_id=handoff_id)
