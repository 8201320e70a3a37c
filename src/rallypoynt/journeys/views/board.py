"""Pages: the pipeline board, and moving a card on it (to a stage, or on to the next phase)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rallypoynt.core.forms import ServiceForm
from rallypoynt.core.web import next_or, run_service
from rallypoynt.journeys import forms
from rallypoynt.journeys.choices import Side
from rallypoynt.journeys.selectors import board_agent_list, board_get
from rallypoynt.journeys.services import progress
from rallypoynt.orgs.decorators import member_page
from rallypoynt.orgs.selectors import team_list


def _board_page(
    request: HttpRequest, by: str, filters: dict, failed: ServiceForm | None = None
) -> HttpResponse:
    """The board; a filter or move that does not parse (400) says why."""
    actor = request.membership
    context = {
        "board": board_get(actor=actor, by=by, **filters),
        "filters": filters,
        "agents": board_agent_list(actor=actor),
        "teams": team_list(actor=actor),
        "sides": Side.choices,
        "query": request.GET.urlencode(),
        "failed": failed,
    }
    return render(request, "journeys/board.html", context, status=400 if failed else 200)


@member_page
def board_view(request: HttpRequest) -> HttpResponse:
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


@member_page
@require_POST
def board_stage_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A card dropped on (or moved to) another stage column."""
    actor = request.membership
    form = forms.BoardMoveForm(request.POST, actor=actor)
    if not form.is_valid():
        return _board_page(request, "stage", {"side": ""}, failed=form)
    run_service(
        request,
        lambda: progress.stage_change(actor=actor, engagement_id=pk, **form.arguments()),
        "Stage changed.",
    )
    return redirect(next_or(request, reverse("journeys:board")))


@member_page
@require_POST
def board_phase_advance_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A card moved on to its next journey phase (the board by phase)."""
    actor = request.membership
    run_service(request, lambda: progress.phase_advance(actor=actor, engagement_id=pk), "Moved on.")
    return redirect(next_or(request, reverse("journeys:board") + "?by=phase"))
