"""Checklist templates as data: a strict check of every field, for the shipped YAML and for
an org's edits alike. Each problem names its path (`items[3].days`), so whoever edits a
template reads exactly what to fix; unknown fields are refused, not silently dropped."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from rallypoynt.core.errors import ValidationFailed
from rallypoynt.orgs.choices import Role
from rallypoynt.transactions.choices import ChecklistKind, PartyRole
from rallypoynt.transactions.domain.deadlines import MAX_DAYS, DayType

DEFAULTS_FILE = Path(__file__).parents[1] / "defaults" / "checklists.yaml"
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
STATE_RE = re.compile(r"^[A-Z0-9-]{1,10}$")
ANCHORS = ("acceptance", "closing", "")
SIDES = ("buy", "sell", "")
ROLES = frozenset(PartyRole.values) | frozenset(Role.values)
ROLE_LABELS = {**dict(Role.choices), **dict(PartyRole.choices)}
ITEM_FIELDS = frozenset({"key", "title", "anchor", "days", "day_type", "role"})
TEMPLATE_FIELDS = frozenset({"kind", "side", "state", "name", "items"})
MAX_ITEMS = 200


def _unknown(data: dict, allowed: frozenset[str], path: str, errors: dict) -> None:
    for name in sorted(set(data) - allowed, key=str):
        errors[f"{path}.{name}" if path else str(name)] = ["unknown field"]


def _item(data: Any, path: str, errors: dict, seen: set[str]) -> dict[str, Any] | None:
    """One item, normalised: every field present, anchor "" when it has no date."""
    if not isinstance(data, dict):
        errors[path] = ["a mapping of key, title, anchor, days, day_type, role"]
        return None
    _unknown(data, ITEM_FIELDS, path, errors)
    key = data.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        errors[f"{path}.key"] = ["lowercase letters, digits, - and _ (at most 60)"]
    elif key in seen:
        errors[f"{path}.key"] = [f"{key!r} is used twice"]
    else:
        seen.add(key)
    title = data.get("title")
    title = title.strip() if isinstance(title, str) else ""
    if not title or len(title) > 200:
        errors[f"{path}.title"] = ["a text of 1 to 200 characters"]
    anchor = data.get("anchor") or ""
    anchor = "" if anchor == "none" else anchor
    if anchor not in ANCHORS:
        errors[f"{path}.anchor"] = ["acceptance, closing or none"]
    days = data.get("days", 0)
    # bool is an int in Python: `days: yes` must not pass as 1.
    if isinstance(days, bool) or not isinstance(days, int) or abs(days) > MAX_DAYS:
        errors[f"{path}.days"] = [f"a whole number from -{MAX_DAYS} to {MAX_DAYS}"]
    elif days and not anchor:
        errors[f"{path}.days"] = ["counting days needs an anchor (acceptance or closing)"]
    day_type = data.get("day_type", DayType.CALENDAR)
    if day_type not in set(DayType):
        errors[f"{path}.day_type"] = ["calendar or business"]
    role = data.get("role") or ""
    if role and role not in ROLES:
        errors[f"{path}.role"] = [f"unknown role {role!r}"]
    if any(name.startswith(path + ".") for name in errors):
        return None
    return {
        "key": key,
        "title": title,
        "anchor": anchor,
        "days": days,
        "day_type": str(day_type),
        "role": role,
    }


def checklist_items_parse(data: Any, path: str = "items") -> list[dict[str, Any]]:
    """Validate a template's items; ValidationFailed names every bad field by its path."""
    errors: dict[str, list[str]] = {}
    items = _items(data, path, errors)
    if errors:
        _raise(errors)
    return items


def _items(data: Any, path: str, errors: dict) -> list[dict[str, Any]]:
    if not isinstance(data, list):
        errors[path] = ["a list of items"]
        return []
    if len(data) > MAX_ITEMS:
        errors[path] = [f"at most {MAX_ITEMS} items"]
        return []
    seen: set[str] = set()
    parsed = [_item(row, f"{path}[{i}]", errors, seen) for i, row in enumerate(data)]
    return [row for row in parsed if row is not None]


def checklist_template_parse(data: Any, path: str = "") -> dict[str, Any]:
    """Validate a whole template (kind, side, state, name, items) and normalise it."""
    errors: dict[str, list[str]] = {}
    where = (lambda name: f"{path}.{name}") if path else (lambda name: name)
    if not isinstance(data, dict):
        _raise({path or "template": ["a mapping of kind, side, state, name, items"]})
    _unknown(data, TEMPLATE_FIELDS, path, errors)
    kind = data.get("kind")
    if kind not in ChecklistKind.values:
        errors[where("kind")] = [f"one of {', '.join(ChecklistKind.values)}"]
    side = data.get("side") or ""
    if side not in SIDES:
        errors[where("side")] = ["buy, sell or empty for both"]
    state = data.get("state") or ""
    if not isinstance(state, str) or (state and not STATE_RE.match(state.strip().upper())):
        errors[where("state")] = ["a state code such as CO, or empty for every state"]
        state = ""
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 120:
        errors[where("name")] = ["a text of 1 to 120 characters"]
    items = _items(data.get("items"), where("items"), errors)
    if errors:
        _raise(errors)
    return {
        "kind": kind,
        "side": side,
        "state": state.strip().upper(),
        "name": name.strip(),
        "items": items,
    }


def _raise(errors: dict[str, list[str]]) -> None:
    first = next(iter(errors))
    raise ValidationFailed(
        f"The checklist has {len(errors)} problem(s): {first}: {errors[first][0]}",
        fields=errors,
    )


def checklist_defaults_load(text: str | None = None) -> list[dict[str, Any]]:
    """The shipped templates (or `text`, YAML of the same shape), validated; a duplicate
    kind + side + state is refused since only one of them could ever be chosen."""
    if text is None:
        text = DEFAULTS_FILE.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "YAML"
        raise ValidationFailed(
            "The checklist file is not valid YAML.", fields={where: [str(exc)]}
        ) from exc
    if not isinstance(data, dict) or set(data) != {"templates"}:
        _raise({"templates": ["the file holds one mapping: templates: [...]"]})
    rows = data["templates"]
    if not isinstance(rows, list):
        _raise({"templates": ["a list of templates"]})
    templates, errors, seen = [], {}, set()
    for i, row in enumerate(rows):
        try:
            parsed = checklist_template_parse(row, f"templates[{i}]")
        except ValidationFailed as exc:
            errors.update(exc.fields)
            continue
        identity = (parsed["kind"], parsed["side"], parsed["state"])
        if identity in seen:
            errors[f"templates[{i}]"] = ["a second template for this kind, side and state"]
        seen.add(identity)
        templates.append(parsed)
    if errors:
        _raise(errors)
    return templates
