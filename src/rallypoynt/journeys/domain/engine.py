"""The journey engine: from a blueprint and an engagement's phase state, what is due, what is
overdue, what blocks the next phase and what comes next. Pure: no database, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rallypoynt.core.calendar import BusinessCalendar, add_business_days, add_business_minutes
from rallypoynt.journeys.domain.blueprint import (
    AFTER_PHASE,
    NONE,
    REQUIRED,
    Blueprint,
    Offset,
    Phase,
    Step,
)


@dataclass(frozen=True)
class PhaseState:
    """One engagement in its current phase, as the engine needs it."""

    side: str
    phase_key: str
    entered_at: datetime
    completed: Mapping[str, datetime] = field(default_factory=dict)
    delivered: frozenset[str] = frozenset()
    is_approved: bool = False


@dataclass(frozen=True)
class StepStatus:
    step: Step
    role: str
    due_at: datetime | None
    sla_at: datetime | None
    completed_at: datetime | None
    is_overdue: bool = False
    is_sla_breached: bool = False

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None


@dataclass(frozen=True)
class Blocker:
    """One thing that keeps the engagement in its phase, and how to say it."""

    kind: str  # step | deliverable | approval
    key: str
    reason: str


@dataclass(frozen=True)
class Evaluation:
    phase: Phase
    steps: tuple[StepStatus, ...]
    blockers: tuple[Blocker, ...]
    next_phase: Phase | None

    @property
    def can_advance(self) -> bool:
        return not self.blockers and self.next_phase is not None

    @property
    def overdue(self) -> tuple[StepStatus, ...]:
        return tuple(s for s in self.steps if s.is_overdue)

    @property
    def open_steps(self) -> tuple[StepStatus, ...]:
        """Steps still to do, soonest due first (steps waiting on another step last)."""
        open_ = [s for s in self.steps if not s.is_done]
        return tuple(sorted(open_, key=lambda s: (s.due_at is None, s.due_at or datetime.max)))

    def why_blocked(self) -> str:
        """One sentence naming everything missing, for a 409 or the engagement page."""
        if not self.blockers:
            return ""
        return f"{self.phase.name} cannot be left yet: " + "; ".join(
            b.reason for b in self.blockers
        )


def offset_at(offset: Offset, start: datetime, calendar: BusinessCalendar) -> datetime:
    """`start` moved by the offset, in calendar time or in the org's business time."""
    if not offset.is_business:
        return start + timedelta(**{offset.unit: offset.amount})
    if offset.unit == "days":
        local = start.astimezone(calendar.tzinfo())
        day = add_business_days(calendar, local.date(), offset.amount)
        wall = datetime.combine(day, local.time().replace(tzinfo=None))
        return wall.replace(tzinfo=calendar.tzinfo())
    minutes = offset.amount * (60 if offset.unit == "hours" else 1)
    return add_business_minutes(calendar, start, minutes)


def _start(offset: Offset, state: PhaseState) -> datetime | None:
    if offset.after == AFTER_PHASE:
        return state.entered_at
    return state.completed.get(offset.after)


def _when(offset: Offset | None, state: PhaseState, calendar: BusinessCalendar) -> datetime | None:
    if offset is None:
        return None
    start = _start(offset, state)
    return offset_at(offset, start, calendar) if start is not None else None


def step_statuses(
    phase: Phase, state: PhaseState, calendar: BusinessCalendar, now: datetime
) -> tuple[StepStatus, ...]:
    """Every step of the phase on the engagement's side, with its due time and standing."""
    found = []
    for step in phase.steps_for(state.side):
        due_at, sla_at = _when(step.due, state, calendar), _when(step.sla, state, calendar)
        completed_at = state.completed.get(step.key)
        late = completed_at or now
        found.append(
            StepStatus(
                step=step,
                role=step.role_for(state.side),
                due_at=due_at,
                sla_at=sla_at,
                completed_at=completed_at,
                is_overdue=completed_at is None and due_at is not None and now > due_at,
                is_sla_breached=sla_at is not None and late > sla_at,
            )
        )
    return tuple(found)


def _delivered(phase: Phase, state: PhaseState) -> set[str]:
    """Deliverables on record, plus what the completed steps produce."""
    done = {key for s in phase.steps if s.key in state.completed for key in s.produces}
    return done | set(state.delivered)


def gate_blockers(phase: Phase, state: PhaseState) -> tuple[Blocker, ...]:
    """What the phase's gate still misses on this side (nothing when it has no gate)."""
    gate = phase.gate
    if gate is None:
        return ()
    blockers: list[Blocker] = []
    steps = phase.steps_for(state.side)
    if gate.steps != NONE:
        wanted_steps = [
            s for s in steps if (s.is_required if gate.steps == REQUIRED else s.key in gate.steps)
        ]
        blockers += [
            Blocker("step", s.key, f'step "{s.title}" is not done')
            for s in wanted_steps
            if s.key not in state.completed
        ]
    if gate.deliverables != NONE:
        delivered = _delivered(phase, state)
        outputs = phase.deliverables_for(state.side)
        wanted = [
            d
            for d in outputs
            if (d.is_required if gate.deliverables == REQUIRED else d.key in gate.deliverables)
        ]
        blockers += [
            Blocker("deliverable", d.key, f'deliverable "{d.name}" is missing')
            for d in wanted
            if d.key not in delivered
        ]
    if gate.approval_role and not state.is_approved:
        role = gate.approval_role.replace("_", " ")
        blockers.append(Blocker("approval", gate.approval_role, f"approval by a {role} is needed"))
    return tuple(blockers)


def phase_evaluate(
    blueprint: Blueprint, state: PhaseState, calendar: BusinessCalendar, now: datetime
) -> Evaluation:
    """The engagement's standing in its phase: steps, what blocks leaving it, what is next."""
    phase = blueprint.phase(state.phase_key)
    if phase is None:
        raise KeyError(f"no phase {state.phase_key!r} in {blueprint.key}")
    return Evaluation(
        phase=phase,
        steps=step_statuses(phase, state, calendar, now),
        blockers=gate_blockers(phase, state),
        next_phase=blueprint.phase_after(phase.key),
    )
