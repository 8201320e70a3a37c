"""The issue resolution log of a deal: a problem raised early with an owner and a due date,
then resolved with what was done about it (and reopened when it comes back)."""

from __future__ import annotations

from datetime import date
from typing import Any, TypedDict, Unpack

from django.db import transaction

from rallypoynt.core.audit import audit_and_emit, model_changes
from rallypoynt.core.clock import local_today
from rallypoynt.core.errors import Conflict, NotFound, ValidationFailed
from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.choices import IssueStatus
from rallypoynt.transactions.models import Deadline, Deal, Issue
from rallypoynt.transactions.selectors import deal_visible_q
from rallypoynt.transactions.services.deal_lock import deal_for_update

# "Leave as it is" for issue_update, since None means "clear it" for owner and due date.
UNSET: Any = object()


def _check_title(title: str, errors: dict) -> str:
    if not title.strip() or len(title.strip()) > 200:
        errors["title"] = ["a text of 1 to 200 characters"]
    return title.strip()


def _check_owner(org_id: int, owner_id: int | None, errors: dict) -> None:
    if owner_id is None:
        return
    if not Membership.objects.filter(org_id=org_id, pk=owner_id, is_active=True).exists():
        errors["owner_id"] = ["an active member of this organization"]


def _record(row: Issue, actor: Membership, kind: str, **payload: Any) -> None:
    changes = payload.pop("changes", None)
    audit_and_emit(
        org_id=row.org_id,
        actor_id=actor.user_id,
        action=kind,
        target=row,
        changes=changes,
        kind=kind,
        payload={"deal_id": row.deal_id, **payload},
    )


def _issue_for_update(actor: Membership, issue_id: int) -> Issue:
    row = (
        Issue.objects.select_for_update(of=("self",))
        .filter(deal_visible_q(actor, "deal_id"), pk=issue_id)
        .first()
    )
    if row is None:
        raise NotFound("No such issue.")
    return row


def issue_create(
    *,
    actor: Membership,
    deal: Deal,
    title: str,
    description: str = "",
    owner_id: int | None = None,
    due_on: date | None = None,
    deadline_id: int | None = None,
) -> Issue:
    """Log an issue on a deal already loaded for update (the walk-through raises them too)."""
    errors: dict[str, list[str]] = {}
    title = _check_title(title, errors)
    _check_owner(deal.org_id, owner_id, errors)
    if (
        deadline_id is not None
        and not Deadline.objects.filter(org_id=deal.org_id, deal=deal, pk=deadline_id).exists()
    ):
        errors["deadline_id"] = ["a deadline of this deal"]
    if errors:
        raise ValidationFailed("The issue is not valid.", fields=errors)
    row = Issue.objects.create(
        org_id=deal.org_id,
        deal=deal,
        title=title,
        description=description.strip(),
        owner_id=owner_id,
        raised_on=local_today(deal.org),
        due_on=due_on,
        deadline_id=deadline_id,
    )
    _record(row, actor, "issue.raised", owner_id=owner_id)
    return row


class IssueDetails(TypedDict, total=False):
    """What an issue may say besides its title (the defaults are `issue_create`'s)."""

    description: str
    owner_id: int | None
    due_on: date | None
    deadline_id: int | None


@transaction.atomic
def issue_raise(
    *, actor: Membership, deal_id: int, title: str, **details: Unpack[IssueDetails]
) -> Issue:
    """Log a problem on a deal the actor works, with who owns it and when it must be solved."""
    deal = deal_for_update(actor, deal_id)
    return issue_create(actor=actor, deal=deal, title=title, **details)


@transaction.atomic
def issue_update(
    *,
    actor: Membership,
    issue_id: int,
    title: str = UNSET,
    description: str = UNSET,
    owner_id: int | None = UNSET,
    due_on: date | None = UNSET,
) -> Issue:
    """Change what an issue says, who owns it or when it is due; what is not passed stays."""
    row = _issue_for_update(actor, issue_id)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if title is not UNSET:
        values["title"] = _check_title(title or "", errors)
    if description is not UNSET:
        values["description"] = (description or "").strip()
    if owner_id is not UNSET:
        _check_owner(row.org_id, owner_id, errors)
        values["owner_id"] = owner_id
    if due_on is not UNSET:
        values["due_on"] = due_on
    if errors:
        raise ValidationFailed("The issue is not valid.", fields=errors)
    before = {name: getattr(row, name) for name in values}
    for name, value in values.items():
        setattr(row, name, value)
    row.save(update_fields=[*values, "updated_at"])
    changes = model_changes(row, list(values), before)
    if changes:
        _record(row, actor, "issue.updated", changes=changes, fields=sorted(changes))
    return row


@transaction.atomic
def issue_resolve(
    *, actor: Membership, issue_id: int, resolution: str, resolved_on: date | None = None
) -> Issue:
    """Close an issue with what was done about it (required: the log is for learning)."""
    row = _issue_for_update(actor, issue_id)
    today = local_today(actor.org)
    resolved_on = resolved_on or today
    errors: dict[str, list[str]] = {}
    if not resolution.strip():
        errors["resolution"] = ["say how it was resolved"]
    if resolved_on < row.raised_on:
        errors["resolved_on"] = [f"on or after the day it was raised ({row.raised_on})"]
    elif resolved_on > today:
        errors["resolved_on"] = ["not in the future"]
    if errors:
        raise ValidationFailed("The resolution is not valid.", fields=errors)
    if row.status == IssueStatus.RESOLVED:
        raise Conflict("It is resolved already.", fields={"status": [row.status]})
    row.status, row.resolution = IssueStatus.RESOLVED, resolution.strip()
    row.resolved_on, row.resolved_by = resolved_on, actor
    row.save(update_fields=["status", "resolution", "resolved_on", "resolved_by", "updated_at"])
    _record(
        row,
        actor,
        "issue.resolved",
        resolution_days=(resolved_on - row.raised_on).days,
        is_late=bool(row.due_on and resolved_on > row.due_on),
    )
    return row


@transaction.atomic
def issue_reopen(*, actor: Membership, issue_id: int, reason: str = "") -> Issue:
    """The problem came back: open the issue again; the old resolution is kept in the audit."""
    row = _issue_for_update(actor, issue_id)
    if row.status != IssueStatus.RESOLVED:
        raise Conflict("It is open already.", fields={"status": [row.status]})
    before = {"resolution": row.resolution, "resolved_on": str(row.resolved_on)}
    row.status, row.resolution, row.resolved_on, row.resolved_by = IssueStatus.OPEN, "", None, None
    row.save(update_fields=["status", "resolution", "resolved_on", "resolved_by", "updated_at"])
    _record(row, actor, "issue.reopened", changes=before, reason=reason.strip()[:300])
    return row
