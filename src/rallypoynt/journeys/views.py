"""Pages: the pipeline board, an engagement's page, opening one, and the template pages."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from rallypoynt.contacts.views.people import crm_page, next_or
from rallypoynt.core.errors import ServiceError
from rallypoynt.core.forms import ServiceForm
from rallypoynt.journeys import forms, selectors
from rallypoynt.journeys.choices import WORKING, Side
from rallypoynt.journeys.panels import engagement_panels
from rallypoynt.journeys.selectors import board_get
from rallypoynt.journeys.services import engagements, handoffs, phase_return, progress
from rallypoynt.orgs.selectors import team_list


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


def _board_page(
    request: HttpRequest, by: str, filters: dict, failed: ServiceForm | None = None
) -> HttpResponse:
    """The board; a filter or move that does not parse (400) says why."""
    actor = request.membership
    context = {
        "board": board_get(actor=actor, by=by, **filters),
        "filters": filters,
        "agents": selectors.board_agent_list(actor=actor),
        "teams": team_list(actor=actor),
        "sides": Side.choices,
        "query": request.GET.urlencode(),
        "failed": failed,
    }
    return render(request, "journeys/board.html", context, status=400 if failed else 200)


@crm_page
def board(request: HttpRequest) -> HttpResponse:
    """Active engagements by sales stage (or journey phase), filtered by agent, team, side;
    a filter that does not parse is left off and named (400)."""
    query = forms.BoardFilterForm(request.GET, actor=request.membership)
    query.is_valid()
    data = query.cleaned_data  # the filters that parsed
    filters = {
        "side": data.get("side") or "",
        "agent_id": data["agent_id"].pk if data.get("agent_id") else None,
        "team_id": data["team_id"].pk if data.get("team_id") else None,
    }
    return _board_page(request, data.get("by") or "stage", filters, query if query.errors else None)


@crm_page
@require_POST
def board_move(request: HttpRequest, pk: int) -> HttpResponse:
    """A card dropped on (or moved to) another column: a stage change, or the next phase."""
    actor = request.membership
    form = forms.BoardMoveForm(request.POST, actor=actor)
    if not form.is_valid():
        return _board_page(request, "stage", {"side": ""}, failed=form)
    if form.cleaned_data["by"] == "phase":
        _run(request, lambda: progress.phase_advance(actor=actor, engagement_id=pk), "Moved on.")
    else:
        target = form.cleaned_data["to"]
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
    return _engagement_page(request, _engagement_or_404(request, pk))


def _engagement_page(
    request: HttpRequest, engagement, failed: ServiceForm | None = None
) -> HttpResponse:
    """An engagement's page; a button's form that does not parse (400) says why."""
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
        "failed": failed,
    }
    status = 400 if failed else 200
    return render(request, "journeys/engagement.html", context, status=status)


# Each button of the engagement page: its form, its service and what it says when done.
ACTIONS = {
    "complete": (forms.StepForm, progress.step_complete, "Step done."),
    "undo": (forms.StepForm, progress.step_undo, "Step reopened."),
    "deliver": (forms.DeliverForm, progress.deliverable_record, "Deliverable on file."),
    "advance": (forms.NoFieldsForm, progress.phase_advance, "On to the next phase."),
    "return": (forms.ReturnForm, phase_return.phase_return, "Moved back."),
    "gate": (forms.GateForm, progress.gate_decide, "Decision recorded."),
    "stage": (forms.StageForm, progress.stage_change, "Stage changed."),
    "close": (forms.CloseForm, engagements.engagement_close, "Engagement closed."),
    "hold": (forms.HoldForm, engagements.engagement_hold, "Updated."),
    "upgrade": (
        forms.NoFieldsForm,
        progress.engagement_upgrade,
        "Moved to the newest template version.",
    ),
}


@crm_page
@require_POST
def engagement_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Every button of the engagement page: its form, one service, then back to the page;
    a form that does not parse shows the page again with its errors (400)."""
    if action not in ACTIONS:
        raise Http404
    form_class, service, success = ACTIONS[action]
    actor = request.membership
    form = form_class(request.POST, actor=actor)
    if not form.is_valid():
        return _engagement_page(request, _engagement_or_404(request, pk), failed=form)
    arguments = form.arguments()
    _run(request, lambda: service(actor=actor, engagement_id=pk, **arguments), success)
    return redirect(next_or(request, reverse("journeys:engagement", args=[pk])))


def _new_page(request: HttpRequest, contact, failed: ServiceForm | None = None) -> HttpResponse:
    context = {
        "contact": contact,
        "sides": Side.choices,
        "teams": team_list(actor=request.membership),
        "failed": failed,
    }
    status = 400 if failed else 200
    return render(request, "journeys/engagement_new.html", context, status=status)


@crm_page
def engagement_new(request: HttpRequest) -> HttpResponse:
    """Open a client journey for a contact (buy or sell)."""
    actor = request.membership
    named = forms.ContactPrefillForm(request.GET, actor=actor)
    contact = named.cleaned_data["contact"] if named.is_valid() else None
    if request.method != "POST":
        return _new_page(request, contact)
    form = forms.EngagementOpenForm(request.POST, actor=actor)
    if not form.is_valid():
        return _new_page(request, contact, failed=form)
    created = []

    def open_() -> None:
        created.append(engagements.engagement_open(actor=actor, **form.arguments()))

    if _run(request, open_, "Engagement opened."):
        return redirect("journeys:engagement", pk=created[0].pk)
    return _new_page(request, contact)


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
