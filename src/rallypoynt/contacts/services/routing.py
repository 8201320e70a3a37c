"""Lead routing: which member gets a new inquiry, and why; the rules, the pond and reassignment.

Lock order everywhere: contact, then inquiry, then routing rule, the order intake and
touchpoint logging already take, so two writers never wait on each other in a circle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from rallypoynt.contacts.choices import InquiryStatus, RoutingAction
from rallypoynt.contacts.models import (
    Contact,
    ContactCollaborator,
    LeadInquiry,
    LeadSettings,
    RoutingRule,
)
from rallypoynt.contacts.selectors_routing import inquiry_visible_q
from rallypoynt.core.audit import audit_record
from rallypoynt.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rallypoynt.core.events import event_emit
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Membership, Team, TeamMember
from rallypoynt.orgs.permissions import can, visibility_for
from rallypoynt.orgs.services import notification_send

MANAGE_ACTION = "org.manage_teams"


def member_name(member: Membership | None) -> str:
    """How a member is named in reasons and notifications."""
    return str(member.user) if member is not None else "nobody"


def local_time(moment: datetime, tz) -> str:
    """A moment as the org reads it, e.g. 'Mon 2025-03-10 09:30 MDT'."""
    return moment.astimezone(tz).strftime("%a %Y-%m-%d %H:%M %Z")


def contact_link(contact_id: int) -> str:
    return f"/contacts/{contact_id}/"


# Matching ------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def postal_code_key(text: str) -> str:
    return re.sub(r"\s+", "", str(text)).upper()


def language_code(text: str) -> str:
    """Primary language subtag: 'es-MX' and 'ES' both read as 'es'."""
    return str(text).strip().lower().replace("_", "-").split("-")[0]


@dataclass(frozen=True)
class LeadFacts:
    """What routing rules look at, taken from the inquiry and, when missing, its contact."""

    source: str = ""
    lead_type: str = ""
    postal_code: str = ""
    city: str = ""
    price: Decimal | None = None
    language: str = ""

    @classmethod
    def of(cls, inquiry: LeadInquiry) -> LeadFacts:
        prop = inquiry.property or {}
        contact = inquiry.contact
        return cls(
            source=inquiry.source,
            lead_type=inquiry.lead_type,
            postal_code=str(prop.get("postal_code") or contact.postal_code or ""),
            city=str(prop.get("city") or contact.city or ""),
            price=inquiry.price,
            language=inquiry.language or contact.language,
        )


def _money(value: Decimal) -> str:
    return f"${value:,.0f}"


def price_range_text(rule: RoutingRule) -> str:
    if rule.price_min is not None and rule.price_max is not None:
        return f"{_money(rule.price_min)}-{_money(rule.price_max)}"
    if rule.price_min is not None:
        return f"at least {_money(rule.price_min)}"
    return f"at most {_money(rule.price_max)}"


def rule_match(rule: RoutingRule, facts: LeadFacts) -> list[str] | None:
    """The conditions the lead met (empty: the rule takes any lead), or None if one failed."""
    met: list[str] = []
    if rule.sources:
        if _fold(facts.source) not in {_fold(s) for s in rule.sources}:
            return None
        met.append(f"source {facts.source}")
    if rule.lead_types:
        if facts.lead_type not in rule.lead_types:
            return None
        met.append(f"type {facts.lead_type}")
    if rule.postal_codes:
        code = postal_code_key(facts.postal_code)
        # A rule's entry may be a prefix ("803" covers 80301-80310).
        if not code or not any(code.startswith(postal_code_key(p)) for p in rule.postal_codes):
            return None
        met.append(f"ZIP {code}")
    if rule.cities:
        if _fold(facts.city) not in {_fold(c) for c in rule.cities}:
            return None
        met.append(f"city {facts.city}")
    if rule.price_min is not None or rule.price_max is not None:
        price = facts.price
        if price is None:
            return None
        if (rule.price_min is not None and price < rule.price_min) or (
            rule.price_max is not None and price > rule.price_max
        ):
            return None
        met.append(f"price {_money(price)} in {price_range_text(rule)}")
    if rule.languages:
        if not facts.language or language_code(facts.language) not in {
            language_code(x) for x in rule.languages
        }:
            return None
        met.append(f"language {language_code(facts.language)}")
    return met


def _matched_text(rule: RoutingRule, met: list[str]) -> str:
    return f'rule "{rule.name}" matched ({", ".join(met) or "any lead"})'


# Choosing a member ---------------------------------------------------------------------------


def rotate(
    team: Team,
    *,
    rule: RoutingRule | None = None,
    exclude: frozenset[int] = frozenset(),
    after: int | None = None,
    commit: bool = True,
) -> tuple[Membership | None, str]:
    """Next active member of `team` in turn, and how they were chosen (or why nobody was).

    With a rule its row is locked and `rr_position` advanced, so turns survive restarts and
    concurrent intakes; without one the turn starts after member `after`.
    """
    position = 0
    if rule is not None:
        query = RoutingRule.objects.filter(pk=rule.pk)
        position = (query.select_for_update() if commit else query).values_list(
            "rr_position", flat=True
        ).first() or 0
    rows = list(
        TeamMember.objects.filter(org_id=team.org_id, team=team)
        .select_related("membership__user")
        .order_by("id")
    )
    if not rows:
        return None, f"team {team.name} has no members"
    size = len(rows)
    ids = [row.membership_id for row in rows]
    start = position % size if rule is not None else (ids.index(after) + 1 if after in ids else 0)
    skipped = []
    for step in range(size):
        index = (start + step) % size
        member = rows[index].membership
        if not member.is_active:
            skipped.append(member_name(member))
            continue
        if member.pk in exclude:
            continue
        if rule is not None and commit:
            RoutingRule.objects.filter(pk=rule.pk).update(rr_position=(index + 1) % size)
        how = f"round robin in team {team.name} chose {member_name(member)} "
        how += f"(place {index + 1} of {size} in the rotation"
        if skipped:
            how += f"; skipped inactive {', '.join(skipped)}"
        return member, how + ")"
    return None, f"team {team.name} has no active member to take it"


def _rule_pick(rule: RoutingRule, *, commit: bool) -> tuple[Membership | None, str]:
    if rule.action == RoutingAction.ASSIGN:
        member = rule.assignee
        if member is None:
            return None, "its assignee was removed"
        if not member.is_active:
            return None, f"its assignee {member_name(member)} is inactive"
        return member, f"assigned to {member_name(member)}"
    if rule.team is None:
        return None, "its team was deleted"
    return rotate(rule.team, rule=rule, commit=commit)


def lead_settings_for(org_id: int) -> LeadSettings:
    """The org's lead settings, or the defaults (unsaved) when none were saved yet."""
    found = LeadSettings.objects.filter(org_id=org_id).select_related("default_assignee__user")
    return found.first() or LeadSettings(org_id=org_id)


