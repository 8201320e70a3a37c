"""Choosing who gets a new lead, and why: rules in order, round robin, pond, fallback.

The one loop (`route_decide`) that intake and the preview share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from rallypoynt.core.clock import Zoned
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.timefmt import moment_text
from rallypoynt.leads.choices import RoutingAction
from rallypoynt.leads.models import RoutingRule
from rallypoynt.leads.selectors.config import (
    CHOOSE_SELLER,
    LeadConfig,
    is_seller,
    lead_config_for,
    member_is_seller,
    not_selling_text,
    org_solo_id,
    team_rotation,
)
from rallypoynt.leads.services.routing_match import (
    LeadFacts,
    matched_text,
    rule_match,
    sentence,
)
from rallypoynt.orgs.models import Membership, Team

MANAGE_ACTION = "org.manage_teams"


def member_name(member: Membership | None) -> str:
    """How a member is named in reasons and notifications."""
    return str(member.user) if member is not None else "nobody"


def local_time(moment: datetime, tz: Zoned) -> str:
    """A moment as the org reads it, e.g. 'Mon Mar 10, 9:30 AM MDT'."""
    return moment_text(moment, tz)


def contact_link(contact_id: int) -> str:
    return f"/contacts/{contact_id}/"


# Choosing a member ---------------------------------------------------------------------------
# Only members who sell take leads (agents, lead agents, buyer specialists, a solo owner): a
# team's coordinators and assistants are passed over, and the reason says so.


def _team_roster(
    team: Team, config: LeadConfig | None
) -> tuple[tuple[Membership, ...], int | None]:
    """The team in rotation order, roles loaded, and the org's solo member id."""
    if config is not None and team.pk in config.team_members:
        return config.team_members[team.pk], config.solo_id
    return team_rotation(team.org_id, {team.pk})[team.pk], org_solo_id(team.org_id)


def rotate(
    team: Team,
    *,
    config: LeadConfig | None = None,
    rule: RoutingRule | None = None,
    exclude: frozenset[int] = frozenset(),
    after: int | None = None,
    commit: bool = True,
) -> tuple[Membership | None, str]:
    """Next active seller of `team` in turn, and how they were chosen (or why nobody was).

    With a rule its row is locked and `rr_position` advanced, so turns survive restarts and
    concurrent intakes; without one the turn starts after member `after`. Members who do not
    sell keep their place in the team's order but are always passed over.
    """
    position = 0
    if rule is not None:
        query = RoutingRule.objects.filter(pk=rule.pk)
        position = (query.select_for_update() if commit else query).values_list(
            "rr_position", flat=True
        ).first() or 0
    members, solo_id = _team_roster(team, config)
    if not members:
        return None, f"team {team.name} has no members"
    size = len(members)
    ids = [member.pk for member in members]
    sells = [is_seller(member, solo_id=solo_id) for member in members]
    start = position % size if rule is not None else (ids.index(after) + 1 if after in ids else 0)
    inactive: list[str] = []
    not_selling: list[str] = []
    for step in range(size):
        index = (start + step) % size
        member = members[index]
        if not sells[index]:
            not_selling.append(f"skipped {member_name(member)}: {not_selling_text(member)}")
            continue
        if not member.is_active:
            inactive.append(member_name(member))
            continue
        if member.pk in exclude:
            continue
        if rule is not None and commit:
            RoutingRule.objects.filter(pk=rule.pk).update(rr_position=(index + 1) % size)
        # Places count sellers only: the rotation is the people who can take the lead.
        place = sum(sells[:index]) + 1
        how = f"round robin in team {team.name} chose {member_name(member)} "
        notes = [f"place {place} of {sum(sells)} in the rotation"]
        if inactive:
            notes.append(f"skipped inactive {', '.join(inactive)}")
        return member, how + f"({'; '.join([*notes, *not_selling])})"
    if not any(sells):
        return None, f"team {team.name} has nobody who sells ({'; '.join(not_selling)})"
    return None, f"team {team.name} has no active member to take it"


def _rule_pick(
    rule: RoutingRule, config: LeadConfig, *, commit: bool
) -> tuple[Membership | None, str]:
    if rule.action == RoutingAction.ASSIGN:
        member = rule.assignee
        if member is None:
            return None, "its assignee was removed"
        if not member.is_active:
            return None, f"its assignee {member_name(member)} is inactive"
        if not config.is_seller(member):
            return None, f"skipped its assignee {member_name(member)}: {not_selling_text(member)}"
        return member, f"assigned to {member_name(member)}"
    if rule.team is None:
        return None, "its team was deleted"
    return rotate(rule.team, config=config, rule=rule, commit=commit)


