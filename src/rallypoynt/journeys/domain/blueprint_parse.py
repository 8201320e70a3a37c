"""Template data (YAML or JSON) to a Blueprint and back; a broken template is refused whole.

Every problem is reported with its path (`phases[2].steps[1].due.after: ...`), so an org
editing its copy reads exactly what to fix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from rallypoynt.core.errors import ValidationFailed
from rallypoynt.journeys.domain.blueprint import (
    AFTER_PHASE,
    NONE,
    REQUIRED,
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
from rallypoynt.journeys.domain.evidence import WORK_EVENTS
from rallypoynt.orgs.choices import Role

KINDS = ("journey", "pipeline")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
DEFAULTS_DIR = Path(__file__).parents[1] / "defaults"


FIELDS = {
    "template": {"key", "name", "kind", "description", "sides", "phases", "stages",
                 "efficiency_metrics", "handoff_checklist", "level"},
    "phase": {"key", "name", "summary", "sales_stages", "integration", "guidance",
              "deliverables", "steps", "gate"},
    "step": {"key", "title", "sides", "role", "required", "due", "sla", "checklist", "produces",
             "enters_stage", "done_by"},
    "deliverable": {"key", "name", "sides", "required", "done_by"},
    "gate": {"steps", "deliverables", "approval_role"},
    "offset": {"after", "amount", "unit", "business"},
    "stage": {"key", "name", "summary", "activities", "milestones", "frequency", "metrics"},
    "metric": {"name", "target", "description", "level"},
}  # fmt: skip
MAX_YAML_BYTES = 512 * 1024


class _Errors(list):
    def add(self, path: str, message: str) -> None:
        self.append(f"{path}: {message}")


def _known(data: dict, kind: str, path: str, errors: _Errors) -> None:
    """A misspelt field would be silently ignored: name it instead."""
    for name in sorted(set(data) - FIELDS[kind], key=str):
        errors.add(f"{path}.{name}" if path else str(name), "unknown field")


def _text(data: dict, name: str, path: str, errors: _Errors, *, required: bool = True) -> str:
    value = data.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        errors.add(f"{path}.{name}" if path else name, "a non-empty text" if required else "text")
        return ""
    return value.strip()


def _texts(data: dict, name: str, path: str, errors: _Errors) -> tuple[str, ...]:
    value = data.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        errors.add(f"{path}.{name}", "a list of texts")
        return ()
    return tuple(v.strip() for v in value)


def _key(data: dict, path: str, errors: _Errors, seen: set[str]) -> str:
    key = data.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        errors.add(f"{path}.key", "lowercase letters, digits and _ (starting with a letter)")
        return ""
    if key in seen:
        errors.add(f"{path}.key", f"{key!r} is used twice")
    seen.add(key)
    return key


def _sides(data: dict, path: str, errors: _Errors, allowed: frozenset[str]) -> frozenset[str]:
    value = data.get("sides")
    if value is None:
        return allowed
    if not isinstance(value, list) or not value or not set(value) <= allowed:
        errors.add(f"{path}.sides", f"a list drawn from {', '.join(sorted(allowed))}")
        return allowed
    return frozenset(value)


def _flag(data: dict, name: str, path: str, errors: _Errors, default: bool = True) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        errors.add(f"{path}.{name}", "true or false")
        return default
    return value


def _role(value: Any, path: str, errors: _Errors) -> str | None:
    if value is None:
        return None
    if value not in Role.values:
        errors.add(path, f"unknown role {value!r}")
        return None
    return value


def _roles(data: dict, path: str, errors: _Errors, sides: frozenset[str]) -> dict[str, str]:
    value = data.get("role")
    if isinstance(value, str):
        role = _role(value, f"{path}.role", errors)
        return dict.fromkeys(sorted(sides), role) if role else {}
    if isinstance(value, dict) and value and set(value) <= set(SIDES):
        roles = {s: _role(r, f"{path}.role.{s}", errors) for s, r in value.items()}
        missing = sides - set(roles)
        if missing:
            errors.add(f"{path}.role", f"no role for side {', '.join(sorted(missing))}")
        return {s: r for s, r in roles.items() if r}
    errors.add(f"{path}.role", "a role, or {buy: role, sell: role}")
    return {}


def _offset(data: dict, name: str, path: str, errors: _Errors, earlier: list[str]):
    value = data.get(name)
    if value is None:
        return None
    where = f"{path}.{name}"
    if not isinstance(value, dict):
        errors.add(where, "{after, amount, unit, business}")
        return None
    _known(value, "offset", where, errors)
    after, amount, unit = value.get("after", AFTER_PHASE), value.get("amount"), value.get("unit")
    if after != AFTER_PHASE and after not in earlier:
        errors.add(f"{where}.after", f"'phase' or an earlier step of this phase, not {after!r}")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        errors.add(f"{where}.amount", "a whole number, 0 or more")
    if unit not in UNITS:
        errors.add(f"{where}.unit", f"one of {', '.join(UNITS)}")
    is_business = _flag(value, "business", where, errors)
    return Offset(
        after=after,
        amount=amount if isinstance(amount, int) else 0,
        unit=unit if unit in UNITS else "days",
        is_business=is_business,
    )


def _step(data: Any, path: str, errors: _Errors, ctx: dict) -> Step | None:
    if not isinstance(data, dict):
        errors.add(path, "a step")
        return None
    _known(data, "step", path, errors)
    key = _key(data, path, errors, ctx["step_keys"])
    sides = _sides(data, path, errors, ctx["sides"])
    produces = tuple(data.get("produces") or ())
    for name in produces:
        if name not in ctx["deliverables"]:
            errors.add(f"{path}.produces", f"no deliverable {name!r} in this phase")
    step = Step(
        key=key,
        title=_text(data, "title", path, errors),
        sides=sides,
        roles=_roles(data, path, errors, sides),
        checklist=_texts(data, "checklist", path, errors),
        produces=produces,
        due=_offset(data, "due", path, errors, ctx["earlier"]),
        sla=_offset(data, "sla", path, errors, ctx["earlier"]),
        is_required=_flag(data, "required", path, errors),
        enters_stage=str(data.get("enters_stage") or ""),
        done_by=_done_by(data, path, errors),
    )
    ctx["earlier"].append(key)
    return step


def _deliverable(data: Any, path: str, errors: _Errors, ctx: dict) -> Deliverable | None:
    if not isinstance(data, dict):
        errors.add(path, "a deliverable")
        return None
    _known(data, "deliverable", path, errors)
    return Deliverable(
        key=_key(data, path, errors, ctx["deliverable_keys"]),
        name=_text(data, "name", path, errors),
        sides=_sides(data, path, errors, ctx["sides"]),
        is_required=_flag(data, "required", path, errors),
        done_by=_done_by(data, path, errors),
    )


def _done_by(data: dict, path: str, errors: _Errors) -> tuple[str, ...]:
    """The work events that complete it: known kinds only, so a typo is an error."""
    value = data.get("done_by") or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.add(f"{path}.done_by", "a list of events")
        return ()
    for kind in value:
        if kind not in WORK_EVENTS:
            errors.add(f"{path}.done_by", f"no event {kind!r}; known: {', '.join(WORK_EVENTS)}")
    return tuple(dict.fromkeys(k for k in value if k in WORK_EVENTS))


def _selection(value: Any, path: str, errors: _Errors, keys: set[str]):
    if value in (None, REQUIRED):
        return REQUIRED
    if value == NONE:
        return NONE
    if isinstance(value, list) and set(value) <= keys:
        return tuple(value)
    errors.add(path, "'required', 'none' or a list of this phase's keys")
    return REQUIRED


def _gate(data: Any, path: str, errors: _Errors, steps: set[str], outputs: set[str]):
    if data is None:
        return None
    if not isinstance(data, dict):
        errors.add(path, "{steps, deliverables, approval_role}")
        return None
    _known(data, "gate", path, errors)
    return Gate(
        steps=_selection(data.get("steps"), f"{path}.steps", errors, steps),
        deliverables=_selection(data.get("deliverables"), f"{path}.deliverables", errors, outputs),
        approval_role=_role(data.get("approval_role"), f"{path}.approval_role", errors),
    )


def _phase(data: Any, path: str, errors: _Errors, ctx: dict) -> Phase | None:
    if not isinstance(data, dict):
        errors.add(path, "a phase")
        return None
    _known(data, "phase", path, errors)
    key = _key(data, path, errors, ctx["phase_keys"])
    inner = {**ctx, "step_keys": set(), "deliverable_keys": set(), "earlier": []}
    outputs = [
        _deliverable(d, f"{path}.deliverables[{i}]", errors, inner)
        for i, d in enumerate(_list(data, "deliverables", path, errors))
    ]
    inner["deliverables"] = {d.key: d for d in outputs if d}
    steps = [
        _step(s, f"{path}.steps[{i}]", errors, inner)
        for i, s in enumerate(_list(data, "steps", path, errors))
    ]
    integration = data.get("integration") or {}
    if not isinstance(integration, dict):
        errors.add(f"{path}.integration", "a mapping of texts")
        integration = {}
    produced = {name for s in steps if s for name in s.produces}
    for name in sorted(set(inner["deliverables"]) - produced):
        errors.add(f"{path}.deliverables", f"no step produces {name!r}")
    return Phase(
        key=key,
        name=_text(data, "name", path, errors),
        summary=_text(data, "summary", path, errors, required=False),
        sales_stages=tuple(data.get("sales_stages") or ()),
        integration={str(k): str(v) for k, v in integration.items()},
        guidance=_texts(data, "guidance", path, errors),
        deliverables=tuple(d for d in outputs if d),
        steps=tuple(s for s in steps if s),
        gate=_gate(
            data.get("gate"), f"{path}.gate", errors, inner["step_keys"], set(inner["deliverables"])
        ),
    )


def _list(data: dict, name: str, path: str, errors: _Errors) -> list:
    value = data.get(name) or []
    if not isinstance(value, list):
        errors.add(f"{path}.{name}" if path else name, "a list")
        return []
    return value


def _metric(data: Any, path: str, errors: _Errors) -> Metric | None:
    if not isinstance(data, dict):
        errors.add(path, "{name, target}")
        return None
    _known(data, "metric", path, errors)
    return Metric(
        name=_text(data, "name", path, errors),
        target=str(data.get("target", "")),
        description=str(data.get("description", "")),
        level=str(data.get("level", "")),
    )


def _metrics(rows: list, path: str, errors: _Errors) -> tuple[Metric, ...]:
    found = (_metric(row, f"{path}[{i}]", errors) for i, row in enumerate(rows))
    return tuple(m for m in found if m)


def _stage(data: Any, path: str, errors: _Errors, seen: set[str]) -> Stage | None:
    if not isinstance(data, dict):
        errors.add(path, "a stage")
        return None
    _known(data, "stage", path, errors)
    return Stage(
        key=_key(data, path, errors, seen),
        name=_text(data, "name", path, errors),
        summary=_text(data, "summary", path, errors, required=False),
        activities=_texts(data, "activities", path, errors),
        milestones=_texts(data, "milestones", path, errors),
        frequency=str(data.get("frequency", "")),
        metrics=_metrics(_list(data, "metrics", path, errors), f"{path}.metrics", errors),
    )


def blueprint_load(data: Any) -> Blueprint:
    """Validate template data and build its Blueprint; ValidationFailed lists every problem."""
    errors = _Errors()
    if not isinstance(data, dict):
        raise ValidationFailed("A template is a mapping.", fields={"template": ["not a mapping"]})
    _known(data, "template", "", errors)
    kind = data.get("kind")
    if kind not in KINDS:
        errors.add("kind", f"one of {', '.join(KINDS)}")
    if not isinstance(data.get("key"), str) or not KEY_RE.match(data["key"]):
        errors.add("key", "lowercase letters, digits and _ (starting with a letter)")
    sides = _sides(data, "", errors, frozenset(SIDES))
    ctx = {"sides": sides, "phase_keys": set()}
    phases = [
        _phase(p, f"phases[{i}]", errors, ctx)
        for i, p in enumerate(_list(data, "phases", "", errors))
    ]
    stage_keys: set[str] = set()
    stages = [
        _stage(s, f"stages[{i}]", errors, stage_keys)
        for i, s in enumerate(_list(data, "stages", "", errors))
    ]
    if kind == "journey" and not phases:
        errors.add("phases", "a journey needs at least one phase")
    if kind == "pipeline" and not stages:
        errors.add("stages", "a pipeline needs at least one stage")
    metrics = [
        _metric(m, f"efficiency_metrics[{i}]", errors)
        for i, m in enumerate(_list(data, "efficiency_metrics", "", errors))
    ]
    name = _text(data, "name", "", errors)
    if errors:
        raise ValidationFailed(
            f"The template has {len(errors)} problem(s): {errors[0]}",
            fields={"template": list(errors)},
        )
    return Blueprint(
        key=data["key"],
        name=name,
        kind=kind,
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


def default_data(name: str) -> dict[str, Any]:
    """A shipped template's data, as YAML in the package has it."""
    return yaml.safe_load((DEFAULTS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def blueprint_default(name: str) -> Blueprint:
    return blueprint_load(default_data(name))


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors and aliases: a template never needs them, and a few lines
    of nested aliases can expand into gigabytes."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in a template", event.start_mark
            )
        return super().compose_node(parent, index)


def yaml_read(text: str) -> Any:
    """Template data from YAML text; bad YAML is a ValidationFailed naming the line."""
    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise ValidationFailed(
            "The template is too large.", fields={"template": ["at most 512 KB of YAML"]}
        )
    try:
        return yaml.load(text, Loader=_NoAliasLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ValidationFailed(
            f"Not valid YAML{where}.", fields={"template": [f"YAML{where}: {exc}"]}
        ) from exc


def yaml_write(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
