"""Deadlines (contingencies and milestones) as rules, their computed due time, and history."""

from __future__ import annotations

from django.db import models
from django.db.models import Case, Value, When

from rallypoynt.core.models import TenantModel
from rallypoynt.transactions.choices import Anchor, DeadlineKind, DeadlineStatus
from rallypoynt.transactions.domain import DayType, Roll, Unit


class Deadline(TenantModel):
    """A contingency or milestone: a rule from an anchor, and when that puts it."""

    deal = models.ForeignKey(
        "transactions.Deal", on_delete=models.CASCADE, related_name="deadlines"
    )
    kind = models.CharField(max_length=20, choices=DeadlineKind.choices)
    name = models.CharField(max_length=120)
    is_contingency = models.BooleanField(default=False)
    anchor = models.CharField(max_length=10, choices=Anchor.choices, default=Anchor.ACCEPTANCE)
    anchor_deadline = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="dependents"
    )
    anchor_on = models.DateField(null=True, blank=True)
    amount = models.IntegerField(default=0)
    unit = models.CharField(max_length=5, choices=[(u, u) for u in Unit], default=Unit.DAYS)
    day_type = models.CharField(
        max_length=8, choices=[(d, d) for d in DayType], default=DayType.CALENDAR
    )
    roll = models.CharField(max_length=24, choices=[(r, r) for r in Roll], default=Roll.NONE)
    time_of_day = models.TimeField(default="23:59")
    due_on = models.DateField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Open or extended: kept by the database so "open, by due time" is one ordered index range.
    is_open = models.GeneratedField(
        expression=Case(
            When(status__in=["open", "extended"], then=Value(True)),
            default=Value(False),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    # Who is reminded and alerted (a role on the deal: agent, transaction coordinator...).
    responsible_role = models.CharField(max_length=30, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["org", "is_open", "due_at"], name="deadline_org_open_due"),
            # "Open deadlines due soon across these deals" walks this index per deal.
            models.Index(
                fields=["org", "deal", "is_open", "due_at"], name="deadline_deal_open_due"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DeadlineChange(TenantModel):
    """Every move of a deadline's due time (an amendment, a recomputation), kept for good."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="changes")
    due_at_before = models.DateTimeField(null=True, blank=True)
    due_at_after = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300)
    changed_by = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class DeadlineNotice(TenantModel):
    """A reminder before a deadline (`minutes_before` > 0) or the alert once it passed
    unresolved (0): sent once each, so the hourly pass can run any number of times."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="notices")
    minutes_before = models.IntegerField()
    sent_at = models.DateTimeField()
    recipients = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "org", "deadline", "minutes_before", name="deadlinenotice_once"
            ),
        ]
