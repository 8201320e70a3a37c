"""What happened to an engagement, row by row: the metrics issue reads only these and events.

Phase and stage visits give time in each phase and stage; step completions give who did what
and when against the due time; gate decisions give who approved or rejected and why.
"""

from __future__ import annotations

from django.db import models

from rallypoynt.core.models import TenantModel
from rallypoynt.journeys.choices import GateVerdict, VisitExit

ENGAGEMENT = "journeys.Engagement"


class _Visit(TenantModel):
    engagement = models.ForeignKey(ENGAGEMENT, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=60)
    entered_at = models.DateTimeField()
    entered_by = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    exited_at = models.DateTimeField(null=True, blank=True)
    exited_by = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    exit = models.CharField(max_length=12, choices=VisitExit.choices, blank=True)

    class Meta:
        abstract = True


class PhaseVisit(_Visit):
    """One stay of an engagement in a journey phase (a phase may be visited again)."""

    class Meta:
        indexes = [
            models.Index(fields=["org", "engagement", "entered_at"], name="phasevisit_eng"),
            models.Index(fields=["org", "key", "entered_at"], name="phasevisit_key"),
        ]


class StageVisit(_Visit):
    """One stay of an engagement in a sales-pipeline stage."""

    class Meta:
        indexes = [
            models.Index(fields=["org", "engagement", "entered_at"], name="stagevisit_eng"),
            models.Index(fields=["org", "key", "entered_at"], name="stagevisit_key"),
        ]


class StepCompletion(TenantModel):
    """A step marked done (or undone later: the row stays, `undone_at` says so)."""

    engagement = models.ForeignKey(ENGAGEMENT, on_delete=models.CASCADE, related_name="+")
    phase_key = models.CharField(max_length=60)
    step_key = models.CharField(max_length=60)
    due_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField()
    completed_by = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What did it when no person ticked it: the domain event that proves the work.
    event = models.ForeignKey(
        "core.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=200, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "org",
                "engagement",
                "phase_key",
                "step_key",
                condition=models.Q(undone_at__isnull=True),
                name="stepcompletion_one_live",
            ),
        ]
        indexes = [models.Index(fields=["org", "engagement"], name="stepcompletion_eng")]


class DeliverableRecord(TenantModel):
    """A deliverable on file for the engagement (a link or note says where it is)."""

    engagement = models.ForeignKey(ENGAGEMENT, on_delete=models.CASCADE, related_name="+")
    phase_key = models.CharField(max_length=60)
    deliverable_key = models.CharField(max_length=60)
    note = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.ForeignKey(
        "core.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "org", "engagement", "phase_key", "deliverable_key", name="deliverable_uniq"
            ),
        ]


class GateDecision(TenantModel):
    """An approval or rejection of a phase's gate: who, when and why."""

    engagement = models.ForeignKey(ENGAGEMENT, on_delete=models.CASCADE, related_name="+")
    phase_key = models.CharField(max_length=60)
    verdict = models.CharField(max_length=10, choices=GateVerdict.choices)
    reason = models.TextField(blank=True)
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["org", "engagement", "phase_key"], name="gate_eng_phase")]


class Handoff(TenantModel):
    """Work passing to the member who holds a step's role; accepted when they take it."""

    engagement = models.ForeignKey(ENGAGEMENT, on_delete=models.CASCADE, related_name="+")
    phase_key = models.CharField(max_length=60)
    step_key = models.CharField(max_length=60)
    role = models.CharField(max_length=30)
    from_member = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_member = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    task = models.ForeignKey(
        "contacts.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    # Closed when its work is done or no longer wanted (the step done, the engagement moved
    # back or closed); a closed handoff cannot be accepted.
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["org", "to_member", "accepted_at"], name="handoff_receiver"),
        ]
