"""API: engagements (list, open, read with the engine's evaluation, update, close) and moves."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from rallypoynt.core.api.schemas import ERRORS
from rallypoynt.core.api.types import Int64, Money, PageLimit
from rallypoynt.core.errors import NotFound
from rallypoynt.core.pagination import paginate
from rallypoynt.journeys import selectors
from rallypoynt.journeys.domain import Evaluation
from rallypoynt.journeys.services import engagements, phase_return, progress

router = Router(tags=["engagements"])


class EngagementOut(Schema):
    id: Int64
    title: str
    side: str
    status: str
    agent_id: Int64
    team_id: Int64 | None
    phase_key: str
    phase_entered_at: datetime
    stage_key: str
    stage_entered_at: datetime
    expected_value: Decimal | None
    lost_reason: str
    lost_reason_key: str | None
    # Won by a closing: the deal's final price and the commission it brought.
    won_price: Decimal | None
    won_commission: Decimal | None
    opened_at: datetime
    closed_at: datetime | None
    # The template versions the engagement runs on (they never change under it).
    journey_id: Int64
    pipeline_id: Int64


class StepOut(Schema):
    key: str
    title: str
    role: str
    is_required: bool
    checklist: list[str]
    due_at: datetime | None
    sla_at: datetime | None
    completed_at: datetime | None
    is_overdue: bool
    is_sla_breached: bool


class BlockerOut(Schema):
    kind: str
    key: str
    reason: str


class EvaluationOut(Schema):
    phase_key: str
    phase_name: str
    guidance: list[str]
    steps: list[StepOut]
    blockers: list[BlockerOut]
    can_advance: bool
    next_phase_key: str | None


class EngagementDetail(EngagementOut):
    contact_ids: list[Int64]
    evaluation: EvaluationOut


class EngagementPage(Schema):
    items: list[EngagementOut]
    next_cursor: str | None


class EngagementQuery(Schema):
    status: str = ""
    stage: str = ""
    phase: str = ""
    side: str = ""
    agent_id: Int64 | None = None
    team_id: Int64 | None = None
    cursor: str | None = None
    limit: PageLimit = 50


class EngagementIn(Schema):
    contact_ids: list[Int64]
    side: str
    title: str = ""
    agent_id: Int64 | None = None
    team_id: Int64 | None = None
    expected_value: Money | None = None
    level: str = "team"


class EngagementPatch(Schema):
    title: str | None = None
    expected_value: Money | None = None


class EngagementCloseIn(Schema):
    status: str
    reason: str = Field("", max_length=2000)
    reason_key: str = Field("", max_length=40)


class HoldIn(Schema):
    is_on_hold: bool


class GateIn(Schema):
    verdict: str
    reason: str = ""


class ReturnIn(Schema):
    phase_key: str
    reason: str


class StageIn(Schema):
    stage_key: str


class DeliverableIn(Schema):
    note: str = ""


def evaluation_out(evaluation: Evaluation) -> dict:
    """The engine's answer as the API shows it."""
    return {
        "phase_key": evaluation.phase.key,
        "phase_name": evaluation.phase.name,
        "guidance": list(evaluation.phase.guidance),
        "steps": [
            {
                "key": s.step.key,
                "title": s.step.title,
                "role": s.role,
                "is_required": s.step.is_required,
                "checklist": list(s.step.checklist),
                "due_at": s.due_at,
                "sla_at": s.sla_at,
                "completed_at": s.completed_at,
                "is_overdue": s.is_overdue,
                "is_sla_breached": s.is_sla_breached,
            }
            for s in evaluation.steps
        ],
        "blockers": [
            {"kind": b.kind, "key": b.key, "reason": b.reason} for b in evaluation.blockers
        ],
        "can_advance": evaluation.can_advance,
        "next_phase_key": evaluation.next_phase.key if evaluation.next_phase else None,
    }


def _detail(request, engagement_id: Int64) -> dict:
    engagement = selectors.engagement_get(actor=request.auth, engagement_id=engagement_id)
    if engagement is None:
        raise NotFound("No such engagement.")
    out = EngagementOut.from_orm(engagement).dict()
    out["contact_ids"] = selectors.engagement_contact_ids(engagement)
    out["evaluation"] = evaluation_out(selectors.engagement_evaluate(engagement, timezone.now()))
    return out


