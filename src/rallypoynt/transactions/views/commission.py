"""Pages: a deal's commission per side, an agent's commission statement with cap progress,
and the split plans (for the broker-owner, managers and admins). Each form posts to a small
view of its own."""

from __future__ import annotations

import calendar
from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from rallypoynt.core.clock import local_today
from rallypoynt.core.errors import NotFound, PermissionDenied, ValidationFailed
from rallypoynt.core.forms import ServiceForm
from rallypoynt.core.web import run_service
from rallypoynt.orgs.decorators import member_page
from rallypoynt.orgs.permissions import can_org_wide, reach_for
from rallypoynt.orgs.selectors import member_list
from rallypoynt.transactions import forms, selectors
from rallypoynt.transactions.services import commission, commission_plans
from rallypoynt.transactions.views.common import DealAction, deal_buttons, deal_or_404

CO_AGENT_SLOTS = 2  # empty slots the form offers at least


def _side_entry(side: str, rows: list, agent_id: int | None) -> dict:
    """A side's rows, its agent's first, and the co-agent slots the form shows: every
    co-agent it has, then empty ones."""
    rows = sorted(rows, key=lambda r: (r.agent_id != agent_id, -r.share_percent, r.pk))
    lead = rows[0] if rows and rows[0].agent_id == agent_id else None
    co = [row for row in rows if row is not lead]
    free = max(CO_AGENT_SLOTS - len(co), 1 if len(co) < forms.MAX_CO_AGENTS else 0)
    return {"side": side, "row": lead, "rows": rows, "slots": co + [None] * free}


def _commission_page(request: HttpRequest, deal, failed: ServiceForm | None = None):
    """The deal's sides with their splits and the forms; a refused form (400) says why."""
    actor = request.membership
    rows = selectors.commission_list_for_deal(actor=actor, deal_id=deal.pk)
    agents = selectors.side_agents(deal=deal)
    sides = [
        _side_entry(side, [row for row in rows if row.side == side], agents.get(side))
        for side in selectors.deal_sides(deal=deal)
    ]
    members = member_list(actor=actor).select_related("user")
    context = {
        "deal": deal,
        "sides": sides,
        "has_rows": bool(rows),
        "members": members,
        "failed": failed,
    }
    status = 400 if failed else 200
    return render(request, "transactions/commission_deal.html", context, status=status)


@member_page
@require_safe
def deal_commission_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The deal's commission per side: the form to set it and the splits with their basis."""
    return _commission_page(request, deal_or_404(request, pk))


COMMISSION = deal_buttons(_commission_page, "transactions:commission")

commission_set_view = COMMISSION.button(
    "commission_set_view",
    "Set one side's commission (rate or flat, referral, co-agents); splits are recomputed.",
    DealAction(forms.CommissionForm, commission.commission_set, "Commission saved."),
)


def _statement_query(request: HttpRequest) -> tuple[forms.StatementForm, dict]:
    """The statement's agent, period and options: the actor's own this year by default; a
    value that does not parse is left at its default (and the form says so)."""
    today = local_today(request.membership.org)
    query = forms.StatementForm(request.GET)
    query.is_valid()
    data = query.cleaned_data
    return query, {
        "member_id": data.get("member") or request.membership.pk,
        "start": data.get("start") or today.replace(month=1, day=1),
        "end": data.get("end") or today.replace(month=12, day=31),
        "include_projected": bool(data.get("projected")),
        "is_csv": data.get("format") == "csv",
    }


