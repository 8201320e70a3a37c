"""The one place that decides who may see which rows and do which things in an org.

Each permission states its scope per role in `PERMISSIONS`: `own` (the actor's own rows),
`team` (members of the teams the actor leads), `office` (members, teams and rules of the
actor's office) or `org` (everything in the org). Services check a target with `reach_for`;
a target outside the reach answers exactly like a missing one (design rule 13).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q

from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Membership, Team, TeamMember

ORG_WIDE_ROLES = frozenset({Role.BROKER_OWNER, Role.COMPLIANCE_OFFICER})
OFFICE_ROLES = frozenset({Role.OFFICE_MANAGER})
# Roles that see the whole org or change its settings: only a broker/owner grants or removes
# them, and only a broker/owner manages a member who holds one (their plan, roles, seat).
OWNER_GRANTED_ROLES = frozenset({Role.BROKER_OWNER, Role.COMPLIANCE_OFFICER, Role.SYSTEMS_ADMIN})


class Scope(StrEnum):
    OWN = "own"
    TEAM = "team"
    OFFICE = "office"
    ORG = "org"


# Pseudo-roles in the table: everyone with a seat, and whoever leads at least one team.
ANYONE = "*"
TEAM_LEAD = "team_lead"

_WIDTH = {Scope.OWN: 0, Scope.TEAM: 1, Scope.OFFICE: 2, Scope.ORG: 3}
_ORG_ADMINS = {Role.BROKER_OWNER: Scope.ORG, Role.SYSTEMS_ADMIN: Scope.ORG}

# Every permission: which roles hold it, and over whose rows. The docs (architecture.md, "Who
# sees what") show it through `permission_table_markdown`; services read it through `can`,
# `can_org_wide` and `reach_for`.
PERMISSIONS: dict[str, dict[str, Scope]] = {
    # Org-wide settings: profile, time zone, holidays, business hours, closures, custom fields.
    "org.change_settings": dict(_ORG_ADMINS),
    "org.manage_offices": dict(_ORG_ADMINS),
    # Teams and who is on (or leads) them; without a target (journey templates, lost reasons)
    # a service asks for the org scope.
    "org.manage_teams": {**_ORG_ADMINS, Role.OFFICE_MANAGER: Scope.OFFICE},
    # Members' roles, title, office and active flag; invitations.
    "org.manage_members": {**_ORG_ADMINS, Role.OFFICE_MANAGER: Scope.OFFICE},
    "org.view_audit": {**_ORG_ADMINS, Role.COMPLIANCE_OFFICER: Scope.ORG},
    # The lead review queue: unparsed lead e-mails of the whole org (items carry no owner).
    "leads.review": {
        Role.LEAD_AGENT: Scope.ORG,
        Role.BROKER_OWNER: Scope.ORG,
        Role.OFFICE_MANAGER: Scope.ORG,
        Role.ADMIN_SUPPORT: Scope.ORG,
    },
    # Response target, acknowledgement, escalation: one setting for the whole org.
    "leads.change_settings": dict(_ORG_ADMINS),
    # Routing rules naming a team or a member in the reach; reordering is org-wide.
    "routing.manage_rules": {**_ORG_ADMINS, Role.OFFICE_MANAGER: Scope.OFFICE},
    # Split plans themselves (terms, the default plan) are the org's.
    "split_plans.change": dict(_ORG_ADMINS),
    # Which plan a member is on.
    "split_plans.assign": {**_ORG_ADMINS, Role.OFFICE_MANAGER: Scope.OFFICE},
    # A side's commission (rate, referral, co-agents): the side's agent, their team lead or a
    # manager over them. Compliance reads every deal but does not set anyone's pay.
    "commission.set": {
        ANYONE: Scope.OWN,
        TEAM_LEAD: Scope.TEAM,
        Role.OFFICE_MANAGER: Scope.OFFICE,
        **_ORG_ADMINS,
    },
    # The org's checklist templates are org-wide settings; coordinators keep them as their job.
    "checklists.change_templates": {**_ORG_ADMINS, Role.TRANSACTION_COORDINATOR: Scope.ORG},
    # Owning a contact for someone else (create, change owner): whoever may assign them leads.
    "contacts.assign_owner": {
        ANYONE: Scope.OWN,
        TEAM_LEAD: Scope.TEAM,
        Role.OFFICE_MANAGER: Scope.OFFICE,
        Role.BROKER_OWNER: Scope.ORG,
    },
}

# The roles holding each action at any scope (older callers and templates read this).
ACTION_ROLES: dict[str, frozenset[str]] = {
    action: frozenset(r for r in roles if r not in (ANYONE, TEAM_LEAD))
    for action, roles in PERMISSIONS.items()
}


def permission_table_markdown() -> str:
    """The table of `PERMISSIONS` as docs/architecture.md shows it (a test keeps them equal)."""
    labels = dict(Role.choices) | {ANYONE: "anyone", TEAM_LEAD: "team lead"}
    lines = ["| permission | who: over whose rows |", "|---|---|"]
    for action, roles in PERMISSIONS.items():
        who = "; ".join(f"{labels[role]}: {scope}" for role, scope in roles.items())
        lines.append(f"| `{action}` | {who} |")
    return "\n".join(lines)


@dataclass(frozen=True)
class Visibility:
    """Which members' rows an actor sees: `member_ids is None` means the whole org."""

    org_id: int
    membership_id: int
    member_ids: frozenset[int] | None
    reason: str

    @property
    def is_org_wide(self) -> bool:
        return self.member_ids is None

    def owned_q(self, owner_field: str = "owner", *assigned_fields: str) -> Q:
        """Filter rows owned by (or assigned to) a visible member, always within the org."""
        q = Q(org_id=self.org_id)
        if self.member_ids is None:
            return q
        visible = Q(**{f"{owner_field}_id__in": self.member_ids})
        for field in assigned_fields:
            # Assignment (collaborator, party) grants sight of the row to that member only.
            visible |= Q(**{field: self.membership_id})
        return q & visible


