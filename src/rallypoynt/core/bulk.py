"""Set-based inserts for large loads (demo data, imports) on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve `count` primary keys for rows inserted later in the same transaction."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk_column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        return _sqlite_reserve(cursor, table, pk_column, count)


def _sqlite_reserve(cursor, table: str, pk_column: str, count: int) -> list[int]:
    """Advance the table's AUTOINCREMENT counter past `count` new ids and return them.

    Our SQLite transactions are IMMEDIATE, so the write lock is held and nobody races us;
    moving `sqlite_sequence` keeps later reservations and ORM inserts off these ids and
    never hands out the id of a deleted row again.
    """
    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
    row = cursor.fetchone()
    cursor.execute(f'SELECT COALESCE(MAX("{pk_column}"), 0) FROM "{table}"')
    start = max(row[0] if row else 0, cursor.fetchone()[0]) + 1
    last = start + count - 1
    if row is None:
        cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, last])
    else:
        cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [last, table])
    return list(range(start, start + count))


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence], *, batch: int = 5000
) -> int:
    """INSERT many rows given as tuples in `fields` order; returns the number inserted."""
    opts = model._meta
    model_fields = [opts.get_field(name) for name in fields]
    columns = [f.column for f in model_fields]
    # JSON needs the backend's adaptation; other values pass through as the driver takes them.
    json_at = [i for i, f in enumerate(model_fields) if isinstance(f, models.JSONField)]
    if json_at:
        rows = (_prep_json(row, json_at, model_fields) for row in rows)
    column_sql = ", ".join(connection.ops.quote_name(c) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    table = connection.ops.quote_name(opts.db_table)
    sql = f"INSERT INTO {table} ({column_sql}) VALUES ({placeholders})"
    total = 0
    chunk: list[Sequence] = []
    with connection.cursor() as cursor:
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                total += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            total += len(chunk)
    return total


def _prep_json(row: Sequence, json_at: list[int], model_fields: list) -> list:
    row = list(row)
    for i in json_at:
        row[i] = model_fields[i].get_db_prep_save(row[i], connection)
    return row


def planner_statistics_refresh() -> None:
    """Refresh the query planner's statistics after a large load (ANALYZE on both backends).

    Without them SQLite picks a scan of the whole org over the (org, address) index.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
