"""Engagements: one client journey (buy or sell) for one or more contacts, with one agent."""

from __future__ import annotations

from django.db import models

from rallypoynt.core.models import TenantModel
from rallypoynt.journeys.choices import EngagementStatus, Side


class Engagement(TenantModel):
    """Where a client stands: current phase of the journey and stage of the pipeline."""

    title = models.CharField(max_length=200)
    side = models.CharField(max_length=4, choices=Side.choices)
    agent = models.ForeignKey("orgs.Membership", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        "orgs.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    journey = models.ForeignKey(
        "journeys.TemplateVersion", on_delete=models.PROTECT, related_name="engagements"
    )
    pipeline = models.ForeignKey(
        "journeys.TemplateVersion", on_delete=models.PROTECT, related_name="pipeline_engagements"
    )
    phase_key = models.CharField(max_length=60)
    phase_entered_at = models.DateTimeField()
    stage_key = models.CharField(max_length=60)
    stage_entered_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=EngagementStatus.choices, default=EngagementStatus.ACTIVE
    )
    lost_reason = models.TextField(blank=True)
    lost_reason_choice = models.ForeignKey(
        "journeys.LostReason",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Won by a closing: the deal's final price and the commission it brought.
    won_price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    won_commission = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    expected_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    inquiry = models.ForeignKey(
        "leads.LeadInquiry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="engagements",
    )
    contacts = models.ManyToManyField(
        "contacts.Contact", through="journeys.EngagementContact", related_name="engagements"
    )

    class Meta:
        indexes = [
            # The board: counts per column, and each column's longest-waiting cards first.
            models.Index(
                fields=["org", "status", "stage_key", "stage_entered_at", "id"],
                name="engagement_board_stage",
            ),
            models.Index(
                fields=["org", "status", "phase_key", "phase_entered_at", "id"],
                name="engagement_board_phase",
            ),
            models.Index(fields=["org", "agent", "status"], name="engagement_org_agent"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def lost_reason_key(self) -> str | None:
        """The key of the org's lost reason it was closed with (None unless lost)."""
        return self.lost_reason_choice.key if self.lost_reason_choice_id else None


class EngagementContact(TenantModel):
    """A client of the engagement (the first is its primary: a couple buys together)."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="clients")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    is_primary = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "engagement", "contact", name="engagementcontact_uniq"),
        ]
        indexes = [models.Index(fields=["org", "contact"], name="engagementcontact_contact")]


class LostReason(TenantModel):
    """Why engagements are lost, in the org's own list (defaults: see `LOST_REASONS`)."""

    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "key", name="lostreason_org_key"),
        ]
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label
