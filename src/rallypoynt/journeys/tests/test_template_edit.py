"""Editing a draft in the browser: move, add and remove phases and steps, roles, due times,
gates; every edit is validated whole and a published version never changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rallypoynt.core.testing import client_for
from rallypoynt.journeys.domain import blueprint_load
from rallypoynt.journeys.models import TemplateVersion
from rallypoynt.journeys.services.templates import template_copy
from rallypoynt.orgs.tests.brokerage import fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(brokerage) -> TemplateVersion:
    published = template_copy(actor=fresh(brokerage.broker), kind="journey")
    client = client_for(brokerage.broker)
    response = client.post(f"/pipeline/templates/{published.template_id}/v/1/draft/")
    assert response.status_code == 302
    return TemplateVersion.objects.get(template_id=published.template_id, number=2)


def edit_url(version: TemplateVersion, op: str) -> str:
    """Each structured edit of a draft posts to its own URL."""
    return reverse(f"journeys:draft_{op}", args=[version.template_id, version.number])


def op(brokerage, version: TemplateVersion, *, op: str, **form):
    url = edit_url(version, op)
    response = client_for(brokerage.broker).post(url, form, follow=True)
    version.refresh_from_db()
    return response.content.decode(), blueprint_load(version.data)


def test_steps_move_change_and_go_and_phases_reorder(brokerage, draft):
    move = {"op": "step_move", "phase_key": "discovery", "offset": "up"}
    page, _ = op(brokerage, draft, **move, step_key="needs_discovery")
    # It is due after Initial Response: above it, it would wait on a later step.
    assert "an earlier step" in page
    _, bp = op(brokerage, draft, **move, step_key="initial_response")
    assert [s.key for s in bp.phase("discovery").steps][:2] == [
        "initial_response",
        "initial_inquiry_processing",
    ]
    _, bp = op(
        brokerage,
        draft,
        op="step_update",
        phase_key="discovery",
        step_key="initial_response",
        role="lead_agent",
        due_amount="2",
        due_unit="hours",
        due_business="1",
        required="0",
    )
    step = bp.phase("discovery").step("initial_response")
    assert step.role_for("buy") == "lead_agent" and not step.is_required
    assert (step.due.amount, step.due.unit) == (2, "hours")
    _, bp = op(
        brokerage,
        draft,
        op="step_add",
        phase_key="strategy",
        title="Welcome call",
        role="client_care_coordinator",
    )
    assert bp.phase("strategy").steps[-1].key == "welcome_call"
    _, bp = op(brokerage, draft, op="step_remove", phase_key="strategy", step_key="welcome_call")
    assert bp.phase("strategy").step("welcome_call") is None
    _, bp = op(brokerage, draft, op="phase_move", phase_key="strategy", offset="up")
    assert bp.phases[0].key == "strategy"
    _, bp = op(
        brokerage,
        draft,
        op="gate_update",
        phase_key="discovery",
        approval_role="compliance_officer",
    )
    assert bp.phase("discovery").gate.approval_role == "compliance_officer"
    _, bp = op(
        brokerage, draft, op="phase_add", name="Move-in support", after_key="closing_transition"
    )
    assert [p.key for p in bp.phases][-2] == "move_in_support"


def test_an_edit_that_would_break_the_template_is_refused_with_its_reason(brokerage, draft):
    before = dict(draft.data)
    page, _ = op(
        brokerage, draft, op="step_remove", phase_key="discovery", step_key="needs_discovery"
    )
    assert "no step produces" in page
    assert draft.data == before


def test_published_versions_never_change_and_agents_cannot_edit(brokerage, draft):
    published = TemplateVersion.objects.get(template_id=draft.template_id, number=1)
    page, _ = op(brokerage, published, op="phase_remove", phase_key="discovery")
    assert "never changes" in page
    assert published.data["phases"][0]["key"] == "discovery"
    url = edit_url(draft, "phase_remove")
    assert client_for(brokerage.ben).post(url, {"phase_key": "discovery"}).status_code == 403
    page = client_for(brokerage.broker).get(f"/pipeline/templates/{draft.template_id}/v/2/")
    assert "Add step" in page.content.decode()
