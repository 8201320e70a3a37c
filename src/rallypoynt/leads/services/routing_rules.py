"""Routing rules: create, change, delete and reorder them.

The broker/owner and systems admins manage every rule; an office manager manages the rules
that name a team of their office or a member of their office (others answer like missing
ones). Reordering is org-wide: positions order every rule of the org."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max

from rallypoynt.contacts.choices import LeadType
from rallypoynt.core.audit import audit_and_emit, model_changes
from rallypoynt.core.errors import NotFound, ValidationFailed
from rallypoynt.leads.choices import RoutingAction
from rallypoynt.leads.models import RoutingRule
from rallypoynt.leads.selectors.config import (
    CHOOSE_SELLER,
    member_is_seller,
    not_selling_text,
)
from rallypoynt.leads.services.routing_match import language_code, postal_code_key
from rallypoynt.orgs.config_cache import org_config_changed
from rallypoynt.orgs.models import Membership, Team
from rallypoynt.orgs.permissions import Reach
from rallypoynt.orgs.services import require, require_reach

MANAGE_ACTION = "routing.manage_rules"
MAX_PRICE = Decimal("999999999999.99")
MAX_POND_MINUTES = 24 * 60
MAX_LIST_ITEMS = 200
_POSTAL = re.compile(r"^[A-Z0-9-]{1,10}$")


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
            item = postal_code_key(item)
        elif name == "languages":
            item = language_code(item)
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


def routing_rule_clean(
    *, org_id: int, data: RoutingRuleData, reach: Reach | None = None
) -> RoutingRuleData:
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
    _clean_target(org_id, data, errors, reach)
    if errors:
        raise ValidationFailed("The routing rule is not valid.", fields=errors)
    return data


def _clean_target(
    org_id: int, data: RoutingRuleData, errors: dict[str, list[str]], reach: Reach | None
) -> None:
    """An assign rule names an active member; round robin and pond rules name a team. With a
    `reach`, a member or team outside it is refused exactly like a missing one."""
    if data.action == RoutingAction.ASSIGN:
        data.team_id = None
        member = None
        if data.assignee_id is not None:
            active = Membership.objects.filter(org_id=org_id, pk=data.assignee_id, is_active=True)
            member = active.prefetch_related("role_assignments").first()
        if member is not None and reach is not None and not reach.has_member(member):
            member = None
        if data.assignee_id is None or member is None:
            errors["assignee_id"] = ["choose an active member"]
        elif not member_is_seller(member):
            # Leads go only to those who sell (a coordinator's day must not fill with leads).
            errors["assignee_id"] = [f"{member.user}: {not_selling_text(member)}; {CHOOSE_SELLER}"]
    elif data.action in RoutingAction.values:
        data.assignee_id = None
        if data.team_id is None:
            errors["team_id"] = ["choose a team"]
            return
        teams = Team.objects.filter(org_id=org_id, pk=data.team_id)
        if reach is not None:
            teams = teams.filter(reach.teams_q())
        if not teams.exists():
            errors["team_id"] = ["choose a team"]


def rule_in_reach(reach: Reach, rule: RoutingRule) -> bool:
    """A rule is in the reach when it names a team of it (round robin, pond) or a member of
    it (assign); a rule naming a team without an office is org-wide."""
    if reach.is_org_wide:
        return True
    if rule.team_id is not None:
        return Team.objects.filter(reach.teams_q(), pk=rule.team_id).exists()
    if rule.assignee_id is not None:
        return Membership.objects.filter(reach.members_q(), pk=rule.assignee_id).exists()
    return False


def _rule_for_update(actor: Membership, rule_id: int, reach: Reach) -> RoutingRule:
    """The rule, locked; NotFound when missing or outside the reach (the same answer)."""
    rule = RoutingRule.objects.select_for_update().filter(org_id=actor.org_id, pk=rule_id).first()
    if rule is None or not rule_in_reach(reach, rule):
        raise NotFound("No such routing rule.")
    return rule


def _rule_event(actor: Membership, rule: RoutingRule, verb: str, changes: dict) -> None:
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action=f"routing_rule.{verb}",
        target=rule,
        changes=changes,
        kind=f"routing_rule.{verb}d",
        payload={"name": rule.name, "action": rule.action},
    )


@transaction.atomic
def routing_rule_create(*, actor: Membership, data: RoutingRuleData) -> RoutingRule:
    """Add a rule at the end of the org's order (naming a team or member in the reach)."""
    reach = require_reach(actor, MANAGE_ACTION)
    data = routing_rule_clean(org_id=actor.org_id, data=data, reach=reach)
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
    """Change some fields of a rule; the result is validated as a whole and must stay in the
    actor's reach."""
    reach = require_reach(actor, MANAGE_ACTION)
    rule = _rule_for_update(actor, rule_id, reach)
    unknown = sorted(set(changes) - set(RULE_FIELDS))
    if unknown:
        raise ValidationFailed("Unknown field.", fields={k: ["unknown field"] for k in unknown})
    before = {name: getattr(rule, name) for name in RULE_FIELDS}
    data = routing_rule_clean(
        org_id=actor.org_id, data=RoutingRuleData(**{**before, **changes}), reach=reach
    )
    for name in RULE_FIELDS:
        setattr(rule, name, getattr(data, name))
    rule.save()
    _rule_event(actor, rule, "update", model_changes(rule, RULE_FIELDS, before))
    return rule


@transaction.atomic
def routing_rule_delete(*, actor: Membership, rule_id: int) -> None:
    """Delete a rule; inquiries it routed keep their reason text."""
    reach = require_reach(actor, MANAGE_ACTION)
    rule = _rule_for_update(actor, rule_id, reach)
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
    org_config_changed(actor.org_id)
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="routing_rule.reorder",
        target=actor.org,
        changes={"order": rule_ids},
        kind="routing_rule.reordered",
        subject=None,
        payload={"order": rule_ids},
    )
    return ordered


def routing_rule_move(*, actor: Membership, rule_id: int, offset: int) -> list[RoutingRule]:
    """Move one rule up (offset -1) or down (+1) in the order (org-wide, like reordering)."""
    require(actor, MANAGE_ACTION)
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
