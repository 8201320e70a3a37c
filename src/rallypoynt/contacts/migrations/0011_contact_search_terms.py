"""The contacts' search terms (core/search.py) and the triggers that keep them.

The table is written by triggers alone, on each database with its own DDL: every insert,
change and delete of a contact (name, street, owner), an e-mail or a phone rewrites that row's
terms, whatever wrote it (a service, a bulk load, an import's COPY, a merge, raw SQL).
PostgreSQL inserts and deletes a statement's rows set-based (transition tables) and keeps the
term column in byte order ("C"), so a prefix is one B-tree range under any database locale.
"""

import django.db.models.deletion
from django.db import migrations, models

PG_TERM_COLLATION = (
    'ALTER TABLE contacts_contactsearchterm ALTER COLUMN term TYPE varchar(100) COLLATE "C"'
)

# The terms of a contact row `n`, of an e-mail row `n`, of a phone row `n` (PostgreSQL).
PG_CONTACT_TERMS = """
SELECT n.org_id, t.term, n.id, 'c', n.id, n.owner_id
FROM {rows} AS n,
     LATERAL (SELECT rp_search_name_terms(n.first_name, n.last_name)
              UNION SELECT rp_search_phrases(n.street)) AS t(term)
"""
PG_EMAIL_TERMS = """
SELECT n.org_id, t.term, n.contact_id, 'e', n.id, c.owner_id
FROM {rows} AS n LEFT JOIN contacts_contact AS c ON c.id = n.contact_id,
     LATERAL rp_search_phrases(n.address) AS t(term)
"""
PG_PHONE_TERMS = """
SELECT n.org_id, t.term, n.contact_id, 'p', n.id, c.owner_id
FROM {rows} AS n LEFT JOIN contacts_contact AS c ON c.id = n.contact_id,
     LATERAL rp_search_digits(n.number) AS t(term)
"""
INSERT = (
    "INSERT INTO contacts_contactsearchterm (org_id, term, contact_id, source, source_id, owner_id)"
)

PG = [
    PG_TERM_COLLATION,
    # Contacts.
    f"""
CREATE FUNCTION contacts_search_contacts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {INSERT} {PG_CONTACT_TERMS.format(rows="inserted")};
  RETURN NULL;
END $$""",
    """
CREATE TRIGGER contacts_search_contacts_inserted AFTER INSERT ON contacts_contact
REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
EXECUTE FUNCTION contacts_search_contacts_inserted()""",
    f"""
CREATE FUNCTION contacts_search_contact_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (new.first_name, new.last_name, new.street)
     IS DISTINCT FROM (old.first_name, old.last_name, old.street) THEN
    DELETE FROM contacts_contactsearchterm WHERE contact_id = old.id AND source = 'c';
    {INSERT} {PG_CONTACT_TERMS.format(rows="(SELECT new.*)")};
  END IF;
  IF new.owner_id IS DISTINCT FROM old.owner_id THEN
    UPDATE contacts_contactsearchterm SET owner_id = new.owner_id WHERE contact_id = new.id;
  END IF;
  RETURN NULL;
END $$""",
    """
CREATE TRIGGER contacts_search_contact_changed
AFTER UPDATE OF first_name, last_name, street, owner_id ON contacts_contact FOR EACH ROW
WHEN ((new.first_name, new.last_name, new.street, new.owner_id)
      IS DISTINCT FROM (old.first_name, old.last_name, old.street, old.owner_id))
EXECUTE FUNCTION contacts_search_contact_changed()""",
    """
CREATE FUNCTION contacts_search_contacts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM contacts_contactsearchterm AS s USING deleted AS d WHERE s.contact_id = d.id;
  RETURN NULL;
END $$""",
    """
CREATE TRIGGER contacts_search_contacts_deleted AFTER DELETE ON contacts_contact
REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT
EXECUTE FUNCTION contacts_search_contacts_deleted()""",
]
for table, kind, source, terms, column in (
    ("contacts_contactemail", "emails", "e", PG_EMAIL_TERMS, "address"),
    ("contacts_contactphone", "phones", "p", PG_PHONE_TERMS, "number"),
):
    PG += [
        f"""
CREATE FUNCTION contacts_search_{kind}_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {INSERT} {terms.format(rows="inserted")};
  RETURN NULL;
END $$""",
        f"""
CREATE TRIGGER contacts_search_{kind}_inserted AFTER INSERT ON {table}
REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
EXECUTE FUNCTION contacts_search_{kind}_inserted()""",
        f"""
CREATE FUNCTION contacts_search_{kind}_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM contacts_contactsearchterm
  WHERE contact_id = old.contact_id AND source = '{source}' AND source_id = old.id;
  {INSERT} {terms.format(rows="(SELECT new.*)")};
  RETURN NULL;
END $$""",
        f"""
CREATE TRIGGER contacts_search_{kind}_changed
AFTER UPDATE OF {column}, contact_id ON {table} FOR EACH ROW
WHEN ((new.{column}, new.contact_id) IS DISTINCT FROM (old.{column}, old.contact_id))
EXECUTE FUNCTION contacts_search_{kind}_changed()""",
        f"""
CREATE FUNCTION contacts_search_{kind}_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM contacts_contactsearchterm AS s USING deleted AS d
  WHERE s.contact_id = d.contact_id AND s.source = '{source}' AND s.source_id = d.id;
  RETURN NULL;
END $$""",
        f"""
CREATE TRIGGER contacts_search_{kind}_deleted AFTER DELETE ON {table}
REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT
EXECUTE FUNCTION contacts_search_{kind}_deleted()""",
    ]

