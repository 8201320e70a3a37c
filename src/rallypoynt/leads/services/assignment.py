"""After routing: the pond (claim, expiry) and reassignment of a lead by a team's lead.

Only members who sell claim, receive or are handed a lead (see `selectors_lead_config`).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rallypoynt.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rallypoynt.leads.choices import InquiryStatus
from rallypoynt.leads.models import LeadInquiry
from rallypoynt.leads.selectors.config import (
    lead_config_for,
    member_is_seller,
    not_selling_text,
)
from rallypoynt.leads.selectors.routing import inquiry_visible_q
from rallypoynt.leads.services.routing import (
    MANAGE_ACTION,
    assignment_apply,
    fallback_pick,
    inquiry_lock,
    inquiry_tz,
    local_time,
    member_name,
    not_seller_error,
    rotate,
    routing_record,
)
from rallypoynt.leads.services.routing_match import sentence
from rallypoynt.orgs.models import Membership, TeamMember
from rallypoynt.orgs.permissions import reach_for, visibility_for

# The pond ------------------------------------------------------------------------------------


@transaction.atomic
def inquiry_pond_expire(*, inquiry_id: int, now: datetime | None = None) -> str:
    """Nobody claimed the lead in time: round robin within the pond team, else the fallback.

    Safe to run twice or early: it acts only on a pond inquiry whose claim deadline passed.
    """
    now = now or timezone.now()
    inquiry = inquiry_lock(inquiry_id=inquiry_id)
    if inquiry is None:
        return "missing"
    if inquiry.status != InquiryStatus.POND:
        return "claimed"
    if inquiry.claim_deadline_at and now < inquiry.claim_deadline_at:
        return "not_due"
    team, rule = inquiry.pond_team, inquiry.routing_rule
    deadline = local_time(inquiry.claim_deadline_at or now, inquiry_tz(inquiry))
    lead = f"nobody claimed it from the pond by {deadline}"
    member, how = None, "the pond's routing rule was deleted"
    config = lead_config_for(inquiry.org)
    if team is not None and rule is not None and rule.team_id == team.pk:
        member, how = rotate(team, config=config, rule=rule)
    if member is None:
        member, fallback = fallback_pick(config, inquiry.contact.owner)
        how = f"{how}; {fallback}"
    reason = f"{inquiry.routing_reason} {sentence(f'{lead}: {how}')}".strip()
    if member is None:
        inquiry.status = InquiryStatus.NEW
        inquiry.routing_reason = reason
        inquiry.save()
    else:
        assignment_apply(inquiry=inquiry, member=member, now=now, reason=reason)
    routing_record(inquiry, "pond_expire", "lead.pond_expired")
    return "assigned" if member else "unassigned"


def _pond_member(actor: Membership, team_id: int | None) -> bool:
    return (
        team_id is not None
        and actor.is_active
        and TeamMember.objects.filter(
            org_id=actor.org_id, team_id=team_id, membership=actor
        ).exists()
    )


def _claimable_q(actor: Membership) -> Q:
    """Leads the actor sees, plus the ponds of their teams: any other id reads as missing."""
    teams = TeamMember.objects.filter(org_id=actor.org_id, membership_id=actor.pk)
    return inquiry_visible_q(actor) | Q(
        org_id=actor.org_id, pond_team_id__in=teams.values("team_id")
    )


@transaction.atomic
def inquiry_claim(*, actor: Membership, inquiry_id: int) -> LeadInquiry:
    """First member of the pond team to claim the lead gets it; later claimers get Conflict."""
    inquiry = inquiry_lock(inquiry_id=inquiry_id, scope=_claimable_q(actor))
    if inquiry is None:
        raise NotFound("No such inquiry.")
    team = inquiry.pond_team
    if team is None:
        raise Conflict("This lead was never in a pond.", fields={"inquiry_id": ["not in a pond"]})
    if not _pond_member(actor, team.pk):
        raise PermissionDenied(f"Only members of team {team.name} can claim this lead.")
    if not member_is_seller(actor):
        raise PermissionDenied(
            f"Only members who sell can claim leads ({member_name(actor)}: "
            f"{not_selling_text(actor)})."
        )
    if inquiry.status != InquiryStatus.POND:
        holder = member_name(inquiry.assigned_to)
        raise Conflict(
            f"Too late: {holder} already has this lead.",
            fields={"inquiry_id": [f"already assigned to {holder}"]},
        )
    now = timezone.now()
    claim = f"Claimed from team {team.name}'s pond by {member_name(actor)} "
    claim += f"at {local_time(now, inquiry_tz(inquiry))}."
    reason = f"{inquiry.routing_reason} {claim}".strip()
    assignment_apply(inquiry=inquiry, member=actor, now=now, reason=reason, notify=False)
    routing_record(inquiry, "claim", "lead.claimed", actor=actor)
    return inquiry


# Reassignment --------------------------------------------------------------------------------


def _may_reassign(actor: Membership, inquiry: LeadInquiry) -> bool:
    """Managers of teams, or a lead of a team the current assignee (or pond) belongs to."""
    reach = reach_for(actor, MANAGE_ACTION)
    if reach is not None and (
        reach.is_org_wide or inquiry.assigned_to is None or reach.has_member(inquiry.assigned_to)
    ):
        return True
    team_ids: set[int] = set()
    if inquiry.assigned_to_id is not None:
        team_ids = set(
            TeamMember.objects.filter(
                org_id=actor.org_id, membership_id=inquiry.assigned_to_id
            ).values_list("team_id", flat=True)
        )
    if inquiry.pond_team_id:
        team_ids.add(inquiry.pond_team_id)
    return TeamMember.objects.filter(
        org_id=actor.org_id, membership=actor, is_lead=True, team_id__in=team_ids
    ).exists()


@transaction.atomic
def inquiry_reassign(*, actor: Membership, inquiry_id: int, membership_id: int) -> LeadInquiry:
    """Give a visible inquiry to another active member who sells; the reason records who."""
    inquiry = inquiry_lock(inquiry_id=inquiry_id, scope=inquiry_visible_q(actor))
    if inquiry is None:
        raise NotFound("No such inquiry.")
    if not _may_reassign(actor, inquiry):
        raise PermissionDenied(
            "Only a lead of the assignee's team, an office manager, a broker/owner or a systems "
            "administrator can reassign a lead."
        )
    target = (
        Membership.objects.filter(org_id=actor.org_id, pk=membership_id, is_active=True)
        .select_related("user")
        .prefetch_related("role_assignments")
        .first()
    )
    scope = visibility_for(actor)
    reach = reach_for(actor, MANAGE_ACTION)
    # An office manager hands leads on within their office only (rule 13).
    in_reach = target is not None and reach is not None and reach.has_member(target)
    # `member_ids is None` is `scope.is_org_wide`, spelled out so that it narrows.
    if target is None or not (
        in_reach or scope.member_ids is None or target.pk in scope.member_ids
    ):
        raise ValidationFailed(
            "No such member in your teams.", fields={"membership_id": ["not an active member"]}
        )
    if not member_is_seller(target):
        raise not_seller_error(target, "membership_id")
    if target.pk == inquiry.assigned_to_id:
        raise ValidationFailed(
            "The lead is already theirs.", fields={"membership_id": ["already the assignee"]}
        )
    now = timezone.now()
    moved = f"Reassigned from {member_name(inquiry.assigned_to)} to {member_name(target)} "
    moved += f"by {member_name(actor)} at {local_time(now, inquiry_tz(inquiry))}."
    keep = inquiry.status in (InquiryStatus.RESPONDED, InquiryStatus.ESCALATED)
    reason = f"{inquiry.routing_reason} {moved}".strip()
    assignment_apply(inquiry=inquiry, member=target, now=now, reason=reason, keep_status=keep)
    routing_record(inquiry, "reassign", "lead.reassigned", actor=actor)
    return inquiry
