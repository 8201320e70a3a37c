"""An org's lead configuration (settings, calendar, active rules and their teams), cached.

Every lead of an org reads the same configuration: each process builds it once per org
config stamp (see orgs/config_cache.py) instead of reading six tables per lead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from rallypoynt.contacts.models import LeadSettings, RoutingRule
from rallypoynt.core.calendar import DEFAULT_HOURS, BusinessCalendar
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.config_cache import org_cached
from rallypoynt.orgs.models import Membership, Organization, TeamMember
from rallypoynt.orgs.selectors import calendar_for_org


@dataclass(frozen=True)
class LeadConfig:
    """What routing and the first-response clock need; shared between requests: read-only."""

    settings: LeadSettings
    calendar: BusinessCalendar
    rules: tuple[RoutingRule, ...]
    # Team id -> every member in rotation order (inactive ones too: rotation skips them).
    team_members: Mapping[int, tuple[Membership, ...]]
    first_broker: Membership | None

    @property
    def time_zone(self) -> ZoneInfo:
        return self.calendar.tzinfo()

    def active_members(self, team_id: int) -> tuple[Membership, ...]:
        return tuple(m for m in self.team_members.get(team_id, ()) if m.is_active)


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
        .order_by("position", "id")
    )


def team_rotation(org_id: int, team_ids: set[int]) -> dict[int, tuple[Membership, ...]]:
    """Members of each team in rotation order (the order they joined it)."""
    rows = (
        TeamMember.objects.filter(org_id=org_id, team_id__in=team_ids)
        .select_related("membership__user")
        .order_by("id")
    )
    teams: dict[int, list[Membership]] = {team_id: [] for team_id in team_ids}
    for row in rows:
        teams[row.team_id].append(row.membership)
    return {team_id: tuple(members) for team_id, members in teams.items()}


def first_broker(org_id: int) -> Membership | None:
    """The longest-standing active broker/owner: who takes a lead nobody else can."""
    return (
        Membership.objects.filter(
            org_id=org_id, is_active=True, role_assignments__role=Role.BROKER_OWNER
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )


def _build(org: Organization) -> LeadConfig:
    rules = active_rules(org.pk)
    team_ids = {rule.team_id for rule in rules if rule.team_id is not None}
    return LeadConfig(
        settings=lead_settings_for(org.pk),
        calendar=lead_calendar(org),
        rules=rules,
        team_members=team_rotation(org.pk, team_ids) if team_ids else {},
        first_broker=first_broker(org.pk),
    )


def lead_config_for(org: Organization) -> LeadConfig:
    """The org's lead configuration as of the org row's config stamp."""
    return org_cached(
        org_id=org.pk, stamp=org.config_stamp, key="lead_config", build=lambda: _build(org)
    )
