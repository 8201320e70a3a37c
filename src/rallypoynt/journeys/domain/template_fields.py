"""Reading one field of template data for `blueprint_parse`: each reader checks its field,
records a problem with its path in `Errors` and returns a safe value so reading goes on."""

from __future__ import annotations

import re
from typing import Any

from rallypoynt.journeys.domain.blueprint import NONE, REQUIRED, SIDES
from rallypoynt.journeys.domain.evidence import WORK_EVENTS
from rallypoynt.orgs.choices import Role

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


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


class Errors(list[str]):
    """Every problem found so far, as `path: message`."""

    def add(self, path: str, message: str) -> None:
        self.append(f"{path}: {message}")


def known(data: dict, kind: str, path: str, errors: Errors) -> None:
    """A misspelt field would be silently ignored: name it instead."""
    for name in sorted(set(data) - FIELDS[kind], key=str):
        errors.add(f"{path}.{name}" if path else str(name), "unknown field")


def text(data: dict, name: str, path: str, errors: Errors, *, required: bool = True) -> str:
    value = data.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        errors.add(f"{path}.{name}" if path else name, "a non-empty text" if required else "text")
        return ""
    return value.strip()


def texts(data: dict, name: str, path: str, errors: Errors) -> tuple[str, ...]:
    value = data.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        errors.add(f"{path}.{name}", "a list of texts")
        return ()
    return tuple(v.strip() for v in value)


def key(data: dict, path: str, errors: Errors, seen: set[str]) -> str:
    key = data.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        errors.add(f"{path}.key", "lowercase letters, digits and _ (starting with a letter)")
        return ""
    if key in seen:
        errors.add(f"{path}.key", f"{key!r} is used twice")
    seen.add(key)
    return key


def sides(data: dict, path: str, errors: Errors, allowed: frozenset[str]) -> frozenset[str]:
    value = data.get("sides")
    if value is None:
        return allowed
    if not isinstance(value, list) or not value or not set(value) <= allowed:
        errors.add(f"{path}.sides", f"a list drawn from {', '.join(sorted(allowed))}")
        return allowed
    return frozenset(value)


def flag(data: dict, name: str, path: str, errors: Errors, default: bool = True) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        errors.add(f"{path}.{name}", "true or false")
        return default
    return value


def role(value: Any, path: str, errors: Errors) -> str | None:
    if value is None:
        return None
    if value not in Role.values:
        errors.add(path, f"unknown role {value!r}")
        return None
    return str(value)


def roles(data: dict, path: str, errors: Errors, sides: frozenset[str]) -> dict[str, str]:
    value = data.get("role")
    if isinstance(value, str):
        one = role(value, f"{path}.role", errors)
        return dict.fromkeys(sorted(sides), one) if one else {}
    if isinstance(value, dict) and value and set(value) <= set(SIDES):
        roles = {s: role(r, f"{path}.role.{s}", errors) for s, r in value.items()}
        missing = sides - set(roles)
        if missing:
            errors.add(f"{path}.role", f"no role for side {', '.join(sorted(missing))}")
        return {s: r for s, r in roles.items() if r}
    errors.add(f"{path}.role", "a role, or {buy: role, sell: role}")
    return {}


def done_by(data: dict, path: str, errors: Errors) -> tuple[str, ...]:
    """The work events that complete it: known kinds only, so a typo is an error."""
    value = data.get("done_by") or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.add(f"{path}.done_by", "a list of events")
        return ()
    for kind in value:
        if kind not in WORK_EVENTS:
            errors.add(f"{path}.done_by", f"no event {kind!r}; known: {', '.join(WORK_EVENTS)}")
    return tuple(dict.fromkeys(k for k in value if k in WORK_EVENTS))


def selection(value: Any, path: str, errors: Errors, keys: set[str]) -> str | tuple[str, ...]:
    if value in (None, REQUIRED):
        return REQUIRED
    if value == NONE:
        return NONE
    if isinstance(value, list) and set(value) <= keys:
        return tuple(value)
    errors.add(path, "'required', 'none' or a list of this phase's keys")
    return REQUIRED


def entries(data: dict, name: str, path: str, errors: Errors) -> list:
    value = data.get(name) or []
    if not isinstance(value, list):
        errors.add(f"{path}.{name}" if path else name, "a list")
        return []
    return value
