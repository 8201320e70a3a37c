"""Checklists of a deal: its items made from the best template for its side and state (the
templates live in `checklist_templates`), due dates counted from the contract dates and
recounted on amendment, items marked done, not applicable or reopened."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from rallypoynt.core.audit import audit_and_emit, audit_record
from rallypoynt.core.calendar import BusinessCalendar
from rallypoynt.core.clock import local_today
from rallypoynt.core.errors import Conflict, NotFound, ValidationFailed
from rallypoynt.core.events import event_emit
from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.choices import ChecklistKind, ItemStatus
from rallypoynt.transactions.domain import ROLES, DayType, DeadlineRule, due
from rallypoynt.transactions.models import ChecklistItem, Deal
from rallypoynt.transactions.selectors import deal_visible_q

# The template services lived here once; callers still import them from here.
from rallypoynt.transactions.services.checklist_templates import (  # noqa: F401
    checklist_template_best,
    checklist_template_save,
    checklist_templates_for,
    checklist_templates_for_sides,
)

# The module, not its names: the amendment service in `deadlines` may import this one back.
from rallypoynt.transactions.services.deal_lock import (
    deal_calendar,
    deal_for_update,
    deal_lock,
)
from rallypoynt.transactions.services.journey_link import journeys_follow

# What a new contract gets; the termination checklist waits for a failed contingency.
CONTRACT_KINDS = (ChecklistKind.DUE_DILIGENCE, ChecklistKind.PRE_CLOSING, ChecklistKind.CLOSING)


def item_due_on(
    *, anchor: str, days: int, day_type: str, deal: Deal, calendar: BusinessCalendar
) -> date | None:
    """When an item counted from the deal's acceptance or closing date falls due (None
    while that date is unknown, or for an item without an anchor)."""
    start = {"acceptance": deal.accepted_on, "closing": deal.closing_on}.get(anchor)
    if start is None:
        return None
    return due(DeadlineRule(amount=days, day_type=DayType(day_type)), start, calendar).on


def _deal_sides(deal: Deal) -> list[str]:
    # Dual agency serves both sides: both sides' checklists apply.
    return sorted(set(deal.sides.values_list("side", flat=True))) or [""]


@transaction.atomic
def checklists_apply(
    *, deal: Deal, kinds: list[str] | None = None, actor: Membership | None = None
) -> list[ChecklistItem]:
    """Give the deal the items of the best template of each kind for each of its sides and
    its state; items it has already (by key) are kept as they are. Returns the new items."""
    kinds = list(CONTRACT_KINDS if kinds is None else kinds)
    if not kinds or not set(kinds) <= set(ChecklistKind.values):
        raise ValidationFailed(
            "Which checklists?", fields={"kinds": [f"from {', '.join(ChecklistKind.values)}"]}
        )
    # Serialises two applies on one deal, so neither trips over the other's keys.
    list(Deal.objects.select_for_update().filter(pk=deal.pk).values_list("pk"))
    templates = checklist_templates_for(deal.org_id)
    mine = ChecklistItem.objects.filter(org_id=deal.org_id, deal=deal)
    existing = set(mine.values_list("kind", "key"))
    last = dict(mine.values("kind").annotate(last=Max("position")).values_list("kind", "last"))
    calendar = deal_calendar(deal)
    state = (deal.state or "").upper()
    new: list[ChecklistItem] = []
    chosen: dict[str, list[str]] = {}
    for kind in dict.fromkeys(kinds):
        position = last.get(kind, -1) + 1
        for template in checklist_templates_for_sides(
            templates, kind=kind, sides=_deal_sides(deal), state=state
        ):
            chosen.setdefault(kind, []).append(template.name)
            for rule in template.items:
                if (kind, rule["key"]) in existing:
                    continue
                existing.add((kind, rule["key"]))
                new.append(_item(deal, kind, rule, position, calendar))
                position += 1
    created = ChecklistItem.objects.bulk_create(new)
    if created:
        event_emit(
            org_id=deal.org_id,
            kind="checklist.applied",
            subject=deal,
            actor_id=actor.user_id if actor else None,
            payload={"templates": chosen, "created": len(created)},
        )
    return created


def _item(
    deal: Deal, kind: str, rule: dict, position: int, calendar: BusinessCalendar
) -> ChecklistItem:
    anchor, days = rule.get("anchor", ""), rule.get("days", 0)
    day_type = rule.get("day_type", DayType.CALENDAR)
    return ChecklistItem(
        org_id=deal.org_id,
        deal=deal,
        kind=kind,
        key=rule["key"],
        title=rule["title"][:200],
        position=position,
        responsible_role=rule.get("role", ""),
        anchor=anchor,
        offset_days=days,
        day_type=day_type,
        due_on=item_due_on(
            anchor=anchor, days=days, day_type=day_type, deal=deal, calendar=calendar
        ),
    )


def checklist_dues_recompute(*, deal: Deal) -> int:
    """Recount the due dates of the deal's open items from its current contract dates (after
    an amendment); done items keep theirs. Returns how many moved."""
    rows = list(
        ChecklistItem.objects.filter(org_id=deal.org_id, deal=deal, status=ItemStatus.OPEN).exclude(
            anchor=""
        )
    )
    calendar = deal_calendar(deal)
    now, moved = timezone.now(), []
    for row in rows:
        due_on = item_due_on(
            anchor=row.anchor,
            days=row.offset_days,
            day_type=row.day_type,
            deal=deal,
            calendar=calendar,
        )
        if due_on != row.due_on:
            row.due_on, row.updated_at = due_on, now
            moved.append(row)
    ChecklistItem.objects.bulk_update(moved, ["due_on", "updated_at"], batch_size=500)
    return len(moved)


@transaction.atomic
def checklist_item_mark(
    *, actor: Membership, item_id: int, status: str, note: str = ""
) -> ChecklistItem:
    """Mark an item done or not applicable (who and when are kept), or reopen it."""
    status = ItemStatus.OPEN if status == "reopen" else status
    if status not in ItemStatus.values:
        raise ValidationFailed("Done, n/a or reopen?", fields={"status": ["done, na or reopen"]})
    found = (
        ChecklistItem.objects.filter(deal_visible_q(actor, "deal_id"), pk=item_id)
        .values_list("deal_id", flat=True)
        .first()
    )
    if found is None:
        raise NotFound("No such checklist item.")
    # The deal first, then the item (the order every deal write takes): two people ticking a
    # checklist's last two items see each other, so its completion is announced once.
    deal_lock(found)
    row = ChecklistItem.objects.select_for_update().get(pk=item_id)
    if row.status == status:
        raise Conflict(
            f"It is {row.get_status_display().lower()} already.", fields={"status": [status]}
        )
    before = row.status
    is_open = status == ItemStatus.OPEN
    row.status = status
    row.done_at, row.done_by = (None, None) if is_open else (timezone.now(), actor)
    if note.strip():
        row.note = note.strip()[:2000]
    row.save(update_fields=["status", "done_at", "done_by", "note", "updated_at"])
    today = local_today(actor.org)
    audit_and_emit(
        org_id=row.org_id,
        actor_id=actor.user_id,
        action="checklist_item.mark",
        target=row,
        changes={"status": [before, status]},
        kind="checklist_item.reopened" if is_open else f"checklist_item.{status}",
        payload={
            "deal_id": row.deal_id,
            "kind": row.kind,
            "key": row.key,
            "is_late": bool(not is_open and row.due_on and today > row.due_on),
        },
    )
    if not is_open:
        _kind_completed(row, actor)
    return row


# Completing these checklists is journey work (journeys/domain/evidence.py names the events).
JOURNEY_CHECKLISTS = ("due_diligence", "pre_closing", "closing")


def _kind_completed(row: ChecklistItem, actor: Membership) -> None:
    """The last open item of a due diligence, pre-closing or closing checklist was done."""
    if row.kind not in JOURNEY_CHECKLISTS:
        return
    siblings = ChecklistItem.objects.filter(org_id=row.org_id, deal_id=row.deal_id, kind=row.kind)
    if siblings.filter(status=ItemStatus.OPEN).exists():
        return
    deal = Deal.objects.select_related("org").get(pk=row.deal_id)
    event = event_emit(
        org_id=row.org_id,
        kind=f"checklist.{row.kind}_completed",
        subject=deal,
        actor_id=actor.user_id,
        payload={"kind": row.kind, "items": siblings.count()},
    )
    journeys_follow(deal, event)


@transaction.atomic
def checklist_item_add(
    *,
    actor: Membership,
    deal_id: int,
    kind: str,
    title: str,
    due_on: date | None = None,
    role: str = "",
) -> ChecklistItem:
    """A custom item on one deal's checklist, with a fixed due date (or none)."""
    deal = deal_for_update(actor, deal_id)
    errors: dict[str, list[str]] = {}
    if kind not in ChecklistKind.values:
        errors["kind"] = [f"one of {', '.join(ChecklistKind.values)}"]
    if not title.strip() or len(title.strip()) > 200:
        errors["title"] = ["a text of 1 to 200 characters"]
    if role and role not in ROLES:
        errors["role"] = [f"unknown role {role!r}"]
    if errors:
        raise ValidationFailed("The item is not valid.", fields=errors)
    mine = ChecklistItem.objects.filter(org_id=deal.org_id, deal=deal, kind=kind)
    keys = set(mine.filter(key__startswith="custom-").values_list("key", flat=True))
    number = len(keys) + 1
    while f"custom-{number}" in keys:
        number += 1
    last = mine.aggregate(last=Max("position"))["last"]
    row = ChecklistItem.objects.create(
        org_id=deal.org_id,
        deal=deal,
        kind=kind,
        key=f"custom-{number}",
        title=title.strip(),
        position=0 if last is None else last + 1,
        responsible_role=role,
        due_on=due_on,
    )
    audit_and_emit(
        org_id=deal.org_id,
        actor_id=actor.user_id,
        action="checklist_item.add",
        target=row,
        kind="checklist_item.added",
        payload={"deal_id": deal.pk, "kind": kind},
    )
    return row


@transaction.atomic
def checklists_apply_for(
    *, actor: Membership, deal_id: int, kinds: list[str] | None = None
) -> list[ChecklistItem]:
    """`checklists_apply` on a deal the actor works (the apply button and endpoint)."""
    deal = deal_for_update(actor, deal_id)
    created = checklists_apply(deal=deal, kinds=kinds, actor=actor)
    audit_record(
        org_id=deal.org_id,
        actor_id=actor.user_id,
        action="checklist.apply",
        target=deal,
        changes={"kinds": kinds or list(CONTRACT_KINDS), "created": len(created)},
    )
    return created
