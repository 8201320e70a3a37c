"""The engagements' search terms (core/search.py) and the triggers that keep them.

Written by triggers alone, on each database with its own DDL: an engagement's title, each
client's name (`journeys_engagementcontact`, and a client's contact renamed), and the agent
for scoped reads. PostgreSQL inserts and deletes a statement's rows set-based and keeps the
term column in byte order ("C").
"""

import django.db.models.deletion
from django.db import migrations, models

PG_TERM_COLLATION = (
    'ALTER TABLE journeys_engagementsearchterm ALTER COLUMN term TYPE varchar(100) COLLATE "C"'
)
INSERT = (
    "INSERT INTO journeys_engagementsearchterm "
    "(org_id, term, engagement_id, source, source_id, agent_id)"
)
PG_TITLE_TERMS = """
SELECT n.org_id, t.term, n.id, 't', n.id, n.agent_id
FROM {rows} AS n, LATERAL rp_search_phrases(n.title) AS t(term)
"""
PG_CLIENT_TERMS = """
SELECT n.org_id, t.term, n.engagement_id, 'k', n.contact_id, e.agent_id
FROM {rows} AS n
JOIN journeys_engagement AS e ON e.id = n.engagement_id
JOIN contacts_contact AS c ON c.id = n.contact_id,
LATERAL rp_search_name_terms(c.first_name, c.last_name) AS t(term)
"""
PG = [
    PG_TERM_COLLATION,
    f"""
CREATE FUNCTION journeys_search_engagements_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {INSERT} {PG_TITLE_TERMS.format(rows="inserted")};
  RETURN NULL;
END $$""",
    """
CREATE TRIGGER journeys_search_engagements_inserted AFTER INSERT ON journeys_engagement
REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
EXECUTE FUNCTION journeys_search_engagements_inserted()""",
    f"""
CREATE FUNCTION journeys_search_engagement_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF new.title IS DISTINCT FROM old.title THEN
    DELETE FROM journeys_engagementsearchterm WHERE engagement_id = old.id AND source = 't';
    {INSERT} {PG_TITLE_TERMS.format(rows="(SELECT new.*)")};
  END IF;
  IF new.agent_id IS DISTINCT FROM old.agent_id THEN
    UPDATE journeys_engagementsearchterm SET agent_id = new.agent_id
    WHERE engagement_id = new.id;
  END IF;
  RETURN NULL;
END $$""",
    """
CREATE TRIGGER journeys_search_engagement_changed
AFTER UPDATE OF title, agent_id ON journeys_engagement FOR EACH ROW
WHEN ((new.title, new.agent_id) IS DISTINCT FROM (old.title, old.agent_id))
EXECUTE FUNCTION journeys_search_engagement_changed()""",
    """
CREATE FUNCTION journeys_search_engagements_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM journeys_engagementsearchterm AS s USING deleted AS d
  WHERE s.engagement_id = d.id;
  RETURN NULL;
END $$""",
    """
CREATE TRIGGER journeys_search_engagements_deleted AFTER DELETE ON journeys_engagement
REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT
EXECUTE FUNCTION journeys_search_engagements_deleted()""",
    f"""
CREATE FUNCTION journeys_search_clients_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {INSERT} {PG_CLIENT_TERMS.format(rows="inserted")};
  RETURN NULL;
END $$""",
    """
CREATE TRIGGER journeys_search_clients_inserted AFTER INSERT ON journeys_engagementcontact
REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
EXECUTE FUNCTION journeys_search_clients_inserted()""",
    f"""
CREATE FUNCTION journeys_search_client_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM journeys_engagementsearchterm
  WHERE engagement_id = old.engagement_id AND source = 'k' AND source_id = old.contact_id;
  {INSERT} {PG_CLIENT_TERMS.format(rows="(SELECT new.*)")};
  RETURN NULL;
END $$""",
    """
CREATE TRIGGER journeys_search_client_changed
AFTER UPDATE OF engagement_id, contact_id ON journeys_engagementcontact FOR EACH ROW
WHEN ((new.engagement_id, new.contact_id) IS DISTINCT FROM (old.engagement_id, old.contact_id))
EXECUTE FUNCTION journeys_search_client_changed()""",
    """
CREATE FUNCTION journeys_search_clients_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM journeys_engagementsearchterm AS s USING deleted AS d
  WHERE s.engagement_id = d.engagement_id AND s.source = 'k' AND s.source_id = d.contact_id;
  RETURN NULL;
END $$""",
    """
CREATE TRIGGER journeys_search_clients_deleted AFTER DELETE ON journeys_engagementcontact
REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT
EXECUTE FUNCTION journeys_search_clients_deleted()""",
    # A client renamed: the engagements they are a client of follow (a trigger on the lower
    # app's table, set by this app, as an event subscription would be).
    f"""
CREATE FUNCTION journeys_search_client_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM journeys_engagementsearchterm
  WHERE source = 'k' AND source_id = new.id AND engagement_id IN (
    SELECT engagement_id FROM journeys_engagementcontact
    WHERE org_id = new.org_id AND contact_id = new.id);
  {INSERT} {
        PG_CLIENT_TERMS.format(
            rows="(SELECT * FROM journeys_engagementcontact "
            "WHERE org_id = new.org_id AND contact_id = new.id)"
        )
    };
  RETURN NULL;
END $$""",
    """
CREATE TRIGGER journeys_search_client_renamed
AFTER UPDATE OF first_name, last_name ON contacts_contact FOR EACH ROW
WHEN ((new.first_name, new.last_name) IS DISTINCT FROM (old.first_name, old.last_name))
EXECUTE FUNCTION journeys_search_client_renamed()""",
]
PG_DROP = [
    f"DROP TRIGGER IF EXISTS journeys_search_{name} ON {table}"
    for name, table in (
        ("engagements_inserted", "journeys_engagement"),
        ("engagement_changed", "journeys_engagement"),
        ("engagements_deleted", "journeys_engagement"),
        ("clients_inserted", "journeys_engagementcontact"),
        ("client_changed", "journeys_engagementcontact"),
        ("clients_deleted", "journeys_engagementcontact"),
        ("client_renamed", "contacts_contact"),
    )
] + [
    f"DROP FUNCTION IF EXISTS journeys_search_{name}()"
    for name in (
        "engagements_inserted",
        "engagement_changed",
        "engagements_deleted",
        "clients_inserted",
        "client_changed",
        "clients_deleted",
        "client_renamed",
    )
]

