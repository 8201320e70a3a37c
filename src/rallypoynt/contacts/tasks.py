"""Background jobs for the CRM: task reminders and contact imports."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from rallypoynt.contacts.models import Task
from rallypoynt.contacts.services.csv_import import import_job_run
from rallypoynt.orgs.services import notification_send


@task()
def task_remind(task_id: int) -> bool:
    """Notify the assignee once; later runs (or a moved/completed task) do nothing."""
    with transaction.atomic():
        row = (
            Task.objects.select_for_update()
            .select_related("assignee", "contact")
            .filter(pk=task_id, reminded_at__isnull=True, completed_at__isnull=True)
            .first()
        )
        if row is None or row.remind_at is None or row.remind_at > timezone.now():
            return False
        row.reminded_at = timezone.now()
        row.save(update_fields=["reminded_at"])
        about = f" ({row.contact})" if row.contact_id else ""
        notification_send(
            recipient=row.assignee,
            kind="task.reminder",
            title=f"Reminder: {row.title}{about}",
            link=f"/contacts/{row.contact_id}/" if row.contact_id else "/",
        )
    return True


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
