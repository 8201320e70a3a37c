"""Structured edits of template data (pure): move, add and remove phases and steps, change a
step's role, due offset or required flag, set a phase's approval gate.

Each returns new data; the service validates it whole before saving, so an edit that would
break the template (a deliverable nobody produces, a step waiting on a removed one) is refused
with the validator's message.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from rallypoynt.core.errors import ValidationFailed

Data = dict[str, Any]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")[:60] or "untitled"


def _phase(data: Data, key: str) -> Data:
    phases: list[Data] = data.get("phases", [])
    for phase in phases:
        if phase.get("key") == key:
            return phase
    raise ValidationFailed("No such phase.", fields={"phase_key": [key]})


def _step_index(phase: Data, key: str) -> int:
    for index, step in enumerate(phase.get("steps", [])):
        if step.get("key") == key:
            return index
    raise ValidationFailed("No such step.", fields={"step_key": [key]})


def _move(items: list, index: int, offset: int) -> None:
    target = index + offset
    if not 0 <= target < len(items):
        raise ValidationFailed("It cannot move further.", fields={"offset": ["at the end"]})
    items.insert(target, items.pop(index))


def _unique(keys: set[str], wanted: str) -> str:
    key, n = wanted, 2
    while key in keys:
        key, n = f"{wanted}_{n}", n + 1
    return key


def phase_move(data: Data, *, phase_key: str, offset: int) -> Data:
    data = copy.deepcopy(data)
    phases = data["phases"]
    _move(phases, phases.index(_phase(data, phase_key)), offset)
    return data


def phase_add(data: Data, *, name: str, after_key: str = "") -> Data:
    """A new phase (with no steps yet) after `after_key`, else at the end."""
    if not name.strip():
        raise ValidationFailed("Name the phase.", fields={"name": ["required"]})
    data = copy.deepcopy(data)
    phases = data.setdefault("phases", [])
    key = _unique({p["key"] for p in phases}, _slug(name))
    at = phases.index(_phase(data, after_key)) + 1 if after_key else len(phases)
    phases.insert(at, {"key": key, "name": name.strip(), "steps": [], "gate": {}})
    return data


def phase_remove(data: Data, *, phase_key: str) -> Data:
    data = copy.deepcopy(data)
    data["phases"].remove(_phase(data, phase_key))
    return data


def step_move(data: Data, *, phase_key: str, step_key: str, offset: int) -> Data:
    data = copy.deepcopy(data)
    phase = _phase(data, phase_key)
    _move(phase["steps"], _step_index(phase, step_key), offset)
    return data


def step_add(data: Data, *, phase_key: str, title: str, role: str) -> Data:
    """A new required step at the end of the phase, due a business day after phase entry."""
    if not title.strip():
        raise ValidationFailed("Name the step.", fields={"title": ["required"]})
    data = copy.deepcopy(data)
    phase = _phase(data, phase_key)
    steps = phase.setdefault("steps", [])
    steps.append(
        {
            "key": _unique({s["key"] for s in steps}, _slug(title)),
            "title": title.strip(),
            "role": role,
            "due": {"after": "phase", "amount": 1, "unit": "days", "business": True},
            "checklist": [],
        }
    )
    return data


def step_remove(data: Data, *, phase_key: str, step_key: str) -> Data:
    """Remove a step, and its name from the phase's gate list if the gate names steps."""
    data = copy.deepcopy(data)
    phase = _phase(data, phase_key)
    phase["steps"].pop(_step_index(phase, step_key))
    gate = phase.get("gate") or {}
    if isinstance(gate.get("steps"), list):
        gate["steps"] = [key for key in gate["steps"] if key != step_key]
    return data


def step_update(
    data: Data,
    *,
    phase_key: str,
    step_key: str,
    role: str = "",
    required: bool | None = None,
    due_amount: int | None = None,
    due_unit: str = "",
    due_business: bool | None = None,
) -> Data:
    """Change who does a step, whether it is required, and when it is due."""
    data = copy.deepcopy(data)
    phase = _phase(data, phase_key)
    step = phase["steps"][_step_index(phase, step_key)]
    if role:
        step["role"] = role
    if required is not None:
        step["required"] = required
    if due_amount is not None or due_unit or due_business is not None:
        due = dict(step.get("due") or {"after": "phase", "amount": 1, "unit": "days"})
        if due_amount is not None:
            due["amount"] = due_amount
        if due_unit:
            due["unit"] = due_unit
        if due_business is not None:
            due["business"] = due_business
        step["due"] = due
    return data


def gate_update(data: Data, *, phase_key: str, approval_role: str = "") -> Data:
    """Require (or stop requiring) a role's approval before the phase is left."""
    data = copy.deepcopy(data)
    phase = _phase(data, phase_key)
    gate = dict(phase.get("gate") or {})
    gate["approval_role"] = approval_role or None
    phase["gate"] = gate
    return data


# Each op takes the data and its own keyword arguments (the service passes them through).
OPS: dict[str, Callable[..., Data]] = {
    "phase_move": phase_move,
    "phase_add": phase_add,
    "phase_remove": phase_remove,
    "step_move": step_move,
    "step_add": step_add,
    "step_remove": step_remove,
    "step_update": step_update,
    "gate_update": gate_update,
}
