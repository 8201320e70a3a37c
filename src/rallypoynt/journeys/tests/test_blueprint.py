"""Template data to a Blueprint: broken templates are refused with every problem named."""

from __future__ import annotations

import copy

import pytest

from rallypoynt.core.errors import ValidationFailed
from rallypoynt.journeys.domain import (
    blueprint_default,
    blueprint_load,
    journey_stages_check,
    yaml_read,
    yaml_write,
)
from rallypoynt.journeys.tests.factories import MINI_TEMPLATE


def problems(data) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        blueprint_load(data)
    return caught.value.fields["template"]


def broken(**paths) -> dict:
    data = copy.deepcopy(MINI_TEMPLATE)
    for path, value in paths.items():
        target = data
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    return data


def test_a_valid_template_loads():
    blueprint = blueprint_load(MINI_TEMPLATE)
    assert [p.key for p in blueprint.phases] == ["discovery", "contract"]
    assert blueprint.phase("discovery").step("respond").roles == {
        "buy": "buyer_specialist",
        "sell": "lead_agent",
    }


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        ({"kind": "maze"}, "kind: one of journey, pipeline"),
        ({"phases__0__key": "Has Spaces"}, "phases[0].key: lowercase"),
        ({"phases__1__key": "discovery"}, "phases[1].key: 'discovery' is used twice"),
        ({"phases__0__steps__0__role": "wizard"}, "phases[0].steps[0].role: unknown role"),
        (
            {"phases__0__steps__1__due": {"after": "later", "amount": 1, "unit": "days"}},
            "phases[0].steps[1].due.after: 'phase' or an earlier step",
        ),
        (
            {"phases__0__steps__0__due": {"after": "discover", "amount": 1, "unit": "days"}},
            "phases[0].steps[0].due.after",
        ),
        (
            {"phases__0__steps__0__due": {"amount": -1, "unit": "weeks"}},
            "phases[0].steps[0].due.amount: a whole number",
        ),
        ({"phases__0__steps__1__produces": ["ghost"]}, "no deliverable 'ghost'"),
        ({"phases__0__steps__2__sides": ["rent"]}, "phases[0].steps[2].sides"),
        ({"phases__0__gate": {"steps": ["nope"]}}, "phases[0].gate.steps"),
        ({"phases__1__gate": {"approval_role": "king"}}, "approval_role: unknown role"),
        ({"phases": []}, "phases: a journey needs at least one phase"),
    ],
)
def test_each_kind_of_mistake_is_named_with_its_path(paths, expected):
    found = problems(broken(**paths))
    assert any(expected in p for p in found), found


def test_every_problem_is_reported_at_once():
    found = problems(broken(kind="maze", phases__0__name="", phases__0__steps__0__role="wizard"))
    assert len(found) >= 3


def test_a_deliverable_no_step_produces_is_refused():
    data = broken(phases__0__steps__1__produces=["needs"])
    assert any("no step produces 'notes'" in p for p in problems(data))


def test_yaml_round_trip_keeps_the_template():
    text = yaml_write(MINI_TEMPLATE)
    assert blueprint_load(yaml_read(text)) == blueprint_load(MINI_TEMPLATE)


def test_bad_yaml_names_the_line():
    with pytest.raises(ValidationFailed) as caught:
        yaml_read("key: x\nphases: [\n  - oops: : :\n")
    assert "line" in caught.value.message


def test_the_shipped_journey_names_only_pipeline_stages_that_exist():
    journey_stages_check(blueprint_default("client_journey"), blueprint_default("sales_pipeline"))


def test_a_misspelt_field_is_named_instead_of_ignored():
    data = broken(phases__0__steps__0__checklst=["Call back"])
    assert "phases[0].steps[0].checklst: unknown field" in problems(data)


def test_yaml_aliases_and_huge_files_are_refused():
    with pytest.raises(ValidationFailed) as caught:
        yaml_read("a: &x [1, 2]\nb: *x\n")
    assert "aliases" in str(caught.value.fields)
    with pytest.raises(ValidationFailed) as caught:
        yaml_read("key: x\n" + "# padding\n" * 60_000)
    assert "too large" in caught.value.message
