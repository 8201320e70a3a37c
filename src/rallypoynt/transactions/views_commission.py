"""Pages: a deal's commission per side, an agent's commission statement with cap progress,
and the split plans (for the broker-owner, managers and admins)."""

from __future__ import annotations

import calendar

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from rallypoynt.contacts.views.people import crm_page
from rallypoynt.core.clock import local_today
from rallypoynt.core.errors import NotFound, PermissionDenied, ServiceError, ValidationFailed
from rallypoynt.core.forms import ServiceForm, posted_action
from rallypoynt.orgs.permissions import can_org_wide, reach_for
from rallypoynt.orgs.selectors import member_list
from rallypoynt.transactions import selectors
from rallypoynt.transactions import selectors_commission as commission_selectors
from rallypoynt.transactions.forms_commission import (
    MAX_CO_AGENTS,
    AssignForm,
    CommissionForm,
    PlanForm,
    PlanUpdateForm,
    StatementForm,
)
from rallypoynt.transactions.selectors_commission_plans import ASSIGN_ACTION, split_plan_assignees
from rallypoynt.transactions.services import commission, commission_plans


def _run(request: HttpRequest, call, success: str):
    """Call a service; its error becomes a message on the page instead of a crash."""
    try:
        result = call()
    except ServiceError as exc:
        details = "; ".join(f"{f}: {e}" for f, errs in exc.fields.items() for e in errs)
        messages.error(request, f"{exc.message} {details}".strip())
        return None
    messages.success(request, success)
    return result


CO_AGENT_SLOTS = 2  # empty slots the form offers at least


def _side_entry(side: str, rows: list, agent_id: int | None) -> dict:
    """A side's rows, its agent's first, and the co-agent slots the form shows: every
    co-agent it has, then empty ones."""
    rows = sorted(rows, key=lambda r: (r.agent_id != agent_id, -r.share_percent, r.pk))
    lead = rows[0] if rows and rows[0].agent_id == agent_id else None
    co = [row for row in rows if row is not lead]
    free = max(CO_AGENT_SLOTS - len(co), 1 if len(co) < MAX_CO_AGENTS else 0)
    return {"side": side, "row": lead, "rows": rows, "slots": co + [None] * free}


