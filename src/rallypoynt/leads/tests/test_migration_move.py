"""The lead tables move from contacts to leads with every row, label and queued job intact.

A database filled by the demo is migrated back to before the move (the tables return to
their contacts names) and forward again; each table's rows must match column for column.
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from rallypoynt.contacts.models import Touchpoint
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.demo.loader import demo_load
from rallypoynt.journeys.models import Engagement
from rallypoynt.leads.models import LeadInquiry
from rallypoynt.leads.tasks import inquiry_acknowledge
from rallypoynt.leads.tests.factories import bad_email_item
from rallypoynt.orgs.models import Organization

pytestmark = pytest.mark.django_db(transaction=True)

MODELS = ("leadinquiry", "leadreviewitem", "idempotencykey", "routingrule", "leadsettings")
BEFORE_MOVE = [("leads", "0001_initial")]  # the state-only move: tables still contacts_*


def _rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY id")
        return cursor.fetchall()


def _tables() -> set[str]:
    return set(connection.introspection.table_names())


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _leaves() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _filled() -> dict[str, list[tuple]]:
    demo_load(scale=60, seed=3)
    org = Organization.objects.order_by("pk").first()
    bad_email_item(org)
    # A lead's acknowledgement still waiting in the queue (tests run jobs at once: write it).
    DBTaskResult.objects.all().delete()
    DBTaskResult.objects.create(
        task_path="rallypoynt.leads.tasks.inquiry_acknowledge",
        args_kwargs={"args": [LeadInquiry.objects.order_by("pk").first().pk], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
    )
    return {model: _rows(f"leads_{model}") for model in MODELS}


def test_demo_data_moves_back_and_forth_with_every_row():
    leaves = _leaves()
    moved = _filled()
    assert all(moved[model] for model in ("leadinquiry", "leadreviewitem", "routingrule"))
    events = Event.objects.filter(subject_type="leads.leadinquiry").count()
    audits = AuditEntry.objects.filter(object_type="leads.leadinquiry").count()
    linked = (
        Touchpoint.objects.exclude(inquiry=None).count(),
        Engagement.objects.exclude(inquiry=None).count(),
    )
    assert events and audits

    _migrate(BEFORE_MOVE)
    assert {f"contacts_{m}" for m in MODELS} <= _tables()
    assert not {f"leads_{m}" for m in MODELS} & _tables()
    assert {m: _rows(f"contacts_{m}") for m in MODELS} == moved
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM core_event WHERE subject_type = 'contacts.leadinquiry'"
        )
        assert cursor.fetchone()[0] == events
        cursor.execute("SELECT task_path FROM django_tasks_database_dbtaskresult")
        assert [row[0] for row in cursor.fetchall()] == [
            "rallypoynt.contacts.tasks_leads.inquiry_acknowledge"
        ]

    _migrate(leaves)
    assert {m: _rows(f"leads_{m}") for m in MODELS} == moved
    assert not {f"contacts_{m}" for m in MODELS} & _tables()
    assert Event.objects.filter(subject_type="leads.leadinquiry").count() == events
    assert AuditEntry.objects.filter(object_type="leads.leadinquiry").count() == audits
    assert (
        Touchpoint.objects.exclude(inquiry=None).count(),
        Engagement.objects.exclude(inquiry=None).count(),
    ) == linked
    assert set(
        ContentType.objects.filter(model__in=MODELS).values_list("app_label", flat=True)
    ) == {"leads"}
    job = DBTaskResult.objects.get()
    assert job.task_path == "rallypoynt.leads.tasks.inquiry_acknowledge"
    assert import_string(job.task_path) is inquiry_acknowledge
    # Deleting a person still takes their inquiries along (the constraint follows the table).
    inquiry = LeadInquiry.objects.order_by("pk").first()
    inquiry.contact.delete()
    assert not LeadInquiry.objects.filter(pk=inquiry.pk).exists()
