"""An org's lead configuration (settings, calendar, active rules and their teams), cached;
and who sells: the only members routing, ponds and assignment ever choose.

Every lead of an org reads the same configuration: each process builds it once per org
config stamp (see orgs/config_cache.py) instead of reading six tables per lead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from rallypoynt.core.calendar import DEFAULT_HOURS, BusinessCalendar
from rallypoynt.leads.models import LeadSettings, RoutingRule
from rallypoynt.orgs.choices import SELLING_ROLES, Role
from rallypoynt.orgs.config_cache import org_cached
from rallypoynt.orgs.models import Membership, Organization, TeamMember
from rallypoynt.orgs.selectors import calendar_for_org


@dataclass(frozen=True)
class LeadConfig:
    """What routing and the first-response clock need; shared between requests: read-only."""

    settings: LeadSettings
    calendar: BusinessCalendar
    rules: tuple[RoutingRule, ...]
    # Team id -> every member in rotation order, roles loaded (inactive members and those
    # who do not sell too: rotation skips them and the reason names them).
    team_members: Mapping[int, tuple[Membership, ...]]
    # The longest-standing active broker/owner who sells.
    first_broker: Membership | None
    # The only active member of an org of one (a solo owner sells whatever their roles).
    solo_id: int | None = None

    @property
    def time_zone(self) -> ZoneInfo:
        return self.calendar.tzinfo()

    def is_seller(self, member: Membership) -> bool:
        return is_seller(member, solo_id=self.solo_id)

    def active_sellers(self, team_id: int) -> tuple[Membership, ...]:
        """Who may claim from the team's pond (and hears about its leads)."""
        return tuple(
            m for m in self.team_members.get(team_id, ()) if m.is_active and self.is_seller(m)
        )


# Who sells -----------------------------------------------------------------------------------


def org_solo_id(org_id: int) -> int | None:
    """The member id when the org has exactly one active member, else None."""
    ids = list(
        Membership.objects.filter(org_id=org_id, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:2]
    )
    return ids[0] if len(ids) == 1 else None


def is_seller(member: Membership, *, solo_id: int | None) -> bool:
    """True for a member who works leads: a selling role, or the broker/owner of an org of one."""
    roles = member.roles
    return bool(roles & SELLING_ROLES) or (member.pk == solo_id and Role.BROKER_OWNER in roles)


CHOOSE_SELLER = "choose an agent, lead agent or buyer specialist"


def member_is_seller(member: Membership) -> bool:
    """`is_seller` for one member, reading whether their org is an org of one only if it matters."""
    if member.roles & SELLING_ROLES:
        return True
    return Role.BROKER_OWNER in member.roles and org_solo_id(member.org_id) == member.pk


def not_selling_text(member: Membership) -> str:
    """Why a member gets no leads, in agents' words.

    E.g. 'transaction coordinator, not a selling role'.
    """
    held = [label[:1].lower() + label[1:] for value, label in Role.choices if value in member.roles]
    if not held:
        return "no role, not a selling role"
    if len(held) == 1:
        return f"{held[0]}, not a selling role"
    return f"{', '.join(held[:-1])} and {held[-1]}, no selling role"


# Building the configuration ------------------------------------------------------------------


def lead_settings_for(org_id: int) -> LeadSettings:
    """The org's lead settings, or the defaults (unsaved) when none were saved yet."""
    found = LeadSettings.objects.filter(org_id=org_id).select_related("default_assignee__user")
    return found.first() or LeadSettings(org_id=org_id)


def lead_calendar(org: Organization) -> BusinessCalendar:
    """The org's business calendar; an org with no opening hours counts the default week."""
    calendar = calendar_for_org(org=org)
    if not any(calendar.hours.values()):
        calendar = replace(calendar, hours=DEFAULT_HOURS)
    return calendar


def active_rules(org_id: int) -> tuple[RoutingRule, ...]:
    """The org's active routing rules in evaluation order, assignee and team loaded."""
    return tuple(
        RoutingRule.objects.filter(org_id=org_id, is_active=True)
        .select_related("assignee__user", "team")
        .prefetch_related("assignee__role_assignments")
        .order_by("position", "id")
    )


def team_rotation(org_id: int, team_ids: set[int]) -> dict[int, tuple[Membership, ...]]:
    """Members of each team in rotation order (the order they joined it), roles loaded."""
    rows = (
        TeamMember.objects.filter(org_id=org_id, team_id__in=team_ids)
        .select_related("membership__user")
        .prefetch_related("membership__role_assignments")
        .order_by("id")
    )
    teams: dict[int, list[Membership]] = {team_id: [] for team_id in team_ids}
    for row in rows:
        teams[row.team_id].append(row.membership)
    return {team_id: tuple(members) for team_id, members in teams.items()}


def first_broker(org_id: int, *, solo_id: int | None) -> Membership | None:
    """The longest-standing active broker/owner who sells: who takes a lead nobody else can."""
    brokers = (
        Membership.objects.filter(
            org_id=org_id, is_active=True, role_assignments__role=Role.BROKER_OWNER
        )
        .select_related("user")
        .prefetch_related("role_assignments")
        .order_by("pk")
    )
    return next((m for m in brokers if is_seller(m, solo_id=solo_id)), None)


def _build(org: Organization) -> LeadConfig:
    rules = active_rules(org.pk)
    team_ids = {rule.team_id for rule in rules if rule.team_id is not None}
    solo_id = org_solo_id(org.pk)
    settings = lead_settings_for(org.pk)
    if settings.default_assignee is not None:
        # Load the assignee's roles now: the cached config is shared, read-only.
        settings.default_assignee.roles  # noqa: B018
    return LeadConfig(
        settings=settings,
        calendar=lead_calendar(org),
        rules=rules,
        team_members=team_rotation(org.pk, team_ids) if team_ids else {},
        first_broker=first_broker(org.pk, solo_id=solo_id),
        solo_id=solo_id,
    )


def lead_config_for(org: Organization) -> LeadConfig:
    """The org's lead configuration as of the org row's config stamp."""
    return org_cached(
        org_id=org.pk, stamp=org.config_stamp, key="lead_config", build=lambda: _build(org)
    )
