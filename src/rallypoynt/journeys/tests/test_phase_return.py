"""Moving an engagement back a phase: the visits, the stage, the undone work, the refusals,
and the same through the API and the engagement page."""

from __future__ import annotations

import pytest

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.core.errors import Conflict, NotFound, ValidationFailed
from rallypoynt.core.models import Event
from rallypoynt.core.testing import client_for
from rallypoynt.journeys.models import DeliverableRecord, PhaseVisit, StageVisit, StepCompletion
from rallypoynt.journeys.selectors import engagement_evaluate
from rallypoynt.journeys.services.engagements import engagement_close
from rallypoynt.journeys.services.progress import deliverable_record
from rallypoynt.journeys.services.returns import phase_return
from rallypoynt.journeys.tests.factories import (
    NOW,
    advance_to,
    opened,
    phase_finish,
    reloaded,
    visits,
)

pytestmark = pytest.mark.django_db
LATER = NOW.replace(day=20)


@pytest.fixture
def under_contract(brokerage):
    """Ben's buyer in Transaction Management, with Transaction Initiation's work on file."""
    engagement = opened(brokerage.ben)
    advance_to(brokerage.ben, engagement, "transaction_initiation")
    deliverable_record(
        actor=brokerage.ben,
        engagement_id=engagement.pk,
        deliverable_key="executed_purchase_agreement",
        note="in the deal file",
    )
    advance_to(brokerage.ben, engagement, "transaction_management")
    phase_finish(brokerage.ben, engagement)
    return reloaded(engagement)


def test_returning_undoes_the_later_phases_and_moves_the_stage_back(brokerage, under_contract):
    engagement = under_contract
    assert engagement.stage_key == "agreement_activation"
    live = StepCompletion.objects.filter(engagement=engagement, undone_at__isnull=True)
    searched = set(live.filter(phase_key="search_selection").values_list("step_key", flat=True))
    evaluation = phase_return(
        actor=brokerage.ben,
        engagement_id=engagement.pk,
        phase_key="search_selection",
        reason="Inspection found foundation damage; the buyer walked away",
        now=LATER,
    )
    engagement = reloaded(engagement)
    assert (engagement.phase_key, engagement.phase_entered_at) == ("search_selection", LATER)
    # The latest of the phase's stages, since the pipeline had gone past them.
    assert engagement.stage_key == "presentation_negotiation"
    assert visits(PhaseVisit, engagement)[-2:] == [
        ("transaction_management", "moved_back", False),
        ("search_selection", "", True),
    ]
    assert visits(StageVisit, engagement)[-2:] == [
        ("agreement_activation", "moved_back", False),
        ("presentation_negotiation", "", True),
    ]
    # The search's own work stands; the deal's is undone (rows kept) and off file.
    assert set(live.values_list("phase_key", flat=True)) >= {"discovery", "search_selection"}
    assert not live.filter(phase_key__in=["transaction_initiation", "transaction_management"])
    undone = StepCompletion.objects.filter(engagement=engagement, undone_at=LATER)
    assert undone.exists() and {u.undone_by for u in undone} == {brokerage.ben}
    assert not DeliverableRecord.objects.filter(
        engagement=engagement, phase_key="transaction_initiation"
    )
    assert {s.step.key for s in evaluation.open_steps}.isdisjoint(searched)
    (event,) = Event.objects.filter(kind="engagement.phase_returned", subject_id=engagement.pk)
    assert event.payload["phase_from"] == "transaction_management"
    (removed,) = event.payload["deliverables_removed"]
    assert removed["key"] == "transaction_initiation:executed_purchase_agreement"
    assert removed["note"] == "in the deal file" and removed["recorded_by"] == brokerage.ben.pk
    assert "foundation" in event.payload["reason"]
    # Walking forward again means doing the deal's steps again.
    advance_to(brokerage.ben, engagement, "transaction_initiation", now=LATER)
    again = engagement_evaluate(reloaded(engagement), LATER)
    assert again.steps and not any(s.is_done for s in again.steps)


def test_refusals_change_nothing(brokerage, under_contract):
    engagement = under_contract

    def attempt(member, **values):
        given = {"phase_key": "search_selection", "reason": "Deal fell through", **values}
        return phase_return(actor=member, engagement_id=engagement.pk, **given)

    with pytest.raises(ValidationFailed):
        attempt(brokerage.ben, reason="  ")
    with pytest.raises(ValidationFailed):
        attempt(brokerage.ben, phase_key="nowhere")
    for later in ("transaction_management", "closing_transition"):
        with pytest.raises(Conflict):
            attempt(brokerage.ben, phase_key=later)
    with pytest.raises(NotFound):  # another team's agent cannot see it
        attempt(brokerage.maria)
    assert reloaded(engagement).phase_key == "transaction_management"
    assert not Event.objects.filter(kind="engagement.phase_returned")
    engagement_close(actor=brokerage.ben, engagement_id=engagement.pk, status="lost", reason="x")
    with pytest.raises(Conflict):
        attempt(brokerage.ben)


def test_the_api_and_the_page_move_it_back(brokerage, under_contract):
    engagement = under_contract
    url = f"/api/v1/engagements/{engagement.pk}/return"
    body = {"phase_key": "search_selection", "reason": "Appraisal came in low"}
    assert ApiClient(brokerage.maria).post(url, body).status_code == 404
    refused = ApiClient(brokerage.ben).post(url, {**body, "phase_key": "closing_transition"})
    assert refused.status_code == 409 and refused.json()["error"]["fields"]["phase_key"]
    assert ApiClient(brokerage.ben).post(url, {"phase_key": "strategy"}).status_code == 422
    moved = ApiClient(brokerage.ben).post(url, body)
    assert moved.status_code == 200 and moved.json()["phase_key"] == "search_selection"

    page = client_for(brokerage.ben).get(f"/pipeline/engagements/{engagement.pk}/")
    assert "Move back" in page.content.decode()
    outsider = client_for(brokerage.maria).post(
        f"/pipeline/engagements/{engagement.pk}/return/",
        {"phase_key": "discovery", "reason": "Start over"},
    )
    # Refused like every engagement action (a message, then the page, which is a 404 to them).
    assert client_for(brokerage.maria).get(outsider.url).status_code == 404
    assert reloaded(engagement).phase_key == "search_selection"
    client_for(brokerage.ben).post(
        f"/pipeline/engagements/{engagement.pk}/return/",
        {"phase_key": "strategy", "reason": "The buyer wants a new plan"},
    )
    assert reloaded(engagement).phase_key == "strategy"
