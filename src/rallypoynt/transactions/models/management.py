"""Managing a deal: checklists from templates, the issue log, progress updates, the final
walk-through report and the summary kept at closing."""

from __future__ import annotations

from django.db import models

from rallypoynt.core.models import TenantModel
from rallypoynt.transactions.choices import ChecklistKind, IssueStatus, ItemStatus


class ChecklistTemplate(TenantModel):
    """An org's checklist for a kind, side and state ("" = every state); items are rules:
    [{"key", "title", "anchor": acceptance|closing, "days", "day_type", "role"}]."""

    kind = models.CharField(max_length=16, choices=ChecklistKind.choices)
    side = models.CharField(max_length=4, blank=True)  # buy | sell | "" for both
    state = models.CharField(max_length=10, blank=True)
    name = models.CharField(max_length=120)
    items = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "kind", "side", "state", name="checklisttemplate_uniq"),
        ]


class ChecklistItem(TenantModel):
    """One task on a deal's checklist, due relative to the contract dates."""

    deal = models.ForeignKey(
        "transactions.Deal", on_delete=models.CASCADE, related_name="checklist_items"
    )
    kind = models.CharField(max_length=16, choices=ChecklistKind.choices)
    key = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    responsible_role = models.CharField(max_length=30, blank=True)
    anchor = models.CharField(max_length=10, blank=True)  # acceptance | closing | "" (no date)
    offset_days = models.IntegerField(default=0)
    day_type = models.CharField(max_length=8, default="calendar")
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=4, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "deal", "kind", "key", name="checklistitem_uniq"),
        ]
        indexes = [
            models.Index(fields=["org", "deal", "kind", "position"], name="checklist_deal"),
        ]


class Issue(TenantModel):
    """The issue resolution log: a problem, who owns it, how and when it was resolved."""

    deal = models.ForeignKey("transactions.Deal", on_delete=models.CASCADE, related_name="issues")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    raised_on = models.DateField()
    due_on = models.DateField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    resolved_on = models.DateField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The deadline whose failure raised it (the termination flow), when there is one.
    deadline = models.ForeignKey(
        "transactions.Deadline", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["org", "deal", "status"], name="issue_org_deal")]


class ProgressUpdate(TenantModel):
    """A progress report: the agent's note and a snapshot of where the deal stands,
    e-mailed to the clients when asked."""

    deal = models.ForeignKey(
        "transactions.Deal", on_delete=models.CASCADE, related_name="progress_updates"
    )
    author = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField()
    snapshot = models.JSONField(default=dict)
    recipients = models.JSONField(default=list, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)


class WalkthroughReport(TenantModel):
    """The final walk-through: what was checked, what was found, and who was there."""

    deal = models.ForeignKey(
        "transactions.Deal", on_delete=models.CASCADE, related_name="walkthroughs"
    )
    done_on = models.DateField()
    attendees = models.CharField(max_length=300, blank=True)
    # [{"area": "Kitchen", "ok": true, "note": ""}, ...]
    findings = models.JSONField(default=list)
    is_ok = models.BooleanField()
    notes = models.TextField(blank=True)
    author = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class OrgOneToOneField(models.OneToOneField):
    """A one-to-one link whose uniqueness is the model's (org, link) constraint.

    It reads like a OneToOneField (`deal.summary`), but declares no unique index of its own:
    every unique constraint on a tenant table includes org (ADR 0009).
    """

    def __init__(self, to, on_delete, to_field=None, **kwargs):
        kwargs.pop("unique", None)
        models.ForeignKey.__init__(self, to, on_delete, to_field=to_field, **kwargs)


class DealSummary(TenantModel):
    """The transaction summary record written at closing (or termination): kept as it was."""

    deal = OrgOneToOneField("transactions.Deal", on_delete=models.CASCADE, related_name="summary")
    outcome = models.CharField(max_length=12)  # closed | terminated
    record = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "deal", name="dealsummary_uniq"),
        ]
