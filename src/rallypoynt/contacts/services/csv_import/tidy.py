"""Housekeeping for imports: jobs a stopped worker left running, uploaded files kept too long."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from rallypoynt.contacts.choices import ImportStatus
from rallypoynt.contacts.models import ImportJob
from rallypoynt.contacts.services.csv_import.vocabulary import STALE_RUNNING

# Uploaded files hold personal data: keep them long enough to re-run or inspect an import.
UPLOAD_RETENTION = timedelta(days=30)
INTERRUPTED = "the import was interrupted (its worker stopped); start it again to finish it"


def import_jobs_interrupted_close() -> int:
    """Mark jobs running for longer than a run can take as failed, saying why."""
    cutoff = timezone.now() - STALE_RUNNING
    closed = 0
    for job in ImportJob.objects.filter(status=ImportStatus.RUNNING, started_at__lt=cutoff):
        with transaction.atomic():
            row = ImportJob.objects.select_for_update().get(pk=job.pk)
            if row.status != ImportStatus.RUNNING:
                continue
            row.status = ImportStatus.FAILED
            row.finished_at = timezone.now()
            row.errors = [
                *row.errors,
                {"row": None, "column": "", "value": "", "reason": INTERRUPTED},
            ]
            row.save(update_fields=["status", "finished_at", "errors", "updated_at"])
            closed += 1
    return closed


def import_uploads_expire() -> int:
    """Delete the uploaded files of jobs that finished more than 30 days ago."""
    cutoff = timezone.now() - UPLOAD_RETENTION
    finished = [ImportStatus.DONE, ImportStatus.FAILED]
    expired = ImportJob.objects.filter(status__in=finished, finished_at__lt=cutoff).exclude(file="")
    removed = 0
    for job in expired:
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="", updated_at=timezone.now())
        removed += 1
    return removed
