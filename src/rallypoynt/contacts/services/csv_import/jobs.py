"""Import jobs: upload, preview, mapping, queueing and running, scoped by org."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.base import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import get_valid_filename

from rallypoynt.contacts.choices import Channel, ImportStatus
from rallypoynt.contacts.models import (
    ImportJob,
)
from rallypoynt.contacts.services.csv_import.engine import (
    ContactImporter,
    ImportOutcome,
)
from rallypoynt.contacts.services.csv_import.reading import (
    csv_cells,
    csv_headers,
    csv_reader,
    csv_row_count,
    mapping_clean,
    mapping_guess,
    text_decode,
    unique_headers,
)
from rallypoynt.contacts.services.csv_import.vocabulary import (
    DEFAULT_SOURCE,
    FORMATS,
    MAX_UPLOAD_BYTES,
    PREVIEW_ROWS,
    STALE_RUNNING,
    Progress,
)
from rallypoynt.core.audit import audit_and_emit
from rallypoynt.core.errors import Conflict, NotFound, ValidationFailed
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import visibility_for

# --- import jobs ----------------------------------------------------------------------------


def import_job_queryset(*, actor: Membership) -> QuerySet[ImportJob]:
    """Jobs the actor may see: their own, or those of members in their scope."""
    return ImportJob.objects.filter(visibility_for(actor).owned_q("created_by"))


def import_job_get(*, actor: Membership, job_id: int) -> ImportJob:
    job = import_job_queryset(actor=actor).select_related("owner__user").filter(pk=job_id).first()
    if job is None:
        raise NotFound("No such import.")
    return job


def import_job_list(*, actor: Membership, limit: int = 10) -> QuerySet[ImportJob]:
    return import_job_queryset(actor=actor).order_by("-created_at", "-pk")[:limit]


def import_owner_choices(*, actor: Membership) -> QuerySet[Membership]:
    """Active members whose contacts the actor may create (their visibility scope)."""
    scope = visibility_for(actor)
    qs = Membership.objects.filter(org_id=actor.org_id, is_active=True).select_related("user")
    if scope.member_ids is not None:  # not scope.is_org_wide
        qs = qs.filter(pk__in=scope.member_ids)
    return qs.order_by("user__first_name", "user__last_name", "pk")


def org_default_owner(*, org_id: int) -> Membership | None:
    """The broker-owner (else the oldest member): owner of command-line imports by default."""
    members = Membership.objects.filter(org_id=org_id, is_active=True).order_by("pk")
    broker = members.filter(role_assignments__role=Role.BROKER_OWNER).first()
    return broker or members.first()


def _owner_resolve(actor: Membership | None, org_id: int, owner_id: int | None) -> int:
    if owner_id is None:
        if actor is None:
            raise ValidationFailed("Choose an owner.", fields={"owner_id": ["required"]})
        return actor.pk
    members = Membership.objects.filter(org_id=org_id, is_active=True, pk=owner_id)
    if actor is not None:
        members = import_owner_choices(actor=actor).filter(pk=owner_id)
    if not members.exists():
        raise ValidationFailed(
            "No such member.", fields={"owner_id": ["not an active member you may assign to"]}
        )
    return owner_id


def file_format_of(filename: str, file_format: str = "") -> str:
    if file_format:
        if file_format not in FORMATS:
            raise ValidationFailed("Unknown format.", fields={"file_format": ["csv or vcf"]})
        return file_format
    return "vcf" if filename.lower().endswith((".vcf", ".vcard")) else "csv"


def import_job_create(
    *,
    actor: Membership | None,
    org_id: int,
    upload: File,
    filename: str,
    file_format: str = "",
    owner_id: int | None = None,
) -> ImportJob:
    """Store an uploaded file (through the storage API) as a pending job, auto-mapped."""
    file_format = file_format_of(filename, file_format)
    size = upload.size or 0
    if size > MAX_UPLOAD_BYTES:
        raise ValidationFailed("The file is too large.", fields={"file": ["at most 50 MB"]})
    if size == 0:
        raise ValidationFailed("The file is empty.", fields={"file": ["empty file"]})
    owner_id = _owner_resolve(actor, org_id, owner_id)
    upload.seek(0)
    text = text_decode(upload.read())
    mapping = {}
    if file_format == "csv":
        mapping = mapping_guess(csv_headers(text))
    else:
        from rallypoynt.contacts.services.vcard import vcard_count

        if not vcard_count(text):
            raise ValidationFailed("No vCards in the file.", fields={"file": ["no BEGIN:VCARD"]})
    upload.seek(0)
    job = ImportJob(
        org_id=org_id,
        created_by=actor,
        owner_id=owner_id,
        filename=filename[:255],
        file_format=file_format,
        mapping=mapping,
    )
    job.file.save(get_valid_filename(filename)[-100:] or "import.csv", upload, save=False)
    job.save()
    return job


def job_text(job: ImportJob) -> str:
    with job.file.open("rb") as fh:
        return text_decode(fh.read())


def job_headers(job: ImportJob) -> list[str]:
    """The file's columns in file order (the stored mapping's key order is not kept by jsonb)."""
    return csv_headers(job_text(job)) if job.file_format == "csv" else []


@dataclass
class ImportPreview:
    """What the mapping page shows: headers, their targets and the first rows."""

    headers: list[str]
    mapping: dict[str, str]
    rows: list[list[str]]
    total_rows: int


def import_preview(*, job: ImportJob, rows: int = PREVIEW_ROWS) -> ImportPreview:
    text = job_text(job)
    if job.file_format == "vcf":
        from rallypoynt.contacts.services.vcard import vcard_preview

        return vcard_preview(text, rows)
    reader = csv_reader(text)
    headers = unique_headers(next(reader, []))
    sample: list[list[str]] = []
    for row in reader:
        if len(sample) >= rows:
            break
        if any(v.strip() for v in row):
            sample.append((row + [""] * len(headers))[: len(headers)])
    mapping = {h: job.mapping.get(h, "") for h in headers}
    return ImportPreview(headers, mapping, sample, csv_row_count(text))


@transaction.atomic
def import_job_prepare(
    *, actor: Membership | None, job: ImportJob, mapping: dict | None, dry_run: bool
) -> ImportJob:
    """Set the mapping and mode of a job and make it pending again (not while it runs)."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    started = job.started_at  # set whenever the job runs
    if (
        job.status == ImportStatus.RUNNING
        and started is not None
        and started > timezone.now() - STALE_RUNNING
    ):
        raise Conflict("This import is running.", fields={"status": ["running"]})
    if job.status == ImportStatus.DONE and not job.is_dry_run:
        raise Conflict("This file was imported already.", fields={"status": ["done"]})
    if job.file_format == "csv":
        headers = csv_headers(job_text(job))
        job.mapping = mapping_clean(job.mapping if mapping is None else mapping, headers)
    job.is_dry_run = dry_run
    job.status = ImportStatus.PENDING
    job.rows_total = job.rows_created = job.rows_duplicate = job.rows_failed = 0
    job.errors, job.started_at, job.finished_at = [], None, None
    job.save()
    return job


