"""Fill the engagements' search terms for the rows that were there before the triggers."""

from django.db import migrations

INSERT = (
    "INSERT INTO journeys_engagementsearchterm "
    "(org_id, term, engagement_id, source, source_id, agent_id)"
)
PG = [
    f"""{INSERT}
SELECT n.org_id, t.term, n.id, 't', n.id, n.agent_id
FROM journeys_engagement AS n, LATERAL rp_search_phrases(n.title) AS t(term)""",
    f"""{INSERT}
SELECT n.org_id, t.term, n.engagement_id, 'k', n.contact_id, e.agent_id
FROM journeys_engagementcontact AS n
JOIN journeys_engagement AS e ON e.id = n.engagement_id
JOIN contacts_contact AS c ON c.id = n.contact_id,
LATERAL rp_search_name_terms(c.first_name, c.last_name) AS t(term)""",
]
SQLITE = [
    f"""{INSERT}
SELECT n.org_id, j.value, n.id, 't', n.id, n.agent_id
FROM journeys_engagement AS n, json_each(rp_search_phrases(n.title)) AS j""",
    f"""{INSERT}
SELECT n.org_id, j.value, n.engagement_id, 'k', n.contact_id, e.agent_id
FROM journeys_engagementcontact AS n
JOIN journeys_engagement AS e ON e.id = n.engagement_id
JOIN contacts_contact AS c ON c.id = n.contact_id,
json_each(rp_search_name_terms(c.first_name, c.last_name)) AS j""",
]


def fill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": PG, "sqlite": SQLITE}.get(vendor, []):
        schema_editor.execute(sql)


def empty(apps, schema_editor):
    schema_editor.execute("DELETE FROM journeys_engagementsearchterm")


class Migration(migrations.Migration):
    dependencies = [("journeys", "0007_engagement_search_terms")]
    operations = [migrations.RunPython(fill, empty)]