def fallback_pick(config: LeadConfig, owner: Membership | None) -> tuple[Membership | None, str]:
    """No rule took the lead: the default assignee, the contact's owner, else a broker/owner.

    Each must sell: one who does not is passed over, and the reason names them.
    """
    parts: list[str] = []
    default = config.settings.default_assignee
    if default is None or not default.is_active:
        parts.append("no default assignee is set")
    elif config.is_seller(default):
        return default, f"assigned to the default assignee {member_name(default)}"
    else:
        parts.append(
            f"skipped the default assignee {member_name(default)}: {not_selling_text(default)}"
        )
    if owner is None or not owner.is_active:
        if parts == ["no default assignee is set"]:
            parts[0] += " and the contact has no active owner"
        else:
            parts.append("the contact has no active owner")
    elif config.is_seller(owner):
        return owner, "; ".join([*parts, f"assigned to the contact's owner {member_name(owner)}"])
    else:
        parts.append(f"skipped the contact's owner {member_name(owner)}: {not_selling_text(owner)}")
    broker = config.first_broker
    if broker is not None:
        return broker, "; ".join(
            [*parts, f"assigned to the first broker/owner {member_name(broker)}"]
        )
    return None, "; ".join([*parts, "no active broker/owner sells: the lead waits unassigned"])


def not_seller_error(member: Membership, field_name: str) -> ValidationFailed:
    """The 422 for handing a lead straight to a member who does not sell."""
    why = f"{member_name(member)}: {not_selling_text(member)}"
    return ValidationFailed(
        f"{member_name(member)} does not take leads ({not_selling_text(member)}).",
        fields={field_name: [f"{why}; {CHOOSE_SELLER}"]},
    )


def seller_check(*, org_id: int, membership_id: int | None, field_name: str) -> None:
    """Refuse a direct assignment to a member who does not sell (422 naming `field_name`)."""
    if membership_id is None:
        return
    member = (
        Membership.objects.filter(org_id=org_id, pk=membership_id)
        .select_related("user")
        .prefetch_related("role_assignments")
        .first()
    )
    if member is not None and not member_is_seller(member):
        raise not_seller_error(member, field_name)


def rule_seller_check(rule: RoutingRule) -> RoutingRule:
    """An 'assign' rule must name a member who sells; the caller's transaction rolls back."""
    if rule.action == RoutingAction.ASSIGN:
        seller_check(org_id=rule.org_id, membership_id=rule.assignee_id, field_name="assignee_id")
    return rule


@dataclass
class Route:
    """Where a new lead goes (a member, a team's pond, or nobody yet) and why."""

    reason: str
    member: Membership | None = None
    rule: RoutingRule | None = None
    pond_team: Team | None = None
    claim_deadline_at: datetime | None = None
    pond_members: tuple[Membership, ...] = field(default=())


def _pond_route(
    rule: RoutingRule, team: Team, why: str, config: LeadConfig, now: datetime
) -> Route:
    deadline = now + timedelta(minutes=rule.pond_timeout_minutes)
    reason = sentence(
        f"{why}; put in team {team.name}'s pond: the first member to claim it gets it, "
        f"else at {local_time(deadline, config.time_zone)} it goes by round robin"
    )
    return Route(
        reason=reason,
        rule=rule,
        pond_team=team,
        claim_deadline_at=deadline,
        pond_members=config.active_sellers(team.pk),
    )


def route_decide(
    *,
    facts: LeadFacts,
    config: LeadConfig,
    owner: Membership | None,
    now: datetime,
    commit: bool = True,
) -> Route:
    """Apply the org's rules in order, else the fallback; the one loop intake and preview share.

    With `commit` a round robin's turn is locked and advanced; without it (the preview) it is
    only read, so the preview names who the next lead would go to.
    """
    notes: list[str] = []
    for rule in config.rules:
        met = rule_match(rule, facts)
        if met is None:
            continue
        why = matched_text(rule, met)
        if rule.action == RoutingAction.POND and (team := rule.team) is not None:
            if config.active_sellers(team.pk):
                return _pond_route(rule, team, "; ".join([*notes, why]), config, now)
            notes.append(f"{why} but team {team.name} has no active member who sells")
            continue
        member, how = _rule_pick(rule, config, commit=commit)
        if member is None:
            notes.append(f"{why} but {how}")
            continue
        return Route(reason=sentence("; ".join([*notes, why, how])), member=member, rule=rule)
    member, how = fallback_pick(config, owner)
    nothing = "no other rule could take it" if notes else "no routing rule matched"
    return Route(reason=sentence("; ".join([*notes, nothing, how])), member=member)


# Preview -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoutePreview:
    rule: RoutingRule | None
    member: Membership | None
    reason: str
    pond_team: Team | None = None


def routing_preview(
    *, actor: Membership, facts: LeadFacts, now: datetime | None = None
) -> RoutePreview:
    """Which rule would take a lead like this from a new contact, who would get it and why.

    The same loop as intake (`route_decide`), without advancing a round robin: nothing is
    written, and the reason is the one the lead would carry.
    """
    config = lead_config_for(actor.org)
    route = route_decide(
        facts=facts, config=config, owner=None, now=now or timezone.now(), commit=False
    )
    return RoutePreview(route.rule, route.member, route.reason, route.pond_team)
