"""Reads of journey and pipeline templates: the org's templates and versions, a version's
parsed blueprint, and whether an engagement's template has moved on."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from rallypoynt.journeys.choices import Level
from rallypoynt.journeys.domain import Blueprint, blueprint_load
from rallypoynt.journeys.models import Engagement, JourneyTemplate, TemplateVersion
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.config_cache import org_cached
from rallypoynt.orgs.models import Membership


def version_blueprint(version: TemplateVersion) -> Blueprint:
    """A published version's blueprint; versions never change, so each process parses once."""
    # The creation time joins the id: SQLite hands a rolled-back id out again.
    return org_cached(
        org_id=version.org_id,
        stamp=(version.pk, version.created_at, version.updated_at),
        key=f"blueprint:{version.pk}",
        build=lambda: blueprint_load(version.data),
    )


def template_list(*, actor: Membership) -> QuerySet[JourneyTemplate]:
    """The org's templates (org-wide and team overrides) with their versions."""
    return (
        JourneyTemplate.objects.filter(org_id=actor.org_id)
        .select_related("team")
        .prefetch_related("versions")
        .order_by("kind", "team_id", "key", "id")
    )


def template_version_get(
    *, actor: Membership, template_id: int, number: int
) -> TemplateVersion | None:
    """One version of one of the org's templates by its number; None when there is none."""
    return (
        TemplateVersion.objects.filter(org_id=actor.org_id, template_id=template_id, number=number)
        .select_related("template")
        .first()
    )


def org_level(org_id: int) -> str:
    """Which shipped variant fits the org: brokerage with a compliance officer, agent when
    one person works alone, team otherwise (the org's own copy fixes it from then on)."""
    seats = Membership.objects.filter(org_id=org_id, is_active=True)
    if seats.filter(role_assignments__role=Role.COMPLIANCE_OFFICER).exists():
        return Level.BROKERAGE
    return Level.AGENT if seats.count() <= 1 else Level.TEAM


def has_newer_version(engagement: Engagement) -> bool:
    """Whether its journey or pipeline template has published a newer version."""
    journey, pipeline = engagement.journey, engagement.pipeline
    newer = Q(template_id=journey.template_id, number__gt=journey.number) | Q(
        template_id=pipeline.template_id, number__gt=pipeline.number
    )
    return TemplateVersion.objects.filter(
        newer, org_id=engagement.org_id, published_at__isnull=False
    ).exists()