def visibility_for(membership: Membership) -> Visibility:
    """Compute the actor's scope from their roles, office and led teams (one or two queries)."""
    cached = getattr(membership, "_visibility", None)
    if cached is not None:
        return cached
    roles = membership.roles
    if roles & ORG_WIDE_ROLES:
        result = Visibility(membership.org_id, membership.pk, None, "org-wide role")
    else:
        ids = {membership.pk}
        reasons = ["own rows"]
        if roles & OFFICE_ROLES and membership.office_id:
            ids |= set(
                Membership.objects.filter(
                    org_id=membership.org_id, office_id=membership.office_id
                ).values_list("pk", flat=True)
            )
            reasons.append("office")
        led_team_ids = TeamMember.objects.filter(
            org_id=membership.org_id, membership=membership, is_lead=True
        ).values("team_id")
        team_member_ids = set(
            TeamMember.objects.filter(
                org_id=membership.org_id, team_id__in=led_team_ids
            ).values_list("membership_id", flat=True)
        )
        if team_member_ids:
            ids |= team_member_ids
            reasons.append("led teams")
        result = Visibility(membership.org_id, membership.pk, frozenset(ids), ", ".join(reasons))
    membership._visibility = result
    return result


def _led_team_ids(membership: Membership) -> frozenset[int]:
    cached = getattr(membership, "_led_team_ids", None)
    if cached is None:
        cached = frozenset(
            TeamMember.objects.filter(
                org_id=membership.org_id, membership=membership, is_lead=True
            ).values_list("team_id", flat=True)
        )
        membership._led_team_ids = cached
    return cached


def _held(membership: Membership | None, action: str) -> list[Scope]:
    """The scopes of `action` the member holds, one per matching role in the table."""
    try:
        table = PERMISSIONS[action]
    except KeyError:
        raise KeyError(f"unknown action {action!r}") from None
    if membership is None or not membership.is_active:
        return []
    roles = membership.roles
    held = [scope for role, scope in table.items() if role == ANYONE or role in roles]
    if TEAM_LEAD in table and _led_team_ids(membership):
        held.append(table[TEAM_LEAD])
    return held


