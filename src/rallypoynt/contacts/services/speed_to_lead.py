"""Speed to lead: acknowledgement, first-response target and escalation, and the lead settings.

Who answers a lead: an outbound call, e-mail, text or meeting logged by the inquiry's
assignee, the contact's owner or one of the contact's collaborators is its first response
(the lead was answered by the people working it). Automated messages never count.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from django.conf import settings as django_settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone

from rallypoynt.contacts.choices import InquiryStatus, TouchpointKind
from rallypoynt.contacts.models import (
    Contact,
    ContactCollaborator,
    LeadInquiry,
    LeadSettings,
    Touchpoint,
)
from rallypoynt.contacts.services.routing import (
    MANAGE_ACTION,
    assignment_apply,
    contact_link,
    inquiry_lock,
    lead_settings_for,
    local_time,
    member_name,
    rotate,
)
from rallypoynt.core.audit import audit_record, model_changes
from rallypoynt.core.calendar import (
    DEFAULT_HOURS,
    BusinessCalendar,
    add_business_minutes,
    business_minutes_between,
)
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.events import event_emit
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Membership, Organization, Team, TeamMember
from rallypoynt.orgs.selectors import calendar_for_org
from rallypoynt.orgs.services import notification_send, require

logger = logging.getLogger(__name__)

MAX_TARGET_MINUTES = 7 * 24 * 60
OPEN_STATUSES = (InquiryStatus.ASSIGNED, InquiryStatus.ESCALATED)
# Org-written templates render with an engine of their own: no loaders (no {% include %} of
# the app's templates) and no HTML escaping, because the message is plain text.
_ACK_ENGINE = Engine(autoescape=False)


def lead_calendar(org: Organization) -> BusinessCalendar:
    """The org's business calendar; an org with no opening hours counts the default week."""
    calendar = calendar_for_org(org=org)
    if not any(calendar.hours.values()):
        calendar = replace(calendar, hours=DEFAULT_HOURS)
    return calendar


# Settings ------------------------------------------------------------------------------------

SETTINGS_FIELDS = [
    "first_response_minutes",
    "is_ack_enabled",
    "ack_subject",
    "ack_body",
    "is_reassign_on_escalation",
    "default_assignee_id",
]


def lead_settings_get(*, org_id: int) -> LeadSettings:
    """The org's lead settings (defaults when never saved)."""
    return lead_settings_for(org_id)


def _template_errors(text: str) -> list[str]:
    try:
        _ACK_ENGINE.from_string(text)
    except TemplateSyntaxError as exc:
        return [f"template error: {exc}"]
    return []


