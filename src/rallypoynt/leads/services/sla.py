"""First response and escalation: who answered a lead, and what happens when nobody did.

Who answers a lead: an outbound call, e-mail, text or meeting logged by the inquiry's
assignee, the contact's owner or one of the contact's collaborators is its first response
(the lead was answered by the people working it). Automated messages never count.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from rallypoynt.contacts.choices import Direction, TouchpointKind
from rallypoynt.contacts.models import ContactCollaborator, Touchpoint
from rallypoynt.core.audit import audit_and_emit
from rallypoynt.core.calendar import BusinessCalendar, business_minutes_between
from rallypoynt.core.models import Event
from rallypoynt.core.timefmt import moment_text, reader_zone
from rallypoynt.leads.choices import InquiryStatus
from rallypoynt.leads.models import LeadInquiry
from rallypoynt.leads.selectors.config import lead_calendar, lead_settings_for
from rallypoynt.leads.services.routing import (
    assignment_apply,
    contact_link,
    inquiry_lock,
    member_name,
    rotate,
)
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Membership, Team, TeamMember
from rallypoynt.orgs.services import notification_send

OPEN_STATUSES = (InquiryStatus.ASSIGNED, InquiryStatus.ESCALATED)


# First response ------------------------------------------------------------------------------


def _answers(member_id: int, inquiry: LeadInquiry, collaborator: bool) -> bool:
    return collaborator or member_id in (inquiry.assigned_to_id, inquiry.contact.owner_id)


def first_response_on_touchpoint(event: Event, touchpoint: Model | None) -> None:
    """On "touchpoint.logged": a member's outbound call, e-mail, text or meeting answers."""
    if not isinstance(touchpoint, Touchpoint):
        return
    if touchpoint.kind == TouchpointKind.NOTE or touchpoint.direction != Direction.OUTBOUND:
        return
    inquiry_first_response_record(touchpoint=touchpoint)


def inquiry_first_response_record(*, touchpoint: Touchpoint) -> None:
    """A member's touchpoint answers the contact's open inquiries received before it."""
    if touchpoint.is_automated or touchpoint.logged_by_id is None:
        return
    inquiries = list(
        LeadInquiry.objects.select_for_update()
        .filter(
            org_id=touchpoint.org_id,
            contact_id=touchpoint.contact_id,
            status__in=OPEN_STATUSES,
            first_responded_at__isnull=True,
            received_at__lte=touchpoint.occurred_at,
        )
        .order_by("received_at", "id")
    )
    if not inquiries:
        return
    member_id = touchpoint.logged_by_id
    collaborator = ContactCollaborator.objects.filter(
        org_id=touchpoint.org_id, contact_id=touchpoint.contact_id, membership_id=member_id
    ).exists()
    calendar = None
    for inquiry in inquiries:
        inquiry.contact = touchpoint.contact
        if not _answers(member_id, inquiry, collaborator):
            continue
        calendar = calendar or lead_calendar(inquiry.org)
        _response_set(inquiry, touchpoint, calendar)


def _response_set(inquiry: LeadInquiry, touchpoint: Touchpoint, calendar: BusinessCalendar) -> None:
    minutes = business_minutes_between(calendar, inquiry.received_at, touchpoint.occurred_at)
    inquiry.first_responded_at = touchpoint.occurred_at
    inquiry.first_response_minutes = minutes
    inquiry.status = InquiryStatus.RESPONDED
    inquiry.save()
    if touchpoint.inquiry_id is None:
        Touchpoint.objects.filter(pk=touchpoint.pk).update(inquiry=inquiry)
        touchpoint.inquiry_id = inquiry.pk
    due = inquiry.first_response_due_at
    on_time = due is None or touchpoint.occurred_at <= due
    # Only a member's touchpoint answers (inquiry_first_response_record checks logged_by).
    actor_user = touchpoint.logged_by.user_id if touchpoint.logged_by is not None else None
    audit_and_emit(
        org_id=inquiry.org_id,
        actor_id=actor_user,
        action="lead.respond",
        target=inquiry,
        changes={"first_response_minutes": minutes, "touchpoint": touchpoint.pk},
        kind="lead.responded",
        payload={
            "touchpoint_id": touchpoint.pk,
            "member_id": touchpoint.logged_by_id,
            "first_response_minutes": minutes,
            "is_within_target": on_time,
        },
    )


# Escalation ----------------------------------------------------------------------------------


def _escalation_recipients(inquiry: LeadInquiry) -> list[Membership]:
    """Leads of the assignee's teams (or of the pond team), else the org's brokers/owners."""
    team_ids: QuerySet[TeamMember, int] | list[int]
    if inquiry.assigned_to_id:
        team_ids = TeamMember.objects.filter(
            org_id=inquiry.org_id, membership_id=inquiry.assigned_to_id
        ).values_list("team_id", flat=True)
    else:
        team_ids = [inquiry.pond_team_id] if inquiry.pond_team_id else []
    leads = (
        Membership.objects.filter(
            org_id=inquiry.org_id,
            is_active=True,
            team_memberships__team_id__in=team_ids,
            team_memberships__is_lead=True,
        )
        .exclude(pk=inquiry.assigned_to_id or 0)
        .select_related("user")
        .distinct()
        .order_by("pk")
    )
    found = list(leads)
    if found:
        return found
    return list(
        Membership.objects.filter(
            org_id=inquiry.org_id, is_active=True, role_assignments__role=Role.BROKER_OWNER
        )
        .select_related("user")
        .distinct()
        .order_by("pk")
    )


