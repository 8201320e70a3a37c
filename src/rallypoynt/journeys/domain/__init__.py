"""Pure journey code: templates as values, their parser and variants, the engine, the
structured edits and the events that prove work done. No ORM, no request, no clock."""

from rallypoynt.journeys.domain import template_ops
from rallypoynt.journeys.domain.blueprint import (
    UNITS,
    Blueprint,
    Deliverable,
    Offset,
    Phase,
    Stage,
    Step,
)
from rallypoynt.journeys.domain.blueprint_parse import blueprint_load, journey_stages_check
from rallypoynt.journeys.domain.engine import (
    Evaluation,
    PhaseState,
    StepStatus,
    gate_blockers,
    offset_at,
    phase_evaluate,
)
from rallypoynt.journeys.domain.evidence import WORK_EVENTS, done_by, work_label
from rallypoynt.journeys.domain.levels import shipped_data
from rallypoynt.journeys.domain.template_ops import OPS
from rallypoynt.journeys.domain.template_yaml import (
    MAX_YAML_BYTES,
    blueprint_default,
    default_data,
    yaml_read,
    yaml_write,
)

__all__ = [
    "MAX_YAML_BYTES",
    "OPS",
    "UNITS",
    "WORK_EVENTS",
    "Blueprint",
    "Deliverable",
    "Evaluation",
    "Offset",
    "Phase",
    "PhaseState",
    "Stage",
    "Step",
    "StepStatus",
    "blueprint_default",
    "blueprint_load",
    "default_data",
    "done_by",
    "gate_blockers",
    "journey_stages_check",
    "offset_at",
    "phase_evaluate",
    "shipped_data",
    "template_ops",
    "work_label",
    "yaml_read",
    "yaml_write",
]
