"""Set-based inserts for large loads (demo data, imports) on SQLite and PostgreSQL, and the
planner statistics of the tables such a load fills."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models.fields.reverse_related import ForeignObjectRel

Row = Sequence[Any]


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve `count` primary keys for rows inserted later in the same transaction."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk_column = _column(model._meta.pk)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk_column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        return _sqlite_reserve(cursor, table, pk_column, count)


def _sqlite_reserve(cursor: CursorWrapper, table: str, pk_column: str, count: int) -> list[int]:
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
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Row], *, batch: int = 5000
) -> int:
    """INSERT many rows given as tuples in `fields` order; returns the number inserted."""
    opts = model._meta
    model_fields = [_stored(opts.get_field(name)) for name in fields]
    columns = [_column(f) for f in model_fields]
    # JSON needs the backend's adaptation; other values pass through as the driver takes them.
    json_at = [i for i, f in enumerate(model_fields) if isinstance(f, models.JSONField)]
    if json_at:
        rows = (_prep_json(row, json_at, model_fields) for row in rows)
    column_sql = ", ".join(connection.ops.quote_name(c) for c in columns)
    table = connection.ops.quote_name(opts.db_table)
    if connection.vendor == "postgresql":
        return _copy_rows(f"COPY {table} ({column_sql}) FROM STDIN", rows)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({column_sql}) VALUES ({placeholders})"
    total = 0
    chunk: list[Row] = []
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


def _stored(field: models.Field[Any, Any] | ForeignObjectRel) -> models.Field[Any, Any]:
    """A field of the model's own table (a reverse relation has no column there)."""
    if not isinstance(field, models.Field):
        raise TypeError(f"{field.name} is a reverse relation, not a column of the table")
    return field


def _column(field: models.Field[Any, Any]) -> str:
    if field.column is None:  # a relation stored elsewhere (e.g. a GenericRelation)
        raise TypeError(f"{field.name} has no column in the table")
    return field.column


def _copy_rows(sql: str, rows: Iterable[Row]) -> int:
    """Stream rows through COPY: a quarter of the server time of one INSERT per row."""
    total = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            total += 1
    return total


def _prep_json(row: Row, json_at: list[int], model_fields: list[models.Field[Any, Any]]) -> Row:
    values = list(row)
    for i in json_at:
        values[i] = model_fields[i].get_db_prep_save(values[i], connection)
    return values


def planner_statistics_refresh() -> None:
    """Refresh the query planner's statistics after a large load (ANALYZE on both backends).

    Without them SQLite picks a scan of the whole org over the (org, address) index.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# A load refreshes its tables' statistics once it has written this many rows, then each time
# its rows have doubled: a handful of ANALYZEs per load, whatever its size.
REFRESH_MIN_ROWS = 1000
# What a mid-load refresh samples: PostgreSQL's statistics target (3,000 rows a table instead
# of 30,000) and SQLite's analysis_limit (rows per index); a final refresh samples in full.
LIGHT_STATISTICS_TARGET = 10
LIGHT_ANALYSIS_LIMIT = 1000


def tables_analyze(models_filled: Iterable[type[models.Model]], *, light: bool = False) -> None:
    """ANALYZE only these models' tables; `light` samples less, cheap enough mid-load.

    In a transaction PostgreSQL counts its own new rows and re-plans cached foreign-key checks.
    """
    tables = list(dict.fromkeys(m._meta.db_table for m in models_filled))
    if not tables:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _pg_analyze(cursor, tables, light)
        else:
            _sqlite_analyze(cursor, tables, light)


def _pg_analyze(cursor: CursorWrapper, tables: list[str], light: bool) -> None:
    names = ", ".join(connection.ops.quote_name(t) for t in tables)
    if not light:
        cursor.execute(f"ANALYZE {names}")
        return
    cursor.execute("SELECT current_setting('default_statistics_target')")
    previous = cursor.fetchone()[0]
    cursor.execute(
        "SELECT set_config('default_statistics_target', %s, true)", [str(LIGHT_STATISTICS_TARGET)]
    )
    cursor.execute(f"ANALYZE {names}")
    cursor.execute("SELECT set_config('default_statistics_target', %s, true)", [previous])


def _sqlite_analyze(cursor: CursorWrapper, tables: list[str], light: bool) -> None:
    cursor.execute("PRAGMA analysis_limit")
    previous = cursor.fetchone()[0]
    cursor.execute(f"PRAGMA analysis_limit = {LIGHT_ANALYSIS_LIMIT if light else 0:d}")
    for table in tables:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    cursor.execute(f"PRAGMA analysis_limit = {int(previous):d}")


class StatisticsKeeper:
    """Keeps the statistics of the tables a batched load fills true as they grow: `grew` after
    each batch's writes, before its COMMIT runs the deferred foreign-key checks; then `finish`."""

    def __init__(self, models_filled: Iterable[type[models.Model]]) -> None:
        self.models = tuple(models_filled)
        self.written = 0
        self.refreshed_at = 0  # rows written at the last refresh

    def grew(self, rows: int) -> bool:
        """Count a batch's rows; refresh (lightly) once they have doubled since the last time."""
        self.written += rows
        if self.written < REFRESH_MIN_ROWS or self.written < 2 * self.refreshed_at:
            return False
        tables_analyze(self.models, light=True)
        self.refreshed_at = self.written
        return True

    def finish(self) -> bool:
        """Refresh in full after a load large enough to have been refreshed along the way."""
        if self.written < REFRESH_MIN_ROWS:
            return False
        tables_analyze(self.models)
        self.refreshed_at = self.written
        return True
