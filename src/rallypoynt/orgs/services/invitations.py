"""Invitations by e-mail: create, accept once, revoke."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from rallypoynt.accounts.models import User
from rallypoynt.accounts.services import validate_email_address, validate_new_password
from rallypoynt.core.audit import audit_and_emit
from rallypoynt.core.errors import Conflict, NotFound, ValidationFailed
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.config_cache import org_config_changed
from rallypoynt.orgs.models import (
    Invitation,
    Membership,
    MembershipRole,
    Office,
    Team,
    TeamMember,
)
from rallypoynt.orgs.services.common import (
    INVITATION_DAYS,
    require_owner_for,
    require_reach,
    validate_roles,
)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(
    *,
    actor: Membership,
    email: str,
    roles: Iterable[str],
    office_id: int | None = None,
    team_id: int | None = None,
    accept_url_base: str = "",
) -> tuple[Invitation, str]:
    """Invite someone by e-mail; returns the invitation and its one-time token."""

    reach = require_reach(actor, "org.manage_members")
    if not reach.is_org_wide and office_id is None:
        office_id = actor.office_id
    email = validate_email_address(email)
    roles = validate_roles(roles) or [Role.AGENT.value]
    require_owner_for(actor, roles)
    if Membership.objects.filter(org_id=actor.org_id, user__email=email).exists():
        raise Conflict("That person is already a member.", fields={"email": ["already a member"]})
    # An office manager invites into their own office and its teams only; another office or
    # team answers like a missing one.
    if office_id and not (
        Office.objects.filter(org_id=actor.org_id, pk=office_id).exists()
        and reach.has_office(office_id)
    ):
        raise ValidationFailed("No such office.", fields={"office_id": ["not found"]})
    if not office_id and not reach.is_org_wide:
        raise ValidationFailed("No such office.", fields={"office_id": ["not found"]})
    team = Team.objects.filter(org_id=actor.org_id, pk=team_id).first() if team_id else None
    if team_id and (team is None or not reach.has_team(team)):
        raise ValidationFailed("No such team.", fields={"team_id": ["not found"]})
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        org_id=actor.org_id,
        email=email,
        roles=roles,
        office_id=office_id,
        team_id=team_id,
        token_hash=_token_hash(token),
        invited_by_id=actor.user_id,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="invitation.create",
        target=invitation,
        changes={"roles": roles},
        kind="invitation.created",
    )
    org_name = actor.org.display_name
    link = f"{accept_url_base}/invitations/{token}/"
    transaction.on_commit(lambda: _send_invitation(email, org_name, link))
    return invitation, token


def _send_invitation(email: str, org_name: str, link: str) -> None:
    send_mail(
        subject=f"You are invited to join {org_name} on RallyPoynt OS",
        message=f"Accept the invitation and choose a password here:\n\n{link}\n\n"
        f"The link works once and expires in {INVITATION_DAYS} days.",
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[email],
    )


def invitation_find(*, token: str) -> Invitation | None:
    """The open invitation for a token, or None when unknown, used, revoked or expired."""
    return (
        Invitation.objects.filter(
            token_hash=_token_hash(token),
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("org")
        .first()
    )


@transaction.atomic
def invitation_accept(
    *, token: str, password: str, first_name: str = "", last_name: str = ""
) -> Membership:
    """Create (or reuse) the invitee's user and give them a seat with the invited roles."""

    found = invitation_find(token=token)
    # Check again under the row lock: a concurrent accept may have used it meanwhile.
    invitation = (
        Invitation.objects.select_for_update()
        .filter(pk=found.pk, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
        if found is not None
        else None
    )
    if invitation is None:
        raise NotFound("This invitation is unknown, used or expired.")
    user = User.objects.filter(email=invitation.email).first()
    if user is None:
        user = User(email=invitation.email, first_name=first_name, last_name=last_name)
        validate_new_password(password, user=user)
        user.set_password(password)
        user.save()
    elif not user.check_password(password):
        # The link must not log its holder in to an existing account without its password.
        raise ValidationFailed(
            "This e-mail already has an account.",
            fields={"password": ["Enter the password of your existing account."]},
        )
    try:
        with transaction.atomic():
            member = Membership.objects.create(
                org_id=invitation.org_id, user=user, office_id=invitation.office_id
            )
    except IntegrityError as exc:
        raise Conflict("You are already a member of this organization.") from exc
    MembershipRole.objects.bulk_create(
        MembershipRole(org_id=invitation.org_id, membership=member, role=r)
        for r in invitation.roles
    )
    org_config_changed(invitation.org_id)
    if invitation.team_id:
        TeamMember.objects.create(
            org_id=invitation.org_id, team_id=invitation.team_id, membership=member
        )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    audit_and_emit(
        org_id=invitation.org_id,
        actor_id=user.pk,
        action="invitation.accept",
        target=member,
        kind="member.joined",
        payload={"roles": invitation.roles},
    )
    return member


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation_id: int) -> None:
    reach = require_reach(actor, "org.manage_members")
    invitation = Invitation.objects.filter(
        org_id=actor.org_id, pk=invitation_id, accepted_at__isnull=True
    ).first()
    if invitation is None or not reach.has_office(invitation.office_id):
        raise NotFound("No such open invitation.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="invitation.revoke",
        target=invitation,
        kind="invitation.revoked",
    )
