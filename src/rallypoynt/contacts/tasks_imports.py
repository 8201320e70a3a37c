"""Background job: run a contact import (CSV or vCard) by its id."""

from __future__ import annotations

from django_tasks import task

from rallypoynt.contacts.services.csv_import import import_job_run


@task()
def import_job_execute(job_id: int) -> dict:
    """Run a pending import once; a second delivery finds it claimed and changes nothing."""
    job = import_job_run(job_id=job_id)
    return {
        "status": job.status,
        "created": job.rows_created,
        "duplicate": job.rows_duplicate,
        "failed": job.rows_failed,
    }
