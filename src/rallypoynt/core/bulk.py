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
        # SQLite: the IMMEDIATE transaction holds the write lock, so max(id) is stable.
        cursor.execute(f'SELECT COALESCE(MAX("{pk_column}"), 0) FROM "{table}"')
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence], *, batch: int = 5000
) -> int:
    """INSERT many rows given as tuples in `fields` order; returns the number inserted."""
    opts = model._meta
    columns = [opts.get_field(name).column for name in fields]
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
