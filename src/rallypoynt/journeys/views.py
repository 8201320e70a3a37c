"""Pages: the pipeline board, an engagement's page, opening one, and the template pages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from rallypoynt.contacts.selectors import contact_queryset
from rallypoynt.contacts.views.people import crm_page, next_or
from rallypoynt.core.errors import ServiceError
from rallypoynt.journeys import selectors
from rallypoynt.journeys.choices import WORKING, Side
from rallypoynt.journeys.panels import engagement_panels
from rallypoynt.journeys.selectors_board import board_get
from rallypoynt.journeys.services import engagements, handoffs, phase_return, progress
from rallypoynt.orgs.permissions import visibility_for
from rallypoynt.orgs.selectors import member_list, team_list


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _run(request: HttpRequest, call, success: str) -> bool:
    """Run a service; its refusal (with every reason) becomes an error message."""
    try:
        call()
    except ServiceError as exc:
        details = "; ".join(e for errs in exc.fields.values() for e in errs)
        text = exc.message if details in exc.message else f"{exc.message} {details}"
        messages.error(request, text.strip())
        return False
    messages.success(request, success)
    return True


@crm_page
def board(request: HttpRequest) -> HttpResponse:
    """Active engagements by sales stage (or journey phase), filtered by agent, team, side."""
    actor = request.membership
    by = "phase" if request.GET.get("by") == "phase" else "stage"
    filters = {
        "side": request.GET.get("side", "") if request.GET.get("side") in Side.values else "",
        "agent_id": _int(request.GET.get("agent_id")),
        "team_id": _int(request.GET.get("team_id")),
    }
    scope = visibility_for(actor)
    agents = member_list(actor=actor)
    if not scope.is_org_wide:
        agents = agents.filter(pk__in=scope.member_ids)
    context = {
        "board": board_get(actor=actor, by=by, **filters),
        "filters": filters,
        "agents": agents,
        "teams": team_list(actor=actor),
        "sides": Side.choices,
        "query": request.GET.urlencode(),
    }
    return render(request, "journeys/board.html", context)


@crm_page
@require_POST
def board_move(request: HttpRequest, pk: int) -> HttpResponse:
    """A card dropped on (or moved to) another column: a stage change, or the next phase."""
    actor, target = request.membership, request.POST.get("to", "")
    if request.POST.get("by") == "phase":
        _run(request, lambda: progress.phase_advance(actor=actor, engagement_id=pk), "Moved on.")
    else:
        _run(
            request,
            lambda: progress.stage_change(actor=actor, engagement_id=pk, stage_key=target),
            "Stage changed.",
        )
    return redirect(next_or(request, reverse("journeys:board")))


def _engagement_or_404(request: HttpRequest, pk: int):
    engagement = selectors.engagement_get(actor=request.membership, engagement_id=pk)
    if engagement is None:
        raise Http404
    return engagement


@crm_page
def engagement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The phase timeline, this phase's checklist and deliverables, what blocks advancing
    and why, and the seed's guidance for the phase."""
    engagement = _engagement_or_404(request, pk)
    journey = selectors.version_blueprint(engagement.journey)
    pipeline = selectors.version_blueprint(engagement.pipeline)
    evaluation = selectors.engagement_evaluate(engagement, timezone.now())
    # On file: recorded, or produced by a step that is done (as the engine counts them).
    delivered = selectors.delivered_keys(engagement) | {
        key for s in evaluation.steps if s.is_done for key in s.step.produces
    }
    phase_index = [p.key for p in journey.phases].index(engagement.phase_key)
    context = {
        "engagement": engagement,
        "journey": journey,
        "pipeline": pipeline,
        "evaluation": evaluation,
        "phase_index": phase_index,
        "earlier_phases": journey.phases[:phase_index],
        "deliverables": [
            (d, d.key in delivered) for d in evaluation.phase.deliverables_for(engagement.side)
        ],
        "clients": selectors.engagement_clients(engagement),
        "visits": selectors.phase_visits(engagement),
        "gate_role": evaluation.phase.gate.approval_role if evaluation.phase.gate else None,
        "is_open": engagement.status in WORKING,
        "sources": selectors.step_sources(engagement),
        "phase_names": {p.key: p.name for p in journey.phases},
        "stage": pipeline.stage(engagement.stage_key),
        "panels": engagement_panels(engagement, request.membership),
        "lost_reasons": selectors.lost_reason_list(actor=request.membership).filter(is_active=True),
        "has_newer": selectors.has_newer_version(engagement),
        "handoffs": selectors.engagement_handoffs(engagement),
    }
    return render(request, "journeys/engagement.html", context)


ACTIONS = {
    "complete": (progress.step_complete, ("step_key",), "Step done."),
    "undo": (progress.step_undo, ("step_key",), "Step reopened."),
    "deliver": (progress.deliverable_record, ("deliverable_key", "note"), "Deliverable on file."),
    "advance": (progress.phase_advance, (), "On to the next phase."),
    "return": (phase_return.phase_return, ("phase_key", "reason"), "Moved back."),
    "gate": (progress.gate_decide, ("verdict", "reason"), "Decision recorded."),
    "stage": (progress.stage_change, ("stage_key",), "Stage changed."),
    "close": (
        engagements.engagement_close,
        ("status", "reason", "reason_key"),
        "Engagement closed.",
    ),
    "hold": (engagements.engagement_hold, ("is_on_hold",), "Updated."),
    "upgrade": (progress.engagement_upgrade, (), "Moved to the newest template version."),
}


@crm_page
@require_POST
def engagement_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Every button of the engagement page: one service each, then back to the page."""
    if action not in ACTIONS:
        raise Http404
    call, names, success = ACTIONS[action]
    values = {name: request.POST.get(name, "") for name in names}
    if "is_on_hold" in values:
        values["is_on_hold"] = values["is_on_hold"] == "1"
    _run(
        request,
        lambda: call(actor=request.membership, engagement_id=pk, **values),
        success,
    )
    return redirect(next_or(request, reverse("journeys:engagement", args=[pk])))


@crm_page
def engagement_new(request: HttpRequest) -> HttpResponse:
    """Open a client journey for a contact (buy or sell)."""
    actor = request.membership
    contact = contact_queryset(actor=actor).filter(pk=_int(request.GET.get("contact"))).first()
    if request.method == "POST":
        created = []

        def open_() -> None:
            created.append(
                engagements.engagement_open(
                    actor=actor,
                    contact_ids=[_int(request.POST.get("contact_id")) or 0],
                    side=request.POST.get("side", ""),
                    title=request.POST.get("title", ""),
                    expected_value=_decimal(request.POST.get("expected_value")),
                    team_id=_int(request.POST.get("team_id")),
                )
            )

        if _run(request, open_, "Engagement opened."):
            return redirect("journeys:engagement", pk=created[0].pk)
    context = {"contact": contact, "sides": Side.choices, "teams": team_list(actor=actor)}
    return render(request, "journeys/engagement_new.html", context)


def _decimal(value: str | None) -> Decimal | None:
    try:
        return Decimal(value.replace(",", "")) if value else None
    except InvalidOperation:
        return Decimal(-1)  # the service refuses it with a clear message


@crm_page
@require_POST
def handoff_accept_view(request: HttpRequest, pk: int, handoff_id: int) -> HttpResponse:
    """The receiver takes the work handed to them."""
    _run(
        request,
        lambda: handoffs.handoff_accept(actor=request.membership, handoff_id=handoff_id),
        "Handoff accepted.",
    )
    return redirect("journeys:engagement", pk=pk)
