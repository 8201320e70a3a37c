"""A home per role: which homes a member has, in the order the first one opens, and what each
shows. Every section is one query cut at a few rows, so a home costs the same at any size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from rallypoynt.contacts.selectors import section, touchpoint_counts
from rallypoynt.core.clock import local_today
from rallypoynt.journeys.selectors import (
    Column,
    gates_waiting,
    handoff_list,
    pipeline_counts,
    version_blueprint,
)
from rallypoynt.leads.selectors import leads_unanswered, member_is_seller, my_day
from rallypoynt.orgs.choices import SELLING_ROLES, Role
from rallypoynt.orgs.models import Membership, TeamMember
from rallypoynt.orgs.permissions import visibility_for
from rallypoynt.orgs.selectors import member_list
from rallypoynt.transactions.selectors import (
    checklist_due_soon,
    deadlines_upcoming,
    deals_by_closing,
    deals_closing_between,
    party_gaps,
)
from rallypoynt.web.selectors.summary import home_summary

AT_RISK_DAYS = 3
ACTIVITY_DAYS = 7


@dataclass(frozen=True)
class Home:
    key: str
    label: str


AGENT = Home("agent", "My day")
TEAM = Home("team", "My team")
COORDINATOR = Home("coordinator", "Closings")
COMPLIANCE = Home("compliance", "Compliance review")
BROKERAGE = Home("brokerage", "Brokerage")
HOMES = {home.key: home for home in (AGENT, TEAM, COORDINATOR, COMPLIANCE, BROKERAGE)}


def homes_for(actor: Membership) -> list[Home]:
    """The member's homes, the one for the widest role they hold first (brokerage, team,
    closings, compliance); My day is everyone's and comes first for one who only sells."""
    roles = actor.roles
    homes = []
    if roles & {Role.BROKER_OWNER, Role.OFFICE_MANAGER, Role.SYSTEMS_ADMIN}:
        homes.append(BROKERAGE)
    if TeamMember.objects.filter(org_id=actor.org_id, membership=actor, is_lead=True).exists():
        homes.append(TEAM)
    if Role.TRANSACTION_COORDINATOR in roles:
        homes.append(COORDINATOR)
    if roles & {Role.COMPLIANCE_OFFICER, Role.CONTRACT_REVIEWER}:
        homes.append(COMPLIANCE)
    # A broker/owner alone in their org sells: their day comes first.
    solo = not roles & SELLING_ROLES and member_is_seller(actor)
    return [AGENT, *homes] if solo else [*homes, AGENT]


def home_data(home: Home, *, actor: Membership, now: datetime | None = None) -> dict:
    """Everything `home` lists for the actor."""
    now = now or timezone.now()
    build = {
        AGENT.key: _agent,
        TEAM.key: _team,
        COORDINATOR.key: _coordinator,
        COMPLIANCE.key: _compliance,
        BROKERAGE.key: _brokerage,
    }[home.key]
    return {"now": now, **build(actor, now)}


def _chart(columns: list[Column]) -> dict:
    """Columns for a bar chart, with the longest bar's count (0 when all are empty)."""
    return {"columns": columns, "peak": max((c.count for c in columns), default=0)}


def _agent(actor: Membership, now: datetime) -> dict:
    return {
        "summary": home_summary(actor=actor),
        "day": my_day(actor=actor, now=now),
        "deadlines": section(deadlines_upcoming(actor=actor, days=7)),
        "phases": _chart(pipeline_counts(actor=actor, by="phase")),
    }


def _team(actor: Membership, now: datetime) -> dict:
    led = TeamMember.objects.filter(org_id=actor.org_id, membership=actor, is_lead=True)
    teams = [
        {
            "team": lead.team,
            "chart_id": f"team-{lead.team_id}",
            "chart": _chart(pipeline_counts(actor=actor, team=lead.team)),
        }
        for lead in led.select_related("team").order_by("team__name")
    ]
    return {
        "teams": teams,
        "leads": leads_unanswered(actor=actor, now=now),
        "handoffs": section(handoff_list(actor=actor, is_open=True).order_by("created_at", "id")),
    }


def _coordinator(actor: Membership, now: datetime) -> dict:
    return {
        "closings": section(deals_by_closing(actor=actor), rows=10),
        "deadlines": section(deadlines_upcoming(actor=actor, days=7), rows=10),
        "checklist": section(checklist_due_soon(actor=actor, days=7), rows=10),
        "gaps": party_gaps(actor=actor, limit=10),
    }


def _compliance(actor: Membership, now: datetime) -> dict:
    gates = section(gates_waiting(actor=actor).select_related("journey"), rows=25)
    for engagement in gates.rows:
        phase = version_blueprint(engagement.journey).phase(engagement.phase_key)
        engagement.phase_name = phase.name if phase else engagement.phase_key
    return {"gates": gates}


def _month(today: date) -> tuple[date, date]:
    start = today.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following - timedelta(days=1)


def _brokerage(actor: Membership, now: datetime) -> dict:
    start, end = _month(local_today(actor.org, now))
    closing = deals_closing_between(actor=actor, start=start, end=end)
    return {
        "stages": _chart(pipeline_counts(actor=actor, by="stage")),
        "closing": section(closing, rows=10),
        "closing_count": closing.count(),
        "month": start,
        "at_risk": section(deadlines_upcoming(actor=actor, days=AT_RISK_DAYS), rows=10),
        "activity": _activity(actor, now),
    }


def _activity(actor: Membership, now: datetime) -> list[dict]:
    """Touchpoints each selling member logged in the last week, busiest first."""
    scope = visibility_for(actor)
    sellers = [
        m
        for m in member_list(actor=actor)
        if m.roles & SELLING_ROLES and (scope.is_org_wide or m.pk in (scope.member_ids or ()))
    ]
    since = now - timedelta(days=ACTIVITY_DAYS)
    counts = touchpoint_counts(actor=actor, member_ids=[m.pk for m in sellers], since=since)
    rows = [{"member": m, "count": counts.get(m.pk, 0)} for m in sellers]
    return sorted(rows, key=lambda row: (-row["count"], str(row["member"].user)))
