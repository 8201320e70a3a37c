"""Upgrading an engagement to a newer template version keeps its progress, or refuses whole."""

from __future__ import annotations

import copy

import pytest

from rallypoynt.core.errors import Conflict
from rallypoynt.journeys.models import PhaseVisit, TemplateVersion
from rallypoynt.journeys.selectors import has_newer_version
from rallypoynt.journeys.services.progress import engagement_upgrade, step_complete
from rallypoynt.journeys.services.templates import (
    template_version_create,
    template_version_publish,
)
from rallypoynt.journeys.tests.factories import engagement_for
from rallypoynt.orgs.tests.brokerage import fresh

pytestmark = pytest.mark.django_db


def publish(brokerage, version: TemplateVersion, change) -> TemplateVersion:
    data = copy.deepcopy(version.data)
    change(data)
    draft = template_version_create(
        actor=fresh(brokerage.broker), template_id=version.template_id, data=data
    )
    return template_version_publish(actor=fresh(brokerage.broker), version_id=draft.pk)


def test_an_upgrade_keeps_the_phase_and_the_steps_done(brokerage):
    engagement = engagement_for(brokerage.ben)
    step_complete(actor=brokerage.ben, engagement_id=engagement.pk, step_key="initial_response")
    old = engagement.journey

    def extra_step(data):
        data["phases"][0]["steps"].append(
            {"key": "welcome_call", "title": "Welcome call", "role": "agent"}
        )

    new = publish(brokerage, old, extra_step)
    engagement.refresh_from_db()
    assert engagement.journey_id == old.pk and has_newer_version(engagement)
    evaluation = engagement_upgrade(actor=brokerage.ben, engagement_id=engagement.pk)
    engagement.refresh_from_db()
    assert engagement.journey_id == new.pk and not has_newer_version(engagement)
    steps = {s.step.key: s for s in evaluation.steps}
    assert steps["initial_response"].is_done and not steps["welcome_call"].is_done
    exits = list(PhaseVisit.objects.filter(engagement=engagement).values_list("exit", flat=True))
    assert exits == ["upgraded", ""]
    with pytest.raises(Conflict):
        engagement_upgrade(actor=brokerage.ben, engagement_id=engagement.pk)


def test_a_version_without_the_current_phase_is_refused_and_nothing_changes(brokerage):
    engagement = engagement_for(brokerage.ben)
    old = engagement.journey

    def rename_first_phase(data):
        data["phases"][0]["key"] = "first_contact"

    publish(brokerage, old, rename_first_phase)
    with pytest.raises(Conflict) as caught:
        engagement_upgrade(actor=brokerage.ben, engagement_id=engagement.pk)
    assert 'phase "discovery"' in caught.value.message
    engagement.refresh_from_db()
    assert engagement.journey_id == old.pk
