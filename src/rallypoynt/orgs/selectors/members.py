"""Reads of members and seats: who a request acts as, their roles, the org's members and
invitations, and the orgs a user has a seat in."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from django.db.models import F, Prefetch, QuerySet

from rallypoynt.accounts.models import User
from rallypoynt.accounts.services import TOKEN_PREFIX, token_hash
from rallypoynt.orgs.config_cache import org_cached
from rallypoynt.orgs.models import (
    Invitation,
    Membership,
    MembershipRole,
    Organization,
    TeamMember,
)


def membership_for_user(*, user: User, org_id: int | None = None) -> Membership | None:
    """The user's active membership in `org_id`, or their first one; roles loaded."""
    qs = (
        Membership.objects.filter(user=user, is_active=True, org__isnull=False)
        .select_related("org", "office")
        .order_by("pk")
    )
    found = qs.filter(org_id=org_id).first() if org_id else None
    found = found or qs.first()
    if found is not None:
        found._roles = set(org_roles(found.org).get(found.pk, ()))
    return found


def membership_for_token(*, secret: str) -> Membership | None:
    """The seat a bearer secret acts as: unrevoked token, active user, active membership in
    the token's org; one query, with `api_token_id` and `api_token_used_at` annotated."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    found = (
        Membership.objects.filter(
            is_active=True,
            user__is_active=True,
            user__api_tokens__token_hash=token_hash(secret),
            user__api_tokens__revoked_at__isnull=True,
            user__api_tokens__org_id=F("org_id"),
        )
        .select_related("user", "org", "office")
        .annotate(
            api_token_id=F("user__api_tokens__id"),
            api_token_used_at=F("user__api_tokens__last_used_at"),
        )
        .first()
    )
    if found is not None:
        found._roles = set(org_roles(found.org).get(found.pk, ()))
    return found


def org_roles(org: Organization) -> Mapping[int, frozenset[str]]:
    """Every member's roles in the org; each process reads them once per org config stamp."""

    def build() -> dict[int, frozenset[str]]:
        roles: dict[int, set[str]] = defaultdict(set)
        rows = MembershipRole.objects.filter(org_id=org.pk).values_list("membership_id", "role")
        for membership_id, role in rows:
            roles[membership_id].add(role)
        return {membership_id: frozenset(found) for membership_id, found in roles.items()}

    return org_cached(org_id=org.pk, stamp=org.config_stamp, key="roles", build=build)


def memberships_of_user(*, user: User) -> QuerySet[Membership]:
    """Every org the user has a seat in (for the org switcher)."""
    return Membership.objects.filter(user=user, is_active=True).select_related("org")


def organizations_of_user(*, user: User) -> QuerySet[Organization]:
    """The organizations the user has an active seat in (the org switcher's choices)."""
    # By the organization's own id: a lookup on the seat's org_id column would not bound a
    # huge number the way a primary key lookup does.
    seats = Membership.objects.filter(user=user, is_active=True)
    return Organization.objects.filter(pk__in=seats.values("org_id"))


def member_list(*, actor: Membership, include_inactive: bool = False) -> QuerySet[Membership]:
    """Members of the actor's org with user, office, roles and teams loaded in 3 queries."""
    qs = Membership.objects.filter(org_id=actor.org_id)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return (
        qs.select_related("user", "office")
        .prefetch_related(
            Prefetch("role_assignments", queryset=MembershipRole.objects.order_by("role")),
            Prefetch("team_memberships", queryset=TeamMember.objects.select_related("team")),
        )
        .order_by("user__last_name", "user__first_name", "pk")
    )


def member_get(*, actor: Membership, membership_id: int) -> Membership | None:
    """One member of the actor's org (active or not); None for anyone else."""
    return member_list(actor=actor, include_inactive=True).filter(pk=membership_id).first()


def invitation_list(*, actor: Membership) -> QuerySet[Invitation]:
    """The org's open invitations (neither accepted nor revoked), newest first."""
    return Invitation.objects.filter(
        org_id=actor.org_id, accepted_at__isnull=True, revoked_at__isnull=True
    ).order_by("-created_at")
