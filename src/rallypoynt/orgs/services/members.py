"""Members' roles, office, title and active flag."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from rallypoynt.accounts.models import User
from rallypoynt.core.audit import audit_and_emit, update_record
from rallypoynt.core.errors import Conflict, ValidationFailed
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.config_cache import org_config_changed
from rallypoynt.orgs.models import (
    Membership,
    MembershipRole,
    Office,
    Organization,
)
from rallypoynt.orgs.services.common import (
    member_for_update,
    require_not_outranked,
    require_owner_for,
    require_reach,
    validate_lengths,
    validate_roles,
)


@transaction.atomic
def member_update(
    *,
    actor: Membership,
    membership_id: int,
    roles: Iterable[str] | None = None,
    office_id: int | str | None = "",
    title: str | None = None,
    is_active: bool | None = None,
) -> Membership:
    """Change a member's roles, office, title or active flag (office '' means unchanged).

    An office manager reaches the members of their office only; a member outside the reach
    answers like a missing one, and one holding a broker-granted role is the broker's."""
    reach = require_reach(actor, "org.manage_members")
    member = member_for_update(actor, membership_id, reach)
    require_not_outranked(actor, member)
    changes: dict[str, list] = {}
    old_roles = sorted(member.role_assignments.values_list("role", flat=True))
    if title is not None:
        validate_lengths(Membership, {"title": title})
    if roles is not None:
        new_roles = validate_roles(roles)
        require_owner_for(actor, set(old_roles).symmetric_difference(new_roles))
        _guard_last_owner(actor, member, new_roles, is_active)
        if new_roles != old_roles:
            MembershipRole.objects.filter(membership=member).delete()
            MembershipRole.objects.bulk_create(
                MembershipRole(org_id=actor.org_id, membership=member, role=r) for r in new_roles
            )
            org_config_changed(actor.org_id)
            changes["roles"] = [old_roles, new_roles]
    elif is_active is False:
        _guard_last_owner(actor, member, None, is_active)
    if office_id != "":
        try:
            office_id = int(office_id) if office_id else None
        except (TypeError, ValueError):
            raise ValidationFailed("No such office.", fields={"office_id": ["not found"]}) from None
        if office_id and not Office.objects.filter(org_id=actor.org_id, pk=office_id).exists():
            raise ValidationFailed("No such office.", fields={"office_id": ["not found"]})
        if office_id != member.office_id and not reach.has_office(office_id):
            # An office manager cannot move a member out of their office (or into another).
            raise ValidationFailed("No such office.", fields={"office_id": ["not found"]})
        if member.office_id != office_id:
            changes["office_id"] = [member.office_id, office_id]
            member.office_id = office_id
    if title is not None and title != member.title:
        changes["title"] = [member.title, title]
        member.title = title
    if is_active is not None and is_active != member.is_active:
        changes["is_active"] = [member.is_active, is_active]
        member.is_active = is_active
    member.save()
    update_record(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        name="member",
        target=member,
        changes=changes,
    )
    return member


def _guard_last_owner(
    actor: Membership, member: Membership, new_roles: list[str] | None, is_active: bool | None
) -> None:
    """An org must keep at least one active broker/owner, or nobody can manage it."""
    loses_owner = (new_roles is not None and Role.BROKER_OWNER not in new_roles) or (
        is_active is False
    )
    if not loses_owner:
        return
    owners = MembershipRole.objects.filter(
        org_id=actor.org_id, role=Role.BROKER_OWNER, membership__is_active=True
    ).exclude(membership=member)
    is_owner = member.role_assignments.filter(role=Role.BROKER_OWNER).exists()
    if is_owner and not owners.exists():
        raise Conflict("The organization needs at least one active broker/owner.")


@transaction.atomic
def member_add(
    *,
    org: Organization,
    user: User,
    roles: Iterable[str],
    office: Office | None = None,
    actor_id: int | None = None,
) -> Membership:
    """Give an existing user a seat (CLI, demo and tests; the web uses invitations)."""
    roles = validate_roles(roles) or [Role.AGENT.value]
    member, _ = Membership.objects.get_or_create(org=org, user=user, defaults={"office": office})
    MembershipRole.objects.bulk_create(
        [MembershipRole(org=org, membership=member, role=r) for r in roles],
        ignore_conflicts=True,
    )
    org_config_changed(org.pk)
    audit_and_emit(
        org_id=org.pk,
        actor_id=actor_id,
        action="member.add",
        target=member,
        changes={"roles": roles},
        kind="member.joined",
        payload={"roles": roles},
    )
    return member
