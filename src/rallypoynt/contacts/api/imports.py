"""API: contact imports (upload, map, run, status) and CSV / vCard exports of any list."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from rallypoynt.contacts.filters import NUMBER_BOUNDS
from rallypoynt.contacts.services import csv_import
from rallypoynt.contacts.services.export import (
    contacts_csv_export,
    export_filename,
    export_filters,
)
from rallypoynt.contacts.services.vcard import contacts_vcard_export
from rallypoynt.core.api.schemas import ERRORS, file_responses
from rallypoynt.core.api.types import Id, Int64, PositiveInt32
from rallypoynt.core.errors import ValidationFailed

router = Router(tags=["contacts"])


class ImportIssueOut(Schema):
    row: Int64 | None
    column: str
    value: str = ""
    reason: str
    kind: str = "error"


class ImportJobOut(Schema):
    id: Int64
    filename: str
    file_format: str
    status: str
    is_dry_run: bool
    owner_id: Int64 | None
    mapping: dict[str, str]
    rows_total: PositiveInt32
    rows_created: PositiveInt32
    rows_duplicate: PositiveInt32
    rows_failed: PositiveInt32
    errors: list[ImportIssueOut]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ImportPreviewOut(Schema):
    headers: list[str]
    mapping: dict[str, str]
    rows: list[list[str]]
    total_rows: Int64
    targets: dict[str, str]


class ImportCreatedOut(ImportJobOut):
    preview: ImportPreviewOut


class ImportRunIn(Schema):
    mapping: dict[str, str] | None = None
    dry_run: bool = False


class ExportQuery(Schema):
    q: str = ""
    stage: str = ""
    source: str = ""
    owner_id: Int64 | None = None
    tag: str = ""
    no_touchpoint_days: int | None = Field(None, ge=0, le=NUMBER_BOUNDS["no_touchpoint_days"])
    created_within_days: int | None = Field(None, ge=0, le=NUMBER_BOUNDS["created_within_days"])
    smart_list: Id | None = None


class VcardExportQuery(ExportQuery):
    version: str = "3.0"


@router.post("/imports", response={201: ImportCreatedOut, **ERRORS})
def import_create_endpoint(
    request: HttpRequest,
    file: File[UploadedFile],
    owner_id: Form[Int64 | None] = None,
    file_format: Form[str] = "",
):
    """Upload a CSV or vCard file; the job comes back with its first rows and auto-mapping."""
    actor = request.auth
    if any(b"\x00" in chunk for chunk in file.chunks()):
        # Not a text file (and PostgreSQL cannot store a NUL): refuse it before it is kept.
        raise ValidationFailed(
            "The file holds NUL characters: upload a CSV or vCard text file.",
            fields={"file": ["must not contain NUL characters"]},
        )
    file.seek(0)
    job = csv_import.import_job_create(
        actor=actor,
        org_id=actor.org_id,
        upload=file,
        filename=file.name or "import.csv",
        file_format=file_format,
        owner_id=owner_id,
    )
    preview = csv_import.import_preview(job=job)
    job.preview = {
        "headers": preview.headers,
        "mapping": preview.mapping,
        "rows": preview.rows,
        "total_rows": preview.total_rows,
        "targets": csv_import.TARGETS,
    }
    return Status(201, job)


@router.post("/imports/{job_id}/run", response={202: ImportJobOut, **ERRORS})
def import_run_endpoint(request: HttpRequest, job_id: Int64, payload: ImportRunIn):
    """Run the job (dry run or real) with this mapping, or the stored one; it runs in the
    background: poll GET /imports/{id} until `status` is done or failed."""
    csv_import.import_job_queue(
        actor=request.auth, job_id=job_id, mapping=payload.mapping, dry_run=payload.dry_run
    )
    return Status(202, csv_import.import_job_get(actor=request.auth, job_id=job_id))


@router.get("/imports/{job_id}", response={200: ImportJobOut, **ERRORS})
def import_get_endpoint(request: HttpRequest, job_id: Int64):
    """Counts and the bad rows (row, column, value, reason) of an import."""
    return csv_import.import_job_get(actor=request.auth, job_id=job_id)


def _stream(request: HttpRequest, lines, extension: str, content_type: str):
    response = StreamingHttpResponse(lines, content_type=content_type)
    name = export_filename(request.auth.org, extension)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get(
    "/contacts/export.csv",
    response=ERRORS,
    openapi_extra=file_responses("CSV file", "text/csv"),
)
def export_csv_endpoint(request: HttpRequest, query: Query[ExportQuery]):
    """The contacts the caller can see, filtered like GET /contacts or by `smart_list`."""
    filters, smart_list_id = export_filters(query.dict(exclude_none=True))
    lines = contacts_csv_export(actor=request.auth, filters=filters, smart_list_id=smart_list_id)
    return _stream(request, lines, "csv", "text/csv; charset=utf-8")


@router.get(
    "/contacts/export.vcf",
    response=ERRORS,
    openapi_extra=file_responses("vCard file", "text/vcard"),
)
def export_vcf_endpoint(request: HttpRequest, query: Query[VcardExportQuery]):
    """The same list as vCards (version 3.0 or 4.0)."""
    params = query.dict(exclude_none=True)
    version = params.pop("version")
    filters, smart_list_id = export_filters(params)
    lines = contacts_vcard_export(
        actor=request.auth, filters=filters, smart_list_id=smart_list_id, version=version
    )
    return _stream(request, lines, "vcf", "text/vcard; charset=utf-8")
