"""Reads of routing rules, lead inquiries and the pond, scoped by org and visibility."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from rallypoynt.contacts.selectors import contact_queryset
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.leads.choices import InquiryStatus
from rallypoynt.leads.models import LeadInquiry, RoutingRule
from rallypoynt.leads.selectors.config import is_seller, member_is_seller
from rallypoynt.orgs.models import Membership, TeamMember
from rallypoynt.orgs.permissions import visibility_for
from rallypoynt.orgs.selectors import member_list

# Reads ---------------------------------------------------------------------------------------


def routing_rule_list(*, actor: Membership) -> QuerySet[RoutingRule]:
    """The org's rules in evaluation order, with assignee and team loaded."""
    return (
        RoutingRule.objects.filter(org_id=actor.org_id)
        .select_related("assignee__user", "team")
        .order_by("position", "id")
    )


def routing_rule_get(*, actor: Membership, rule_id: int) -> RoutingRule | None:
    return routing_rule_list(actor=actor).filter(pk=rule_id).first()


def member_team_ids(actor: Membership) -> set[int]:
    """Teams the actor belongs to (as lead or member)."""
    return set(
        TeamMember.objects.filter(org_id=actor.org_id, membership=actor).values_list(
            "team_id", flat=True
        )
    )


def pond_team_ids(actor: Membership) -> set[int]:
    """Teams whose pond the actor may claim from: theirs, when they sell."""
    return member_team_ids(actor) if member_is_seller(actor) else set()


def seller_list(*, actor: Membership, keep: int | None = None) -> list[Membership]:
    """Active members of the actor's org who take leads, for an assignee choice.

    `keep` (the current choice) stays listed even when it does not sell, so a form shows it
    and the save explains why it cannot stay.
    """
    members = list(member_list(actor=actor))
    solo_id = members[0].pk if len(members) == 1 else None
    return [m for m in members if m.pk == keep or is_seller(m, solo_id=solo_id)]


def inquiry_visible_q(actor: Membership) -> Q:
    """Inquiries the actor may see: of visible contacts, assigned in scope, or in the pond of
    their team when they sell."""
    scope = visibility_for(actor)
    q = Q(org_id=actor.org_id)
    if scope.is_org_wide:
        return q
    visible = Q(assigned_to_id__in=scope.member_ids) | Q(
        contact__in=contact_queryset(actor=actor).values("pk")
    )
    if member_is_seller(actor):
        # A pond is for claiming: only its team's sellers see what waits in it.
        teams = TeamMember.objects.filter(org_id=actor.org_id, membership_id=actor.pk)
        visible |= Q(status=InquiryStatus.POND, pond_team_id__in=teams.values("team_id"))
    return q & visible


def inquiry_list(*, actor: Membership, status: str = "") -> QuerySet[LeadInquiry]:
    """Visible inquiries (optionally of one status) with contact, assignee and team loaded."""
    if status and status not in InquiryStatus.values:
        raise ValidationFailed(
            "Unknown status.", fields={"status": [f"one of {', '.join(InquiryStatus.values)}"]}
        )
    qs = LeadInquiry.objects.filter(inquiry_visible_q(actor))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("contact", "assigned_to__user", "pond_team", "routing_rule")


def inquiry_get(*, actor: Membership, inquiry_id: int) -> LeadInquiry | None:
    return inquiry_list(actor=actor).filter(pk=inquiry_id).first()


def pond_list(*, actor: Membership) -> QuerySet[LeadInquiry]:
    """Inquiries waiting in a pond the actor can claim from (all ponds for org-wide roles)."""
    qs = LeadInquiry.objects.filter(org_id=actor.org_id, status=InquiryStatus.POND)
    if not visibility_for(actor).is_org_wide:
        if not member_is_seller(actor):
            return qs.none()
        teams = TeamMember.objects.filter(org_id=actor.org_id, membership_id=actor.pk)
        qs = qs.filter(pond_team_id__in=teams.values("team_id"))
    return qs.select_related("contact", "pond_team").order_by("claim_deadline_at", "id")