def lead_settings_clean(*, org_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """Validate changed settings; raise ValidationFailed naming every bad field."""
    errors: dict[str, list[str]] = {}
    for name in sorted(set(values) - set(SETTINGS_FIELDS)):
        errors[name] = ["unknown field"]
    minutes = values.get("first_response_minutes", 60)
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        errors["first_response_minutes"] = ["a whole number of minutes"]
    elif not 1 <= minutes <= MAX_TARGET_MINUTES:
        errors["first_response_minutes"] = [f"between 1 and {MAX_TARGET_MINUTES}"]
    for name in ("is_ack_enabled", "is_reassign_on_escalation"):
        if name in values and not isinstance(values[name], bool):
            errors[name] = ["true or false"]
    for name, limit in (("ack_subject", 200), ("ack_body", 10_000)):
        if name not in values:
            continue
        text = values[name]
        if not isinstance(text, str) or not text.strip():
            errors[name] = ["required"]
        elif len(text) > limit:
            errors[name] = [f"at most {limit} characters"]
        elif problems := _template_errors(text):
            errors[name] = problems
    assignee = values.get("default_assignee_id")
    if assignee is not None and not (
        isinstance(assignee, int)
        and Membership.objects.filter(org_id=org_id, pk=assignee, is_active=True).exists()
    ):
        errors["default_assignee_id"] = ["not an active member"]
    if errors:
        raise ValidationFailed("The lead settings are not valid.", fields=errors)
    return values


@transaction.atomic
def lead_settings_update(*, actor: Membership, changes: dict[str, Any]) -> LeadSettings:
    """Change the org's response target, acknowledgement and escalation settings."""
    require(actor, MANAGE_ACTION)
    changes = lead_settings_clean(org_id=actor.org_id, values=changes)
    settings, _ = LeadSettings.objects.select_for_update().get_or_create(org_id=actor.org_id)
    before = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
    for name, value in changes.items():
        setattr(settings, name, value)
    settings.save()
    diff = model_changes(settings, SETTINGS_FIELDS, before)
    audit_record(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="lead_settings.update",
        target=settings,
        changes=diff,
    )
    event_emit(
        org_id=actor.org_id,
        kind="lead_settings.updated",
        subject=settings,
        actor_id=actor.user_id,
        payload={"fields": sorted(diff)},
    )
    return lead_settings_for(actor.org_id)


# Scheduling ----------------------------------------------------------------------------------


def inquiry_followups_schedule(*, inquiry: LeadInquiry) -> None:
    """Set the first-response due time; after commit queue the acknowledgement and the check."""
    settings = lead_settings_for(inquiry.org_id)
    calendar = lead_calendar(inquiry.org)
    due = add_business_minutes(calendar, inquiry.received_at, settings.first_response_minutes)
    inquiry.first_response_due_at = due
    inquiry.save(update_fields=["first_response_due_at", "updated_at"])
    from rallypoynt.contacts.tasks_leads import inquiry_acknowledge, inquiry_sla_check
    from rallypoynt.core.jobs import enqueue_at

    inquiry_id = inquiry.pk

    def enqueue() -> None:
        inquiry_acknowledge.enqueue(inquiry_id)
        enqueue_at(inquiry_sla_check, due, inquiry_id)

    transaction.on_commit(enqueue)


# Acknowledgement -----------------------------------------------------------------------------


def _property_address(inquiry: LeadInquiry) -> str:
    prop = inquiry.property or {}
    parts = [prop.get("address"), prop.get("city"), prop.get("state")]
    return ", ".join(str(p) for p in parts if p)


def _ack_skip_reason(settings: LeadSettings, contact: Contact, address: str | None) -> str:
    if not settings.is_ack_enabled:
        return "Acknowledgements are turned off in the lead settings."
    if contact.is_do_not_contact:
        return "The contact is marked do not contact."
    if not contact.may_email:
        return "The contact opted out of e-mail."
    if not address:
        return "The contact has no e-mail address."
    return ""


def _ack_render(settings: LeadSettings, inquiry: LeadInquiry) -> tuple[str, str]:
    context = Context(
        {
            "first_name": inquiry.contact.first_name,
            "agent_name": member_name(inquiry.assigned_to) if inquiry.assigned_to_id else "",
            "org_name": inquiry.org.display_name,
            "property_address": _property_address(inquiry),
        },
        autoescape=False,
    )
    subject = _ACK_ENGINE.from_string(settings.ack_subject).render(context)
    body = _ACK_ENGINE.from_string(settings.ack_body).render(context)
    # A header may not hold a line break; a template could render one.
    return " ".join(subject.split())[:200], body


def _ack_claim(inquiry_id: int) -> tuple[LeadInquiry, EmailMessage] | None:
    """Lock the inquiry, decide, and mark it acknowledged (or skipped) before anything is sent."""
    inquiry = (
        LeadInquiry.objects.select_for_update()
        .filter(pk=inquiry_id, acknowledged_at__isnull=True, ack_skipped_reason="")
        .first()
    )
    if inquiry is None:
        return None
    settings = lead_settings_for(inquiry.org_id)
    contact = inquiry.contact
    address = contact.emails.order_by("-is_primary", "id").values_list("address", flat=True).first()
    reason = _ack_skip_reason(settings, contact, address)
    message = None
    if not reason:
        try:
            subject, body = _ack_render(settings, inquiry)
        except TemplateSyntaxError as exc:
            reason = f"The acknowledgement template is not valid: {exc}"
        else:
            reply_to = [inquiry.assigned_to.user.email] if inquiry.assigned_to_id else []
            message = EmailMessage(
                subject=subject,
                body=body,
                from_email=django_settings.DEFAULT_FROM_EMAIL,
                to=[address],
                reply_to=reply_to,
                headers={"X-RallyPoynt-Idempotency-Key": f"lead-ack-{inquiry.pk}"},
            )
    if reason:
        inquiry.ack_skipped_reason = reason[:200]
        inquiry.save(update_fields=["ack_skipped_reason", "updated_at"])
        event_emit(
            org_id=inquiry.org_id,
            kind="lead.ack_skipped",
            subject=inquiry,
            payload={"reason": inquiry.ack_skipped_reason},
        )
        return None
    inquiry.acknowledged_at = timezone.now()
    inquiry.save(update_fields=["acknowledged_at", "updated_at"])
    return inquiry, message


def inquiry_acknowledge_send(*, inquiry_id: int) -> bool:
    """E-mail the org's acknowledgement to the lead once, if consent allows; True when sent.

    At most once: the inquiry is marked before the send, so a rerun (or a second worker)
    finds it done; a failed send is recorded as the skip reason, never retried blindly.
    """
    with transaction.atomic():
        claimed = _ack_claim(inquiry_id)
    if claimed is None:
        return False
    inquiry, message = claimed
    try:
        message.send()
    except Exception as exc:  # any transport failure: record it, the lead must not stay silent
        logger.exception("Lead acknowledgement %s failed", inquiry_id)
        LeadInquiry.objects.filter(pk=inquiry_id).update(
            acknowledged_at=None, ack_skipped_reason=f"Sending failed: {exc}"[:200]
        )
        return False
    # Imported here: activity imports this module to record first responses.
    from rallypoynt.contacts.services.activity import automated_touchpoint_record

    with transaction.atomic():
        automated_touchpoint_record(
            contact=inquiry.contact,
            kind=TouchpointKind.EMAIL,
            summary=f"Acknowledgement sent to {message.to[0]}: {message.subject}",
            inquiry_id=inquiry.pk,
        )
        event_emit(
            org_id=inquiry.org_id,
            kind="lead.acknowledged",
            subject=inquiry,
            payload={"to": message.to[0]},
        )
    return True


# First response ------------------------------------------------------------------------------


def _answers(member_id: int, inquiry: LeadInquiry, collaborator: bool) -> bool:
    return collaborator or member_id in (inquiry.assigned_to_id, inquiry.contact.owner_id)


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


def _response_set(inquiry: LeadInquiry, touchpoint: Touchpoint, calendar) -> None:
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
    actor_user = touchpoint.logged_by.user_id
    audit_record(
        org_id=inquiry.org_id,
        actor_id=actor_user,
        action="lead.respond",
        target=inquiry,
        changes={"first_response_minutes": minutes, "touchpoint": touchpoint.pk},
    )
    event_emit(
        org_id=inquiry.org_id,
        kind="lead.responded",
        subject=inquiry,
        actor_id=actor_user,
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
    if inquiry.assigned_to_id:
        team_ids = TeamMember.objects.filter(
            org_id=inquiry.org_id, membership_id=inquiry.assigned_to_id
        ).values("team_id")
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
    row = (
        TeamMember.objects.filter(org_id=inquiry.org_id, membership_id=inquiry.assigned_to_id)
        .select_related("team")
        .order_by("id")
        .first()
    )
    return row.team if row else None


def _reassign_on_escalation(inquiry: LeadInquiry, now: datetime, tz) -> str:
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
    moved = f"Reassigned on escalation at {local_time(now, tz)}: {how}."
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


def _escalation_reason(inquiry: LeadInquiry, calendar: BusinessCalendar, now: datetime) -> str:
    tz = calendar.tzinfo()
    due = inquiry.first_response_due_at
    target = business_minutes_between(calendar, inquiry.received_at, due)
    elapsed = business_minutes_between(calendar, inquiry.received_at, now)
    if inquiry.assigned_to_id:
        who = f"{member_name(inquiry.assigned_to)} logged no first response"
    elif inquiry.status == InquiryStatus.POND:
        who = f"nobody claimed it from team {inquiry.pond_team.name}'s pond"
    else:
        who = "nobody was assigned"
    return (
        f"First-response target of {target} business minutes missed: due "
        f"{local_time(due, tz)}, {who}; {elapsed} business minutes had passed at "
        f"{local_time(now, tz)}."
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
    if inquiry.first_response_due_at is None or now < inquiry.first_response_due_at:
        return "not_due"
    calendar = lead_calendar(inquiry.org)
    reason = _escalation_reason(inquiry, calendar, now)
    recipients = _escalation_recipients(inquiry)
    if recipients:
        reason += f" Notified {', '.join(member_name(m) for m in recipients)}."
    inquiry.status = InquiryStatus.ESCALATED
    inquiry.escalated_at = now
    inquiry.save()
    for member in recipients:
        notification_send(
            recipient=member,
            kind="lead.escalated",
            title=f"Lead not answered in time: {inquiry.contact}",
            body=reason,
            link=contact_link(inquiry.contact_id),
        )
    if lead_settings_for(inquiry.org_id).is_reassign_on_escalation:
        reason += " " + _reassign_on_escalation(inquiry, now, calendar.tzinfo())
    inquiry.escalation_reason = reason
    inquiry.save(update_fields=["escalation_reason", "updated_at"])
    audit_record(
        org_id=inquiry.org_id,
        actor_id=None,
        action="lead.escalate",
        target=inquiry,
        changes={"assigned_to": inquiry.assigned_to_id},
    )
    event_emit(
        org_id=inquiry.org_id,
        kind="lead.escalated",
        subject=inquiry,
        payload={"reason": reason, "notified": [m.pk for m in recipients]},
    )
    return "escalated"
