"""Lead routing: which member gets a new inquiry, and why; the rules, the pond and reassignment.

Lock order everywhere: contact, then inquiry, then routing rule, the order intake and
touchpoint logging already take, so two writers never wait on each other in a circle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from rallypoynt.contacts.choices import InquiryStatus, LeadType, RoutingAction
from rallypoynt.contacts.models import (
    Contact,
    ContactCollaborator,
    LeadInquiry,
    LeadSettings,
    RoutingRule,
)
from rallypoynt.contacts.selectors import contact_queryset
from rallypoynt.core.audit import audit_record, model_changes
from rallypoynt.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rallypoynt.core.events import event_emit
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Membership, Team, TeamMember
from rallypoynt.orgs.permissions import can, visibility_for
from rallypoynt.orgs.services import notification_send, require

MANAGE_ACTION = "org.manage_teams"
MAX_PRICE = Decimal("999999999999.99")
MAX_POND_MINUTES = 24 * 60
MAX_LIST_ITEMS = 200
_POSTAL = re.compile(r"^[A-Z0-9-]{1,10}$")


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


def _postal(text: str) -> str:
    return re.sub(r"\s+", "", str(text)).upper()


def _language(text: str) -> str:
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
        code = _postal(facts.postal_code)
        # A rule's entry may be a prefix ("803" covers 80301-80310).
        if not code or not any(code.startswith(_postal(p)) for p in rule.postal_codes):
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
        if not facts.language or _language(facts.language) not in {
            _language(x) for x in rule.languages
        }:
            return None
        met.append(f"language {_language(facts.language)}")
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


# Rules: create, change, delete, reorder ------------------------------------------------------


@dataclass
class RoutingRuleData:
    """A routing rule as typed in; `routing_rule_clean` normalises it."""

    name: str = ""
    action: str = RoutingAction.ASSIGN
    is_active: bool = True
    sources: list[str] = field(default_factory=list)
    lead_types: list[str] = field(default_factory=list)
    postal_codes: list[str] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    pond_timeout_minutes: int = 15


RULE_FIELDS = [f.name for f in fields(RoutingRuleData)]
LIST_FIELDS = ["sources", "lead_types", "postal_codes", "cities", "languages"]


def _clean_list(value: Any, name: str, errors: dict[str, list[str]]) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        errors[name] = ["a list of text values"]
        return []
    items: list[str] = []
    for raw in value:
        if not isinstance(raw, str):
            errors[name] = ["a list of text values"]
            return []
        item = " ".join(raw.split())
        if name == "postal_codes":
            item = _postal(item)
        elif name == "languages":
            item = _language(item)
        if item and item not in items:
            items.append(item)
    bad = [i for i in items if len(i) > 100]
    if name == "lead_types":
        bad = [i for i in items if i not in LeadType.values]
    elif name == "postal_codes":
        bad = [i for i in items if not _POSTAL.match(i)]
    if bad:
        errors[name] = [f"not valid: {', '.join(bad[:5])}"]
    elif len(items) > MAX_LIST_ITEMS:
        errors[name] = [f"at most {MAX_LIST_ITEMS} values"]
    return items


def _clean_price(value: Any, name: str, errors: dict[str, list[str]]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        price = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors[name] = ["not a number"]
        return None
    if not Decimal(0) <= price <= MAX_PRICE:
        errors[name] = [f"between 0 and {MAX_PRICE:,.0f}"]
        return None
    return price


def routing_rule_clean(*, org_id: int, data: RoutingRuleData) -> RoutingRuleData:
    """Validate and normalise; raise ValidationFailed naming every bad field."""
    errors: dict[str, list[str]] = {}
    data.name = " ".join(str(data.name or "").split())
    if not data.name:
        errors["name"] = ["required"]
    elif len(data.name) > 120:
        errors["name"] = ["at most 120 characters"]
    if data.action not in RoutingAction.values:
        errors["action"] = [f"one of {', '.join(RoutingAction.values)}"]
    if not isinstance(data.is_active, bool):
        errors["is_active"] = ["true or false"]
    for name in LIST_FIELDS:
        setattr(data, name, _clean_list(getattr(data, name), name, errors))
    data.price_min = _clean_price(data.price_min, "price_min", errors)
    data.price_max = _clean_price(data.price_max, "price_max", errors)
    if (
        data.price_min is not None
        and data.price_max is not None
        and data.price_min > data.price_max
    ):
        errors["price_max"] = ["must not be below the minimum price"]
    minutes = data.pond_timeout_minutes
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        errors["pond_timeout_minutes"] = ["a whole number of minutes"]
    elif not 1 <= minutes <= MAX_POND_MINUTES:
        errors["pond_timeout_minutes"] = [f"between 1 and {MAX_POND_MINUTES}"]
    _clean_target(org_id, data, errors)
    if errors:
        raise ValidationFailed("The routing rule is not valid.", fields=errors)
    return data


def _clean_target(org_id: int, data: RoutingRuleData, errors: dict[str, list[str]]) -> None:
    """An assign rule names an active member; round robin and pond rules name a team."""
    if data.action == RoutingAction.ASSIGN:
        data.team_id = None
        active = Membership.objects.filter(org_id=org_id, pk=data.assignee_id, is_active=True)
        if data.assignee_id is None or not active.exists():
            errors["assignee_id"] = ["choose an active member"]
    elif data.action in RoutingAction.values:
        data.assignee_id = None
        if data.team_id is None or not Team.objects.filter(org_id=org_id, pk=data.team_id).exists():
            errors["team_id"] = ["choose a team"]


def _rule_for_update(actor: Membership, rule_id: int) -> RoutingRule:
    rule = RoutingRule.objects.select_for_update().filter(org_id=actor.org_id, pk=rule_id).first()
    if rule is None:
        raise NotFound("No such routing rule.")
    return rule


def _rule_event(actor: Membership, rule: RoutingRule, verb: str, changes: dict) -> None:
    audit_record(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action=f"routing_rule.{verb}",
        target=rule,
        changes=changes,
    )
    event_emit(
        org_id=actor.org_id,
        kind=f"routing_rule.{verb}d",
        subject=rule,
        actor_id=actor.user_id,
        payload={"name": rule.name, "action": rule.action},
    )


@transaction.atomic
def routing_rule_create(*, actor: Membership, data: RoutingRuleData) -> RoutingRule:
    """Add a rule at the end of the org's order."""
    require(actor, MANAGE_ACTION)
    data = routing_rule_clean(org_id=actor.org_id, data=data)
    last = RoutingRule.objects.filter(org_id=actor.org_id).aggregate(m=Max("position"))["m"]
    rule = RoutingRule.objects.create(
        org_id=actor.org_id,
        position=0 if last is None else last + 1,
        **{name: getattr(data, name) for name in RULE_FIELDS},
    )
    _rule_event(actor, rule, "create", {"name": rule.name, "action": rule.action})
    return rule


