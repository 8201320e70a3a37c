"""The one place that decides who may see which rows and do which things in an org."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Membership, TeamMember

ORG_WIDE_ROLES = frozenset({Role.BROKER_OWNER, Role.COMPLIANCE_OFFICER})
OFFICE_ROLES = frozenset({Role.OFFICE_MANAGER})

# Actions on org settings, and the roles allowed to take them.
ACTION_ROLES: dict[str, frozenset[str]] = {
    "org.change_settings": frozenset({Role.BROKER_OWNER, Role.SYSTEMS_ADMIN}),
    "org.manage_offices": frozenset({Role.BROKER_OWNER, Role.SYSTEMS_ADMIN}),
    "org.manage_teams": frozenset({Role.BROKER_OWNER, Role.SYSTEMS_ADMIN, Role.OFFICE_MANAGER}),
    "org.manage_members": frozenset({Role.BROKER_OWNER, Role.SYSTEMS_ADMIN, Role.OFFICE_MANAGER}),
    "org.view_audit": frozenset({Role.BROKER_OWNER, Role.COMPLIANCE_OFFICER, Role.SYSTEMS_ADMIN}),
    # The lead review queue: unparsed lead e-mails of the whole org (items carry no owner).
    "leads.review": frozenset(
        {Role.LEAD_AGENT, Role.BROKER_OWNER, Role.OFFICE_MANAGER, Role.ADMIN_SUPPORT}
    ),
}


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


def can(membership: Membership | None, action: str) -> bool:
    """True when the member holds a role that allows `action`."""
    if membership is None or not membership.is_active:
        return False
    allowed = ACTION_ROLES.get(action)
    if allowed is None:
        raise KeyError(f"unknown action {action!r}")
    return bool(membership.roles & allowed)
