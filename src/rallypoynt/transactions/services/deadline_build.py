"""Deadline rows from rules: what a contingency or milestone counts from, made into rows of a
deal with their due time. Shared by every path that adds deadlines (an accepted offer, a
deadline added by hand, the benchmarks' generator), so a row is built one way only."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time

from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.choices import CONTINGENCIES, Anchor, DeadlineKind
from rallypoynt.transactions.domain import DayType, Roll, Unit
from rallypoynt.transactions.models import Deadline, Deal
from rallypoynt.transactions.services import deadlines as deadline_services

# services.deadlines is used through its module, never its names, so that it may import this
# module in turn (by module too) and either of the two can be imported first.


@dataclass(frozen=True)
class DeadlineSpec:
    """The rule of one deadline before it is a row: its kind, anchor and how to count."""

    kind: str
    amount: int = 0
    name: str = ""
    anchor: str = Anchor.ACCEPTANCE
    anchor_deadline_id: int | None = None
    anchor_on: date | None = None
    unit: str = Unit.DAYS
    day_type: str = DayType.CALENDAR
    roll: str = Roll.NONE
    time_of_day: time = time(23, 59)
    responsible_role: str = ""

    @property
    def label(self) -> str:
        """The row's name: the one given, else the kind's label."""
        return (self.name or DeadlineKind(self.kind).label)[:120]


def deadline_row(deal: Deal, spec: DeadlineSpec, *, pk: int | None = None) -> Deadline:
    """The unsaved row of a spec on the deal, its due time not counted yet."""
    return Deadline(
        pk=pk,
        org_id=deal.org_id,
        deal=deal,
        kind=spec.kind,
        name=spec.label,
        is_contingency=spec.kind in CONTINGENCIES,
        anchor=spec.anchor,
        anchor_deadline_id=spec.anchor_deadline_id if spec.anchor == Anchor.DEADLINE else None,
        anchor_on=spec.anchor_on,
        amount=spec.amount,
        unit=spec.unit,
        day_type=spec.day_type,
        roll=spec.roll,
        time_of_day=spec.time_of_day,
        responsible_role=spec.responsible_role,
    )


def deadlines_build(
    *,
    deal: Deal,
    specs: Sequence[DeadlineSpec],
    pks: Sequence[int] | None = None,
    anchors: Iterable[Deadline] = (),
) -> list[Deadline]:
    """Unsaved rows of the specs with their due time counted by `deadlines_plan`.

    Given `pks` (reserved ids, one per spec), the rows may count from each other; `anchors`
    are the deal's saved deadlines a row may count from. Nothing is read or written.
    """
    if pks is not None and len(pks) != len(specs):
        raise ValueError("one reserved id per spec")
    rows = [
        deadline_row(deal, spec, pk=pk)
        for spec, pk in zip(specs, pks if pks is not None else [None] * len(specs), strict=True)
    ]
    _due_count(deal, rows, list(anchors))
    return rows


def deadlines_create(
    *,
    deal: Deal,
    specs: Sequence[DeadlineSpec],
    actor: Membership | None,
    reason: str,
) -> list[Deadline]:
    """Save the specs' rows on the deal, then recount the deal's deadlines.

    The recount (`deadlines_recompute`, which plans with `deadlines_plan`) gives each new row
    its due time, so that first due time is kept as a DeadlineChange with `reason` and named
    in the deadlines-moved event, like every later move. Returns the new rows, due counted.
    Call inside the caller's transaction, with the deal locked.
    """
    rows = Deadline.objects.bulk_create([deadline_row(deal, spec) for spec in specs])
    moved = {
        row.pk: row
        for row in deadline_services.deadlines_recompute(deal=deal, actor=actor, reason=reason)
    }
    return [moved.get(row.pk, row) for row in rows]


def _due_count(deal: Deal, rows: list[Deadline], anchors: list[Deadline]) -> None:
    if all(row.pk is not None for row in rows):
        plan = deadline_services.deadlines_plan(deal, [*anchors, *rows])
        found = [plan[row.pk] for row in rows]
    else:
        # Rows without ids cannot count from each other, so each is planned on its own.
        found = [deadline_services.deadlines_plan(deal, [*anchors, row])[row.pk] for row in rows]
    for row, due in zip(rows, found, strict=True):
        row.due_on, row.due_at = (due.on, due.at) if due else (None, None)