PG_DROP = [
    f"DROP TRIGGER IF EXISTS contacts_search_{name} ON {table}"
    for table, names in (
        ("contacts_contact", ("contacts_inserted", "contact_changed", "contacts_deleted")),
        ("contacts_contactemail", ("emails_inserted", "emails_changed", "emails_deleted")),
        ("contacts_contactphone", ("phones_inserted", "phones_changed", "phones_deleted")),
    )
    for name in names
] + [
    f"DROP FUNCTION IF EXISTS contacts_search_{name}()"
    for name in (
        "contacts_inserted",
        "contact_changed",
        "contacts_deleted",
        "emails_inserted",
        "emails_changed",
        "emails_deleted",
        "phones_inserted",
        "phones_changed",
        "phones_deleted",
    )
]

# SQLite: row triggers calling the Python term functions (rallypoynt.core.search).
SQLITE_CONTACT_TERMS = """
SELECT new.org_id, value, new.id, 'c', new.id, new.owner_id
FROM json_each(rp_search_name_terms(new.first_name, new.last_name))
UNION SELECT new.org_id, value, new.id, 'c', new.id, new.owner_id
FROM json_each(rp_search_phrases(new.street))
"""
SQLITE_OWNER = "(SELECT owner_id FROM contacts_contact WHERE id = new.contact_id)"
SQLITE = [
    f"""
CREATE TRIGGER contacts_search_contact_inserted AFTER INSERT ON contacts_contact BEGIN
  {INSERT} {SQLITE_CONTACT_TERMS};
END""",
    f"""
CREATE TRIGGER contacts_search_contact_text
AFTER UPDATE OF first_name, last_name, street ON contacts_contact
WHEN old.first_name IS NOT new.first_name OR old.last_name IS NOT new.last_name
  OR old.street IS NOT new.street
BEGIN
  DELETE FROM contacts_contactsearchterm WHERE contact_id = old.id AND source = 'c';
  {INSERT} {SQLITE_CONTACT_TERMS};
END""",
    """
CREATE TRIGGER contacts_search_contact_owner AFTER UPDATE OF owner_id ON contacts_contact
WHEN old.owner_id IS NOT new.owner_id
BEGIN
  UPDATE contacts_contactsearchterm SET owner_id = new.owner_id WHERE contact_id = new.id;
END""",
    """
CREATE TRIGGER contacts_search_contact_deleted AFTER DELETE ON contacts_contact BEGIN
  DELETE FROM contacts_contactsearchterm WHERE contact_id = old.id;
END""",
]
for table, kind, source, function, column in (
    ("contacts_contactemail", "email", "e", "rp_search_phrases", "address"),
    ("contacts_contactphone", "phone", "p", "rp_search_digits", "number"),
):
    terms = (
        f"SELECT new.org_id, value, new.contact_id, '{source}', new.id, {SQLITE_OWNER} "
        f"FROM json_each({function}(new.{column}))"
    )
    SQLITE += [
        f"""
CREATE TRIGGER contacts_search_{kind}_inserted AFTER INSERT ON {table} BEGIN
  {INSERT} {terms};
END""",
        f"""
CREATE TRIGGER contacts_search_{kind}_changed AFTER UPDATE OF {column}, contact_id ON {table}
WHEN old.{column} IS NOT new.{column} OR old.contact_id IS NOT new.contact_id
BEGIN
  DELETE FROM contacts_contactsearchterm
  WHERE contact_id = old.contact_id AND source = '{source}' AND source_id = old.id;
  {INSERT} {terms};
END""",
        f"""
CREATE TRIGGER contacts_search_{kind}_deleted AFTER DELETE ON {table} BEGIN
  DELETE FROM contacts_contactsearchterm
  WHERE contact_id = old.contact_id AND source = '{source}' AND source_id = old.id;
END""",
    ]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS contacts_search_{name}"
    for name in (
        "contact_inserted",
        "contact_text",
        "contact_owner",
        "contact_deleted",
        "email_inserted",
        "email_changed",
        "email_deleted",
        "phone_inserted",
        "phone_changed",
        "phone_deleted",
    )
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
        ("contacts", "0010_client_profile"),
        ("orgs", "0004_invitation_unique_within_org"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContactSearchTerm",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "org_id",
                        "term",
                        "contact_id",
                        "source",
                        "source_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("term", models.CharField(max_length=100)),
                ("contact_id", models.BigIntegerField(db_index=True)),
                ("source", models.CharField(max_length=1)),
                ("source_id", models.BigIntegerField()),
                ("owner_id", models.BigIntegerField(null=True)),
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
            options={
                "indexes": [
                    models.Index(
                        fields=["org", "owner_id", "term", "contact_id"], name="contactsearch_owner"
                    )
                ],
            },
        ),
        migrations.RunPython(create, drop),
    ]
