"""Pages: contact import (upload, column mapping, run, status) and CSV / vCard exports."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from rallypoynt.contacts.choices import ImportStatus
from rallypoynt.contacts.forms import ExportForm, import_run_form
from rallypoynt.contacts.services import csv_import
from rallypoynt.contacts.services.export import (
    contacts_csv_export,
    export_filename,
    export_filters,
)
from rallypoynt.contacts.services.vcard import contacts_vcard_export
from rallypoynt.core.errors import ServiceError, ValidationFailed
from rallypoynt.core.web import errors_to_form
from rallypoynt.orgs.decorators import member_required

ISSUES_SHOWN = 200
ACTIVE = {ImportStatus.PENDING, ImportStatus.RUNNING}


# The import service's words for the upload form's fields.
IMPORT_FIELDS = {"file_format": "file"}


def crm_member(view):
    return login_required(member_required(view))


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File", help_text="CSV (from another CRM, Google Contacts, Excel) or vCard (.vcf)"
    )
    owner_id = forms.TypedChoiceField(label="Owner of the new contacts", coerce=int)

    def __init__(self, *args, owners=(), default=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].choices = [
            (m.pk, m.user.get_full_name() or m.user.email) for m in owners
        ]
        self.fields["owner_id"].initial = default


@crm_member
def import_upload_view(request: HttpRequest) -> HttpResponse:
    """Choose a file and an owner; the file is stored and auto-mapped as a new job."""
    actor = request.membership
    owners = list(csv_import.import_owner_choices(actor=actor))
    form = UploadForm(request.POST or None, request.FILES or None, owners=owners, default=actor.pk)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = csv_import.import_job_create(
                actor=actor,
                org_id=actor.org_id,
                upload=upload,
                filename=upload.name,
                owner_id=form.cleaned_data["owner_id"],
            )
        except ServiceError as exc:
            errors_to_form(form, exc, IMPORT_FIELDS)
        else:
            return redirect("contacts:import_preview", job_id=job.pk)
    context = {
        "form": form,
        "jobs": csv_import.import_job_list(actor=actor),
        "status_labels": dict(ImportStatus.choices),
    }
    return render(
        request, "contacts/import_upload.html", context, status=400 if form.errors else 200
    )


def _columns(preview: csv_import.ImportPreview) -> list[dict]:
    """One entry per file column: its header, example values and the chosen target."""
    return [
        {
            "index": i,
            "header": header,
            "examples": [row[i] for row in preview.rows if i < len(row) and row[i].strip()],
            "target": preview.mapping.get(header, ""),
        }
        for i, header in enumerate(preview.headers)
    ]


def member_job(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Hand `view` the member's import job named by the URL's `job_id`; another member's job,
    or none, is the not-found page."""

    @wraps(view)
    def wrapper(request: HttpRequest, job_id: int) -> HttpResponse:
        try:
            job = csv_import.import_job_get(actor=request.membership, job_id=job_id)
        except ServiceError:
            return render(request, "web/not_found.html", status=404)
        return view(request, job)

    return wrapper


@crm_member
@require_GET
@member_job
def import_preview_view(request: HttpRequest, job) -> HttpResponse:
    """The column mapping: each column with its first values and a field to import it into."""
    if job.status == ImportStatus.RUNNING or (
        job.status == ImportStatus.DONE and not job.is_dry_run
    ):
        return redirect("contacts:import_status", job_id=job.pk)
    return _preview_page(request, job)


def _preview_page(request, job, *, error: ServiceError | None = None, mapping=None):
    preview = csv_import.import_preview(job=job)
    if mapping is not None:
        preview.mapping = mapping
    context = {
        "job": job,
        "preview": preview,
        "columns": _columns(preview),
        "targets": list(csv_import.TARGETS.items()),
        "not_imported": csv_import.NOT_IMPORTED,
        "error": error,
    }
    return render(request, "contacts/import_preview.html", context, status=400 if error else 200)


@crm_member
@require_POST
@member_job
def import_run_view(request: HttpRequest, job) -> HttpResponse:
    """Start a dry run or the real import with the mapping chosen on the preview page."""
    actor = request.membership
    headers = csv_import.job_headers(job) if job.file_format == "csv" else []
    form = import_run_form(request.POST, headers, csv_import.TARGETS)
    if not form.is_valid():
        lines = [f"{form.fields[n].label}: {e}" for n, errs in form.errors.items() for e in errs]
        error = ValidationFailed(
            "Choose a field from the list for each column.", fields={"mapping": lines}
        )
        return _preview_page(request, job, error=error)
    data = form.cleaned_data
    mapping = None
    if job.file_format == "csv" and not data["keep_mapping"]:
        mapping = {h: data[f"map-{i}"] for i, h in enumerate(headers)}
    dry_run = data["action"] == "dry_run"
    try:
        csv_import.import_job_queue(actor=actor, job_id=job.pk, mapping=mapping, dry_run=dry_run)
    except ServiceError as exc:
        if exc.status == 409:
            return redirect("contacts:import_status", job_id=job.pk)
        return _preview_page(request, job, error=exc, mapping=mapping)
    return redirect("contacts:import_status", job_id=job.pk)


@crm_member
@require_GET
@member_job
def import_status_view(request: HttpRequest, job) -> HttpResponse:
    """Counts, bad rows (row, column, reason), warnings and skipped duplicates of a job."""
    issues = {"error": [], "warning": [], "duplicate": []}
    for issue in job.errors:
        issues.setdefault(issue.get("kind", "error"), []).append(issue)
    context = {
        "job": job,
        "is_active": job.status in ACTIVE,
        "status_label": ImportStatus(job.status).label,
        "errors": issues["error"][:ISSUES_SHOWN],
        "warnings": issues["warning"][:ISSUES_SHOWN],
        "duplicates": issues["duplicate"][:ISSUES_SHOWN],
        "more": {k: max(len(v) - ISSUES_SHOWN, 0) for k, v in issues.items()},
        "row_word": "Card" if job.file_format == "vcf" else "Row",
        "progress": job.rows_created + job.rows_duplicate + job.rows_failed,
    }
    template = "contacts/import_status.html"
    if getattr(request, "htmx", False):
        template = "contacts/import_status_card.html"
    return render(request, template, context)


def _export(request: HttpRequest, make, extension: str, content_type: str, **options):
    try:
        filters, smart_list_id = export_filters(request.GET.dict())
        lines = make(
            actor=request.membership, filters=filters, smart_list_id=smart_list_id, **options
        )
    except ValidationFailed as exc:
        detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items())
        return HttpResponseBadRequest(f"{exc.message} {detail}", content_type="text/plain")
    except ServiceError:
        return render(request, "web/not_found.html", status=404)
    response = StreamingHttpResponse(lines, content_type=content_type)
    name = export_filename(request.membership.org, extension)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@crm_member
@require_GET
def export_csv_view(request: HttpRequest) -> HttpResponse:
    """The visible contacts (list filters or `smart_list`) as a CSV file, streamed."""
    return _export(request, contacts_csv_export, "csv", "text/csv; charset=utf-8")


@crm_member
@require_GET
def export_vcf_view(request: HttpRequest) -> HttpResponse:
    """The same list as vCards (`version=3.0` by default, or 4.0)."""
    form = ExportForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(
            "Unknown vCard version: 3.0 or 4.0.", content_type="text/plain"
        )
    version = form.cleaned_data["version"] or "3.0"
    return _export(
        request, contacts_vcard_export, "vcf", "text/vcard; charset=utf-8", version=version
    )
