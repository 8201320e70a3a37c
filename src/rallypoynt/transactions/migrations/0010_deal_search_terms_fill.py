"""Fill the deals' search terms for the rows that were there before the triggers."""

from django.db import migrations

INSERT = "INSERT INTO transactions_dealsearchterm (org_id, term, deal_id)"
PG = f"""{INSERT}
SELECT n.org_id, t.term, n.id
FROM transactions_deal AS n,
     LATERAL (SELECT rp_search_phrases(n.street)
              UNION SELECT rp_search_phrases(n.mls_number)) AS t(term)"""
SQLITE = f"""{INSERT}
SELECT n.org_id, j.value, n.id FROM transactions_deal AS n, json_each(rp_search_phrases(n.street)) AS j
UNION
SELECT n.org_id, j.value, n.id
FROM transactions_deal AS n, json_each(rp_search_phrases(n.mls_number)) AS j"""


def fill(apps, schema_editor):
    sql = {"postgresql": PG, "sqlite": SQLITE}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def empty(apps, schema_editor):
    schema_editor.execute("DELETE FROM transactions_dealsearchterm")


class Migration(migrations.Migration):
    dependencies = [("transactions", "0009_deal_search_terms")]
    operations = [migrations.RunPython(fill, empty)]