@transaction.atomic
def routing_rule_update(*, actor: Membership, rule_id: int, changes: dict[str, Any]) -> RoutingRule:
    """Change some fields of a rule; the result is validated as a whole."""
    require(actor, MANAGE_ACTION)
    unknown = sorted(set(changes) - set(RULE_FIELDS))
    if unknown:
        raise ValidationFailed("Unknown field.", fields={k: ["unknown field"] for k in unknown})
    rule = _rule_for_update(actor, rule_id)
    before = {name: getattr(rule, name) for name in RULE_FIELDS}
    data = routing_rule_clean(org_id=actor.org_id, data=RoutingRuleData(**{**before, **changes}))
    for name in RULE_FIELDS:
        setattr(rule, name, getattr(data, name))
    rule.save()
    _rule_event(actor, rule, "update", model_changes(rule, RULE_FIELDS, before))
    return rule


@transaction.atomic
def routing_rule_delete(*, actor: Membership, rule_id: int) -> None:
    """Delete a rule; inquiries it routed keep their reason text."""
    require(actor, MANAGE_ACTION)
    rule = _rule_for_update(actor, rule_id)
    _rule_event(actor, rule, "delete", {"name": rule.name})
    rule.delete()


@transaction.atomic
def routing_rule_reorder(*, actor: Membership, rule_ids: list[int]) -> list[RoutingRule]:
    """Put every rule of the org in the given order (the list must name each rule once)."""
    require(actor, MANAGE_ACTION)
    rules = {r.pk: r for r in RoutingRule.objects.select_for_update().filter(org_id=actor.org_id)}
    if len(rule_ids) != len(set(rule_ids)) or set(rule_ids) != set(rules):
        raise ValidationFailed(
            "List every routing rule exactly once.", fields={"rule_ids": ["not the org's rules"]}
        )
    ordered = [rules[pk] for pk in rule_ids]
    for position, rule in enumerate(ordered):
        rule.position = position
    RoutingRule.objects.bulk_update(ordered, ["position"])
    audit_record(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="routing_rule.reorder",
        target=actor.org,
        changes={"order": rule_ids},
    )
    event_emit(
        org_id=actor.org_id,
        kind="routing_rule.reordered",
        actor_id=actor.user_id,
        payload={"order": rule_ids},
    )
    return ordered


def routing_rule_move(*, actor: Membership, rule_id: int, offset: int) -> list[RoutingRule]:
    """Move one rule up (offset -1) or down (+1) in the order."""
    order = list(
        RoutingRule.objects.filter(org_id=actor.org_id)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    if rule_id not in order:
        raise NotFound("No such routing rule.")
    index = order.index(rule_id)
    target = min(max(index + offset, 0), len(order) - 1)
    order.insert(target, order.pop(index))
    return routing_rule_reorder(actor=actor, rule_ids=order)


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


def inquiry_visible_q(actor: Membership) -> Q:
    """Inquiries the actor may see: of visible contacts, assigned in scope, or in their pond."""
    scope = visibility_for(actor)
    q = Q(org_id=actor.org_id)
    if scope.is_org_wide:
        return q
    teams = TeamMember.objects.filter(org_id=actor.org_id, membership_id=actor.pk)
    return q & (
        Q(assigned_to_id__in=scope.member_ids)
        | Q(contact__in=contact_queryset(actor=actor).values("pk"))
        | Q(status=InquiryStatus.POND, pond_team_id__in=teams.values("team_id"))
    )


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
        teams = TeamMember.objects.filter(org_id=actor.org_id, membership_id=actor.pk)
        qs = qs.filter(pond_team_id__in=teams.values("team_id"))
    return qs.select_related("contact", "pond_team").order_by("claim_deadline_at", "id")