@member_page
@require_safe
def commission_statement_view(request: HttpRequest) -> HttpResponse:
    """One agent's statement for a period (the actor's own unless they pick another agent in
    their scope), its totals and the cap progress bar; `?format=csv` downloads it."""
    actor = request.membership
    query, asked = _statement_query(request)
    member_id, start, end = asked["member_id"], asked["start"], asked["end"]
    try:
        statement = selectors.agent_statement(
            actor=actor,
            member_id=member_id,
            start=start,
            end=end,
            include_projected=asked["include_projected"],
        )
    except NotFound as exc:
        raise Http404 from exc
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        today = local_today(actor.org)
        start, end = today.replace(month=1, day=1), today.replace(month=12, day=31)
        statement = selectors.agent_statement(
            actor=actor, member_id=member_id, start=start, end=end
        )
    if asked["is_csv"] and not query.errors:
        response = HttpResponse(
            selectors.statement_csv(statement), content_type="text/csv; charset=utf-8"
        )
        name = f"commission-{member_id}-{start}-{end}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context = {
        "statement": statement,
        "members": selectors.statement_members(actor=actor),
        "include_projected": asked["include_projected"],
        "csv_query": f"member={member_id}&start={start}&end={end}"
        + ("&projected=1" if asked["include_projected"] else "")
        + "&format=csv",
        "failed": query if query.errors else None,
    }
    status = 400 if query.errors else 200
    return render(request, "transactions/commission_statement.html", context, status=status)


# Split plans -------------------------------------------------------------------------------


def _may_change_plans(actor) -> bool:
    """Plans are the org's: the broker-owner and systems admins create and change them."""
    return can_org_wide(actor, commission_plans.CHANGE_ACTION)


def _may_assign_plans(actor) -> bool:
    """Whoever assigns plans (an office manager: within their office), as the services allow."""
    return reach_for(actor, selectors.ASSIGN_ACTION) is not None


def _plans_page(request: HttpRequest, plans, failed: ServiceForm | None = None) -> HttpResponse:
    actor = request.membership
    for plan in plans:
        plan.brokerage_percent = 100 - plan.agent_percent - plan.team_percent
        plan.cap_year_label = f"{calendar.month_abbr[plan.cap_year_month]} {plan.cap_year_day}"
    context = {
        "plans": plans,
        "assignments": selectors.split_plan_assignment_list(actor=actor),
        "assignees": selectors.split_plan_assignees(actor=actor),
        "can_edit": _may_change_plans(actor),
        "can_assign": _may_assign_plans(actor),
        "months": [(number, calendar.month_name[number]) for number in range(1, 13)],
        "today": local_today(request.membership.org),
        "failed": failed,
    }
    status = 400 if failed else 200
    return render(request, "transactions/commission_plans.html", context, status=status)


@member_page
@require_safe
def split_plans_view(request: HttpRequest) -> HttpResponse:
    """The org's split plans and who is on which, with the forms of whoever may change or
    assign them."""
    try:
        plans = selectors.split_plan_list(actor=request.membership)
    except PermissionDenied:
        return render(request, "web/forbidden.html", status=403)
    return _plans_page(request, plans)


def _plan_action(
    request: HttpRequest,
    allowed: Callable[[object], bool],
    form_class: type[ServiceForm],
    service: Callable[..., object],
) -> HttpResponse:
    """A form of the split plan page, for those `allowed` (the service checks again): one
    service, then back to the page; a refused form shows the page again with its errors."""
    actor = request.membership
    try:
        plans = selectors.split_plan_list(actor=actor)
    except PermissionDenied:
        return render(request, "web/forbidden.html", status=403)
    if not allowed(actor):
        return render(request, "web/forbidden.html", status=403)
    form = form_class(request.POST, actor=actor)
    if not form.is_valid():
        return _plans_page(request, plans, failed=form)
    run_service(request, lambda: service(actor=actor, **form.arguments()), "Split plans saved.")
    return redirect("transactions:commission_plans")


@member_page
@require_POST
def split_plan_create_view(request: HttpRequest) -> HttpResponse:
    """A new split plan (broker-owner and systems admins)."""
    return _plan_action(
        request, _may_change_plans, forms.PlanForm, commission_plans.split_plan_create
    )


@member_page
@require_POST
def split_plan_update_view(request: HttpRequest) -> HttpResponse:
    """New terms for one of the org's plans (broker-owner and systems admins)."""
    return _plan_action(
        request, _may_change_plans, forms.PlanUpdateForm, commission_plans.split_plan_update
    )


@member_page
@require_POST
def split_plan_assign_view(request: HttpRequest) -> HttpResponse:
    """Put a member on a plan from a day (an office manager: within their office)."""
    return _plan_action(
        request, _may_assign_plans, forms.AssignForm, commission_plans.split_plan_assign
    )
