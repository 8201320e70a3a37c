"""Templates of an org: the shipped defaults copied in on first use, new versions, YAML import.

A published version never changes (engagements keep theirs); editing makes a new draft.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from rallypoynt.core.audit import audit_and_emit, audit_record
from rallypoynt.core.errors import Conflict, NotFound, ValidationFailed
from rallypoynt.core.events import event_emit
from rallypoynt.journeys.choices import Level, TemplateKind
from rallypoynt.journeys.domain import (
    OPS,
    blueprint_load,
    journey_stages_check,
    shipped_data,
    yaml_read,
)
from rallypoynt.journeys.models import JourneyTemplate, TemplateVersion
from rallypoynt.orgs.models import Membership, Organization, Team
from rallypoynt.orgs.services import require

MANAGE_ACTION = "org.manage_teams"
SHIPPED_KEYS: dict[str, str] = {
    TemplateKind.JOURNEY: "client_journey",
    TemplateKind.PIPELINE: "sales_pipeline",
}


def _published(template: JourneyTemplate) -> TemplateVersion | None:
    return template.versions.filter(published_at__isnull=False).order_by("-number").first()


def template_in_use(
    *, org: Organization, kind: str, team_id: int | None = None, level: str = Level.TEAM
) -> TemplateVersion:
    """The version a new engagement uses: the team's override, else the org's, else the
    shipped default for the org's level, copied in (and published) on first use."""
    templates = JourneyTemplate.objects.filter(org=org, kind=kind, is_archived=False)
    teams = [Q(team_id=team_id)] if team_id else []
    for team in [*teams, Q(team__isnull=True)]:
        found = templates.filter(team).order_by("pk").first()
        version = _published(found) if found else None
        if version is not None:
            return version
    return _shipped_copy(org=org, kind=kind, level=level)


def _shipped_copy(*, org: Organization, kind: str, level: str) -> TemplateVersion:
    data = shipped_data(kind, level)
    blueprint_load(data)  # the shipped files are tested; this guards a broken edit of them
    try:
        with transaction.atomic():
            template = JourneyTemplate.objects.create(
                org=org,
                key=SHIPPED_KEYS[kind],
                name=data["name"],
                kind=kind,
                level=level,
                based_on=SHIPPED_KEYS[kind],
            )
            version = TemplateVersion.objects.create(
                org=org,
                template=template,
                number=1,
                data=data,
                note=f"Shipped default ({Level(level).label.lower()})",
                published_at=timezone.now(),
            )
    except IntegrityError:
        # A concurrent first use copied it in: use theirs.
        template = JourneyTemplate.objects.get(
            org=org, kind=kind, key=SHIPPED_KEYS[kind], team__isnull=True, is_archived=False
        )
        theirs = _published(template)
        if theirs is None:
            raise Conflict(
                "The default template is being copied in; try again.", fields={"kind": [kind]}
            ) from None
        return theirs
    event_emit(
        org_id=org.pk,
        kind="journey_template.copied",
        subject=template,
        payload={"kind": kind, "level": level},
    )
    return version


@transaction.atomic
def template_version_create(
    *, actor: Membership, template_id: int, data: Any, note: str = ""
) -> TemplateVersion:
    """A new draft version of one of the org's templates, validated whole."""
    require(actor, MANAGE_ACTION)
    template = (
        JourneyTemplate.objects.select_for_update()
        .filter(org_id=actor.org_id, pk=template_id)
        .first()
    )
    if template is None:
        raise NotFound("No such template.")
    blueprint = blueprint_load(data)
    if blueprint.kind == TemplateKind.JOURNEY:
        # Its phases name pipeline stages: they must be stages of the pipeline it runs with.
        pipeline = template_in_use(
            org=actor.org,
            kind=TemplateKind.PIPELINE,
            team_id=template.team_id,
            level=template.level,
        )
        journey_stages_check(blueprint, blueprint_load(pipeline.data))
    if blueprint.kind != template.kind:
        raise ValidationFailed(
            "A template cannot change kind.",
            fields={"template": [f"kind must stay {template.kind}"]},
        )
    last = template.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = TemplateVersion.objects.create(
        org_id=actor.org_id, template=template, number=last + 1, data=data, note=note[:300]
    )
    audit_record(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="journey_template.draft",
        target=version,
        changes={"number": version.number},
    )
    return version


