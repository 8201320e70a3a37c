"""Pages: a deal's commission per side, an agent's commission statement with cap progress,
and the split plans (for the broker-owner, managers and admins)."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from rallypoynt.contacts.views.people import crm_page
from rallypoynt.core.clock import local_today
from rallypoynt.core.errors import NotFound, PermissionDenied, ServiceError, ValidationFailed
from rallypoynt.orgs.selectors import member_list
from rallypoynt.transactions import selectors
from rallypoynt.transactions import selectors_commission as commission_selectors
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


def _decimal(post, name: str, default: Decimal | None = None) -> Decimal | None:
    raw = (post.get(name) or "").replace(",", "").replace("$", "").replace("%", "").strip()
    if not raw:
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ValidationFailed("Not a number.", fields={name: ["a number"]})
    return value


CO_AGENT_SLOTS = 2  # empty slots the form offers at least
MAX_CO_AGENTS = 10  # as the API


def _co_agents(post) -> list[commission.CoAgent]:
    """The co-agents typed into the form's slots (an empty slot is none)."""
    found = []
    for n in range(1, MAX_CO_AGENTS + 1):
        member = (post.get(f"co_agent_{n}") or "").strip()
        if not member:
            continue
        if not member.isdigit():
            raise ValidationFailed("Pick a member.", fields={f"co_agent_{n}": ["a member"]})
        share = _decimal(post, f"co_share_{n}")
        if share is None:
            raise ValidationFailed("Give the co-agent a share.", fields={f"co_share_{n}": ["%"]})
        found.append(commission.CoAgent(int(member), share))
    return found


def _side_entry(side: str, rows: list, agent_id: int | None) -> dict:
    """A side's rows, its agent's first, and the co-agent slots the form shows: every
    co-agent it has, then empty ones."""
    rows = sorted(rows, key=lambda r: (r.agent_id != agent_id, -r.share_percent, r.pk))
    lead = rows[0] if rows and rows[0].agent_id == agent_id else None
    co = [row for row in rows if row is not lead]
    free = max(CO_AGENT_SLOTS - len(co), 1 if len(co) < MAX_CO_AGENTS else 0)
    return {"side": side, "row": lead, "rows": rows, "slots": co + [None] * free}


def _date(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


@crm_page
def deal_commission(request: HttpRequest, pk: int) -> HttpResponse:
    """The deal's commission per side: the form to set it and the splits with their basis."""
    actor = request.membership
    deal = selectors.transaction_get(actor=actor, transaction_id=pk)
    if deal is None:
        raise Http404
    if request.method == "POST":
        post = request.POST
        _run(
            request,
            lambda: commission.commission_set(
                actor=actor,
                transaction_id=deal.pk,
                side=post.get("side", ""),
                rate_percent=_decimal(post, "rate_percent"),
                flat_amount=_decimal(post, "flat_amount"),
                referral_percent=_decimal(post, "referral_percent", Decimal(0)),
                referral_to=post.get("referral_to", ""),
                co_agents=_co_agents(post),
            ),
            "Commission saved.",
        )
        return redirect("transactions:commission", pk=deal.pk)
    rows = commission_selectors.commission_list_for_deal(actor=actor, transaction_id=deal.pk)
    agents = commission_selectors.side_agents(deal=deal)
    sides = [
        _side_entry(side, [row for row in rows if row.side == side], agents.get(side))
        for side in commission_selectors.deal_sides(deal=deal)
    ]
    members = member_list(actor=actor).select_related("user")
    context = {"deal": deal, "sides": sides, "has_rows": bool(rows), "members": members}
    return render(request, "transactions/commission_deal.html", context)


@crm_page
def commission_statement(request: HttpRequest) -> HttpResponse:
    """One agent's statement for a period (the actor's own unless they pick another agent in
    their scope), its totals and the cap progress bar; `?format=csv` downloads it."""
    actor, query = request.membership, request.GET
    today = local_today(request.membership.org)
    start = _date(query.get("start"), today.replace(month=1, day=1))
    end = _date(query.get("end"), today.replace(month=12, day=31))
    try:
        member_id = int(query.get("member") or actor.pk)
    except ValueError:
        member_id = actor.pk
    if abs(member_id) >= 2**63:
        member_id = actor.pk
    include_projected = query.get("projected") == "1"
    try:
        statement = commission_selectors.agent_statement(
            actor=actor,
            member_id=member_id,
            start=start,
            end=end,
            include_projected=include_projected,
        )
    except NotFound as exc:
        raise Http404 from exc
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        start, end = today.replace(month=1, day=1), today.replace(month=12, day=31)
        statement = commission_selectors.agent_statement(
            actor=actor, member_id=member_id, start=start, end=end
        )
    if query.get("format") == "csv":
        response = HttpResponse(
            commission_selectors.statement_csv(statement), content_type="text/csv; charset=utf-8"
        )
        name = f"commission-{member_id}-{start}-{end}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context = {
        "statement": statement,
        "members": commission_selectors.statement_members(actor=actor),
        "include_projected": include_projected,
        "csv_query": f"member={member_id}&start={start}&end={end}"
        + ("&projected=1" if include_projected else "")
        + "&format=csv",
    }
    return render(request, "transactions/commission_statement.html", context)


