"""Who does a step (the member holding its role on the engagement's team) and who sees handoffs."""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import Q, QuerySet

from rallypoynt.journeys.domain import Evaluation, StepStatus
from rallypoynt.journeys.models import Engagement, Handoff
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Membership, TeamMember
from rallypoynt.orgs.permissions import visibility_for

MANAGE_ACTION = "org.manage_teams"


class RoleHolder(NamedTuple):
    """The member who does a role's work on an engagement (None: the agent keeps it), and why."""

    member: Membership | None
    reason: str


def role_label(role: str) -> str:
    """'Transaction coordinator' for 'transaction_coordinator' (unknown codes read the same way)."""
    try:
        return str(Role(role).label)
    except ValueError:
        return role.replace("_", " ").capitalize()


def _name(member: Membership) -> str:
    return str(member.user)


def role_holder(engagement: Engagement, role: str) -> RoleHolder:
    """The engagement's agent when they hold `role`, else the team's lead or earliest member
    holding it (the engagement's team, else the agent's teams), else nobody."""
    agent = engagement.agent
    label = role_label(role)
    if role == Role.AGENT:
        return RoleHolder(agent, f"{_name(agent)} is the engagement's agent")
    if agent.has_role(role):
        return RoleHolder(agent, f"{label} {_name(agent)} is the engagement's agent")
    team = engagement.team  # no query when it has none
    if team is not None:
        teams = Q(team_id=team.pk)
        where = f"team {team.name}"
    else:
        agent_teams = TeamMember.objects.filter(org_id=engagement.org_id, membership_id=agent.pk)
        teams = Q(team_id__in=agent_teams.values("team_id"))
        where = "the agent's teams"
    found = (
        TeamMember.objects.filter(
            teams,
            org_id=engagement.org_id,
            membership__is_active=True,
            membership__role_assignments__role=role,
        )
        .select_related("membership__user", "team")
        .order_by("-is_lead", "created_at", "pk")
        .first()
    )
    if found is None:
        return RoleHolder(
            None, f"No active {label.lower()} on {where}; {_name(agent)} keeps the work"
        )
    lead = " (team lead)" if found.is_lead else ""
    return RoleHolder(
        found.membership, f"{label} {_name(found.membership)} on team {found.team}{lead}"
    )


def steps_to_hand_off(evaluation: Evaluation) -> tuple[StepStatus, ...]:
    """Open steps whose due time is known or that have none; a step waiting on an earlier one
    is handed off once that one is done, so its task carries a real due time."""
    return tuple(s for s in evaluation.open_steps if s.due_at is not None or s.step.due is None)


def handoff_visible_q(actor: Membership) -> Q:
    """Handoffs the actor may see, scoped like engagements: given or received by them, or on
    an engagement whose agent is in their scope (an office manager: their office's)."""
    scope = visibility_for(actor)
    if scope.is_org_wide:
        return Q(org_id=actor.org_id)
    # Managing teams widens nothing: an office manager's scope is their office (rule 13).
    mine = Q(to_member_id=actor.pk) | Q(from_member_id=actor.pk)
    return Q(org_id=actor.org_id) & (mine | scope.owned_q("engagement__agent"))


def handoff_list(
    *, actor: Membership, is_open: bool | None = None, mine: bool = False
) -> QuerySet[Handoff]:
    """Visible handoffs, newest first; `is_open` keeps only those waiting to be accepted
    (neither accepted nor closed), or only the others; `mine` only those handed to the actor."""
    qs = Handoff.objects.filter(handoff_visible_q(actor))
    if mine:
        qs = qs.filter(to_member_id=actor.pk)
    waiting = Q(accepted_at__isnull=True, closed_at__isnull=True)
    if is_open is not None:
        qs = qs.filter(waiting if is_open else ~waiting)
    return qs.select_related("engagement", "to_member__user", "from_member__user", "task").order_by(
        "-created_at", "-id"
    )