def template_version_import(
    *, actor: Membership, template_id: int, text: str, note: str = ""
) -> TemplateVersion:
    """A draft version from YAML text (bad YAML or a broken template changes nothing)."""
    require(actor, MANAGE_ACTION)
    return template_version_create(
        actor=actor, template_id=template_id, data=yaml_read(text), note=note
    )


@transaction.atomic
def template_version_publish(*, actor: Membership, version_id: int) -> TemplateVersion:
    """Make a draft the version new engagements use; it is immutable from now on."""
    require(actor, MANAGE_ACTION)
    version = (
        TemplateVersion.objects.select_for_update()
        .filter(org_id=actor.org_id, pk=version_id)
        .first()
    )
    if version is None:
        raise NotFound("No such template version.")
    if version.is_published:
        raise Conflict("This version is published already.", fields={"version": ["published"]})
    blueprint_load(version.data)
    version.published_at, version.published_by = timezone.now(), actor
    version.save(update_fields=["published_at", "published_by", "updated_at"])
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="journey_template.publish",
        target=version,
        changes={"number": version.number},
        kind="journey_template.published",
        payload={"template_id": version.template_id},
    )
    return version


@transaction.atomic
def template_copy(
    *, actor: Membership, kind: str, team_id: int | None = None, level: str = Level.TEAM
) -> TemplateVersion:
    """A template of the org's own to edit: the org's copy of the shipped default, or for a
    team a copy of what the org uses, as a draft the team can change and publish."""
    require(actor, MANAGE_ACTION)
    if kind not in TemplateKind.values:
        raise ValidationFailed("Unknown kind.", fields={"kind": TemplateKind.values})
    source = template_in_use(org=actor.org, kind=kind, level=level)
    if team_id is None:
        return source
    team = Team.objects.filter(org_id=actor.org_id, pk=team_id).first()
    if team is None:
        raise NotFound("No such team.")
    if JourneyTemplate.objects.filter(
        org_id=actor.org_id, kind=kind, team=team, is_archived=False
    ).exists():
        raise Conflict(
            f"Team {team.name} has its own {kind} already.", fields={"team_id": ["has one"]}
        )
    template = JourneyTemplate.objects.create(
        org_id=actor.org_id,
        key=source.template.key,
        name=f"{source.template.name} ({team.name})",
        kind=kind,
        level=source.template.level,
        team=team,
        based_on=source.template.key,
    )
    version = TemplateVersion.objects.create(
        org_id=actor.org_id,
        template=template,
        number=1,
        data=source.data,
        note=f"Copied from {source}",
    )
    audit_record(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="journey_template.copy",
        target=template,
        changes={"team_id": team_id, "from_version": source.pk},
    )
    return version


@transaction.atomic
def template_draft_edit(
    *, actor: Membership, version_id: int, op: str, **args: Any
) -> TemplateVersion:
    """Apply one structured edit to a draft version; the result is validated whole, and a
    published version is never changed (make a draft from it first)."""
    require(actor, MANAGE_ACTION)
    version = (
        TemplateVersion.objects.select_for_update()
        .select_related("template")
        .filter(org_id=actor.org_id, pk=version_id)
        .first()
    )
    if version is None:
        raise NotFound("No such template version.")
    if version.is_published:
        raise Conflict(
            "A published version never changes: make a draft from it first.",
            fields={"version": ["published"]},
        )
    if op not in OPS:
        raise ValidationFailed("Unknown edit.", fields={"op": sorted(OPS)})
    data = OPS[op](version.data, **args)
    blueprint = blueprint_load(data)
    if blueprint.kind == TemplateKind.JOURNEY:
        pipeline = template_in_use(
            org=actor.org,
            kind=TemplateKind.PIPELINE,
            team_id=version.template.team_id,
            level=version.template.level,
        )
        journey_stages_check(blueprint, blueprint_load(pipeline.data))
    version.data = data
    version.save(update_fields=["data", "updated_at"])
    audit_record(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="journey_template.edit",
        target=version,
        changes={"op": op, **{k: str(v) for k, v in args.items()}},
    )
    return version