def _plan_terms(post) -> dict:
    return {
        "name": post.get("name", ""),
        "agent_percent": _decimal(post, "agent_percent", Decimal(-1)),
        "team_percent": _decimal(post, "team_percent", Decimal(0)),
        "annual_cap": _decimal(post, "annual_cap"),
        "post_cap_fee": _decimal(post, "post_cap_fee", Decimal(0)),
        "cap_year_month": _int(post, "cap_year_month", 1),
        "cap_year_day": _int(post, "cap_year_day", 1),
        "is_default": post.get("is_default") == "1",
    }


def _int(post, name: str, default: int) -> int:
    try:
        number = int(post.get(name) or default)
    except ValueError:
        number = None
    if number is None or abs(number) >= 2**63:  # beyond any id (the services bound the rest)
        raise ValidationFailed("Not a whole number.", fields={name: ["a whole number"]})
    return number


def _plans_post(request: HttpRequest) -> None:
    actor, post = request.membership, request.POST
    calls = {
        "create": lambda: commission_plans.split_plan_create(actor=actor, **_plan_terms(post)),
        "update": lambda: commission_plans.split_plan_update(
            actor=actor, plan_id=_int(post, "plan_id", 0), **_plan_terms(post)
        ),
        "assign": lambda: commission_plans.split_plan_assign(
            actor=actor,
            member_id=_int(post, "member_id", 0),
            plan_id=_int(post, "plan_id", 0),
            starts_on=_date(post.get("starts_on"), local_today(request.membership.org)),
        ),
    }
    call = calls.get(post.get("action", ""))
    if call is None:
        raise Http404
    _run(request, call, "Split plans saved.")


@crm_page
def commission_plans_page(request: HttpRequest) -> HttpResponse:
    """The org's split plans and who is on which; admins create, edit and assign here."""
    actor = request.membership
    try:
        plans = commission_selectors.split_plan_list(actor=actor)
        if request.method == "POST":
            commission_plans.plans_admin_check(actor)
    except PermissionDenied:
        return render(request, "web/forbidden.html", status=403)
    if request.method == "POST":
        _plans_post(request)
        return redirect("transactions:commission_plans")
    for plan in plans:
        plan.brokerage_percent = 100 - plan.agent_percent - plan.team_percent
        plan.cap_year_label = f"{calendar.month_abbr[plan.cap_year_month]} {plan.cap_year_day}"
    context = {
        "plans": plans,
        "assignments": commission_selectors.split_plan_assignment_list(actor=actor),
        "members": member_list(actor=actor),
        "can_edit": bool(actor.roles & commission_selectors.PLAN_ADMIN_ROLES),
        "months": [(number, calendar.month_name[number]) for number in range(1, 13)],
        "today": local_today(request.membership.org),
    }
    return render(request, "transactions/commission_plans.html", context)


urlpatterns: list = [
    path("<int:pk>/commission/", deal_commission, name="commission"),
    path("commission/statement/", commission_statement, name="commission_statement"),
    path("commission/plans/", commission_plans_page, name="commission_plans"),
]
