"""Speed to lead: the lead settings, the first-response due time and the acknowledgement.

First responses and escalation live in lead_sla.py.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings as django_settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone

from rallypoynt.contacts.choices import TouchpointKind
from rallypoynt.contacts.models import Contact
from rallypoynt.contacts.services import automated_touchpoint_record
from rallypoynt.core.audit import model_changes, update_record
from rallypoynt.core.calendar import add_business_minutes
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.events import event_emit
from rallypoynt.core.jobs import enqueue_on_commit
from rallypoynt.core.mail import idempotent_headers
from rallypoynt.core.timefmt import moment_text
from rallypoynt.leads.models import LeadInquiry, LeadSettings
from rallypoynt.leads.selectors.config import (
    CHOOSE_SELLER,
    LeadConfig,
    lead_settings_for,
    member_is_seller,
    not_selling_text,
)
from rallypoynt.leads.services.routing import member_name
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.services import require

logger = logging.getLogger(__name__)

MAX_TARGET_MINUTES = 7 * 24 * 60
# One setting for the whole org: the broker/owner's (or a systems admin's), not an office's.
SETTINGS_ACTION = "leads.change_settings"
MAX_WINDOW = 24 * 30  # a month: one acknowledgement per person per window
# Org-written templates render with an engine of their own: no loaders (no {% include %} of
# the app's templates) and no HTML escaping, because the message is plain text.
_ACK_ENGINE = Engine(autoescape=False)


# Settings ------------------------------------------------------------------------------------

SETTINGS_FIELDS = [
    "first_response_minutes",
    "is_ack_enabled",
    "ack_window_hours",
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
    window = values.get("ack_window_hours", 24)
    if isinstance(window, bool) or not isinstance(window, int) or not 0 <= window <= MAX_WINDOW:
        errors["ack_window_hours"] = [f"a whole number of hours from 0 to {MAX_WINDOW}"]
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
    member = (
        Membership.objects.filter(org_id=org_id, pk=assignee, is_active=True)
        .prefetch_related("role_assignments")
        .first()
        if isinstance(assignee, int)
        else None
    )
    if assignee is not None and member is None:
        errors["default_assignee_id"] = ["not an active member"]
    elif member is not None and not member_is_seller(member):
        errors["default_assignee_id"] = [
            f"{member.user}: {not_selling_text(member)}; {CHOOSE_SELLER}"
        ]
    if errors:
        raise ValidationFailed("The lead settings are not valid.", fields=errors)
    return values


@transaction.atomic
def lead_settings_update(*, actor: Membership, changes: dict[str, Any]) -> LeadSettings:
    """Change the org's response target, acknowledgement and escalation settings."""
    require(actor, SETTINGS_ACTION)
    changes = lead_settings_clean(org_id=actor.org_id, values=changes)
    settings, _ = LeadSettings.objects.select_for_update().get_or_create(org_id=actor.org_id)
    before = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
    for name, value in changes.items():
        setattr(settings, name, value)
    settings.save()
    diff = model_changes(settings, SETTINGS_FIELDS, before)
    update_record(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        name="lead_settings",
        target=settings,
        changes=diff,
    )
    return lead_settings_for(actor.org_id)


# Scheduling ----------------------------------------------------------------------------------


def first_response_due(config: LeadConfig, received_at: datetime) -> datetime:
    """When the first response is due: the org's target in its business minutes."""
    minutes = config.settings.first_response_minutes
    return add_business_minutes(config.calendar, received_at, minutes)


def inquiry_followups_queue(*, inquiry: LeadInquiry) -> None:
    """Queue the one job that sends the acknowledgement and arms the first-response check."""
    from rallypoynt.leads.tasks import inquiry_followups

    enqueue_on_commit(inquiry_followups, inquiry.pk)


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