def scope_of(membership: Membership | None, action: str) -> Scope | None:
    """The widest scope in which the member may take `action` (None: not at all)."""
    held = _held(membership, action)
    return max(held, key=_WIDTH.__getitem__) if held else None


def can(membership: Membership | None, action: str) -> bool:
    """True when the member may take `action` somewhere (a page, a button, a menu entry).

    Whether a given row is in reach is `reach_for(...).has_*`; a service acting on the org
    as a whole (no target) asks `can_org_wide`."""
    return bool(_held(membership, action))


def can_org_wide(membership: Membership | None, action: str) -> bool:
    """True when the member may take `action` on anything in the org (org-wide settings)."""
    return scope_of(membership, action) == Scope.ORG


@dataclass(frozen=True)
class Reach:
    """The rows one permission of one actor reaches: the whole org, or offices, led teams
    and member ids (their own seat for `own`, the led teams' members for `team`)."""

    org_id: int
    membership_id: int
    is_org_wide: bool
    office_ids: frozenset[int] = frozenset()
    team_ids: frozenset[int] = frozenset()
    member_ids: frozenset[int] = frozenset()

    def has_office(self, office_id: int | None) -> bool:
        return self.is_org_wide or (office_id is not None and office_id in self.office_ids)

    def has_member(self, member: Membership) -> bool:
        if member.org_id != self.org_id:
            return False
        return (
            self.is_org_wide
            or member.pk in self.member_ids
            or (member.office_id is not None and member.office_id in self.office_ids)
        )

    def has_team(self, team: Team) -> bool:
        if team.org_id != self.org_id:
            return False
        return (
            self.is_org_wide
            or team.pk in self.team_ids
            or (team.office_id is not None and team.office_id in self.office_ids)
        )

    def members_q(self, prefix: str = "") -> Q:
        """Filter memberships (or rows through `prefix`, e.g. 'assignee__') in the reach."""
        q = Q(**{f"{prefix}org_id": self.org_id})
        if self.is_org_wide:
            return q
        return q & (
            Q(**{f"{prefix}pk__in": self.member_ids})
            | Q(**{f"{prefix}office_id__in": self.office_ids})
        )

    def teams_q(self, prefix: str = "") -> Q:
        """Filter teams (or rows through `prefix`, e.g. 'team__') in the reach."""
        q = Q(**{f"{prefix}org_id": self.org_id})
        if self.is_org_wide:
            return q
        return q & (
            Q(**{f"{prefix}pk__in": self.team_ids})
            | Q(**{f"{prefix}office_id__in": self.office_ids})
        )


def reach_for(membership: Membership | None, action: str) -> Reach | None:
    """What `action` reaches for this member, the union over their roles (None: not held)."""
    held = _held(membership, action)
    if not held:
        return None
    if Scope.ORG in held:
        return Reach(membership.org_id, membership.pk, True)
    offices: set[int] = set()
    teams: set[int] = set()
    members: set[int] = set()
    for scope in held:
        if scope == Scope.OFFICE and membership.office_id:
            offices.add(membership.office_id)
        elif scope == Scope.TEAM:
            teams |= _led_team_ids(membership)
        elif scope == Scope.OWN:
            members.add(membership.pk)
    if teams:
        members |= set(
            TeamMember.objects.filter(org_id=membership.org_id, team_id__in=teams).values_list(
                "membership_id", flat=True
            )
        )
    return Reach(
        membership.org_id,
        membership.pk,
        False,
        frozenset(offices),
        frozenset(teams),
        frozenset(members),
    )


def outranks(member: Membership, actor: Membership) -> bool:
    """True when `member` holds a role only a broker/owner grants and the actor is no
    broker/owner: then the actor may not change the member's seat, roles, teams or plan."""
    return bool(member.roles & OWNER_GRANTED_ROLES) and not actor.has_role(Role.BROKER_OWNER)