def import_job_queue(
    *, actor: Membership, job_id: int, mapping: dict | None = None, dry_run: bool = False
) -> ImportJob:
    """Prepare a visible job and run it in the background once this transaction commits."""
    with transaction.atomic():
        job = import_job_prepare(
            actor=actor,
            job=import_job_get(actor=actor, job_id=job_id),
            mapping=mapping,
            dry_run=dry_run,
        )
        from rallypoynt.contacts.tasks import import_job_execute

        transaction.on_commit(lambda: import_job_execute.enqueue(job.pk))
    return job


def _job_claim(job_id: int) -> bool:
    now = timezone.now()
    return bool(
        ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
            status=ImportStatus.RUNNING, started_at=now, updated_at=now
        )
    )


def import_job_run(*, job_id: int, progress: Progress | None = None) -> ImportJob:
    """Run a pending job once (a second call finds it claimed and does nothing)."""
    if not _job_claim(job_id):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        text = job_text(job)
        if job.file_format == "vcf":
            from rallypoynt.contacts.services.vcard import vcard_cells, vcard_count

            rows, total = vcard_cells(text), vcard_count(text)
        else:
            rows, total = csv_cells(text, job.mapping), csv_row_count(text)
        ImportJob.objects.filter(pk=job.pk).update(rows_total=total)
        importer = ContactImporter(
            org_id=job.org_id,
            owner_id=job.owner_id,
            source=DEFAULT_SOURCE[job.file_format],
            dry_run=job.is_dry_run,
            progress=progress,
            on_batch=lambda outcome: _job_counts_save(job.pk, outcome),
            actor_id=job.created_by.user_id if job.created_by else None,
            job_id=job.pk,
            row_word="card" if job.file_format == "vcf" else "row",
        )
        outcome = importer.run(rows)
    except Exception as exc:
        _job_fail(job, exc)
        raise
    return _job_finish(job, outcome)


def _job_counts_save(job_id: int, outcome: ImportOutcome) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        rows_created=outcome.created,
        rows_duplicate=outcome.duplicate,
        rows_failed=outcome.failed,
        errors=outcome.errors,
        updated_at=timezone.now(),
    )


def _job_fail(job: ImportJob, exc: Exception) -> None:
    job.refresh_from_db()
    job.status = ImportStatus.FAILED
    job.finished_at = timezone.now()
    job.errors = [
        *job.errors,
        {"row": None, "column": "", "value": "", "reason": f"the import stopped: {exc}"},
    ]
    job.save(update_fields=["status", "finished_at", "errors", "updated_at"])


@transaction.atomic
def _job_finish(job: ImportJob, outcome: ImportOutcome) -> ImportJob:
    job.status = ImportStatus.DONE
    job.rows_total = outcome.total
    job.rows_created, job.rows_duplicate = outcome.created, outcome.duplicate
    job.rows_failed, job.errors = outcome.failed, outcome.errors
    job.finished_at = timezone.now()
    job.save()
    if job.is_dry_run:
        return job
    counts = {
        "total": outcome.total,
        "created": outcome.created,
        "duplicate": outcome.duplicate,
        "failed": outcome.failed,
    }
    actor_user = job.created_by.user_id if job.created_by else None
    audit_and_emit(
        org_id=job.org_id,
        actor_id=actor_user,
        action="contacts.import",
        target=job,
        changes={**counts, "filename": job.filename, "owner_id": job.owner_id},
        kind="contacts.imported",
        payload={
            **counts,
            "channel": Channel.CSV if job.file_format == "csv" else "vcard",
            "file_format": job.file_format,
            "owner_id": job.owner_id,
        },
    )
    return job
