"""Shared guards and validation for org services."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import time

from django.db import models

from rallypoynt.core.errors import NotFound, PermissionDenied, ValidationFailed
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import (
    Membership,
)
from rallypoynt.orgs.permissions import (
    OWNER_GRANTED_ROLES,
    Reach,
    can_org_wide,
    outranks,
    reach_for,
)

DEFAULT_WEEK = {day: ((time(9), time(17)),) for day in range(5)}
INVITATION_DAYS = 14
ROLE_CODES = frozenset(Role.values)


def _denied(action: str) -> PermissionDenied:
    return PermissionDenied(f"Your roles do not allow {action.replace('_', ' ')}.")


def require(actor: Membership, action: str) -> None:
    """Raise PermissionDenied unless the actor may take `action` on the whole org.

    Services without a target (org settings, journey templates, reordering every rule) call
    this; services acting on a member, team or rule call `require_reach` and check the row.
    """
    if not can_org_wide(actor, action):
        raise _denied(action)


def require_reach(actor: Membership, action: str) -> Reach:
    """The actor's reach for `action`, or PermissionDenied when they do not hold it at all."""
    reach = reach_for(actor, action)
    if reach is None:
        raise _denied(action)
    return reach


def require_not_outranked(actor: Membership, member: Membership) -> None:
    """Only a broker/owner changes the seat, teams or plan of a member holding a role only a
    broker/owner grants (an office manager cannot deactivate or re-plan the broker)."""
    if outranks(member, actor):
        raise PermissionDenied("Only a broker/owner can change this member.")


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


def validate_lengths(model: type[models.Model], values: Mapping[str, str | None]) -> None:
    """Reject text longer than its column (PostgreSQL would fail the insert with a 500)."""
    errors = {}
    for name, value in values.items():
        field = model._meta.get_field(name)
        limit = field.max_length if isinstance(field, models.Field) else None
        if value is not None and limit is not None and len(value) > limit:
            errors[name] = [f"At most {limit} characters."]
    if errors:
        raise ValidationFailed("A value is too long.", fields=errors)


def member_for_update(
    actor: Membership, membership_id: int, reach: Reach | None = None
) -> Membership:
    """The member, locked; NotFound when missing or outside `reach` (the same answer)."""
    member = (
        Membership.objects.select_for_update()
        .filter(org_id=actor.org_id, pk=membership_id)
        .select_related("user")
        .first()
    )
    if member is None or (reach is not None and not reach.has_member(member)):
        raise NotFound("No such member.")
    return member
