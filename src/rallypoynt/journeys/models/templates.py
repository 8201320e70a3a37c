"""An org's templates (copies of the shipped defaults it may edit) and their versions."""

from __future__ import annotations

from django.db import models

from rallypoynt.core.models import TenantModel
from rallypoynt.journeys.choices import Level, TemplateKind


class JourneyTemplate(TenantModel):
    """A journey or pipeline template of the org, or of one team when it overrides the org's."""

    key = models.CharField(max_length=60)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=TemplateKind.choices)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.TEAM)
    team = models.ForeignKey(
        "orgs.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The shipped default it was copied from ("" for one built from scratch).
    based_on = models.CharField(max_length=60, blank=True)
    is_archived = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "org",
                "kind",
                "key",
                condition=models.Q(team__isnull=True, is_archived=False),
                name="template_org_uniq",
            ),
            models.UniqueConstraint(
                "org",
                "kind",
                "key",
                "team",
                condition=models.Q(team__isnull=False, is_archived=False),
                name="template_team_uniq",
            ),
        ]
        indexes = [models.Index(fields=["org", "kind", "team"], name="template_org_kind")]

    def __str__(self) -> str:
        return self.name


class TemplateVersion(TenantModel):
    """One immutable state of a template: engagements keep the version they started on.

    A draft (`published_at` empty) can be edited; once published it never changes.
    """

    template = models.ForeignKey(JourneyTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    note = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "template", "number", name="templateversion_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
