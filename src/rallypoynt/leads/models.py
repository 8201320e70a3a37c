"""Lead intake: inquiries, the review queue, idempotency, routing rules and lead settings."""

from __future__ import annotations

from django.db import models

from rallypoynt.contacts.choices import Channel, LeadType
from rallypoynt.core.models import TenantModel
from rallypoynt.leads.choices import InquiryStatus, ReviewStatus, RoutingAction

DEFAULT_ACK_SUBJECT = "Thanks for reaching out to {{ org_name }}"
DEFAULT_ACK_BODY = (
    "Hi {{ first_name|default:'there' }},\n\n"
    "Thank you for your inquiry{% if property_address %} about {{ property_address }}{% endif %}. "
    "{{ agent_name|default:'One of our agents' }} will contact you shortly.\n\n"
    "{{ org_name }}"
)


class LeadInquiry(TenantModel):
    """One inquiry from a lead, by any channel; answered within the first-response target."""

    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="inquiries"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    source = models.CharField(max_length=100, blank=True)
    lead_type = models.CharField(max_length=10, choices=LeadType.choices, default=LeadType.BUYER)
    message = models.TextField(blank=True)
    timeframe = models.CharField(max_length=100, blank=True)
    property = models.JSONField(default=dict, blank=True)
    price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    language = models.CharField(max_length=10, blank=True)
    received_at = models.DateTimeField()
    is_deduplicated = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=InquiryStatus.choices, default=InquiryStatus.NEW
    )
    assigned_to = models.ForeignKey(
        "orgs.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_inquiries",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    routing_rule = models.ForeignKey(
        "leads.RoutingRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    routing_reason = models.TextField(blank=True)
    pond_team = models.ForeignKey(
        "orgs.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claim_deadline_at = models.DateTimeField(null=True, blank=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    first_response_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Business minutes from receipt to first response"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_reason = models.TextField(blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # When a worker took the acknowledgement on (set before the send, under the contact's
    # lock): other leads of the person within the window see it and stay quiet.
    ack_claimed_at = models.DateTimeField(null=True, blank=True)
    ack_skipped_reason = models.CharField(max_length=200, blank=True)
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "lead inquiries"
        indexes = [
            models.Index(fields=["org", "status", "-received_at"], name="inquiry_org_status"),
            models.Index(fields=["org", "assigned_to", "status"], name="inquiry_org_assignee"),
            models.Index(fields=["org", "contact"], name="inquiry_org_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.get_lead_type_display()} inquiry from {self.source or self.channel}"


class LeadReviewItem(TenantModel):
    """A lead message that could not be parsed: kept with the reason, never dropped."""

    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    subject = models.CharField(max_length=300, blank=True)
    sender = models.CharField(max_length=300, blank=True)
    raw = models.TextField(help_text="The message as received")
    reason = models.TextField()
    received_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    resolved_by = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    inquiry = models.ForeignKey(
        LeadInquiry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["org", "status", "-received_at"], name="review_org_status")]

    def __str__(self) -> str:
        return self.subject or f"Review item {self.pk}"


class IdempotencyKey(TenantModel):
    """The answer given to a request with an Idempotency-Key, replayed for retries."""

    key = models.CharField(max_length=200)
    scope = models.CharField(max_length=60)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "scope", "key", name="idempotencykey_uniq"),
        ]


class RoutingRule(TenantModel):
    """Ordered rule: when a lead matches every condition set, route it by `action`."""

    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    sources = models.JSONField(default=list, blank=True)
    lead_types = models.JSONField(default=list, blank=True)
    postal_codes = models.JSONField(default=list, blank=True)
    cities = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    price_min = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    price_max = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    action = models.CharField(max_length=12, choices=RoutingAction.choices)
    assignee = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        "orgs.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pond_timeout_minutes = models.PositiveIntegerField(default=15)
    # Next index in the team's member list; persisted so round robin is fair across restarts.
    rr_position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["org", "is_active", "position"], name="rule_org_order")]

    def __str__(self) -> str:
        return self.name


class LeadSettings(TenantModel):
    """An org's lead-handling settings: response target, acknowledgement, escalation."""

    first_response_minutes = models.PositiveIntegerField(
        default=60, help_text="Business minutes to the first touchpoint (the seed's 1 hour)"
    )
    is_ack_enabled = models.BooleanField(default=True)
    # One acknowledgement per person per this many hours, whatever the number of leads
    # (0: every lead is acknowledged).
    ack_window_hours = models.PositiveSmallIntegerField(default=24)
    ack_subject = models.CharField(max_length=200, default=DEFAULT_ACK_SUBJECT)
    ack_body = models.TextField(default=DEFAULT_ACK_BODY)
    is_reassign_on_escalation = models.BooleanField(default=False)
    default_assignee = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "lead settings"
        constraints = [models.UniqueConstraint("org", name="leadsettings_one_per_org")]
