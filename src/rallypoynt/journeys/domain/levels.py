"""The agent, team and brokerage variants of the shipped templates (pure data transforms).

`defaults/levels.yaml` says what each level changes; these functions apply it to template
data before it is validated, so a variant is checked like any other template.
"""

from __future__ import annotations

import copy
from typing import Any

from rallypoynt.core.errors import ValidationFailed
from rallypoynt.journeys.choices import Level
from rallypoynt.journeys.domain.template_yaml import default_data


def level_spec(level: str) -> dict[str, Any]:
    """What a business level changes; ValidationFailed for a level that does not exist."""
    if level not in Level.values:
        raise ValidationFailed("Unknown business level.", fields={"level": Level.values})
    spec: dict[str, Any] = default_data("levels")[level]
    return spec


def pipeline_for_level(data: dict[str, Any], level: str) -> dict[str, Any]:
    """The pipeline with the level's merged stages (the agent level combines the first two)."""
    data = copy.deepcopy(data)
    for merge in level_spec(level).get("pipeline", {}).get("merge", []):
        merged = [s for s in data["stages"] if s["key"] in merge["stages"]]
        if not merged:
            continue
        combined = {
            "key": merge["key"],
            "name": merge["name"],
            "summary": " ".join(s.get("summary", "") for s in merged).strip(),
            "activities": [a for s in merged for a in s.get("activities", [])],
            "milestones": [m for s in merged for m in s.get("milestones", [])],
            "frequency": merged[-1].get("frequency", ""),
            "metrics": [m for s in merged for m in s.get("metrics", [])],
        }
        at = data["stages"].index(merged[0])
        data["stages"] = [s for s in data["stages"] if s not in merged]
        data["stages"].insert(at, combined)
    return data


def stage_renames(level: str) -> dict[str, str]:
    """Old stage key -> the merged stage that replaces it at this level."""
    merges = level_spec(level).get("pipeline", {}).get("merge", [])
    return {old: m["key"] for m in merges for old in m["stages"]}


def journey_for_level(data: dict[str, Any], level: str) -> dict[str, Any]:
    """The journey as the level runs it: roles, required documentation, handoffs, approvals."""
    data = copy.deepcopy(data)
    spec = level_spec(level).get("journey", {})
    renames = stage_renames(level)
    for phase in data["phases"]:
        stages = [renames.get(key, key) for key in phase.get("sales_stages", [])]
        phase["sales_stages"] = list(dict.fromkeys(stages))
        for step in phase["steps"]:
            if step.get("enters_stage"):
                step["enters_stage"] = renames.get(step["enters_stage"], step["enters_stage"])
            if spec.get("role"):
                step["role"] = spec["role"]
        if spec.get("deliverables_required") is False:
            for deliverable in phase.get("deliverables", []):
                deliverable["required"] = False
        role = spec.get("approvals", {}).get(phase["key"])
        if role and phase.get("gate") is not None:
            phase["gate"] = {**phase["gate"], "approval_role": role}
    if spec.get("handoff_checklist"):
        data["handoff_checklist"] = list(spec["handoff_checklist"])
    data["level"] = Level(level).value
    return data


def shipped_data(kind: str, level: str = Level.TEAM) -> dict[str, Any]:
    """The shipped journey or pipeline data for a business level."""
    if kind == "pipeline":
        return pipeline_for_level(default_data("sales_pipeline"), level)
    return journey_for_level(default_data("client_journey"), level)
