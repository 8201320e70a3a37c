"""Fill the contacts' search terms for the rows that were there before the triggers."""

from django.db import migrations

INSERT = (
    "INSERT INTO contacts_contactsearchterm (org_id, term, contact_id, source, source_id, owner_id)"
)
PG = [
    f"""{INSERT}
SELECT n.org_id, t.term, n.id, 'c', n.id, n.owner_id
FROM contacts_contact AS n,
     LATERAL (SELECT rp_search_name_terms(n.first_name, n.last_name)
              UNION SELECT rp_search_phrases(n.street)) AS t(term)""",
    f"""{INSERT}
SELECT n.org_id, t.term, n.contact_id, 'e', n.id, c.owner_id
FROM contacts_contactemail AS n JOIN contacts_contact AS c ON c.id = n.contact_id,
     LATERAL rp_search_phrases(n.address) AS t(term)""",
    f"""{INSERT}
SELECT n.org_id, t.term, n.contact_id, 'p', n.id, c.owner_id
FROM contacts_contactphone AS n JOIN contacts_contact AS c ON c.id = n.contact_id,
     LATERAL rp_search_digits(n.number) AS t(term)""",
]
SQLITE = [
    f"""{INSERT}
SELECT n.org_id, j.value, n.id, 'c', n.id, n.owner_id
FROM contacts_contact AS n, json_each(rp_search_name_terms(n.first_name, n.last_name)) AS j
UNION
SELECT n.org_id, j.value, n.id, 'c', n.id, n.owner_id
FROM contacts_contact AS n, json_each(rp_search_phrases(n.street)) AS j""",
    f"""{INSERT}
SELECT n.org_id, j.value, n.contact_id, 'e', n.id, c.owner_id
FROM contacts_contactemail AS n JOIN contacts_contact AS c ON c.id = n.contact_id,
     json_each(rp_search_phrases(n.address)) AS j""",
    f"""{INSERT}
SELECT n.org_id, j.value, n.contact_id, 'p', n.id, c.owner_id
FROM contacts_contactphone AS n JOIN contacts_contact AS c ON c.id = n.contact_id,
     json_each(rp_search_digits(n.number)) AS j""",
]


def fill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": PG, "sqlite": SQLITE}.get(vendor, []):
        schema_editor.execute(sql)


def empty(apps, schema_editor):
    schema_editor.execute("DELETE FROM contacts_contactsearchterm")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0011_contact_search_terms")]
    operations = [migrations.RunPython(fill, empty)]
