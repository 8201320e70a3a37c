"""`rallypoynt bench demo`: demo-data generation throughput vs a raw bulk insert baseline.

The product path generates `scale` people from the seed and inserts them with their e-mails
and phones in committed batches. The baseline inserts the same, pre-built rows with the
driver's own `executemany` in one transaction: the floor for writing those rows.
"""

from __future__ import annotations

import time

from django.db import connection, transaction
from django.utils import timezone

from bench.scratch import scratch_drop, scratch_org
from rallypoynt.contacts.models import Contact, ContactEmail, ContactPhone, Touchpoint
from rallypoynt.core.bulk import reserve_ids
from rallypoynt.demo.loader import (
    CONTACT_FIELDS,
    EMAIL_FIELDS,
    PHONE_FIELDS,
    TOUCH_FIELDS,
    contact_tuples,
    contacts_insert,
)
from rallypoynt.demo.people import people


def _raw_sql(model, fields) -> str:
    columns = ", ".join(model._meta.get_field(f).column for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({placeholders})"


def _plain(row: tuple) -> tuple:
    # The raw driver takes JSON as text; an empty dict is the only JSON value demo rows carry.
    return tuple("{}" if value == {} else value for value in row)


def _baseline(org, owner_id: int, scale: int, seed: int) -> tuple[float, int]:
    rows = people(scale, seed=seed, owners=1)
    with transaction.atomic():
        ids = reserve_ids(Contact, scale)
        tables = list(contact_tuples(org.pk, [owner_id], rows, ids, timezone.now()))
        tables[0] = [_plain(row) for row in tables[0]]
        raw = connection.connection.cursor()  # the DB-API cursor, no Django wrapper
        started = time.perf_counter()
        for model, fields, data in zip(
            (Contact, ContactEmail, ContactPhone, Touchpoint),
            (CONTACT_FIELDS, EMAIL_FIELDS, PHONE_FIELDS, TOUCH_FIELDS),
            tables,
            strict=True,
        ):
            sql = _raw_sql(model, fields)
            if connection.vendor == "sqlite":
                sql = sql.replace("%s", "?")
            raw.executemany(sql, data)
        elapsed = time.perf_counter() - started
    return elapsed, sum(len(t) for t in tables)


def run(scale: int = 100_000, seed: int = 42) -> dict:
    """Time `demo --scale` (generate + insert) and the raw insert of the same rows."""
    org, owner = scratch_org("demo")
    base_org, base_owner = scratch_org("baseline")
    try:
        started = time.perf_counter()
        rows = people(scale, seed=seed, owners=1)
        contacts_insert(org, [owner.pk], rows)
        demo_seconds = time.perf_counter() - started
        table_rows = scale + sum(len(r.emails) + len(r.phones) + len(r.touches) for r in rows)
        base_seconds, base_rows = _baseline(base_org, base_owner.pk, scale, seed)
    finally:
        scratch_drop(org)
        scratch_drop(base_org)
    return {
        "scenario": "demo",
        "database": connection.vendor,
        "contacts": scale,
        "table_rows": table_rows,
        "demo": {
            "seconds": round(demo_seconds, 3),
            "contacts_per_s": round(scale / demo_seconds),
            "rows_per_s": round(table_rows / demo_seconds),
        },
        "baseline_raw_bulk_insert": {
            "seconds": round(base_seconds, 3),
            "contacts_per_s": round(scale / base_seconds),
            "rows_per_s": round(base_rows / base_seconds),
        },
        "ratio_demo_to_baseline": round(demo_seconds / base_seconds, 2),
        "targets": {"max_seconds_for_100k": 60, "max_ratio": 3},
    }