def _commission_page(request: HttpRequest, deal, failed: ServiceForm | None = None):
    """The deal's sides with their splits and the forms; a refused form (400) says why."""
    actor = request.membership
    rows = commission_selectors.commission_list_for_deal(actor=actor, transaction_id=deal.pk)
    agents = commission_selectors.side_agents(deal=deal)
    sides = [
        _side_entry(side, [row for row in rows if row.side == side], agents.get(side))
        for side in commission_selectors.deal_sides(deal=deal)
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


@crm_page
def deal_commission(request: HttpRequest, pk: int) -> HttpResponse:
    """The deal's commission per side: the form to set it and the splits with their basis."""
    actor = request.membership
    deal = selectors.transaction_get(actor=actor, transaction_id=pk)
    if deal is None:
        raise Http404
    if request.method != "POST":
        return _commission_page(request, deal)
    form = CommissionForm(request.POST, actor=actor, scope=deal)
    if not form.is_valid():
        return _commission_page(request, deal, failed=form)
    _run(
        request,
        lambda: commission.commission_set(actor=actor, transaction_id=deal.pk, **form.arguments()),
        "Commission saved.",
    )
    return redirect("transactions:commission", pk=deal.pk)


def _statement_query(request: HttpRequest) -> tuple[StatementForm, dict]:
    """The statement's agent, period and options: the actor's own this year by default; a
    value that does not parse is left at its default (and the form says so)."""
    today = local_today(request.membership.org)
    query = StatementForm(request.GET)
    query.is_valid()
    data = query.cleaned_data
    return query, {
        "member_id": data.get("member") or request.membership.pk,
        "start": data.get("start") or today.replace(month=1, day=1),
        "end": data.get("end") or today.replace(month=12, day=31),
        "include_projected": bool(data.get("projected")),
        "is_csv": data.get("format") == "csv",
    }


@crm_page
def commission_statement(request: HttpRequest) -> HttpResponse:
    """One agent's statement for a period (the actor's own unless they pick another agent in
    their scope), its totals and the cap progress bar; `?format=csv` downloads it."""
    actor = request.membership
    query, asked = _statement_query(request)
    member_id, start, end = asked["member_id"], asked["start"], asked["end"]
    try:
        statement = commission_selectors.agent_statement(
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
        statement = commission_selectors.agent_statement(
            actor=actor, member_id=member_id, start=start, end=end
        )
    if asked["is_csv"] and not query.errors:
        response = HttpResponse(
            commission_selectors.statement_csv(statement), content_type="text/csv; charset=utf-8"
        )
        name = f"commission-{member_id}-{start}-{end}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context = {
        "statement": statement,
        "members": commission_selectors.statement_members(actor=actor),
        "include_projected": asked["include_projected"],
        "csv_query": f"member={member_id}&start={start}&end={end}"
        + ("&projected=1" if asked["include_projected"] else "")
        + "&format=csv",
        "failed": query if query.errors else None,
    }
    status = 400 if query.errors else 200
    return render(request, "transactions/commission_statement.html", context, status=status)


# The split plan page's forms: what each does, and who may (the service checks again).
PLAN_ACTIONS = {
    "create": (PlanForm, commission_plans.split_plan_create),
    "update": (PlanUpdateForm, commission_plans.split_plan_update),
    "assign": (AssignForm, commission_plans.split_plan_assign),
}


def _plans_allowed(actor, action: str) -> bool:
    """Plans are the org's (broker-owner, systems admins); an office manager assigns them
    within their office, as the services allow."""
    if action == "assign":
        return reach_for(actor, ASSIGN_ACTION) is not None
    return can_org_wide(actor, commission_plans.CHANGE_ACTION)


def _plans_page(request: HttpRequest, plans, failed: ServiceForm | None = None) -> HttpResponse:
    actor = request.membership
    for plan in plans:
        plan.brokerage_percent = 100 - plan.agent_percent - plan.team_percent
        plan.cap_year_label = f"{calendar.month_abbr[plan.cap_year_month]} {plan.cap_year_day}"
    context = {
        "plans": plans,
        "assignments": commission_selectors.split_plan_assignment_list(actor=actor),
        "assignees": split_plan_assignees(actor=actor),
        "can_edit": _plans_allowed(actor, "create"),
        "can_assign": _plans_allowed(actor, "assign"),
        "months": [(number, calendar.month_name[number]) for number in range(1, 13)],
        "today": local_today(request.membership.org),
        "failed": failed,
    }
    status = 400 if failed else 200
    return render(request, "transactions/commission_plans.html", context, status=status)


@crm_page
def commission_plans_page(request: HttpRequest) -> HttpResponse:
    """The org's split plans and who is on which; admins create and edit plans here, and
    whoever assigns plans (an office manager within their office) assigns them."""
    actor = request.membership
    try:
        plans = commission_selectors.split_plan_list(actor=actor)
    except PermissionDenied:
        return render(request, "web/forbidden.html", status=403)
    if request.method != "POST":
        return _plans_page(request, plans)
    action = posted_action(request.POST, PLAN_ACTIONS)
    if action is None:
        raise Http404
    if not _plans_allowed(actor, action):
        return render(request, "web/forbidden.html", status=403)
    form_class, service = PLAN_ACTIONS[action]
    form = form_class(request.POST, actor=actor)
    if not form.is_valid():
        return _plans_page(request, plans, failed=form)
    _run(request, lambda: service(actor=actor, **form.arguments()), "Split plans saved.")
    return redirect("transactions:commission_plans")


urlpatterns: list = [
    path("<int:pk>/commission/", deal_commission, name="commission"),
    path("commission/statement/", commission_statement, name="commission_statement"),
    path("commission/plans/", commission_plans_page, name="commission_plans"),
]
