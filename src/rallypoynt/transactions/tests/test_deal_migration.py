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


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def labels() -> tuple[set[str], set[str]]:
    return (
        set(Event.objects.values_list("subject_type", flat=True)),
        set(AuditEntry.objects.values_list("object_type", flat=True)),
    )


def _deal_row() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT street, kind FROM transactions_transaction")
        [row] = cursor.fetchall()
    return row


@pytest.mark.django_db(transaction=True)
def test_the_rename_keeps_the_rows_and_moves_the_stored_model_names_both_ways():
    """Back to before the rename and forward again: two migrations, the slow part on SQLite."""
    org = OrganizationFactory()
    deal = Deal.objects.create(org=org, kind="purchase", status="offer", street="1 Main St")
    now = timezone.now()
    Event.objects.create(
        org=org, kind="transaction.opened", subject_type="transactions.deal",
        subject_id=deal.pk, occurred_at=now,
    )  # fmt: skip
    AuditEntry.objects.create(
        org=org, action="transaction.open", object_type="transactions.deal",
        object_id=deal.pk, at=now,
    )  # fmt: skip
    try:
        migrate(BEFORE)
        assert _deal_row() == ("1 Main St", "purchase")
        assert labels() == ({"transactions.transaction"}, {"transactions.transaction"})
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert Deal.objects.get().street == "1 Main St"
    assert labels() == ({"transactions.deal"}, {"transactions.deal"})
    # The event kinds are the journeys' words (`done_by`): they stay.
    assert Event.objects.get().kind == "transaction.opened"
