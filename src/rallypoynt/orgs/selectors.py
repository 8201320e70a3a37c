"""Reads of org structure, always scoped to the actor's organization."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, time, timedelta

from django.db.models import F, Prefetch, QuerySet

from rallypoynt.accounts.services import TOKEN_PREFIX, token_hash
from rallypoynt.core.calendar import BusinessCalendar
from rallypoynt.core.clock import local_today
from rallypoynt.core.errors import PermissionDenied
from rallypoynt.core.models import AuditEntry
from rallypoynt.orgs.config_cache import org_cached
from rallypoynt.orgs.models import (
    BusinessHours,
    Closure,
    Invitation,
    Membership,
    MembershipRole,
    Notification,
    Office,
    Organization,
    Team,
    TeamMember,
)
from rallypoynt.orgs.permissions import can


def membership_for_user(*, user, org_id: int | None = None) -> Membership | None:
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


def memberships_of_user(*, user) -> QuerySet[Membership]:
    """Every org the user has a seat in (for the org switcher)."""
    return Membership.objects.filter(user=user, is_active=True).select_related("org")


def office_list(*, actor: Membership) -> QuerySet[Office]:
    return Office.objects.filter(org_id=actor.org_id).order_by("name")


def team_list(*, actor: Membership) -> QuerySet[Team]:
    leads = TeamMember.objects.filter(is_lead=True).select_related("membership__user")
    return (
        Team.objects.filter(org_id=actor.org_id)
        .select_related("office")
        .prefetch_related(Prefetch("members", queryset=leads, to_attr="lead_members"))
        .order_by("name")
    )


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
    return member_list(actor=actor, include_inactive=True).filter(pk=membership_id).first()


def invitation_list(*, actor: Membership) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        org_id=actor.org_id, accepted_at__isnull=True, revoked_at__isnull=True
    ).order_by("-created_at")


def business_hours_of(*, org: Organization) -> dict[int, tuple[tuple[time, time], ...]]:
    hours: dict[int, list[tuple[time, time]]] = {}
    for row in BusinessHours.objects.filter(org=org).order_by("weekday", "opens_at"):
        hours.setdefault(row.weekday, []).append((row.opens_at, row.closes_at))
    return {day: tuple(intervals) for day, intervals in hours.items()}


def calendar_for_org(*, org: Organization) -> BusinessCalendar:
    """The org's business calendar: its time zone, weekly hours, public holidays and closures."""
    closures = frozenset(Closure.objects.filter(org=org).values_list("closed_on", flat=True))
    return BusinessCalendar(
        time_zone=org.time_zone,
        hours=business_hours_of(org=org),
        country=org.holiday_country or None,
        subdivision=org.holiday_subdivision or None,
        closed_on=closures,
    )


def closure_list(*, actor: Membership) -> QuerySet[Closure]:
    return Closure.objects.filter(org_id=actor.org_id).order_by("closed_on")


def upcoming_holidays(*, calendar: BusinessCalendar, days: int = 365) -> list[tuple[date, str]]:
    """Public holidays and closures in the next `days`, for the hours page."""
    start = local_today(calendar.tzinfo())
    found = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        name = calendar.holiday_name(day)
        if name:
            found.append((day, name))
    return found


def audit_list(
    *, actor: Membership, object_type: str = "", action: str = ""
) -> QuerySet[AuditEntry]:
    """The org's audit log, newest first; only roles allowed `org.view_audit` may read it."""
    if not can(actor, "org.view_audit"):
        raise PermissionDenied("Your roles do not allow reading the audit log.")
    qs = AuditEntry.objects.filter(org_id=actor.org_id).select_related("actor")
    if object_type:
        qs = qs.filter(object_type=object_type)
    if action:
        qs = qs.filter(action=action)
    return qs.order_by("-at", "-id")


def notification_list(*, actor: Membership, unread_only: bool = False) -> QuerySet[Notification]:
    """The actor's own notifications (never a colleague's), newest first."""
    qs = Notification.objects.filter(org_id=actor.org_id, recipient=actor)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def notification_unread_count(*, actor: Membership) -> int:
    return notification_list(actor=actor, unread_only=True).count()
