"""Writes on org structure: each validates, writes atomically, audits and emits an event."""

from __future__ import annotations

import hashlib
import itertools
import secrets
from collections.abc import Iterable, Sequence
from datetime import time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from rallypoynt.core.audit import audit_record, model_changes
from rallypoynt.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rallypoynt.core.events import event_emit
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import (
    BusinessHours,
    Closure,
    Invitation,
    Membership,
    MembershipRole,
    Office,
    Organization,
    Team,
    TeamMember,
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


def validate_calendar_settings(*, time_zone: str, country: str, subdivision: str) -> None:
    """Reject a time zone or holiday calendar the libraries do not know."""
    errors: dict[str, list[str]] = {}
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: a directory ("America") or an over-long name reaches the file system.
        errors["time_zone"] = [f"{time_zone!r} is not an IANA time zone"]
    if country:
        # The column holds ISO 3166-1 alpha-2; the library also accepts alpha-3 ("USA").
        if len(country) != 2 or not _has_holidays(country, None):
            errors["holiday_country"] = [f"No holiday calendar for country {country!r}"]
        elif subdivision and not _has_holidays(country, subdivision):
            errors["holiday_subdivision"] = [f"{country!r} has no subdivision {subdivision!r}"]
    elif subdivision:
        errors["holiday_subdivision"] = ["A subdivision needs a country"]
    if errors:
        raise ValidationFailed("Invalid calendar settings.", fields=errors)


def _has_holidays(country: str, subdivision: str | None) -> bool:
    try:
        holidays.country_holidays(country, subdiv=subdivision, years=2026)
    except NotImplementedError:
        return False
    return True


def validate_lengths(model, values: dict[str, str]) -> None:
    """Reject text longer than its column (PostgreSQL would fail the insert with a 500)."""
    errors = {}
    for name, value in values.items():
        limit = model._meta.get_field(name).max_length
        if value is not None and limit is not None and len(value) > limit:
            errors[name] = [f"At most {limit} characters."]
    if errors:
        raise ValidationFailed("A value is too long.", fields=errors)


@transaction.atomic
def organization_create(
    *,
    name: str,
    owner,
    slug: str = "",
    time_zone: str = "America/New_York",
    holiday_country: str = "US",
    holiday_subdivision: str = "",
) -> Organization:
    """Create an org with Mon-Fri 9-17 hours and its owner as broker/owner."""
    slug = slugify(slug or name)[:60]
    if not name.strip() or not slug:
        raise ValidationFailed("A name is required.", fields={"name": ["This field is required."]})
    holiday_country = holiday_country.strip().upper()
    holiday_subdivision = holiday_subdivision.strip().upper()
    validate_lengths(Organization, {"name": name.strip()})
    validate_calendar_settings(
        time_zone=time_zone, country=holiday_country, subdivision=holiday_subdivision
    )
    if Organization.objects.filter(slug=slug).exists():
        raise Conflict(f"An organization with slug {slug!r} exists.", fields={"slug": ["taken"]})
    org = Organization.objects.create(
        name=name.strip(),
        slug=slug,
        time_zone=time_zone,
        holiday_country=holiday_country,
        holiday_subdivision=holiday_subdivision,
    )
    BusinessHours.objects.bulk_create(
        BusinessHours(org=org, weekday=day, opens_at=start, closes_at=end)
        for day, intervals in DEFAULT_WEEK.items()
        for start, end in intervals
    )
    membership = Membership.objects.create(org=org, user=owner)
    MembershipRole.objects.create(org=org, membership=membership, role=Role.BROKER_OWNER)
    audit_record(org_id=org.pk, actor_id=owner.pk, action="organization.create", target=org)
    event_emit(org_id=org.pk, kind="organization.created", subject=org, actor_id=owner.pk)
    return org


SETTINGS_FIELDS = ["name", "branding_name", "time_zone", "holiday_country", "holiday_subdivision"]


@transaction.atomic
def organization_update(*, actor: Membership, **values: str) -> Organization:
    """Change the org's name, branding, time zone or holiday calendar."""
    require(actor, "org.change_settings")
    org = Organization.objects.select_for_update().get(pk=actor.org_id)
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationFailed("Unknown setting.", fields={k: ["unknown"] for k in unknown})
    before = {f: getattr(org, f) for f in SETTINGS_FIELDS}
    for field, value in values.items():
        value = (value or "").strip()
        setattr(org, field, value.upper() if field.startswith("holiday_") else value)
    if not org.name:
        raise ValidationFailed("A name is required.", fields={"name": ["This field is required."]})
    validate_lengths(Organization, {f: getattr(org, f) for f in SETTINGS_FIELDS})
    validate_calendar_settings(
        time_zone=org.time_zone, country=org.holiday_country, subdivision=org.holiday_subdivision
    )
    org.save()
    changes = model_changes(org, SETTINGS_FIELDS, before)
    audit_record(
        org_id=org.pk,
        actor_id=actor.user_id,
        action="organization.update",
        target=org,
        changes=changes,
    )
    event_emit(
        org_id=org.pk,
        kind="organization.updated",
        subject=org,
        actor_id=actor.user_id,
        payload={"fields": sorted(changes)},
    )
    return org


@transaction.atomic
def business_hours_set(*, actor: Membership, week: dict[int, Sequence[tuple[time, time]]]) -> None:
    """Replace the org's weekly hours; a weekday missing from `week` is closed."""
    require(actor, "org.change_settings")
    errors: dict[str, list[str]] = {}
    for day, intervals in week.items():
        if day not in range(7):
            errors.setdefault(f"hours.{day}", []).append("not a weekday (0=Mon to 6=Sun)")
            continue
        ordered = sorted(intervals)
        for start, end in ordered:
            if end <= start and end != time(0):
                errors.setdefault(f"hours.{day}", []).append("closes before it opens")
        for (_, end), (start, _) in itertools.pairwise(ordered):
            # A close of 00:00 is the midnight that ends the day, so nothing may follow it.
            if end == time(0) or start < end:
                errors.setdefault(f"hours.{day}", []).append("intervals overlap")
    if errors:
        raise ValidationFailed("Invalid business hours.", fields=errors)
    BusinessHours.objects.filter(org_id=actor.org_id).delete()
    BusinessHours.objects.bulk_create(
        BusinessHours(org_id=actor.org_id, weekday=day, opens_at=start, closes_at=end)
        for day, intervals in week.items()
        for start, end in intervals
    )
    summary = {str(d): [[s.isoformat(), e.isoformat()] for s, e in iv] for d, iv in week.items()}
    org = actor.org
    audit_record(
        org_id=org.pk,
        actor_id=actor.user_id,
        action="business_hours.set",
        target=org,
        changes={"hours": summary},
    )
    event_emit(org_id=org.pk, kind="business_hours.changed", subject=org, actor_id=actor.user_id)


@transaction.atomic
def closure_add(*, actor: Membership, closed_on, name: str) -> Closure:
    require(actor, "org.change_settings")
    name = name.strip()
    if not name:
        raise ValidationFailed("A reason is required.", fields={"name": ["Give a reason."]})
    validate_lengths(Closure, {"name": name})
    if Closure.objects.filter(org_id=actor.org_id, closed_on=closed_on).exists():
        raise Conflict("That day is already closed.", fields={"closed_on": ["already closed"]})
    closure = Closure.objects.create(org_id=actor.org_id, closed_on=closed_on, name=name)
    audit_record(org_id=actor.org_id, actor_id=actor.user_id, action="closure.add", target=closure)
    event_emit(
        org_id=actor.org_id,
        kind="closure.added",
        subject=closure,
        actor_id=actor.user_id,
        payload={"closed_on": closed_on.isoformat()},
    )
    return closure


@transaction.atomic
def closure_remove(*, actor: Membership, closure_id: int) -> None:
    require(actor, "org.change_settings")
    closure = Closure.objects.filter(org_id=actor.org_id, pk=closure_id).first()
    if closure is None:
        raise NotFound("No such closure.")
    audit_record(
        org_id=actor.org_id, actor_id=actor.user_id, action="closure.remove", target=closure
    )
    event_emit(
        org_id=actor.org_id,
        kind="closure.removed",
        subject=closure,
        actor_id=actor.user_id,
        payload={"closed_on": closure.closed_on.isoformat()},
    )
    closure.delete()


@transaction.atomic
def office_create(*, actor: Membership, name: str, address: str = "", phone: str = "") -> Office:
    require(actor, "org.manage_offices")
    name = name.strip()
    if not name:
        raise ValidationFailed("A name is required.", fields={"name": ["This field is required."]})
    validate_lengths(Office, {"name": name, "address": address, "phone": phone})
    if Office.objects.filter(org_id=actor.org_id, name__iexact=name).exists():
        raise Conflict("An office with that name exists.", fields={"name": ["taken"]})
    office = Office.objects.create(org_id=actor.org_id, name=name, address=address, phone=phone)
    audit_record(org_id=actor.org_id, actor_id=actor.user_id, action="office.create", target=office)
    event_emit(org_id=actor.org_id, kind="office.created", subject=office, actor_id=actor.user_id)
    return office


@transaction.atomic
def team_create(*, actor: Membership, name: str, office_id: int | None = None) -> Team:
    require(actor, "org.manage_teams")
    name = name.strip()
    if not name:
        raise ValidationFailed("A name is required.", fields={"name": ["This field is required."]})
    validate_lengths(Team, {"name": name})
    if office_id and not Office.objects.filter(org_id=actor.org_id, pk=office_id).exists():
        raise ValidationFailed("No such office.", fields={"office_id": ["not found"]})
    if Team.objects.filter(org_id=actor.org_id, name__iexact=name).exists():
        raise Conflict("A team with that name exists.", fields={"name": ["taken"]})
    team = Team.objects.create(org_id=actor.org_id, name=name, office_id=office_id)
    audit_record(org_id=actor.org_id, actor_id=actor.user_id, action="team.create", target=team)
    event_emit(org_id=actor.org_id, kind="team.created", subject=team, actor_id=actor.user_id)
    return team


def _member(actor: Membership, membership_id: int) -> Membership:
    member = (
        Membership.objects.select_for_update()
        .filter(org_id=actor.org_id, pk=membership_id)
        .select_related("user")
        .first()
    )
    if member is None:
        raise NotFound("No such member.")
    return member


@transaction.atomic
def team_member_add(
    *, actor: Membership, team_id: int, membership_id: int, is_lead: bool = False
) -> TeamMember:
    require(actor, "org.manage_teams")
    team = Team.objects.filter(org_id=actor.org_id, pk=team_id).first()
    if team is None:
        raise NotFound("No such team.")
    member = _member(actor, membership_id)
    row, created = TeamMember.objects.update_or_create(
        org_id=actor.org_id, team=team, membership=member, defaults={"is_lead": is_lead}
    )
    audit_record(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="team.member_set",
        target=team,
        changes={"membership": member.pk, "is_lead": is_lead, "added": created},
    )
    event_emit(
        org_id=actor.org_id,
        kind="team.member_set",
        subject=team,
        actor_id=actor.user_id,
        payload={"membership_id": member.pk, "is_lead": is_lead},
    )
    return row


@transaction.atomic
def team_member_remove(*, actor: Membership, team_id: int, membership_id: int) -> None:
    require(actor, "org.manage_teams")
    deleted, _ = TeamMember.objects.filter(
        org_id=actor.org_id, team_id=team_id, membership_id=membership_id
    ).delete()
    if not deleted:
        raise NotFound("That member is not on that team.")
    team = Team.objects.get(org_id=actor.org_id, pk=team_id)
    audit_record(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="team.member_remove",
        target=team,
        changes={"membership": membership_id},
    )
    event_emit(
        org_id=actor.org_id,
        kind="team.member_removed",
        subject=team,
        actor_id=actor.user_id,
        payload={"membership_id": membership_id},
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
    """Change a member's roles, office, title or active flag (office '' means unchanged)."""
    require(actor, "org.manage_members")
    member = _member(actor, membership_id)
    changes: dict[str, list] = {}
    old_roles = sorted(member.role_assignments.values_list("role", flat=True))
    if is_active is False and member.is_active:
        # Deactivating a broker/owner (or a compliance officer...) is a broker/owner's call.
        require_owner_for(actor, old_roles)
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
    audit_record(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="member.update",
        target=member,
        changes=changes,
    )
    event_emit(
        org_id=actor.org_id,
        kind="member.updated",
        subject=member,
        actor_id=actor.user_id,
        payload={"fields": sorted(changes)},
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
    from rallypoynt.accounts.services import validate_email_address

    require(actor, "org.manage_members")
    email = validate_email_address(email)
    roles = validate_roles(roles) or [Role.AGENT.value]
    require_owner_for(actor, roles)
    if Membership.objects.filter(org_id=actor.org_id, user__email=email).exists():
        raise Conflict("That person is already a member.", fields={"email": ["already a member"]})
    if office_id and not Office.objects.filter(org_id=actor.org_id, pk=office_id).exists():
        raise ValidationFailed("No such office.", fields={"office_id": ["not found"]})
    if team_id and not Team.objects.filter(org_id=actor.org_id, pk=team_id).exists():
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
    audit_record(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="invitation.create",
        target=invitation,
        changes={"roles": roles},
    )
    event_emit(
        org_id=actor.org_id, kind="invitation.created", subject=invitation, actor_id=actor.user_id
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
    from rallypoynt.accounts.models import User
    from rallypoynt.accounts.services import validate_new_password

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
    if invitation.team_id:
        TeamMember.objects.create(
            org_id=invitation.org_id, team_id=invitation.team_id, membership=member
        )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    audit_record(
        org_id=invitation.org_id, actor_id=user.pk, action="invitation.accept", target=member
    )
    event_emit(
        org_id=invitation.org_id,
        kind="member.joined",
        subject=member,
        actor_id=user.pk,
        payload={"roles": invitation.roles},
    )
    return member


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation_id: int) -> None:
    require(actor, "org.manage_members")
    invitation = Invitation.objects.filter(
        org_id=actor.org_id, pk=invitation_id, accepted_at__isnull=True
    ).first()
    if invitation is None:
        raise NotFound("No such open invitation.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        org_id=actor.org_id, actor_id=actor.user_id, action="invitation.revoke", target=invitation
    )
    event_emit(
        org_id=actor.org_id, kind="invitation.revoked", subject=invitation, actor_id=actor.user_id
    )


@transaction.atomic
def member_add(
    *,
    org: Organization,
    user,
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
    audit_record(
        org_id=org.pk,
        actor_id=actor_id,
        action="member.add",
        target=member,
        changes={"roles": roles},
    )
    event_emit(
        org_id=org.pk,
        kind="member.joined",
        subject=member,
        actor_id=actor_id,
        payload={"roles": roles},
    )
    return member
