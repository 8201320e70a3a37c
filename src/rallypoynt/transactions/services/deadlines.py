"""Deadlines of a deal: add them, recompute them when an anchor moves (keeping every
change), and resolve them (removed, waived, failed)."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import transaction

from rallypoynt.core.audit import audit_record
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.events import event_emit
from rallypoynt.core.timefmt import due_text, reader_zone
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.services import notification_send
from rallypoynt.transactions import selectors
from rallypoynt.transactions.choices import (
    CONTINGENCIES,
    Anchor,
    DeadlineKind,
    DeadlineStatus,
)
from rallypoynt.transactions.domain import (
    DayType,
    DeadlineRule,
    Due,
    Roll,
    Unit,
    due,
)
from rallypoynt.transactions.models import Deadline, DeadlineChange, Deal
from rallypoynt.transactions.services import checklists, commission
from rallypoynt.transactions.services.deal_lock import deal_calendar, deal_for_update


def _anchor_date(row: Deadline, deal: Deal, computed: dict[int, Due]) -> date | None:
    if row.anchor == Anchor.ACCEPTANCE:
        return deal.accepted_on
    if row.anchor == Anchor.CLOSING:
        return deal.closing_on
    if row.anchor == Anchor.FIXED:
        return row.anchor_on
    if row.anchor_deadline_id is None:
        return None
    found = computed.get(row.anchor_deadline_id)
    return found.on if found else None


def deadlines_plan(deal: Deal, rows: list[Deadline]) -> dict[int, Due | None]:
    """Every deadline's due time, anchors before the deadlines counted from them; a cycle is
    refused. Pure apart from reading the rows given."""
    calendar = deal_calendar(deal)
    pending = {row.pk: row for row in rows}
    computed: dict[int, Due] = {}
    plan: dict[int, Due | None] = {}
    while pending:
        ready = [
            row
            for row in pending.values()
            if row.anchor != Anchor.DEADLINE or row.anchor_deadline_id in plan
        ]
        if not ready:
            raise ValidationFailed(
                "These deadlines count from each other in a circle.",
                fields={"anchor_deadline_id": sorted(r.name for r in pending.values())},
            )
        for row in ready:
            anchor = _anchor_date(row, deal, computed)
            rule = DeadlineRule(
                amount=row.amount,
                unit=Unit(row.unit),
                day_type=DayType(row.day_type),
                roll=Roll(row.roll),
                time_of_day=row.time_of_day,
            )
            found = due(rule, anchor, calendar) if anchor else None
            plan[row.pk] = found
            if found is not None:
                computed[row.pk] = found
            del pending[row.pk]
    return plan


def _later(before: datetime | None, after: datetime | None) -> bool:
    return bool(before and after and after > before)


def deadlines_recompute(*, deal: Deal, actor: Membership | None, reason: str) -> list[Deadline]:
    """Recount every deadline of the deal; each one that moves keeps a DeadlineChange."""
    rows = list(Deadline.objects.select_for_update().filter(org_id=deal.org_id, deal=deal))
    plan = deadlines_plan(deal, rows)
    moved = []
    for row in rows:
        found = plan[row.pk]
        due_on, due_at = (found.on, found.at) if found else (None, None)
        if (row.due_on, row.due_at) == (due_on, due_at):
            continue
        DeadlineChange.objects.create(
            org_id=deal.org_id,
            deadline=row,
            due_at_before=row.due_at,
            due_at_after=due_at,
            reason=reason[:300],
            changed_by=actor,
        )
        if row.is_contingency and row.status == DeadlineStatus.OPEN and _later(row.due_at, due_at):
            row.status = DeadlineStatus.EXTENDED  # an amendment gave the contingency more time
        row.due_on, row.due_at = due_on, due_at
        row.save(update_fields=["due_on", "due_at", "status", "updated_at"])
        moved.append(row)
    if moved:
        event_emit(
            org_id=deal.org_id,
            kind="transaction.deadlines_moved",
            subject=deal,
            actor_id=actor.user_id if actor else None,
            payload={
                "reason": reason,
                "deadlines": [
                    {
                        "id": r.pk,
                        "name": r.name,
                        "due_at": r.due_at.isoformat() if r.due_at else None,
                    }
                    for r in moved
                ],
            },
        )
    return moved


def _responsible_role_max() -> int:
    max_length = Deadline._meta.get_field("responsible_role").max_length
    assert max_length is not None, "Deadline.responsible_role has a max_length"
    return max_length


RESPONSIBLE_ROLE_MAX = _responsible_role_max()


@transaction.atomic
def deadline_add(
    *,
    actor: Membership,
    deal_id: int,
    kind: str,
    amount: int = 0,
    name: str = "",
    anchor: str = Anchor.ACCEPTANCE,
    anchor_deadline_id: int | None = None,
    anchor_on: date | None = None,
    day_type: str = DayType.CALENDAR,
    roll: str = Roll.NONE,
    unit: str = Unit.DAYS,
    time_of_day: time = time(23, 59),
    responsible_role: str = "",
) -> Deadline:
    """A contingency or milestone counted from an anchor; its due time is computed now."""
    deal = deal_for_update(actor, deal_id)
    errors: dict[str, list[str]] = {}
    if kind not in DeadlineKind.values:
        errors["kind"] = [f"one of {', '.join(DeadlineKind.values)}"]
    for field, value, allowed in (
        ("anchor", anchor, Anchor.values),
        ("day_type", day_type, list(DayType)),
        ("roll", roll, list(Roll)),
        ("unit", unit, list(Unit)),
    ):
        if value not in allowed:
            errors[field] = [f"one of {', '.join(map(str, allowed))}"]
    if anchor == Anchor.FIXED and anchor_on is None:
        errors["anchor_on"] = ["required for a fixed anchor"]
    if len(responsible_role) > RESPONSIBLE_ROLE_MAX:
        errors["responsible_role"] = [f"at most {RESPONSIBLE_ROLE_MAX} characters"]
    if anchor == Anchor.DEADLINE and (
        anchor_deadline_id is None
        or not Deadline.objects.filter(
            org_id=deal.org_id, deal=deal, pk=anchor_deadline_id
        ).exists()
    ):
        errors["anchor_deadline_id"] = ["a deadline of this deal"]
    if errors:
        raise ValidationFailed("The deadline is not valid.", fields=errors)
    row = Deadline.objects.create(
        org_id=deal.org_id,
        deal=deal,
        kind=kind,
        name=(name or DeadlineKind(kind).label)[:120],
        is_contingency=kind in CONTINGENCIES,
        anchor=anchor,
        anchor_deadline_id=anchor_deadline_id if anchor == Anchor.DEADLINE else None,
        anchor_on=anchor_on,
        amount=amount,
        unit=unit,
        day_type=day_type,
        roll=roll,
        time_of_day=time_of_day,
        responsible_role=responsible_role,
    )
    deadlines_recompute(deal=deal, actor=actor, reason=f"{row.name} added")
    audit_record(org_id=deal.org_id, actor_id=actor.user_id, action="deadline.add", target=row)
    row.refresh_from_db()
    return row


@transaction.atomic
def deal_dates_amend(
    *,
    actor: Membership,
    deal_id: int,
    reason: str,
    accepted_on: date | None = None,
    closing_on: date | None = None,
) -> list[Deadline]:
    """An amendment moves the acceptance or closing date: every dependent deadline is
    recounted, its history kept; returns the deadlines that moved."""
    deal = deal_for_update(actor, deal_id)
    if not reason.strip():
        raise ValidationFailed("Say what the amendment is.", fields={"reason": ["required"]})
    before = {"accepted_on": str(deal.accepted_on), "closing_on": str(deal.closing_on)}
    if accepted_on is not None:
        deal.accepted_on = accepted_on
    if closing_on is not None:
        deal.closing_on = closing_on
    deal.save(update_fields=["accepted_on", "closing_on", "updated_at"])
    moved = deadlines_recompute(deal=deal, actor=actor, reason=reason.strip())
    checklists.checklist_dues_recompute(deal=deal)
    commission.commissions_reproject(deal=deal, actor=actor)
    audit_record(
        org_id=deal.org_id,
        actor_id=actor.user_id,
        action="transaction.amend",
        target=deal,
        changes={"before": before, "reason": reason.strip()},
    )
    amendment_announce(deal, actor, moved, reason.strip())
    return moved


def amendment_announce(deal: Deal, actor: Membership, moved: list[Deadline], reason: str) -> None:
    """Tell everyone working the deal (but the one who amended it) which dates moved."""
    if not moved:
        return
    for member in selectors.deal_recipients(deal):
        if member.pk != actor.pk:
            # Each reads the new dates in their own zone.
            zone = reader_zone(member, deal.org)
            lines = [f"{row.name}: {due_text(row.due_at, zone)}" for row in moved if row.due_at]
            notification_send(
                recipient=member,
                kind="transaction.amended",
                title=f"Deadlines moved on {deal}: {reason}"[:200],
                body="\n".join(lines),
                link=f"/transactions/{deal.pk}/",
            )