SQLITE_TITLE_TERMS = """
SELECT new.org_id, value, new.id, 't', new.id, new.agent_id
FROM json_each(rp_search_phrases(new.title))
"""
SQLITE_CLIENT_TERMS = """
SELECT n.org_id, j.value, n.engagement_id, 'k', n.contact_id, e.agent_id
FROM journeys_engagementcontact AS n
JOIN journeys_engagement AS e ON e.id = n.engagement_id
JOIN contacts_contact AS c ON c.id = n.contact_id,
json_each(rp_search_name_terms(c.first_name, c.last_name)) AS j
WHERE {where}
"""
SQLITE = [
    f"""
CREATE TRIGGER journeys_search_engagement_inserted AFTER INSERT ON journeys_engagement BEGIN
  {INSERT} {SQLITE_TITLE_TERMS};
END""",
    f"""
CREATE TRIGGER journeys_search_engagement_title AFTER UPDATE OF title ON journeys_engagement
WHEN old.title IS NOT new.title
BEGIN
  DELETE FROM journeys_engagementsearchterm WHERE engagement_id = old.id AND source = 't';
  {INSERT} {SQLITE_TITLE_TERMS};
END""",
    """
CREATE TRIGGER journeys_search_engagement_agent AFTER UPDATE OF agent_id ON journeys_engagement
WHEN old.agent_id IS NOT new.agent_id
BEGIN
  UPDATE journeys_engagementsearchterm SET agent_id = new.agent_id WHERE engagement_id = new.id;
END""",
    """
CREATE TRIGGER journeys_search_engagement_deleted AFTER DELETE ON journeys_engagement BEGIN
  DELETE FROM journeys_engagementsearchterm WHERE engagement_id = old.id;
END""",
    f"""
CREATE TRIGGER journeys_search_client_inserted AFTER INSERT ON journeys_engagementcontact
BEGIN
  {INSERT} {SQLITE_CLIENT_TERMS.format(where="n.id = new.id")};
END""",
    f"""
CREATE TRIGGER journeys_search_client_changed
AFTER UPDATE OF engagement_id, contact_id ON journeys_engagementcontact
WHEN old.engagement_id IS NOT new.engagement_id OR old.contact_id IS NOT new.contact_id
BEGIN
  DELETE FROM journeys_engagementsearchterm
  WHERE engagement_id = old.engagement_id AND source = 'k' AND source_id = old.contact_id;
  {INSERT} {SQLITE_CLIENT_TERMS.format(where="n.id = new.id")};
END""",
    """
CREATE TRIGGER journeys_search_client_deleted AFTER DELETE ON journeys_engagementcontact
BEGIN
  DELETE FROM journeys_engagementsearchterm
  WHERE engagement_id = old.engagement_id AND source = 'k' AND source_id = old.contact_id;
END""",
    f"""
CREATE TRIGGER journeys_search_client_renamed
AFTER UPDATE OF first_name, last_name ON contacts_contact
WHEN old.first_name IS NOT new.first_name OR old.last_name IS NOT new.last_name
BEGIN
  DELETE FROM journeys_engagementsearchterm
  WHERE source = 'k' AND source_id = new.id AND engagement_id IN (
    SELECT engagement_id FROM journeys_engagementcontact
    WHERE org_id = new.org_id AND contact_id = new.id);
  {INSERT} {SQLITE_CLIENT_TERMS.format(where="n.org_id = new.org_id AND n.contact_id = new.id")};
END""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS journeys_search_{name}"
    for name in (
        "engagement_inserted",
        "engagement_title",
        "engagement_agent",
        "engagement_deleted",
        "client_inserted",
        "client_changed",
        "client_deleted",
        "client_renamed",
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
        ("journeys", "0006_engagement_inquiry_in_leads"),
        ("orgs", "0004_invitation_unique_within_org"),
    ]

    operations = [
        migrations.CreateModel(
            name="EngagementSearchTerm",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "org_id",
                        "term",
                        "engagement_id",
                        "source",
                        "source_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("term", models.CharField(max_length=100)),
                ("engagement_id", models.BigIntegerField(db_index=True)),
                ("source", models.CharField(max_length=1)),
                ("source_id", models.BigIntegerField()),
                ("agent_id", models.BigIntegerField()),
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
                        fields=["org", "agent_id", "term", "engagement_id"],
                        name="engagementsearch_agent",
                    )
                ],
            },
        ),
        migrations.RunPython(create, drop),
    ]
