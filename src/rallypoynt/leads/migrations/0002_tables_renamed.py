"""The lead tables take the leads app's names, and stored labels follow the models.

Tables are renamed in place (no row is copied). Content types, the type names kept on events
and audit entries, and queued background jobs that name a moved task are relabelled, so
history stays attached to its rows and no waiting job is lost.
"""

from django.db import migrations

MODELS = ("leadinquiry", "leadreviewitem", "idempotencykey", "routingrule", "leadsettings")
TASKS = ("inquiry_followups", "inquiry_acknowledge", "inquiry_sla_check", "inquiry_pond_timeout")
OLD_TASKS = "rallypoynt.contacts.tasks_leads."
NEW_TASKS = "rallypoynt.leads.tasks."


def _relabel(apps, old_app: str, new_app: str, old_tasks: str, new_tasks: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Event = apps.get_model("core", "Event")
    AuditEntry = apps.get_model("core", "AuditEntry")
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    ContentType.objects.filter(app_label=old_app, model__in=MODELS).update(app_label=new_app)
    for model in MODELS:
        Event.objects.filter(subject_type=f"{old_app}.{model}").update(
            subject_type=f"{new_app}.{model}"
        )
        AuditEntry.objects.filter(object_type=f"{old_app}.{model}").update(
            object_type=f"{new_app}.{model}"
        )
    for name in TASKS:
        DBTaskResult.objects.filter(task_path=old_tasks + name).update(task_path=new_tasks + name)


def forwards(apps, schema_editor) -> None:
    _relabel(apps, "contacts", "leads", OLD_TASKS, NEW_TASKS)


def backwards(apps, schema_editor) -> None:
    _relabel(apps, "leads", "contacts", NEW_TASKS, OLD_TASKS)


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0001_initial"),
        ("contacts", "0008_lead_models_moved_to_leads"),
        ("core", "0002_worker_heartbeat"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        *(migrations.AlterModelTable(name=model, table=None) for model in MODELS),
        migrations.RunPython(forwards, backwards),
    ]
