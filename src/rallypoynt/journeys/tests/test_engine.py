"""The engine, without a database: due times in business time, overdue and SLA, gates."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rallypoynt.core.calendar import BusinessCalendar
from rallypoynt.journeys.domain import Offset, PhaseState, blueprint_load, offset_at, phase_evaluate
from rallypoynt.journeys.tests.factories import MINI_TEMPLATE

DENVER = ZoneInfo("America/Denver")
CALENDAR = BusinessCalendar(time_zone="America/Denver", country="US", subdivision="CO")
FRIDAY_1630 = datetime(2025, 3, 7, 16, 30, tzinfo=DENVER)

BLUEPRINT = blueprint_load(MINI_TEMPLATE)


def evaluate(now: datetime, **state):
    state.setdefault("side", "buy")
    state.setdefault("phase_key", "discovery")
    state.setdefault("entered_at", FRIDAY_1630)
    return phase_evaluate(BLUEPRINT, PhaseState(**state), CALENDAR, now)


def by_key(evaluation):
    return {s.step.key: s for s in evaluation.steps}


def test_a_business_hour_after_friday_1630_is_monday_0930():
    steps = by_key(evaluate(FRIDAY_1630))
    assert steps["respond"].due_at == datetime(2025, 3, 10, 9, 30, tzinfo=DENVER)
    assert steps["respond"].role == "buyer_specialist"


def test_the_side_picks_the_role_and_the_steps():
    steps = by_key(evaluate(FRIDAY_1630, side="sell"))
    assert steps["respond"].role == "lead_agent"
    assert "tour_prep" not in steps


def test_a_step_after_another_waits_until_that_one_is_done():
    steps = by_key(evaluate(FRIDAY_1630))
    assert steps["discover"].due_at is None
    done_at = datetime(2025, 3, 10, 9, 0, tzinfo=DENVER)
    steps = by_key(evaluate(FRIDAY_1630, completed={"respond": done_at}))
    # Two business days after Monday 09:00 is Wednesday 09:00.
    assert steps["discover"].due_at == datetime(2025, 3, 12, 9, 0, tzinfo=DENVER)


def test_calendar_days_ignore_business_hours():
    steps = by_key(evaluate(FRIDAY_1630))
    assert steps["tour_prep"].due_at == FRIDAY_1630 + timedelta(days=3)


def test_overdue_and_sla_breach_are_told_apart():
    monday_1000 = datetime(2025, 3, 10, 10, 0, tzinfo=DENVER)
    steps = by_key(evaluate(monday_1000))
    assert steps["respond"].is_overdue and not steps["respond"].is_sla_breached
    monday_1100 = datetime(2025, 3, 10, 11, 0, tzinfo=DENVER)
    assert by_key(evaluate(monday_1100))["respond"].is_sla_breached


def test_a_step_done_late_stays_an_sla_breach_but_is_no_longer_overdue():
    late = datetime(2025, 3, 10, 12, 0, tzinfo=DENVER)
    status = by_key(evaluate(late, completed={"respond": late}))["respond"]
    assert not status.is_overdue and status.is_sla_breached


def test_the_gate_names_every_missing_required_step_and_deliverable():
    evaluation = evaluate(FRIDAY_1630)
    assert not evaluation.can_advance
    assert [(b.kind, b.key) for b in evaluation.blockers] == [
        ("step", "respond"),
        ("step", "discover"),
        ("deliverable", "needs"),
    ]
    assert 'step "Initial Response" is not done' in evaluation.why_blocked()


def test_completing_the_producing_step_delivers_and_releases_the_gate():
    done = {"respond": FRIDAY_1630, "discover": FRIDAY_1630}
    evaluation = evaluate(FRIDAY_1630, completed=done)
    assert evaluation.blockers == ()
    assert evaluation.can_advance and evaluation.next_phase.key == "contract"


def test_an_approval_gate_waits_for_the_role():
    evaluation = evaluate(FRIDAY_1630, phase_key="contract")
    assert [b.reason for b in evaluation.blockers] == ["approval by a compliance officer is needed"]
    assert evaluation.next_phase is None and not evaluation.can_advance
    assert evaluate(FRIDAY_1630, phase_key="contract", is_approved=True).blockers == ()


def test_open_steps_come_soonest_first_and_waiting_ones_last():
    keys = [s.step.key for s in evaluate(FRIDAY_1630).open_steps]
    # Monday 09:30, Monday 16:30 (three calendar days), then the one waiting on "respond".
    assert keys == ["respond", "tour_prep", "discover"]


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (Offset("phase", 30, "minutes", True), datetime(2025, 3, 7, 17, 0, tzinfo=DENVER)),
        (Offset("phase", 45, "minutes", True), datetime(2025, 3, 10, 9, 15, tzinfo=DENVER)),
        (Offset("phase", 1, "days", True), datetime(2025, 3, 10, 16, 30, tzinfo=DENVER)),
        (Offset("phase", 2, "hours", False), datetime(2025, 3, 7, 18, 30, tzinfo=DENVER)),
    ],
)
def test_offsets(offset, expected):
    assert offset_at(offset, FRIDAY_1630, CALENDAR) == expected
