"""API: journey and pipeline templates (read, export and import as YAML, publish)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpResponse
from ninja import Router, Schema, Status

from rallypoynt.core.api.parser import json_loads
from rallypoynt.core.api.schemas import ERRORS, file_responses
from rallypoynt.core.api.types import Int64, PositiveInt32
from rallypoynt.core.errors import NotFound, ValidationFailed
from rallypoynt.journeys import selectors
from rallypoynt.journeys.domain import shipped_data, yaml_write
from rallypoynt.journeys.services import templates

router = Router(tags=["journey templates"])
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


class TemplateVersionOut(Schema):
    number: PositiveInt32
    note: str
    published_at: datetime | None
    is_in_use: bool = False


class TemplateOut(Schema):
    id: Int64
    key: str
    name: str
    kind: str
    level: str
    team_id: Int64 | None
    based_on: str
    versions: list[TemplateVersionOut]

    @staticmethod
    def resolve_versions(t) -> list:
        return sorted(t.versions.all(), key=lambda v: v.number)


class VersionDetail(TemplateVersionOut):
    template_id: Int64
    data: dict[str, Any]


class CopyIn(Schema):
    kind: str
    team_id: Int64 | None = None
    level: str = "team"


class PublishOut(Schema):
    template_id: Int64
    number: PositiveInt32
    published_at: datetime | None


@router.get("/journey-templates", response={200: list[TemplateOut], **ERRORS})
def template_list_endpoint(request):
    """The org's templates and team overrides, each with its versions."""
    return list(selectors.template_list(actor=request.auth))


@router.get("/journey-templates/shipped/{kind}", response={200: dict[str, Any], **ERRORS})
def shipped_read_endpoint(request, kind: str, level: str = "team"):
    """The shipped default journey or pipeline for a business level (agent, team, brokerage)."""
    if kind not in ("journey", "pipeline") or level not in ("agent", "team", "brokerage"):
        raise ValidationFailed("Unknown template.", fields={"kind": ["journey or pipeline"]})
    return shipped_data(kind, level)


@router.post("/journey-templates", response={201: VersionDetail, **ERRORS})
def template_copy_endpoint(request, body: CopyIn):
    """Copy the shipped default for the org, or the org's template for one team, to edit."""
    version = templates.template_copy(actor=request.auth, **body.dict())
    return Status(201, _version(version))


def _version(version) -> dict:
    return {
        "template_id": version.template_id,
        "number": version.number,
        "note": version.note,
        "published_at": version.published_at,
        "data": version.data,
    }


def _get(request, template_id: Int64, number: PositiveInt32):
    version = selectors.template_version_get(
        actor=request.auth, template_id=template_id, number=number
    )
    if version is None:
        raise NotFound("No such template version.")
    return version


@router.get(
    "/journey-templates/{template_id}/versions/{number}", response={200: VersionDetail, **ERRORS}
)
def version_read_endpoint(request, template_id: Int64, number: PositiveInt32):
    return _version(_get(request, template_id, number))


@router.get(
    "/journey-templates/{template_id}/versions/{number}/export.yaml",
    response=ERRORS,
    openapi_extra=file_responses("YAML file", "application/yaml"),
)
def version_export_endpoint(request, template_id: Int64, number: PositiveInt32):
    """The version as YAML, to edit and import again."""
    version = _get(request, template_id, number)
    response = HttpResponse(yaml_write(version.data), content_type="application/yaml")
    name = f"{version.template.key}-v{version.number}.yaml"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.post("/journey-templates/{template_id}/versions", response={201: VersionDetail, **ERRORS})
def version_create_endpoint(request, template_id: Int64, note: str = ""):
    """A new draft from the body: YAML (`Content-Type: application/yaml`) or JSON."""
    body = request.body.decode("utf-8", errors="replace")
    if request.content_type in YAML_TYPES:
        version = templates.template_version_import(
            actor=request.auth, template_id=template_id, text=body, note=note
        )
    else:
        try:
            data = json_loads(body or "null")
        except ValueError as exc:
            raise ValidationFailed("Not valid JSON.", fields={"body": [str(exc)]}) from exc
        version = templates.template_version_create(
            actor=request.auth, template_id=template_id, data=data, note=note
        )
    return Status(201, _version(version))


@router.post(
    "/journey-templates/{template_id}/versions/{number}/publish",
    response={200: PublishOut, **ERRORS},
)
def version_publish_endpoint(request, template_id: Int64, number: PositiveInt32):
    """Make a draft the version new engagements start on (it is immutable from then on)."""
    version = _get(request, template_id, number)
    version = templates.template_version_publish(actor=request.auth, version_id=version.pk)
    return {
        "template_id": template_id,
        "number": version.number,
        "published_at": version.published_at,
    }
