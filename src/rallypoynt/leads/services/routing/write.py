"""Writing a routing decision: fill and announce the route, hand a lead over, record it.

Lock order everywhere: contact, then inquiry, then routing rule, the order intake and
touchpoint logging already take, so two writers never wait on each other in a circle.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.urls import reverse

from rallypoynt.contacts.models import Contact, ContactCollaborator
from rallypoynt.core.audit import audit_and_emit
from rallypoynt.core.jobs import enqueue_on_commit
from rallypoynt.leads.choices import InquiryStatus
from rallypoynt.leads.models import LeadInquiry, RoutingRule
from rallypoynt.leads.selectors.config import (
    LeadConfig,
)
from rallypoynt.leads.services.routing.decide import Route, contact_link, local_time, member_name
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.services import notification_send


def route_fill(inquiry: LeadInquiry, route: Route, now: datetime) -> None:
    """Copy the route onto the (possibly unsaved) inquiry."""
    inquiry.routing_reason = route.reason
    inquiry.routing_rule = route.rule
    if route.pond_team is not None:
        inquiry.status = InquiryStatus.POND
        inquiry.pond_team = route.pond_team
        inquiry.claim_deadline_at = route.claim_deadline_at
    elif route.member is not None:
        inquiry.status = InquiryStatus.ASSIGNED
        inquiry.assigned_to = route.member
        inquiry.assigned_at = now


def route_announce(inquiry: LeadInquiry, route: Route, config: LeadConfig) -> None:
    """After the inquiry is saved: tell the assignee (or the pond), record the decision."""
    contact = inquiry.contact
    if route.member is not None:
        notification_send(
            recipient=route.member,
            kind="lead.assigned",
            title=f"New lead for you: {contact}",
            body=inquiry.routing_reason,
            link=contact_link(contact.pk),
        )
    if route.pond_team is not None:
        assert route.claim_deadline_at is not None, "a pond route has its deadline"
        deadline = local_time(route.claim_deadline_at, config.time_zone)
        for member in route.pond_members:
            notification_send(
                recipient=member,
                kind="lead.pond",
                title=f"Lead in team {route.pond_team.name}'s pond: {contact}",
                body=f"First to claim it gets it (until {deadline}).",
                link=reverse("leads:pond"),
            )
        _pond_timeout_schedule(inquiry)
    extra: dict[str, Any] = {"rule_id": route.rule.pk} if route.rule is not None else {}
    routing_record(inquiry, "route", "lead.routed", **extra)


def _pond_timeout_schedule(inquiry: LeadInquiry) -> None:
    from rallypoynt.leads.tasks import inquiry_pond_timeout

    enqueue_on_commit(inquiry_pond_timeout, inquiry.pk, when=inquiry.claim_deadline_at)


# Writing an assignment -----------------------------------------------------------------------


def contact_share(contact: Contact, member: Membership) -> str:
    """Make sure `member` can work the contact; returns what the reason should add.

    An unowned contact becomes theirs; a contact owned by someone else stays with its owner
    and is shared with the member as a collaborator (else they could not see it to answer).
    """
    if contact.owner_id is None:
        if contact.pk is not None:
            Contact.objects.filter(pk=contact.pk, owner__isnull=True).update(owner=member)
        contact.owner = member
        return ""
    if contact.owner_id == member.pk:
        return ""
    ContactCollaborator.objects.get_or_create(
        org_id=contact.org_id, contact=contact, membership=member
    )
    return (
        f" The contact stays with its owner {member_name(contact.owner)}"
        f" and is shared with {member_name(member)}."
    )


def assignment_apply(
    *,
    inquiry: LeadInquiry,
    member: Membership,
    now: datetime,
    reason: str,
    rule: RoutingRule | None = None,
    keep_status: bool = False,
    notify: bool = True,
) -> None:
    """Give a saved inquiry to `member`, share its contact with them, notify them."""
    contact = inquiry.contact
    reason += contact_share(contact, member)
    inquiry.assigned_to = member
    inquiry.assigned_at = now
    if not keep_status:
        inquiry.status = InquiryStatus.ASSIGNED
    if rule is not None:
        inquiry.routing_rule = rule
    inquiry.routing_reason = reason
    inquiry.save()
    if not notify:
        return
    notification_send(
        recipient=member,
        kind="lead.assigned",
        title=f"New lead for you: {contact}",
        body=reason,
        link=contact_link(contact.pk),
    )


def routing_record(
    inquiry: LeadInquiry, action: str, kind: str, actor: Membership | None = None, **extra: Any
) -> None:
    """Audit entry and domain event for a routing decision, carrying its reason."""
    actor_user = actor.user_id if actor else None
    payload = {
        "contact_id": inquiry.contact_id,
        "status": inquiry.status,
        "assigned_to": inquiry.assigned_to_id,
        "routing_rule": inquiry.routing_rule_id,
        "reason": inquiry.routing_reason,
        **extra,
    }
    audit_and_emit(
        org_id=inquiry.org_id,
        actor_id=actor_user,
        action=f"lead.{action}",
        target=inquiry,
        changes={"assigned_to": inquiry.assigned_to_id, "status": inquiry.status},
        kind=kind,
        payload=payload,
    )


def inquiry_lock(*, inquiry_id: int, scope: Q | None = None) -> LeadInquiry | None:
    """Lock the inquiry's contact, then the inquiry (None when missing or out of `scope`)."""
    rows = LeadInquiry.objects.filter(scope or Q(), pk=inquiry_id)
    contact_id = rows.values_list("contact_id", flat=True).first()
    if contact_id is None:
        return None
    contact = Contact.objects.select_for_update().filter(pk=contact_id).first()
    if contact is None:
        return None
    inquiry = rows.select_for_update().first()
    if inquiry is not None:
        inquiry.contact = contact
    return inquiry


def inquiry_tz(inquiry: LeadInquiry) -> ZoneInfo:
    return ZoneInfo(inquiry.org.time_zone)