def _fallback(inquiry: LeadInquiry) -> tuple[Membership | None, str]:
    """No rule took the lead: the default assignee, the contact's owner, else a broker/owner."""
    settings = lead_settings_for(inquiry.org_id)
    member = settings.default_assignee
    if member is not None and member.is_active:
        return member, f"assigned to the default assignee {member_name(member)}"
    owner = inquiry.contact.owner
    if owner is not None and owner.is_active:
        return owner, (
            f"no default assignee is set; assigned to the contact's owner {member_name(owner)}"
        )
    broker = (
        Membership.objects.filter(
            org_id=inquiry.org_id, is_active=True, role_assignments__role=Role.BROKER_OWNER
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if broker is not None:
        return broker, (
            "no default assignee is set and the contact has no active owner; "
            f"assigned to the first broker/owner {member_name(broker)}"
        )
    return None, (
        "there is no default assignee, contact owner or active broker/owner: "
        "the lead waits unassigned"
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


# Writing an assignment -----------------------------------------------------------------------


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
    """Give the inquiry to `member` and make sure they can work the contact; notify them.

    An unowned contact becomes theirs; a contact owned by someone else stays with its owner
    and is shared with the assignee as a collaborator (else they could not see it to answer).
    """
    contact = inquiry.contact
    if contact.owner_id is None:
        Contact.objects.filter(pk=contact.pk, owner__isnull=True).update(owner=member)
        contact.owner = member
    elif contact.owner_id != member.pk:
        ContactCollaborator.objects.get_or_create(
            org_id=contact.org_id, contact=contact, membership=member
        )
        reason += f" The contact stays with its owner {member_name(contact.owner)}"
        reason += f" and is shared with {member_name(member)}."
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


def _record(
    inquiry: LeadInquiry, action: str, kind: str, actor: Membership | None = None, **extra
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
    audit_record(
        org_id=inquiry.org_id,
        actor_id=actor_user,
        action=f"lead.{action}",
        target=inquiry,
        changes={"assigned_to": inquiry.assigned_to_id, "status": inquiry.status},
    )
    event_emit(
        org_id=inquiry.org_id,
        kind=kind,
        subject=inquiry,
        actor_id=actor_user,
        payload=payload,
    )


def _to_pond(inquiry: LeadInquiry, rule: RoutingRule, why: str, now: datetime) -> None:
    team = rule.team
    deadline = now + timedelta(minutes=rule.pond_timeout_minutes)
    tz = _tz(inquiry)
    inquiry.status = InquiryStatus.POND
    inquiry.pond_team = team
    inquiry.claim_deadline_at = deadline
    inquiry.routing_rule = rule
    inquiry.routing_reason = _sentence(
        f"{why}; put in team {team.name}'s pond: the first member to claim it gets it, "
        f"else at {local_time(deadline, tz)} it goes by round robin"
    )
    inquiry.save()
    members = Membership.objects.filter(
        org_id=inquiry.org_id, is_active=True, team_memberships__team=team
    ).distinct()
    for member in members:
        notification_send(
            recipient=member,
            kind="lead.pond",
            title=f"Lead in team {team.name}'s pond: {inquiry.contact}",
            body=f"First to claim it gets it (until {local_time(deadline, tz)}).",
            link=reverse("contacts:pond"),
        )
    from rallypoynt.contacts.tasks_leads import inquiry_pond_timeout
    from rallypoynt.core.jobs import enqueue_at

    inquiry_id = inquiry.pk
    transaction.on_commit(lambda: enqueue_at(inquiry_pond_timeout, deadline, inquiry_id))


def inquiry_lock(*, inquiry_id: int, scope: Q | None = None) -> LeadInquiry | None:
    """Lock the inquiry's contact, then the inquiry (None when missing or out of `scope`)."""
    rows = LeadInquiry.objects.filter(scope or Q(), pk=inquiry_id)
    contact_id = rows.values_list("contact_id", flat=True).first()
    contact = Contact.objects.select_for_update().filter(pk=contact_id).first()
    inquiry = rows.select_for_update().first() if contact is not None else None
    if inquiry is not None:
        inquiry.contact = contact
    return inquiry


def _tz(inquiry: LeadInquiry) -> ZoneInfo:
    return ZoneInfo(inquiry.org.time_zone)


def _active_rules(org_id: int) -> QuerySet[RoutingRule]:
    return (
        RoutingRule.objects.filter(org_id=org_id, is_active=True)
        .select_related("assignee__user", "team")
        .order_by("position", "id")
    )


@transaction.atomic
def inquiry_route(*, inquiry: LeadInquiry) -> LeadInquiry:
    """Assign the inquiry by the org's rules, in order; records the rule and the reason."""
    now = timezone.now()
    facts = LeadFacts.of(inquiry)
    notes: list[str] = []
    for rule in _active_rules(inquiry.org_id):
        met = rule_match(rule, facts)
        if met is None:
            continue
        why = _matched_text(rule, met)
        if rule.action == RoutingAction.POND and rule.team is not None:
            if Membership.objects.filter(
                org_id=inquiry.org_id, is_active=True, team_memberships__team=rule.team
            ).exists():
                _to_pond(inquiry, rule, "; ".join([*notes, why]), now)
                _record(inquiry, "route", "lead.routed", rule_id=rule.pk)
                return inquiry
            notes.append(f"{why} but team {rule.team.name} has no active member")
            continue
        member, how = _rule_pick(rule, commit=True)
        if member is None:
            notes.append(f"{why} but {how}")
            continue
        reason = _sentence("; ".join([*notes, why, how]))
        # Read the clock after the rule's lock, so assignment times follow the rotation.
        now = timezone.now()
        assignment_apply(inquiry=inquiry, member=member, now=now, reason=reason, rule=rule)
        _record(inquiry, "route", "lead.routed", rule_id=rule.pk)
        return inquiry
    member, how = _fallback(inquiry)
    nothing = "no other rule could take it" if notes else "no routing rule matched"
    reason = _sentence("; ".join([*notes, nothing, how]))
    if member is None:
        inquiry.routing_reason = reason
        inquiry.save(update_fields=["routing_reason", "updated_at"])
    else:
        assignment_apply(inquiry=inquiry, member=member, now=now, reason=reason)
    _record(inquiry, "route", "lead.routed")
    return inquiry


@dataclass(frozen=True)
class RoutePreview:
    rule: RoutingRule | None
    member: Membership | None
    reason: str


def routing_preview(*, actor: Membership, facts: LeadFacts) -> RoutePreview:
    """Which rule would take a lead like this, and who would get it (nothing is written)."""
    notes: list[str] = []
    for rule in _active_rules(actor.org_id):
        met = rule_match(rule, facts)
        if met is None:
            continue
        why = _matched_text(rule, met)
        if rule.action == RoutingAction.POND and rule.team is not None:
            text = f"{why}; it would go to team {rule.team.name}'s pond"
            return RoutePreview(rule, None, _sentence("; ".join([*notes, text])))
        member, how = _rule_pick(rule, commit=False)
        if member is not None:
            return RoutePreview(rule, member, _sentence("; ".join([*notes, why, how])))
        notes.append(f"{why} but {how}")
    nothing = "no other rule could take it" if notes else "no routing rule matched"
    default = lead_settings_for(actor.org_id).default_assignee
    if default is not None and default.is_active:
        text = f"{nothing}: the default assignee {member_name(default)} would get it"
        return RoutePreview(None, default, _sentence("; ".join([*notes, text])))
    text = f"{nothing}: the contact's owner, else the first broker/owner would get it"
    return RoutePreview(None, None, _sentence("; ".join([*notes, text])))


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
    deadline = local_time(inquiry.claim_deadline_at or now, _tz(inquiry))
    lead = f"nobody claimed it from the pond by {deadline}"
    member, how = None, "the pond's routing rule was deleted"
    if team is not None and rule is not None and rule.team_id == team.pk:
        member, how = rotate(team, rule=rule)
    if member is None:
        member, fallback = _fallback(inquiry)
        how = f"{how}; {fallback}"
    reason = f"{inquiry.routing_reason} {_sentence(f'{lead}: {how}')}".strip()
    if member is None:
        inquiry.status = InquiryStatus.NEW
        inquiry.routing_reason = reason
        inquiry.save()
    else:
        assignment_apply(inquiry=inquiry, member=member, now=now, reason=reason)
    _record(inquiry, "pond_expire", "lead.pond_expired")
    return "assigned" if member else "unassigned"


def _pond_member(actor: Membership, team_id: int | None) -> bool:
    return (
        team_id is not None
        and actor.is_active
        and TeamMember.objects.filter(
            org_id=actor.org_id, team_id=team_id, membership=actor
        ).exists()
    )


@transaction.atomic
def inquiry_claim(*, actor: Membership, inquiry_id: int) -> LeadInquiry:
    """First member of the pond team to claim the lead gets it; later claimers get Conflict."""
    inquiry = inquiry_lock(inquiry_id=inquiry_id, scope=Q(org_id=actor.org_id))
    if inquiry is None:
        raise NotFound("No such inquiry.")
    if inquiry.pond_team_id is None:
        raise Conflict("This lead was never in a pond.", fields={"inquiry_id": ["not in a pond"]})
    if not _pond_member(actor, inquiry.pond_team_id):
        raise PermissionDenied(
            f"Only members of team {inquiry.pond_team.name} can claim this lead."
        )
    if inquiry.status != InquiryStatus.POND:
        holder = member_name(inquiry.assigned_to)
        raise Conflict(
            f"Too late: {holder} already has this lead.",
            fields={"inquiry_id": [f"already assigned to {holder}"]},
        )
    now = timezone.now()
    claim = f"Claimed from team {inquiry.pond_team.name}'s pond by {member_name(actor)} "
    claim += f"at {local_time(now, _tz(inquiry))}."
    reason = f"{inquiry.routing_reason} {claim}".strip()
    assignment_apply(inquiry=inquiry, member=actor, now=now, reason=reason, notify=False)
    _record(inquiry, "claim", "lead.claimed", actor=actor)
    return inquiry


# Reassignment --------------------------------------------------------------------------------


def _may_reassign(actor: Membership, inquiry: LeadInquiry) -> bool:
    """Managers of teams, or a lead of a team the current assignee (or pond) belongs to."""
    if can(actor, MANAGE_ACTION):
        return True
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
    """Give a visible inquiry to another active member; the reason records who moved it."""
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
        .first()
    )
    scope = visibility_for(actor)
    if target is None or not (
        can(actor, MANAGE_ACTION) or scope.is_org_wide or target.pk in scope.member_ids
    ):
        raise ValidationFailed(
            "No such member in your teams.", fields={"membership_id": ["not an active member"]}
        )
    if target.pk == inquiry.assigned_to_id:
        raise ValidationFailed(
            "The lead is already theirs.", fields={"membership_id": ["already the assignee"]}
        )
    now = timezone.now()
    moved = f"Reassigned from {member_name(inquiry.assigned_to)} to {member_name(target)} "
    moved += f"by {member_name(actor)} at {local_time(now, _tz(inquiry))}."
    keep = inquiry.status in (InquiryStatus.RESPONDED, InquiryStatus.ESCALATED)
    reason = f"{inquiry.routing_reason} {moved}".strip()
    assignment_apply(inquiry=inquiry, member=target, now=now, reason=reason, keep_status=keep)
    _record(inquiry, "reassign", "lead.reassigned", actor=actor)
    return inquiry