def _ack_window_reason(settings: LeadSettings, inquiry: LeadInquiry) -> str:
    """One acknowledgement per person in the window: 400 leads from one address are one
    e-mail, not 400 (a claim counts, so a send in flight counts too)."""
    hours = settings.ack_window_hours
    if not hours:
        return ""
    since = timezone.now() - timedelta(hours=hours)
    earlier = (
        LeadInquiry.objects.filter(
            org_id=inquiry.org_id, contact_id=inquiry.contact_id, ack_claimed_at__gte=since
        )
        .exclude(pk=inquiry.pk)
        .order_by("-ack_claimed_at")
        .values_list("ack_claimed_at", flat=True)
        .first()
    )
    if earlier is None:
        return ""
    when = moment_text(earlier, inquiry.org)
    return f"Acknowledged already on {when} (one per person every {hours} hours)."


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
    """Lock the inquiry and decide: the message to send, or None (skipped or already done).

    A skip is recorded here; `acknowledged_at` stays empty until the message has left, so a
    crash before that sends it again, as the same message (a stable Message-ID).
    """
    contact_id = (
        LeadInquiry.objects.filter(pk=inquiry_id).values_list("contact_id", flat=True).first()
    )
    if contact_id is None:
        return None
    # The contact first (the lock order of intake and routing): two leads of one person
    # decide one after the other, so only one of them is acknowledged in the window.
    Contact.objects.select_for_update().filter(pk=contact_id).values_list("pk").first()
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
    reason = _ack_skip_reason(settings, contact, address) or _ack_window_reason(settings, inquiry)
    message: EmailMessage | None = None
    if not reason:
        assert address is not None, "_ack_skip_reason gives a reason when there is no address"
        try:
            subject, body = _ack_render(settings, inquiry)
        except TemplateSyntaxError as exc:
            reason = f"The acknowledgement template is not valid: {exc}"
        else:
            assignee = inquiry.assigned_to
            reply_to = [assignee.user.email] if assignee is not None else []
            message = EmailMessage(
                subject=subject,
                body=body,
                from_email=django_settings.DEFAULT_FROM_EMAIL,
                to=[address],
                reply_to=reply_to,
                headers=idempotent_headers(f"lead-ack-{inquiry.pk}", inquiry.org.slug),
            )
    if message is not None and inquiry.ack_claimed_at is None:
        inquiry.ack_claimed_at = timezone.now()
        inquiry.save(update_fields=["ack_claimed_at", "updated_at"])
    if message is None:  # skipped: `reason` says why (no message without one)
        inquiry.ack_skipped_reason = reason[:200]
        inquiry.save(update_fields=["ack_skipped_reason", "updated_at"])
        event_emit(
            org_id=inquiry.org_id,
            kind="lead.ack_skipped",
            subject=inquiry,
            payload={"reason": inquiry.ack_skipped_reason},
        )
        return None
    return inquiry, message


def inquiry_acknowledge_send(*, inquiry_id: int) -> bool:
    """E-mail the org's acknowledgement to the lead once, if consent allows; True when sent.

    Claim, send, mark: the decision is taken under the inquiry's row lock, the message leaves,
    then `acknowledged_at` is set under the lock if still empty. A crash between send and mark
    (its job is reclaimed and runs again) resends the same Message-ID, so the lead is never
    left without one; a failed send is recorded as the skip reason, never retried blindly.
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
        LeadInquiry.objects.filter(pk=inquiry_id, acknowledged_at__isnull=True).update(
            ack_skipped_reason=f"Sending failed: {exc}"[:200]
        )
        return False

    with transaction.atomic():
        marked = (
            LeadInquiry.objects.select_for_update()
            .filter(pk=inquiry_id, acknowledged_at__isnull=True)
            .first()
        )
        if marked is None:  # another run got there first and recorded it
            return False
        marked.acknowledged_at = timezone.now()
        marked.save(update_fields=["acknowledged_at", "updated_at"])
        inquiry.acknowledged_at = marked.acknowledged_at
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