@router.get("/engagements", response={200: EngagementPage, **ERRORS})
def engagement_list_endpoint(request, query: Query[EngagementQuery]):
    """Engagements the caller may see, newest first; filter by status, stage, phase, side,
    agent or team."""
    qs = selectors.engagement_list(actor=request.auth, **query.dict(exclude={"cursor", "limit"}))
    return paginate(qs, cursor=query.cursor, limit=query.limit, ordering=("-opened_at", "-id"))


@router.post("/engagements", response={201: EngagementDetail, **ERRORS})
def engagement_create_endpoint(request, body: EngagementIn):
    """Open a client journey in its first phase (and the matching pipeline stage)."""
    engagement = engagements.engagement_open(actor=request.auth, **body.dict())
    return Status(201, _detail(request, engagement.pk))


@router.get("/engagements/{engagement_id}", response={200: EngagementDetail, **ERRORS})
def engagement_read_endpoint(request, engagement_id: Int64):
    """One engagement with its phase's steps, due times, blockers and the next phase."""
    return _detail(request, engagement_id)


@router.patch("/engagements/{engagement_id}", response={200: EngagementDetail, **ERRORS})
def engagement_update_endpoint(request, engagement_id: Int64, body: EngagementPatch):
    engagements.engagement_update(
        actor=request.auth, engagement_id=engagement_id, changes=body.dict(exclude_unset=True)
    )
    return _detail(request, engagement_id)


@router.delete("/engagements/{engagement_id}", response={204: None, **ERRORS})
def engagement_delete_endpoint(request, engagement_id: Int64):
    """Remove an engagement opened by mistake (team managers only; history goes with it)."""
    engagements.engagement_delete(actor=request.auth, engagement_id=engagement_id)
    return Status(204, None)


def _move(request, engagement_id: Int64, call, **kwargs):
    call(actor=request.auth, engagement_id=engagement_id, **kwargs)
    return _detail(request, engagement_id)


DETAIL = {200: EngagementDetail, **ERRORS}


@router.post("/engagements/{engagement_id}/steps/{step_key}/complete", response=DETAIL)
def step_complete_endpoint(request, engagement_id: Int64, step_key: str):
    return _move(request, engagement_id, progress.step_complete, step_key=step_key)


@router.delete("/engagements/{engagement_id}/steps/{step_key}/complete", response=DETAIL)
def step_undo_endpoint(request, engagement_id: Int64, step_key: str):
    return _move(request, engagement_id, progress.step_undo, step_key=step_key)


@router.post("/engagements/{engagement_id}/deliverables/{key}", response=DETAIL)
def deliverable_record_endpoint(request, engagement_id: Int64, key: str, body: DeliverableIn):
    return _move(
        request, engagement_id, progress.deliverable_record, deliverable_key=key, note=body.note
    )


@router.post("/engagements/{engagement_id}/advance", response=DETAIL)
def phase_advance_endpoint(request, engagement_id: Int64):
    """Next phase; 409 naming every missing step, deliverable or approval when the gate holds."""
    return _move(request, engagement_id, progress.phase_advance)


@router.post("/engagements/{engagement_id}/return", response=DETAIL)
def phase_return_endpoint(request, engagement_id: Int64, body: ReturnIn):
    """Back to an earlier phase (the deal fell through); the later phases' work is undone."""
    return _move(request, engagement_id, phase_return, **body.dict())


@router.post("/engagements/{engagement_id}/gate", response=DETAIL)
def gate_decide_endpoint(request, engagement_id: Int64, body: GateIn):
    return _move(request, engagement_id, progress.gate_decide, **body.dict())


@router.post("/engagements/{engagement_id}/stage", response=DETAIL)
def stage_change_endpoint(request, engagement_id: Int64, body: StageIn):
    return _move(request, engagement_id, progress.stage_change, stage_key=body.stage_key)


@router.post("/engagements/{engagement_id}/upgrade", response=DETAIL)
def engagement_upgrade_endpoint(request, engagement_id: Int64):
    """Move to the newest published template versions, keeping progress (409 if it cannot)."""
    return _move(request, engagement_id, progress.engagement_upgrade)


@router.post("/engagements/{engagement_id}/close", response=DETAIL)
def engagement_close_endpoint(request, engagement_id: Int64, body: EngagementCloseIn):
    return _move(request, engagement_id, engagements.engagement_close, **body.dict())


@router.post("/engagements/{engagement_id}/hold", response=DETAIL)
def engagement_hold_endpoint(request, engagement_id: Int64, body: HoldIn):
    return _move(request, engagement_id, engagements.engagement_hold, is_on_hold=body.is_on_hold)
