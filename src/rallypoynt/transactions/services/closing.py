"""The end of a deal: closing (final price, commission made final, the transaction summary
record, journeys on to Closing & Transition) or termination after a failed contingency."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from rallypoynt.core.audit import audit_and_emit
from rallypoynt.core.clock import local_today
from rallypoynt.core.errors import Conflict, ValidationFailed
from rallypoynt.core.events import event_emit
from rallypoynt.core.timefmt import day_text
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.services import notification_send
from rallypoynt.transactions import selectors
from rallypoynt.transactions.choices import (
    UNRESOLVED,
    DeadlineKind,
    DeadlineStatus,
    DealStatus,
)
from rallypoynt.transactions.models import Commission, Deadline, Deal, Issue
from rallypoynt.transactions.models import DealSummary as Summary
from rallypoynt.transactions.selectors import summary_record
from rallypoynt.transactions.services.checklists import checklists_apply
from rallypoynt.transactions.services.commission import commissions_finalize
from rallypoynt.transactions.services.deal_lock import deal_for_update
from rallypoynt.transactions.services.journey_link import (
    journeys_follow,
    journeys_return,
    journeys_win,
)

LIVE = (DealStatus.UNDER_CONTRACT, DealStatus.PENDING)


def _live(deal: Deal) -> None:
    if deal.status not in LIVE:
        raise Conflict(
            f"The deal is {deal.get_status_display().lower()}.", fields={"status": [deal.status]}
        )


def _close_checked(deal: Deal, closed_on: date, final_price: Decimal) -> None:
    errors: dict[str, list[str]] = {}
    if final_price is None or final_price <= 0:
        errors["final_price"] = ["a positive amount"]
    if closed_on > local_today(deal.org):
        errors["closed_on"] = ["not in the future: record the closing once it happened"]
    elif deal.accepted_on and closed_on < deal.accepted_on:
        errors["closed_on"] = ["on or after the acceptance date"]
    if errors:
        raise ValidationFailed("The closing is not valid.", fields=errors)
    still_open = deal.deadlines.filter(is_contingency=True, status__in=UNRESOLVED)
    names = sorted(still_open.values_list("name", flat=True))
    if names:
        raise Conflict(
            "Contingencies are still open: remove, waive or fail them first.",
            fields={"contingencies": names},
        )


def _milestones_met(deal: Deal, actor: Membership, now: datetime) -> None:
    """The closing (and, if still open, the walk-through) happened with the closing."""
    Deadline.objects.filter(
        org_id=deal.org_id,
        deal=deal,
        kind__in=(DeadlineKind.CLOSING, DeadlineKind.FINAL_WALKTHROUGH),
        status__in=UNRESOLVED,
    ).update(status=DeadlineStatus.SATISFIED, resolved_at=now, resolved_by=actor, updated_at=now)


@transaction.atomic
def deal_close(
    *,
    actor: Membership,
    deal_id: int,
    closed_on: date,
    final_price: Decimal,
    possession_on: date | None = None,
) -> Deal:
    """Record the closing; commission becomes final and the summary record is written."""
    deal = deal_for_update(actor, deal_id)
    _live(deal)
    _close_checked(deal, closed_on, final_price)
    now = timezone.now()
    deal.status, deal.final_price, deal.closed_on = DealStatus.CLOSED, final_price, closed_on
    deal.possession_on = possession_on or deal.possession_on
    deal.save()
    _milestones_met(deal, actor, now)
    commissions_finalize(deal=deal, closed_on=closed_on, actor=actor)
    summary = Summary.objects.create(
        org_id=deal.org_id, deal=deal, outcome="closed", record=summary_record(deal)
    )
    event = audit_and_emit(
        org_id=deal.org_id,
        actor_id=actor.user_id,
        action="transaction.close",
        target=deal,
        kind="transaction.closed",
        payload={
            "final_price": str(final_price),
            "closed_on": closed_on.isoformat(),
            "days_to_close": summary.record["dates"]["days_contract_to_close"],
        },
    )
    journeys_win(deal, event, actor)
    journeys_follow(deal, event, f"the closing of {deal} on {day_text(closed_on)}")
    return deal


def termination_start(deal: Deal, deadline: Deadline, actor: Membership) -> Issue:
    """A contingency failed: log the issue, add the termination checklist, tell the team."""
    issue = Issue.objects.create(
        org_id=deal.org_id,
        deal=deal,
        title=f"{deadline.name} failed",
        description="Decide with the client: terminate, renegotiate, or waive by amendment.",
        owner=actor,
        raised_on=local_today(deal.org),
        due_on=local_today(deal.org),
        deadline=deadline,
    )
    checklists_apply(deal=deal, kinds=["termination"], actor=actor)
    for member in selectors.deal_recipients(deal):
        if member.pk != actor.pk:
            notification_send(
                recipient=member,
                kind="transaction.contingency_failed",
                title=f"{deadline.name} failed on {deal}"[:200],
                body="The termination checklist is on the deal.",
                link=f"/transactions/{deal.pk}/",
            )
    event_emit(
        org_id=deal.org_id,
        kind="transaction.termination_started",
        subject=deal,
        actor_id=actor.user_id,
        payload={"deadline_id": deadline.pk, "issue_id": issue.pk},
    )
    return issue


@transaction.atomic
def deal_terminate(
    *,
    actor: Membership,
    deal_id: int,
    reason: str,
    terminated_on: date | None = None,
) -> Deal:
    """End the contract: open deadlines are waived with it, projected commission goes, and
    the engagements go back to the phase before the deal."""
    deal = deal_for_update(actor, deal_id)
    _live(deal)
    if not reason.strip():
        raise ValidationFailed("Say why the deal ended.", fields={"reason": ["required"]})
    now = timezone.now()
    deal.status, deal.terminated_reason = DealStatus.TERMINATED, reason.strip()
    deal.terminated_on = terminated_on or local_today(deal.org)
    deal.save()
    deal.deadlines.filter(status__in=UNRESOLVED).update(
        status=DeadlineStatus.WAIVED, resolved_at=now, resolved_by=actor, updated_at=now
    )
    Commission.objects.filter(org_id=deal.org_id, deal=deal).delete()
    Summary.objects.create(
        org_id=deal.org_id, deal=deal, outcome="terminated", record=summary_record(deal)
    )
    journeys_return(deal, actor, f"The deal at {deal} ended: {deal.terminated_reason}")
    audit_and_emit(
        org_id=deal.org_id,
        actor_id=actor.user_id,
        action="transaction.terminate",
        target=deal,
        changes={"reason": deal.terminated_reason},
        kind="transaction.terminated",
        payload={"reason": deal.terminated_reason},
    )
    return deal