def _reassign_team(inquiry: LeadInquiry) -> Team | None:
    rule = inquiry.routing_rule
    if rule is not None and rule.team_id:
        return rule.team
    if inquiry.pond_team_id:
        return inquiry.pond_team
    if inquiry.assigned_to_id is None:
        return None
    row = (
        TeamMember.objects.filter(org_id=inquiry.org_id, membership_id=inquiry.assigned_to_id)
        .select_related("team")
        .order_by("id")
        .first()
    )
    return row.team if row else None


def _reassign_on_escalation(inquiry: LeadInquiry, now: datetime, tz: ZoneInfo) -> str:
    """Round robin within the team, skipping the member who missed the target."""
    team = _reassign_team(inquiry)
    if team is None:
        return "Not reassigned: the assignee is on no team."
    rule = inquiry.routing_rule
    if rule is not None and rule.team_id != team.pk:
        rule = None
    previous = inquiry.assigned_to
    exclude = frozenset({previous.pk}) if previous else frozenset()
    member, how = rotate(team, rule=rule, exclude=exclude, after=previous.pk if previous else None)
    if member is None:
        return f"Not reassigned: {how}."
    moved = f"Reassigned on escalation at {moment_text(now, tz)}: {how}."
    reason = f"{inquiry.routing_reason} {moved}".strip()
    assignment_apply(inquiry=inquiry, member=member, now=now, reason=reason, keep_status=True)
    if previous is not None:
        notification_send(
            recipient=previous,
            kind="lead.reassigned",
            title=f"Lead reassigned: {inquiry.contact}",
            body=f"It went to {member_name(member)} after the first-response target was missed.",
            link=contact_link(inquiry.contact_id),
        )
    return f"Reassigned to {member_name(member)}."


def _escalation_reason(
    inquiry: LeadInquiry, due: datetime, calendar: BusinessCalendar, now: datetime, tz: ZoneInfo
) -> str:
    """Why the lead escalated (it was `due` then), its times on the wall clock of `tz`."""
    target = business_minutes_between(calendar, inquiry.received_at, due)
    elapsed = business_minutes_between(calendar, inquiry.received_at, now)
    if inquiry.assigned_to_id:
        who = f"{member_name(inquiry.assigned_to)} logged no first response"
    elif inquiry.status == InquiryStatus.POND and inquiry.pond_team is not None:
        who = f"nobody claimed it from team {inquiry.pond_team.name}'s pond"
    elif inquiry.status == InquiryStatus.POND:
        # The team was deleted while the lead waited in its pond (the link is cleared).
        who = "nobody claimed it from the pond of a team since deleted"
    else:
        who = "nobody was assigned"
    return (
        f"First-response target of {target} business minutes missed: due "
        f"{moment_text(due, tz)}, {who}; {elapsed} business minutes had passed at "
        f"{moment_text(now, tz)}."
    )


@transaction.atomic
def inquiry_sla_enforce(*, inquiry_id: int, now: datetime | None = None) -> str:
    """Escalate an inquiry nobody answered by its due time; early or repeated runs do nothing."""
    now = now or timezone.now()
    inquiry = inquiry_lock(inquiry_id=inquiry_id)
    if inquiry is None:
        return "missing"
    if inquiry.first_responded_at is not None or inquiry.status == InquiryStatus.RESPONDED:
        return "responded"
    if inquiry.escalated_at is not None:
        return "already_escalated"
    due = inquiry.first_response_due_at
    if due is None or now < due:
        return "not_due"
    calendar = lead_calendar(inquiry.org)
    # The stored reason reads in the org's zone; each notice in its recipient's.
    reason = _escalation_reason(inquiry, due, calendar, now, calendar.tzinfo())
    recipients = _escalation_recipients(inquiry)
    notified = f" Notified {', '.join(member_name(m) for m in recipients)}." if recipients else ""
    reason += notified
    inquiry.status = InquiryStatus.ESCALATED
    inquiry.escalated_at = now
    inquiry.save()
    for member in recipients:
        notification_send(
            recipient=member,
            kind="lead.escalated",
            title=f"Lead not answered in time: {inquiry.contact}",
            body=_escalation_reason(inquiry, due, calendar, now, reader_zone(member, inquiry.org))
            + notified,
            link=contact_link(inquiry.contact_id),
        )
    if lead_settings_for(inquiry.org_id).is_reassign_on_escalation:
        reason += " " + _reassign_on_escalation(inquiry, now, calendar.tzinfo())
    inquiry.escalation_reason = reason
    inquiry.save(update_fields=["escalation_reason", "updated_at"])
    audit_and_emit(
        org_id=inquiry.org_id,
        actor_id=None,
        action="lead.escalate",
        target=inquiry,
        changes={"assigned_to": inquiry.assigned_to_id},
        kind="lead.escalated",
        payload={"reason": reason, "notified": [m.pk for m in recipients]},
    )
    return "escalated"
