"""Background jobs for speed to lead: acknowledgement, first-response check, pond timeout.

Each takes an inquiry id, calls one service and is safe to run twice or early: the services
re-check state and time under a row lock. A check that runs before its time (a backend that
cannot defer, or clock skew between machines) reschedules itself when the backend can defer.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

from rallypoynt.core.jobs import enqueue_at
from rallypoynt.leads.models import LeadInquiry
from rallypoynt.leads.services.assignment import inquiry_pond_expire
from rallypoynt.leads.services.sla import inquiry_sla_enforce
from rallypoynt.leads.services.speed_to_lead import inquiry_acknowledge_send


def _again(job: Task, when: datetime | None, *args) -> None:
    # Without deferral the retry would run at once and loop; the first run simply did nothing.
    if when is not None and job.get_backend().supports_defer:
        job.using(run_after=max(when, timezone.now())).enqueue(*args)


@task()
def inquiry_followups(inquiry_id: int) -> bool:
    """After intake: arm the first-response check, then acknowledge the lead.

    One job per lead keeps intake's own work small; the check is queued first so a failing
    acknowledgement cannot leave the lead without its deadline.
    """
    due = (
        LeadInquiry.objects.filter(pk=inquiry_id)
        .values_list("first_response_due_at", flat=True)
        .first()
    )
    if due is not None:
        enqueue_at(inquiry_sla_check, due, inquiry_id)
    return inquiry_acknowledge_send(inquiry_id=inquiry_id)


def _moment(inquiry_id: int, field: str) -> datetime | None:
    """When the inquiry is due again (its `field`), as stored now."""
    return LeadInquiry.objects.filter(pk=inquiry_id).values_list(field, flat=True).first()


@task()
def inquiry_acknowledge(inquiry_id: int) -> bool:
    """Send the lead its acknowledgement once."""
    return inquiry_acknowledge_send(inquiry_id=inquiry_id)


@task()
def inquiry_sla_check(inquiry_id: int) -> str:
    """Escalate the inquiry if nobody answered it by its first-response due time."""
    outcome = inquiry_sla_enforce(inquiry_id=inquiry_id)
    if outcome == "not_due":
        _again(inquiry_sla_check, _moment(inquiry_id, "first_response_due_at"), inquiry_id)
    return outcome


@task()
def inquiry_pond_timeout(inquiry_id: int) -> str:
    """Assign a pond lead nobody claimed by its deadline."""
    outcome = inquiry_pond_expire(inquiry_id=inquiry_id)
    if outcome == "not_due":
        _again(inquiry_pond_timeout, _moment(inquiry_id, "claim_deadline_at"), inquiry_id)
    return outcome
