"""Template data (parsed YAML or JSON) to a Blueprint; a broken template is refused whole.

Every problem is reported with its path (`phases[2].steps[1].due.after: ...`), so an org
editing its copy reads exactly what to fix. `template_fields` reads the single fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rallypoynt.core.errors import ValidationFailed
from rallypoynt.journeys.domain import template_fields as read
from rallypoynt.journeys.domain.blueprint import (
    AFTER_PHASE,
    SIDES,
    UNITS,
    Blueprint,
    Deliverable,
    Gate,
    Metric,
    Offset,
    Phase,
    Stage,
    Step,
)

KINDS = ("journey", "pipeline")


@dataclass
class _PhaseSoFar:
    """What one phase's steps and deliverables check against while they are read."""

    sides: frozenset[str]
    step_keys: set[str] = field(default_factory=set)
    deliverable_keys: set[str] = field(default_factory=set)
    earlier: list[str] = field(default_factory=list)
    deliverables: dict[str, Deliverable] = field(default_factory=dict)


def _offset(
    data: dict, name: str, path: str, errors: read.Errors, earlier: list[str]
) -> Offset | None:
    value = data.get(name)
    if value is None:
        return None
    where = f"{path}.{name}"
    if not isinstance(value, dict):
        errors.add(where, "{after, amount, unit, business}")
        return None
    read.known(value, "offset", where, errors)
    after, amount, unit = value.get("after", AFTER_PHASE), value.get("amount"), value.get("unit")
    if after != AFTER_PHASE and after not in earlier:
        errors.add(f"{where}.after", f"'phase' or an earlier step of this phase, not {after!r}")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        errors.add(f"{where}.amount", "a whole number, 0 or more")
    if unit not in UNITS:
        errors.add(f"{where}.unit", f"one of {', '.join(UNITS)}")
    is_business = read.flag(value, "business", where, errors)
    return Offset(
        after=after,
        amount=amount if isinstance(amount, int) else 0,
        unit=unit if unit in UNITS else "days",
        is_business=is_business,
    )


def _step(data: Any, path: str, errors: read.Errors, ctx: _PhaseSoFar) -> Step | None:
    if not isinstance(data, dict):
        errors.add(path, "a step")
        return None
    read.known(data, "step", path, errors)
    key = read.key(data, path, errors, ctx.step_keys)
    sides = read.sides(data, path, errors, ctx.sides)
    produces = tuple(data.get("produces") or ())
    for name in produces:
        if name not in ctx.deliverables:
            errors.add(f"{path}.produces", f"no deliverable {name!r} in this phase")
    step = Step(
        key=key,
        title=read.text(data, "title", path, errors),
        sides=sides,
        roles=read.roles(data, path, errors, sides),
        checklist=read.texts(data, "checklist", path, errors),
        produces=produces,
        due=_offset(data, "due", path, errors, ctx.earlier),
        sla=_offset(data, "sla", path, errors, ctx.earlier),
        is_required=read.flag(data, "required", path, errors),
        enters_stage=str(data.get("enters_stage") or ""),
        done_by=read.done_by(data, path, errors),
    )
    ctx.earlier.append(key)
    return step


def _deliverable(data: Any, path: str, errors: read.Errors, ctx: _PhaseSoFar) -> Deliverable | None:
    if not isinstance(data, dict):
        errors.add(path, "a deliverable")
        return None
    read.known(data, "deliverable", path, errors)
    return Deliverable(
        key=read.key(data, path, errors, ctx.deliverable_keys),
        name=read.text(data, "name", path, errors),
        sides=read.sides(data, path, errors, ctx.sides),
        is_required=read.flag(data, "required", path, errors),
        done_by=read.done_by(data, path, errors),
    )


def _gate(
    data: Any, path: str, errors: read.Errors, steps: set[str], outputs: set[str]
) -> Gate | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        errors.add(path, "{steps, deliverables, approval_role}")
        return None
    read.known(data, "gate", path, errors)
    return Gate(
        steps=read.selection(data.get("steps"), f"{path}.steps", errors, steps),
        deliverables=read.selection(
            data.get("deliverables"), f"{path}.deliverables", errors, outputs
        ),
        approval_role=read.role(data.get("approval_role"), f"{path}.approval_role", errors),
    )


