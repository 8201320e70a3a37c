"""The deals' search terms (core/search.py) and the triggers that keep them: word suffixes of
each deal's street and MLS number, written by triggers alone on each database with its own
DDL (set-based per statement on PostgreSQL, whose term column sorts in byte order)."""

import django.db.models.deletion
from django.db import migrations, models

INSERT = "INSERT INTO transactions_dealsearchterm (org_id, term, deal_id)"
PG_TERMS = """
SELECT n.org_id, t.term, n.id
FROM {rows} AS n,
     LATERAL (SELECT rp_search_phrases(n.street)
              UNION SELECT rp_search_phrases(n.mls_number)) AS t(term)
"""
PG = [
    'ALTER TABLE transactions_dealsearchterm ALTER COLUMN term TYPE varchar(100) COLLATE "C"',
    f"""
CREATE FUNCTION transactions_search_deals_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {INSERT} {PG_TERMS.format(rows="inserted")};
  RETURN NULL;
END $$""",
    """
CREATE TRIGGER transactions_search_deals_inserted AFTER INSERT ON transactions_deal
REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
EXECUTE FUNCTION transactions_search_deals_inserted()""",
    f"""
CREATE FUNCTION transactions_search_deal_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM transactions_dealsearchterm WHERE deal_id = old.id;
  {INSERT} {PG_TERMS.format(rows="(SELECT new.*)")};
  RETURN NULL;
END $$""",
    """
CREATE TRIGGER transactions_search_deal_changed
AFTER UPDATE OF street, mls_number ON transactions_deal FOR EACH ROW
WHEN ((new.street, new.mls_number) IS DISTINCT FROM (old.street, old.mls_number))
EXECUTE FUNCTION transactions_search_deal_changed()""",
    """
CREATE FUNCTION transactions_search_deals_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM transactions_dealsearchterm AS s USING deleted AS d WHERE s.deal_id = d.id;
  RETURN NULL;
END $$""",
    """
CREATE TRIGGER transactions_search_deals_deleted AFTER DELETE ON transactions_deal
REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT
EXECUTE FUNCTION transactions_search_deals_deleted()""",
]
PG_DROP = [
    "DROP TRIGGER IF EXISTS transactions_search_deals_inserted ON transactions_deal",
    "DROP TRIGGER IF EXISTS transactions_search_deal_changed ON transactions_deal",
    "DROP TRIGGER IF EXISTS transactions_search_deals_deleted ON transactions_deal",
    "DROP FUNCTION IF EXISTS transactions_search_deals_inserted()",
    "DROP FUNCTION IF EXISTS transactions_search_deal_changed()",
    "DROP FUNCTION IF EXISTS transactions_search_deals_deleted()",
]
SQLITE_TERMS = """
SELECT new.org_id, value, new.id FROM json_each(rp_search_phrases(new.street))
UNION SELECT new.org_id, value, new.id FROM json_each(rp_search_phrases(new.mls_number))
"""
SQLITE = [
    f"""
CREATE TRIGGER transactions_search_deal_inserted AFTER INSERT ON transactions_deal BEGIN
  {INSERT} {SQLITE_TERMS};
END""",
    f"""
CREATE TRIGGER transactions_search_deal_changed
AFTER UPDATE OF street, mls_number ON transactions_deal
WHEN old.street IS NOT new.street OR old.mls_number IS NOT new.mls_number
BEGIN
  DELETE FROM transactions_dealsearchterm WHERE deal_id = old.id;
  {INSERT} {SQLITE_TERMS};
END""",
    """
CREATE TRIGGER transactions_search_deal_deleted AFTER DELETE ON transactions_deal BEGIN
  DELETE FROM transactions_dealsearchterm WHERE deal_id = old.id;
END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS transactions_search_deal_inserted",
    "DROP TRIGGER IF EXISTS transactions_search_deal_changed",
    "DROP TRIGGER IF EXISTS transactions_search_deal_deleted",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": PG, "sqlite": SQLITE}.get(vendor, []):
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": PG_DROP, "sqlite": SQLITE_DROP}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_search_functions"),
        ("orgs", "0004_invitation_unique_within_org"),
        ("transactions", "0008_deal_not_transaction"),
    ]

    operations = [
        migrations.CreateModel(
            name="DealSearchTerm",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "org_id",
                        "term",
                        "deal_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("term", models.CharField(max_length=100)),
                ("deal_id", models.BigIntegerField(db_index=True)),
                (
                    "org",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="orgs.organization",
                    ),
                ),
            ],
        ),
        migrations.RunPython(create, drop),
    ]
