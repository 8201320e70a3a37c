"""Saved contact lists (smart lists) and import jobs."""

from __future__ import annotations

from django.db import models

from rallypoynt.contacts.choices import ImportStatus
from rallypoynt.core.models import TenantModel


class SmartList(TenantModel):
    """A saved filter over contacts (see contacts.filters.ContactFilters for the keys)."""

    name = models.CharField(max_length=120)
    owner = models.ForeignKey(
        "orgs.Membership", on_delete=models.CASCADE, related_name="smart_lists"
    )
    filters = models.JSONField(default=dict)
    is_shared = models.BooleanField(default=False, help_text="Visible to the whole org")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint("org", "owner", "name", name="smartlist_owner_name_uniq")
        ]

    def __str__(self) -> str:
        return self.name


class ImportJob(TenantModel):
    """One import of a CSV or vCard file, with its column mapping and per-row results."""

    created_by = models.ForeignKey(
        "orgs.Membership", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        "orgs.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Owner of the imported contacts",
    )
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    filename = models.CharField(max_length=255)
    file_format = models.CharField(max_length=10, default="csv")
    mapping = models.JSONField(default=dict, blank=True)
    is_dry_run = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_duplicate = models.PositiveIntegerField(default=0)
    rows_failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.filename
