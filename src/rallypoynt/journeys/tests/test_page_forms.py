"""Every form of the pipeline pages parses what is typed: garbage (words, exponents, negative
or huge numbers, NUL, nothing) is a form error on the page (4xx) and changes nothing; a
filled-in form still does what it did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from rallypoynt.contacts.models import Contact
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.core.testing import FILLED, GARBAGE, client_for, rows_snapshot
from rallypoynt.journeys import forms
from rallypoynt.journeys.domain import OPS, yaml_write
from rallypoynt.journeys.models import (
    DeliverableRecord,
    Engagement,
    EngagementContact,
    GateDecision,
    JourneyTemplate,
    LostReason,
    PhaseVisit,
    StageVisit,
    StepCompletion,
    TemplateVersion,
)
from rallypoynt.journeys.selectors import engagement_evaluate, lost_reason_list
from rallypoynt.journeys.services.templates import (
    template_copy,
    template_draft_edit,
    template_version_create,
    template_version_publish,
)
from rallypoynt.journeys.tests.factories import advance_to, engagement_for, opened, reloaded
from rallypoynt.orgs.tests.brokerage import fresh

pytestmark = pytest.mark.django_db

TEXT = ("\x00", "x" * 6000)  # longer than any text field of these pages takes
KEY = ("", *TEXT)  # a phase, step or stage key is needed
MODELS = (
    Engagement,
    EngagementContact,
    StepCompletion,
    DeliverableRecord,
    GateDecision,
    PhaseVisit,
    StageVisit,
    JourneyTemplate,
    TemplateVersion,
    LostReason,
    Contact,
    AuditEntry,
    Event,
)


def snapshot() -> dict[str, list[dict]]:
    return rows_snapshot(MODELS)


@pytest.fixture
def world(brokerage):
    """Ben's engagement in its first phase, a client of his, and a draft template version."""
    ben = brokerage.ben
    engagement = engagement_for(ben)
    evaluation = engagement_evaluate(engagement, timezone.now())
    published = template_copy(actor=fresh(brokerage.broker), kind="journey")
    draft = template_version_create(
        actor=fresh(brokerage.broker),
        template_id=published.template_id,
        data=published.data,
        note="draft",
    )
    lost_reason_list(actor=ben)  # the org's default reasons, written on first read
    return SimpleNamespace(
        brokerage=brokerage,
        engagement=engagement,
        step_key=evaluation.open_steps[0].step.key,
        deliverable_key=evaluation.phase.deliverables_for(engagement.side)[0].key,
        contact=ContactFactory(org=brokerage.org, owner=ben, first_name="Nora"),
        draft=draft,
    )


@dataclass
class Case:
    """One form: where it posts, a filled-in valid form, and the garbage for each field."""

    url: Callable[[SimpleNamespace], str]
    valid: Callable[[SimpleNamespace], dict]
    garbage: dict[str, tuple[str, ...]]
    who: str = "ben"
    method: str = "post"
    status: int = 400
    shown: str = 'role="alert" id="form-errors"'
    done: Callable[[SimpleNamespace], bool] = field(default=lambda w: True)
    setup: Callable[[SimpleNamespace], object] = field(default=lambda w: None)


def act(action: str) -> Callable[[SimpleNamespace], str]:
    return lambda w: f"/pipeline/engagements/{w.engagement.pk}/{action}/"


def draft_url(tail: str) -> Callable[[SimpleNamespace], str]:
    return lambda w: f"/pipeline/templates/{w.draft.template_id}/v/{w.draft.number}/{tail}"


def _step_done(w) -> bool:
    return StepCompletion.objects.filter(
        engagement=w.engagement, step_key=w.step_key, undone_at__isnull=True
    ).exists()


def _gated(w) -> None:
    """Publish a version whose first phase needs the compliance officer's approval."""
    broker = fresh(w.brokerage.broker)
    template_draft_edit(
        actor=broker,
        version_id=w.draft.pk,
        op="gate_update",
        phase_key="discovery",
        approval_role="compliance_officer",
    )
    template_version_publish(actor=broker, version_id=w.draft.pk)
    w.engagement = engagement_for(w.brokerage.ben)


def _in_strategy(w) -> None:
    w.engagement = opened(w.brokerage.ben)
    advance_to(w.brokerage.ben, w.engagement, "strategy")


