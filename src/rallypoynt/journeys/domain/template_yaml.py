"""Template data as YAML: the shipped templates in `defaults/`, and YAML text read and written.

Reading refuses what could hurt (too much text, anchors and aliases) before `blueprint_load`
checks the data itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import Node

from rallypoynt.core.errors import ValidationFailed
from rallypoynt.journeys.domain.blueprint import Blueprint
from rallypoynt.journeys.domain.blueprint_parse import blueprint_load

DEFAULTS_DIR = Path(__file__).parents[1] / "defaults"
MAX_YAML_BYTES = 512 * 1024


def default_data(name: str) -> dict[str, Any]:
    """A shipped template's data, as YAML in the package has it."""
    data: dict[str, Any] = yaml.safe_load(
        (DEFAULTS_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    )
    return data


def blueprint_default(name: str) -> Blueprint:
    return blueprint_load(default_data(name))


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors and aliases: a template never needs them, and a few lines
    of nested aliases can expand into gigabytes."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
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
