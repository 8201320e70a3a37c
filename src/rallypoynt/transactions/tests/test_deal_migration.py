"""ADR 0011's migration renames the deal's tables and columns in place and the stored names of
its model with them (events' subjects, audit entries' objects), both ways."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.orgs.tests.factories import OrganizationFactory
from rallypoynt.transactions.models import Deal

BEFORE = [("transactions", "0007_summary_unique_within_org")]
AFTER = [("transactions", "0008_deal_not_transaction")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def labels() -> tuple[set[str], set[str]]:
    return (
        set(Event.objects.values_list("subject_type", flat=True)),
        set(AuditEntry.objects.values_list("object_type", flat=True)),
    )


@pytest.mark.django_db(transaction=True)
def test_the_rename_keeps_the_rows_and_moves_the_stored_model_names_both_ways():
    org = OrganizationFactory()
    try:
        migrate(BEFORE)
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO transactions_transaction (org_id, created_at, updated_at, kind,"
                " status, terminated_reason, street, city, state, postal_code, country,"
                " mls_number) VALUES (%s, %s, %s, 'purchase', 'offer', '', '1 Main St', '', '',"
                " '', 'US', '')",
                [org.pk, now, now],
            )
            cursor.execute("SELECT id FROM transactions_transaction")
            [(deal_id,)] = cursor.fetchall()
        Event.objects.create(
            org=org, kind="transaction.opened", subject_type="transactions.transaction",
            subject_id=deal_id, occurred_at=now,
        )  # fmt: skip
        AuditEntry.objects.create(
            org=org, action="transaction.open", object_type="transactions.transaction",
            object_id=deal_id, at=now,
        )  # fmt: skip

        migrate(AFTER)
        assert Deal.objects.get().street == "1 Main St"
        assert labels() == ({"transactions.deal"}, {"transactions.deal"})
        # The event kinds are the journeys' words (`done_by`): they stay.
        assert Event.objects.get().kind == "transaction.opened"

        migrate(BEFORE)
        assert labels() == ({"transactions.transaction"}, {"transactions.transaction"})
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