def _step_done_first(w) -> None:
    client_for(w.brokerage.ben).post(act("complete")(w), {"step_key": w.step_key})


CASES: dict[str, Case] = {
    "filter the board": Case(
        url=lambda w: "/pipeline/",
        valid=lambda w: {
            "by": "phase",
            "side": "buy",
            "agent_id": w.brokerage.ben.pk,
            "team_id": w.brokerage.summit.pk,
        },
        garbage={"by": FILLED, "side": FILLED, "agent_id": FILLED, "team_id": FILLED},
        method="get",
    ),
    "move a card": Case(
        url=lambda w: f"/pipeline/{w.engagement.pk}/move/",
        valid=lambda w: {"to": "initial_engagement"},
        garbage={"to": KEY},
        done=lambda w: reloaded(w.engagement).stage_key == "initial_engagement",
    ),
    "complete a step": Case(
        url=act("complete"),
        valid=lambda w: {"step_key": w.step_key},
        garbage={"step_key": KEY},
        done=_step_done,
    ),
    "undo a step": Case(
        url=act("undo"),
        valid=lambda w: {"step_key": w.step_key},
        garbage={"step_key": KEY},
        setup=_step_done_first,
        done=lambda w: not _step_done(w),
    ),
    "put a deliverable on file": Case(
        url=act("deliver"),
        valid=lambda w: {"deliverable_key": w.deliverable_key, "note": "In the file"},
        garbage={"deliverable_key": KEY, "note": TEXT},
        done=lambda w: DeliverableRecord.objects.filter(engagement=w.engagement).exists(),
    ),
    "move back a phase": Case(
        url=act("return"),
        valid=lambda w: {"phase_key": "discovery", "reason": "The buyer starts over"},
        garbage={"phase_key": KEY, "reason": TEXT},
        setup=_in_strategy,
        done=lambda w: reloaded(w.engagement).phase_key == "discovery",
    ),
    "decide a gate": Case(
        url=act("gate"),
        valid=lambda w: {"verdict": "approved"},
        garbage={"verdict": GARBAGE, "reason": TEXT},
        who="compliance",
        setup=_gated,
        done=lambda w: GateDecision.objects.filter(engagement=w.engagement).exists(),
    ),
    "change the stage": Case(
        url=act("stage"),
        valid=lambda w: {"stage_key": "initial_engagement"},
        garbage={"stage_key": KEY},
        done=lambda w: reloaded(w.engagement).stage_key == "initial_engagement",
    ),
    "close as lost": Case(
        url=act("close"),
        valid=lambda w: {"status": "lost", "reason_key": "not_ready", "reason": "Next year"},
        garbage={"status": GARBAGE, "reason_key": FILLED, "reason": TEXT},
        done=lambda w: reloaded(w.engagement).lost_reason_choice.key == "not_ready",
    ),
    "put on hold": Case(
        url=act("hold"),
        valid=lambda w: {"is_on_hold": "1"},
        garbage={"is_on_hold": GARBAGE},
        done=lambda w: reloaded(w.engagement).status == "on_hold",
    ),
    "open an engagement": Case(
        url=lambda w: "/pipeline/engagements/new/",
        valid=lambda w: {
            "contact_id": w.contact.pk,
            "side": "sell",
            "expected_value": "9,000",
            "team_id": w.brokerage.summit.pk,
        },
        garbage={
            "contact_id": GARBAGE,
            "side": GARBAGE,
            "expected_value": FILLED,
            "team_id": FILLED,
            "title": TEXT,
        },
        done=lambda w: Engagement.objects.filter(side="sell", expected_value=9000).exists(),
    ),
    "copy a template": Case(
        url=lambda w: "/pipeline/templates/copy/",
        valid=lambda w: {"kind": "pipeline", "level": "team", "team_id": w.brokerage.summit.pk},
        garbage={"kind": GARBAGE, "level": FILLED, "team_id": FILLED},
        who="broker",
        done=lambda w: JourneyTemplate.objects.filter(team=w.brokerage.summit).exists(),
    ),
    "edit a draft": Case(
        url=draft_url("steps/update/"),
        valid=lambda w: {
            "phase_key": "discovery",
            "step_key": "initial_response",
            "due_amount": "2",
            "due_unit": "hours",
            "due_business": "1",
            "required": "0",
            "role": "lead_agent",
        },
        garbage={
            "due_amount": FILLED,
            "due_unit": FILLED,
            "due_business": FILLED,
            "required": FILLED,
            "role": FILLED,
            "phase_key": TEXT,
        },
        who="broker",
        done=lambda w: "lead_agent" in str(TemplateVersion.objects.get(pk=w.draft.pk).data),
    ),
    "move a phase": Case(
        url=draft_url("phases/move/"),
        valid=lambda w: {"phase_key": "strategy", "offset": "up"},
        garbage={"offset": FILLED, "phase_key": KEY[1:]},
        who="broker",
        done=lambda w: (
            TemplateVersion.objects.get(pk=w.draft.pk).data["phases"][0]["key"] == "strategy"
        ),
    ),
    "edit a draft's YAML": Case(
        url=draft_url("edit/"),
        valid=lambda w: {"yaml": yaml_write(w.draft.data), "note": "Typed"},
        garbage={"yaml": ("\x00", "x" * (forms.MAX_YAML_BYTES + 1)), "note": TEXT},
        who="broker",
        status=422,  # the editor's own convention: the page lists what is wrong
        shown='class="card blockers" role="alert"',
        done=lambda w: TemplateVersion.objects.filter(note="Typed").exists(),
    ),
    "add a lost reason": Case(
        url=lambda w: "/pipeline/lost-reasons/",
        valid=lambda w: {"key": "moved", "label": "Moved away", "position": "7"},
        garbage={"position": FILLED, "key": KEY, "label": TEXT},
        who="broker",
        shown='class="errorlist',
        done=lambda w: LostReason.objects.filter(key="moved", position=7).exists(),
    ),
}


