"""Index the contacts list's name-prefix search on each database with its own DDL.

Django's `istartswith` is `UPPER(col::text) LIKE UPPER('x%')` on PostgreSQL (served by a
text_pattern_ops expression index under any collation) and a case-insensitive LIKE on SQLite
(served by a NOCASE index).
"""

from django.db import migrations

COLUMNS = {"last": "last_name", "first": "first_name"}


def _ddl(vendor: str, key: str, column: str) -> str | None:
    name = f"contact_org_{key}_prefix"
    if vendor == "postgresql":
        return (
            f"CREATE INDEX IF NOT EXISTS {name} ON contacts_contact "
            f"(org_id, upper({column}::text) text_pattern_ops)"
        )
    if vendor == "sqlite":
        return (
            f"CREATE INDEX IF NOT EXISTS {name} ON contacts_contact "
            f"(org_id, {column} COLLATE NOCASE)"
        )
    return None


def create(apps, schema_editor):
    for key, column in COLUMNS.items():
        ddl = _ddl(schema_editor.connection.vendor, key, column)
        if ddl:
            schema_editor.execute(ddl)


def drop(apps, schema_editor):
    for key in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS contact_org_{key}_prefix")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_crm_and_lead_intake")]
    operations = [migrations.RunPython(create, drop)]
