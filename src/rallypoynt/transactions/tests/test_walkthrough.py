"""The final walk-through: a clean one satisfies the walk-through deadline, a problem goes on
the issue log owned by whoever recorded it; findings are checked field by field."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rallypoynt.core.errors import NotFound, ValidationFailed
from rallypoynt.core.models import Event
from rallypoynt.orgs.tests.brokerage import org_today
from rallypoynt.transactions.models import Issue
from rallypoynt.transactions.services.deadlines import deadline_add
from rallypoynt.transactions.services.walkthrough import walkthrough_record
from rallypoynt.transactions.tests.factories import deal_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(brokerage):
    today = org_today()
    return deal_for(
        brokerage.ben, accepted_on=today - timedelta(days=30), closing_on=today + timedelta(days=1)
    )


@pytest.fixture
def walkthrough_deadline(brokerage, deal):
    return deadline_add(
        actor=brokerage.ben,
        deal_id=deal.pk,
        kind="final_walkthrough",
        amount=-1,
        anchor="closing",
    )


def test_a_clean_walkthrough_satisfies_the_deadline(brokerage, deal, walkthrough_deadline):
    report = walkthrough_record(
        actor=brokerage.ben,
        deal_id=deal.pk,
        done_on=org_today(),
        attendees="Alice and Bob (buyers), Ben",
        findings=[
            {"area": "Kitchen", "ok": True},
            {"area": "Agreed repairs", "ok": True, "note": "Roof patched, invoice seen"},
        ],
        notes="Keys handed to title.",
    )
    assert report.is_ok and report.findings[0] == {"area": "Kitchen", "ok": True, "note": ""}
    walkthrough_deadline.refresh_from_db()
    assert walkthrough_deadline.status == "satisfied"
    assert walkthrough_deadline.resolved_by == brokerage.ben and walkthrough_deadline.resolved_at
    assert Event.objects.filter(kind="deadline.satisfied", subject_id=walkthrough_deadline.pk)
    event = Event.objects.get(kind="walkthrough.recorded", subject_id=report.pk)
    assert event.payload["deadline_ids"] == [walkthrough_deadline.pk]
    assert not Issue.objects.filter(deal=deal).exists()


def test_a_problem_found_becomes_an_issue_and_the_deadline_stays_open(
    brokerage, deal, walkthrough_deadline
):
    report = walkthrough_record(
        actor=brokerage.ben,
        deal_id=deal.pk,
        done_on=org_today(),
        findings=[
            {"area": "Kitchen", "ok": True},
            {"area": "Garage", "ok": False, "note": "Seller's boxes still there"},
            {"area": "Dishwasher", "ok": False},
        ],
    )
    assert report.is_ok is False
    issues = list(Issue.objects.filter(deal=deal).order_by("pk"))
    assert [i.title for i in issues] == ["Walk-through: Garage", "Walk-through: Dishwasher"]
    assert issues[0].description == "Seller's boxes still there"
    assert all(i.owner == brokerage.ben and i.due_on == deal.closing_on for i in issues)
    walkthrough_deadline.refresh_from_db()
    assert walkthrough_deadline.status == "open"

    walkthrough_record(
        actor=brokerage.ben,
        deal_id=deal.pk,
        done_on=org_today(),
        findings=[{"area": "Garage", "ok": True}],
    )
    walkthrough_deadline.refresh_from_db()
    assert walkthrough_deadline.status == "satisfied"


def test_findings_are_checked_by_path(brokerage, deal):
    def record(findings, **values):
        values.setdefault("done_on", org_today())
        return walkthrough_record(actor=brokerage.ben, deal_id=deal.pk, findings=findings, **values)

    with pytest.raises(ValidationFailed) as bad:
        record(
            [
                {"area": "Kitchen", "ok": True},
                {"area": "", "ok": "yes"},
                {"area": "Roof", "ok": True, "colour": "red"},
                "hall",
            ]
        )
    fields = bad.value.fields
    assert {"findings[1].area", "findings[1].ok", "findings[2].colour", "findings[3]"} == set(
        fields
    )
    with pytest.raises(ValidationFailed) as bad:
        record([])
    assert "findings" in bad.value.fields
    with pytest.raises(ValidationFailed) as bad:
        record([{"area": "Kitchen", "ok": True}], done_on=org_today() + timedelta(days=2))
    assert "done_on" in bad.value.fields


def test_nobody_outside_the_deal_records_one(brokerage, other, deal):
    for outsider in (other.broker, brokerage.maria):
        with pytest.raises(NotFound):
            walkthrough_record(
                actor=outsider,
                deal_id=deal.pk,
                done_on=org_today(),
                findings=[{"area": "Kitchen", "ok": True}],
            )
