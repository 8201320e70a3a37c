"""The final walk-through report: each area checked, what was found, who was there. A
problem found goes on the issue log; a clean walk-through satisfies the deal's walk-through
deadline."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from rallypoynt.core.audit import audit_and_emit
from rallypoynt.core.clock import local_today
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.events import event_emit
from rallypoynt.core.timefmt import day_text
from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.choices import RESOLVED, DeadlineKind, DeadlineStatus
from rallypoynt.transactions.models import Deadline, Deal, WalkthroughReport
from rallypoynt.transactions.services.deal_lock import deal_for_update
from rallypoynt.transactions.services.issues import issue_create
from rallypoynt.transactions.services.journey_link import journeys_follow

FINDING_FIELDS = frozenset({"area", "ok", "note"})
MAX_FINDINGS = 60


def walkthrough_findings_parse(findings: Any) -> list[dict[str, Any]]:
    """[{area, ok, note}], each checked; errors are named by path (`findings[2].ok`)."""
    if not isinstance(findings, list) or not 1 <= len(findings) <= MAX_FINDINGS:
        raise ValidationFailed(
            "What was checked?", fields={"findings": [f"1 to {MAX_FINDINGS} areas"]}
        )
    errors: dict[str, list[str]] = {}
    parsed = []
    for i, row in enumerate(findings):
        path = f"findings[{i}]"
        if not isinstance(row, dict):
            errors[path] = ["a mapping of area, ok, note"]
            continue
        for name in sorted(set(row) - FINDING_FIELDS, key=str):
            errors[f"{path}.{name}"] = ["unknown field"]
        area, ok, note = row.get("area"), row.get("ok"), row.get("note") or ""
        area = area.strip() if isinstance(area, str) else ""
        if not area or len(area) > 100:
            errors[f"{path}.area"] = ["a text of 1 to 100 characters"]
        if not isinstance(ok, bool):
            errors[f"{path}.ok"] = ["true or false"]
        if not isinstance(note, str) or len(note) > 1000:
            errors[f"{path}.note"] = ["a text of at most 1000 characters"]
        if not any(name == path or name.startswith(f"{path}.") for name in errors):
            parsed.append({"area": area, "ok": ok, "note": note.strip()})
    if errors:
        first = next(iter(errors))
        raise ValidationFailed(f"{first}: {errors[first][0]}", fields=errors)
    return parsed


def _satisfy_walkthrough_deadlines(deal: Deal, actor: Membership) -> list[Deadline]:
    """The clean walk-through satisfies the open walk-through deadline (no due-time change,
    so no DeadlineChange)."""
    rows = list(
        Deadline.objects.select_for_update()
        .filter(org_id=deal.org_id, deal=deal, kind=DeadlineKind.FINAL_WALKTHROUGH)
        .exclude(status__in=RESOLVED)
    )
    now = timezone.now()
    for row in rows:
        row.status, row.resolved_at, row.resolved_by = DeadlineStatus.SATISFIED, now, actor
        row.save(update_fields=["status", "resolved_at", "resolved_by", "updated_at"])
        event_emit(
            org_id=row.org_id,
            kind="deadline.satisfied",
            subject=row,
            actor_id=actor.user_id,
            payload={
                "deal_id": deal.pk,
                "kind": row.kind,
                "note": "final walk-through found everything in order",
                "resolution_days": (
                    (local_today(deal.org, now) - deal.accepted_on).days
                    if deal.accepted_on
                    else None
                ),
                "is_late": bool(row.due_at and now > row.due_at),
            },
        )
    return rows


@transaction.atomic
def walkthrough_record(
    *,
    actor: Membership,
    deal_id: int,
    done_on: date,
    findings: list[dict[str, Any]],
    attendees: str = "",
    notes: str = "",
) -> WalkthroughReport:
    """Record the final walk-through; each area not in order becomes an issue owned by the
    actor, and a walk-through with everything in order satisfies the walk-through deadline."""
    deal = deal_for_update(actor, deal_id)
    rows = walkthrough_findings_parse(findings)
    if done_on > local_today(deal.org):
        raise ValidationFailed("Not done yet?", fields={"done_on": ["not in the future"]})
    if len(attendees.strip()) > 300:
        raise ValidationFailed("Too long.", fields={"attendees": ["at most 300 characters"]})
    is_ok = all(row["ok"] for row in rows)
    report = WalkthroughReport.objects.create(
        org_id=deal.org_id,
        deal=deal,
        done_on=done_on,
        attendees=attendees.strip(),
        findings=rows,
        is_ok=is_ok,
        notes=notes.strip(),
        author=actor,
    )
    today = local_today(deal.org)
    due_on = deal.closing_on if deal.closing_on and deal.closing_on >= today else None
    issues = [
        issue_create(
            actor=actor,
            deal=deal,
            title=f"Walk-through: {row['area']}"[:200],
            description=row["note"] or "Found at the final walk-through.",
            owner_id=actor.pk,
            due_on=due_on,
        )
        for row in rows
        if not row["ok"]
    ]
    satisfied = _satisfy_walkthrough_deadlines(deal, actor) if is_ok else []
    if is_ok:
        cleared = event_emit(
            org_id=deal.org_id,
            kind="walkthrough.cleared",
            subject=deal,
            actor_id=actor.user_id,
            payload={"report_id": report.pk, "done_on": done_on.isoformat()},
        )
        journeys_follow(deal, cleared, f"the final walk-through on {day_text(done_on)}")
    audit_and_emit(
        org_id=deal.org_id,
        actor_id=actor.user_id,
        action="walkthrough.record",
        target=report,
        kind="walkthrough.recorded",
        payload={
            "deal_id": deal.pk,
            "is_ok": is_ok,
            "issue_ids": [i.pk for i in issues],
            "deadline_ids": [d.pk for d in satisfied],
        },
    )
    return report
