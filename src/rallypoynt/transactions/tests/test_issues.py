"""The issue resolution log: raised with an owner from the org, resolved only with a
resolution, reopened; nobody outside the deal touches it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rallypoynt.core.errors import Conflict, NotFound, ValidationFailed
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.orgs.tests.brokerage import org_today
from rallypoynt.transactions.selectors import issue_list
from rallypoynt.transactions.services.deadlines import deadline_add
from rallypoynt.transactions.services.issues import (
    issue_raise,
    issue_reopen,
    issue_resolve,
    issue_update,
)
from rallypoynt.transactions.tests.factories import deal_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(brokerage):
    return deal_for(brokerage.ben, accepted_on=org_today())


def test_an_issue_is_raised_owned_resolved_and_reopened(brokerage, deal):
    today = org_today()
    row = issue_raise(
        actor=brokerage.ben,
        deal_id=deal.pk,
        title="  Appraisal came in $10k low ",
        description="Lender needs a reconsideration of value",
        owner_id=brokerage.lead.pk,
        due_on=today + timedelta(days=3),
    )
    assert (row.title, row.status, row.raised_on) == ("Appraisal came in $10k low", "open", today)
    assert row.owner == brokerage.lead
    with pytest.raises(ValidationFailed) as bad:
        issue_resolve(actor=brokerage.ben, issue_id=row.pk, resolution="  ")
    assert "resolution" in bad.value.fields
    with pytest.raises(ValidationFailed) as bad:
        issue_resolve(
            actor=brokerage.ben, issue_id=row.pk, resolution="x", resolved_on=today - timedelta(1)
        )
    assert "resolved_on" in bad.value.fields

    done = issue_resolve(
        actor=brokerage.ben, issue_id=row.pk, resolution="Seller credited $5k; buyer covers rest"
    )
    assert (done.status, done.resolved_on, done.resolved_by) == ("resolved", today, brokerage.ben)
    event = Event.objects.get(kind="issue.resolved", subject_id=row.pk)
    assert event.payload["resolution_days"] == 0 and event.payload["is_late"] is False
    with pytest.raises(Conflict):
        issue_resolve(actor=brokerage.ben, issue_id=row.pk, resolution="again")

    again = issue_reopen(actor=brokerage.ben, issue_id=row.pk, reason="Lender balked")
    assert (again.status, again.resolution, again.resolved_on) == ("open", "", None)
    audit = AuditEntry.objects.get(action="issue.reopened", object_id=row.pk)
    assert "Seller credited" in audit.changes["resolution"]
    with pytest.raises(Conflict):
        issue_reopen(actor=brokerage.ben, issue_id=row.pk)


def test_the_owner_must_be_an_active_member_of_the_org(brokerage, other, deal):
    for owner in (other.broker.pk, 999999):
        with pytest.raises(ValidationFailed) as bad:
            issue_raise(actor=brokerage.ben, deal_id=deal.pk, title="X", owner_id=owner)
        assert "owner_id" in bad.value.fields
    brokerage.chris.is_active = False
    brokerage.chris.save()
    with pytest.raises(ValidationFailed):
        issue_raise(actor=brokerage.ben, deal_id=deal.pk, title="X", owner_id=brokerage.chris.pk)
    with pytest.raises(ValidationFailed) as bad:
        issue_raise(actor=brokerage.ben, deal_id=deal.pk, title=" ")
    assert "title" in bad.value.fields


def test_an_update_changes_only_what_is_passed_and_none_clears(brokerage, deal):
    row = issue_raise(
        actor=brokerage.ben,
        deal_id=deal.pk,
        title="HOA docs late",
        owner_id=brokerage.ben.pk,
        due_on=date(2026, 9, 1),
    )
    changed = issue_update(actor=brokerage.ben, issue_id=row.pk, owner_id=None, title="HOA late")
    assert (changed.title, changed.owner_id, changed.due_on) == ("HOA late", None, date(2026, 9, 1))
    audit = AuditEntry.objects.get(action="issue.updated", object_id=row.pk)
    assert set(audit.changes) == {"title", "owner_id"}
    with pytest.raises(ValidationFailed):
        issue_update(actor=brokerage.ben, issue_id=row.pk, title="")
    with pytest.raises(ValidationFailed):
        issue_update(actor=brokerage.ben, issue_id=row.pk, owner_id=123456)


def test_a_deadline_must_be_of_the_same_deal(brokerage, deal):
    elsewhere = deal_for(brokerage.ben, accepted_on=org_today())
    theirs = deadline_add(actor=brokerage.ben, deal_id=elsewhere.pk, kind="inspection")
    mine = deadline_add(actor=brokerage.ben, deal_id=deal.pk, kind="inspection")
    with pytest.raises(ValidationFailed) as bad:
        issue_raise(actor=brokerage.ben, deal_id=deal.pk, title="X", deadline_id=theirs.pk)
    assert "deadline_id" in bad.value.fields
    row = issue_raise(actor=brokerage.ben, deal_id=deal.pk, title="X", deadline_id=mine.pk)
    assert row.deadline == mine


def test_nobody_outside_the_deal_raises_or_touches_its_issues(brokerage, other, deal):
    row = issue_raise(actor=brokerage.ben, deal_id=deal.pk, title="Survey shows a fence")
    for outsider in (other.broker, brokerage.maria):
        with pytest.raises(NotFound):
            issue_raise(actor=outsider, deal_id=deal.pk, title="X")
        with pytest.raises(NotFound):
            issue_resolve(actor=outsider, issue_id=row.pk, resolution="x")
        with pytest.raises(NotFound):
            issue_update(actor=outsider, issue_id=row.pk, title="x")
    # The broker sees the whole org, the agent's team lead does not lead Ben.
    assert issue_resolve(actor=brokerage.broker, issue_id=row.pk, resolution="Moved it").status


def test_the_log_lists_open_issues_first(brokerage, deal):
    early = issue_raise(actor=brokerage.ben, deal_id=deal.pk, title="Early")
    issue_resolve(actor=brokerage.ben, issue_id=early.pk, resolution="Done")
    late = issue_raise(actor=brokerage.ben, deal_id=deal.pk, title="Late")
    assert [i.pk for i in issue_list(deal=deal)] == [late.pk, early.pk]