def _phase(
    data: Any, path: str, errors: read.Errors, sides: frozenset[str], seen: set[str]
) -> Phase | None:
    if not isinstance(data, dict):
        errors.add(path, "a phase")
        return None
    read.known(data, "phase", path, errors)
    key = read.key(data, path, errors, seen)
    inner = _PhaseSoFar(sides=sides)
    outputs = [
        _deliverable(d, f"{path}.deliverables[{i}]", errors, inner)
        for i, d in enumerate(read.entries(data, "deliverables", path, errors))
    ]
    inner.deliverables = {d.key: d for d in outputs if d}
    steps = [
        _step(s, f"{path}.steps[{i}]", errors, inner)
        for i, s in enumerate(read.entries(data, "steps", path, errors))
    ]
    integration = data.get("integration") or {}
    if not isinstance(integration, dict):
        errors.add(f"{path}.integration", "a mapping of texts")
        integration = {}
    produced = {name for s in steps if s for name in s.produces}
    for name in sorted(set(inner.deliverables) - produced):
        errors.add(f"{path}.deliverables", f"no step produces {name!r}")
    return Phase(
        key=key,
        name=read.text(data, "name", path, errors),
        summary=read.text(data, "summary", path, errors, required=False),
        sales_stages=tuple(data.get("sales_stages") or ()),
        integration={str(k): str(v) for k, v in integration.items()},
        guidance=read.texts(data, "guidance", path, errors),
        deliverables=tuple(d for d in outputs if d),
        steps=tuple(s for s in steps if s),
        gate=_gate(
            data.get("gate"), f"{path}.gate", errors, inner.step_keys, set(inner.deliverables)
        ),
    )


def _metric(data: Any, path: str, errors: read.Errors) -> Metric | None:
    if not isinstance(data, dict):
        errors.add(path, "{name, target}")
        return None
    read.known(data, "metric", path, errors)
    return Metric(
        name=read.text(data, "name", path, errors),
        target=str(data.get("target", "")),
        description=str(data.get("description", "")),
        level=str(data.get("level", "")),
    )


def _metrics(rows: list, path: str, errors: read.Errors) -> tuple[Metric, ...]:
    found = (_metric(row, f"{path}[{i}]", errors) for i, row in enumerate(rows))
    return tuple(m for m in found if m)


def _stage(data: Any, path: str, errors: read.Errors, seen: set[str]) -> Stage | None:
    if not isinstance(data, dict):
        errors.add(path, "a stage")
        return None
    read.known(data, "stage", path, errors)
    return Stage(
        key=read.key(data, path, errors, seen),
        name=read.text(data, "name", path, errors),
        summary=read.text(data, "summary", path, errors, required=False),
        activities=read.texts(data, "activities", path, errors),
        milestones=read.texts(data, "milestones", path, errors),
        frequency=str(data.get("frequency", "")),
        metrics=_metrics(read.entries(data, "metrics", path, errors), f"{path}.metrics", errors),
    )


def blueprint_load(data: Any) -> Blueprint:
    """Validate template data and build its Blueprint; ValidationFailed lists every problem."""
    errors = read.Errors()
    if not isinstance(data, dict):
        raise ValidationFailed("A template is a mapping.", fields={"template": ["not a mapping"]})
    read.known(data, "template", "", errors)
    kind = data.get("kind")
    if kind not in KINDS:
        errors.add("kind", f"one of {', '.join(KINDS)}")
    if not isinstance(data.get("key"), str) or not read.KEY_RE.match(data["key"]):
        errors.add("key", "lowercase letters, digits and _ (starting with a letter)")
    sides = read.sides(data, "", errors, frozenset(SIDES))
    phase_keys: set[str] = set()
    phases = [
        _phase(p, f"phases[{i}]", errors, sides, phase_keys)
        for i, p in enumerate(read.entries(data, "phases", "", errors))
    ]
    stage_keys: set[str] = set()
    stages = [
        _stage(s, f"stages[{i}]", errors, stage_keys)
        for i, s in enumerate(read.entries(data, "stages", "", errors))
    ]
    if kind == "journey" and not phases:
        errors.add("phases", "a journey needs at least one phase")
    if kind == "pipeline" and not stages:
        errors.add("stages", "a pipeline needs at least one stage")
    metrics = [
        _metric(m, f"efficiency_metrics[{i}]", errors)
        for i, m in enumerate(read.entries(data, "efficiency_metrics", "", errors))
    ]
    name = read.text(data, "name", "", errors)
    if errors:
        raise ValidationFailed(
            f"The template has {len(errors)} problem(s): {errors[0]}",
            fields={"template": list(errors)},
        )
    return Blueprint(
        key=data["key"],
        name=name,
        kind=str(kind),  # one of KINDS: checked above
        description=str(data.get("description", "")),
        sides=sides,
        phases=tuple(p for p in phases if p),
        stages=tuple(s for s in stages if s),
        efficiency_metrics=tuple(m for m in metrics if m),
        handoff_checklist=tuple(data.get("handoff_checklist") or ()),
    )


def journey_stages_check(journey: Blueprint, pipeline: Blueprint) -> None:
    """Every phase's integration point names stages that the pipeline has."""
    known = {s.key for s in pipeline.stages}
    problems = [
        f"phases[{i}].sales_stages: no stage {key!r} in {pipeline.key}"
        for i, phase in enumerate(journey.phases)
        for key in phase.sales_stages
        if key not in known
    ] + [
        f"phases[{i}].steps[{j}].enters_stage: no stage {step.enters_stage!r} in {pipeline.key}"
        for i, phase in enumerate(journey.phases)
        for j, step in enumerate(phase.steps)
        if step.enters_stage and step.enters_stage not in known
    ]
    if problems:
        raise ValidationFailed(problems[0], fields={"template": problems})
