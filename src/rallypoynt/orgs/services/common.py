"""Shared guards and validation for org services."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time

from rallypoynt.core.errors import NotFound, PermissionDenied, ValidationFailed
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import (
    Membership,
)
from rallypoynt.orgs.permissions import can

DEFAULT_WEEK = {day: ((time(9), time(17)),) for day in range(5)}
INVITATION_DAYS = 14
ROLE_CODES = frozenset(Role.values)


def require(actor: Membership, action: str) -> None:
    """Raise PermissionDenied unless the actor may take `action`."""
    if not can(actor, action):
        raise PermissionDenied(f"Your roles do not allow {action.replace('_', ' ')}.")


# Roles that see the whole org or change its settings: only a broker/owner grants or removes
# them, so an office manager cannot make themselves (or a friend) a broker/owner.
OWNER_GRANTED_ROLES = frozenset({Role.BROKER_OWNER, Role.COMPLIANCE_OFFICER, Role.SYSTEMS_ADMIN})


def require_owner_for(actor: Membership, roles: Iterable[str]) -> None:
    """Raise PermissionDenied when a non-owner touches a role only a broker/owner may grant."""
    touched = sorted(OWNER_GRANTED_ROLES.intersection(roles))
    if touched and not actor.has_role(Role.BROKER_OWNER):
        raise PermissionDenied(
            "Only a broker/owner can grant or remove these roles.",
            fields={"roles": [f"{r!r} is granted by a broker/owner" for r in touched]},
        )


def validate_roles(roles: Iterable[str]) -> list[str]:
    roles = sorted(set(roles))
    unknown = [r for r in roles if r not in ROLE_CODES]
    if unknown:
        raise ValidationFailed(
            "Unknown role.", fields={"roles": [f"{r!r} is not a role" for r in unknown]}
        )
    return roles


def validate_lengths(model, values: dict[str, str]) -> None:
    """Reject text longer than its column (PostgreSQL would fail the insert with a 500)."""
    errors = {}
    for name, value in values.items():
        limit = model._meta.get_field(name).max_length
        if value is not None and limit is not None and len(value) > limit:
            errors[name] = [f"At most {limit} characters."]
    if errors:
        raise ValidationFailed("A value is too long.", fields=errors)


def member_for_update(actor: Membership, membership_id: int) -> Membership:
    member = (
        Membership.objects.select_for_update()
        .filter(org_id=actor.org_id, pk=membership_id)
        .select_related("user")
        .first()
    )
    if member is None:
        raise NotFound("No such member.")
    return member
