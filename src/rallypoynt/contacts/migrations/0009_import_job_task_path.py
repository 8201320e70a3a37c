"""Queued contact imports follow their job to rallypoynt.contacts.tasks (no row is lost)."""

from django.db import migrations

OLD = "rallypoynt.contacts.tasks_imports.import_job_execute"
NEW = "rallypoynt.contacts.tasks.import_job_execute"


def _rename(apps, old: str, new: str) -> None:
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.filter(task_path=old).update(task_path=new)


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0008_lead_models_moved_to_leads"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunPython(
            lambda apps, _: _rename(apps, OLD, NEW), lambda apps, _: _rename(apps, NEW, OLD)
        ),
    ]