def _send(client, case: Case, world, data: dict):
    return getattr(client, case.method)(case.url(world), data)


def assert_error_shown(response, case: Case, value: str, where) -> None:
    """The page says what is wrong; a NUL is refused before any view (RefuseNulMiddleware,
    for every page and the API) with the 400 page."""
    page = response.content.decode()
    if "\x00" in value:
        assert response.status_code == 400 and "We could not read that" in page, where
    else:
        assert response.status_code == case.status, (where, response.status_code)
        assert case.shown in page, where


@pytest.mark.parametrize("name", list(CASES))
def test_garbage_is_a_form_error_on_the_page_and_changes_nothing(world, name):
    case = CASES[name]
    case.setup(world)
    client = client_for(getattr(world.brokerage, case.who))
    before = snapshot()
    for field_name, values in case.garbage.items():
        for value in values:
            response = _send(client, case, world, {**case.valid(world), field_name: value})
            assert_error_shown(response, case, value, (name, field_name, value))
            assert snapshot() == before, (name, field_name, value)


@pytest.mark.parametrize("name", list(CASES))
def test_a_filled_in_form_still_does_its_work(world, name):
    case = CASES[name]
    case.setup(world)
    client = client_for(getattr(world.brokerage, case.who))
    response = _send(client, case, world, case.valid(world))
    assert response.status_code in (200, 302), (name, response.status_code)
    if response.status_code == 302:
        page = client.get(response.url)
        errors = [m for m in page.context["messages"] if m.level_tag == "error"]
        assert not errors, (name, [str(m) for m in errors])
    assert case.done(world), name


def test_every_structured_edit_has_its_own_url(world):
    for op in OPS:
        url = reverse(f"journeys:draft_{op}", args=[world.draft.template_id, world.draft.number])
        assert resolve(url).url_name == f"draft_{op}"


def test_a_client_named_by_a_bad_link_is_left_off(world):
    client = client_for(world.brokerage.ben)
    for value in FILLED[:-1]:
        response = client.get("/pipeline/engagements/new/", {"contact": value})
        assert response.status_code == 200 and response.context["contact"] is None, value
    someone_elses = ContactFactory(org=world.brokerage.org, owner=world.brokerage.maria)
    response = client.get("/pipeline/engagements/new/", {"contact": someone_elses.pk})
    assert response.context["contact"] is None


def test_an_agent_filter_out_of_sight_reads_like_a_missing_one(world):
    client = client_for(world.brokerage.ben)
    hidden = client.get("/pipeline/", {"agent_id": world.brokerage.maria.pk})
    missing = client.get("/pipeline/", {"agent_id": 987654321})
    assert hidden.status_code == missing.status_code == 400
    assert hidden.context["failed"].errors == missing.context["failed"].errors
