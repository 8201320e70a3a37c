"""Touchpoints (every call, e-mail, text, meeting and note) and tasks."""

from __future__ import annotations

from django.db import models

from rallypoynt.contacts.choices import Direction, Outcome, TouchpointKind
from rallypoynt.core.models import TenantModel


class Touchpoint(TenantModel):
    """One interaction with a contact; the contact's timeline is made of these."""

    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="touchpoints"
    )
    kind = models.CharField(max_length=10, choices=TouchpointKind.choices)
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.OUTBOUND
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField()
    summary = models.TextField(blank=True)
    logged_by = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Automatic messages (lead acknowledgements) never count as a person's first response.
    is_automated = models.BooleanField(default=False)
    inquiry = models.ForeignKey(
        "leads.LeadInquiry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="touchpoints",
    )

    class Meta:
        indexes = [
            models.Index(fields=["org", "contact", "-occurred_at"], name="touchpoint_contact_at"),
            models.Index(fields=["org", "logged_by", "-occurred_at"], name="touchpoint_member_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


class Task(TenantModel):
    """Something a member must do, by a time, usually about a contact."""

    title = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    assignee = models.ForeignKey(
        "orgs.Membership", on_delete=models.CASCADE, related_name="assigned_tasks"
    )
    created_by = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["org", "assignee", "completed_at", "due_at"], name="task_assignee_open_due"
            ),
            models.Index(fields=["org", "contact"], name="task_org_contact"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None
