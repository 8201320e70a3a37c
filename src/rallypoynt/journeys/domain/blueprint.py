"""A journey or pipeline template as immutable values: phases, steps, deliverables, gates, stages.

Built from template data by `blueprint_parse.blueprint_load`; the engine reads nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

SIDES = ("buy", "sell")
UNITS = ("minutes", "hours", "days")
AFTER_PHASE = "phase"
REQUIRED = "required"
NONE = "none"


@dataclass(frozen=True)
class Offset:
    """`amount` `unit`s after phase entry or after an earlier step's completion."""

    after: str
    amount: int
    unit: str
    is_business: bool = True


@dataclass(frozen=True)
class Deliverable:
    key: str
    name: str
    sides: frozenset[str]
    is_required: bool = True
    # Recorded events that put it on file (journeys/evidence.py names them).
    done_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    sides: frozenset[str]
    roles: Mapping[str, str]
    checklist: tuple[str, ...] = ()
    produces: tuple[str, ...] = ()
    due: Offset | None = None
    sla: Offset | None = None
    is_required: bool = True
    # Completing the step moves the engagement into this pipeline stage (if it is later).
    enters_stage: str = ""
    # Recorded events that prove the step done, so nobody has to tick it.
    done_by: tuple[str, ...] = ()

    def role_for(self, side: str) -> str:
        """Who does the step on this side of the deal."""
        return self.roles.get(side) or next(iter(self.roles.values()))


@dataclass(frozen=True)
class Gate:
    """What must hold before leaving the phase: 'required', 'none' or a tuple of keys."""

    steps: str | tuple[str, ...] = REQUIRED
    deliverables: str | tuple[str, ...] = REQUIRED
    approval_role: str | None = None


@dataclass(frozen=True)
class Phase:
    key: str
    name: str
    summary: str = ""
    sales_stages: tuple[str, ...] = ()
    integration: Mapping[str, str] = field(default_factory=dict)
    guidance: tuple[str, ...] = ()
    deliverables: tuple[Deliverable, ...] = ()
    steps: tuple[Step, ...] = ()
    gate: Gate | None = None

    def steps_for(self, side: str) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if side in s.sides)

    def deliverables_for(self, side: str) -> tuple[Deliverable, ...]:
        return tuple(d for d in self.deliverables if side in d.sides)

    def step(self, key: str) -> Step | None:
        return next((s for s in self.steps if s.key == key), None)


@dataclass(frozen=True)
class Metric:
    name: str
    target: str
    description: str = ""
    level: str = ""


@dataclass(frozen=True)
class Stage:
    key: str
    name: str
    summary: str = ""
    activities: tuple[str, ...] = ()
    milestones: tuple[str, ...] = ()
    frequency: str = ""
    metrics: tuple[Metric, ...] = ()


@dataclass(frozen=True)
class Handoff:
    """A protocol the giver follows when work passes from one role to another."""

    from_role: str
    to_role: str
    checklist: tuple[str, ...] = ()


@dataclass(frozen=True)
class Blueprint:
    key: str
    name: str
    kind: str
    description: str = ""
    sides: frozenset[str] = frozenset(SIDES)
    phases: tuple[Phase, ...] = ()
    stages: tuple[Stage, ...] = ()
    efficiency_metrics: tuple[Metric, ...] = ()
    handoff_checklist: tuple[str, ...] = ()

    def phase(self, key: str) -> Phase | None:
        return next((p for p in self.phases if p.key == key), None)

    def phase_after(self, key: str) -> Phase | None:
        keys = [p.key for p in self.phases]
        index = keys.index(key) + 1 if key in keys else len(keys)
        return self.phases[index] if index < len(keys) else None

    def stage(self, key: str) -> Stage | None:
        return next((s for s in self.stages if s.key == key), None)
