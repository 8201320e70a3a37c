"""PostgreSQL's search functions: the terms the apps' search triggers store (core/search.py).

They mirror `rallypoynt.core.search` step by step (NFKD, marks off, lower case, apostrophes
off, the letters NFKD keeps whole folded, anything but letters and digits one space, 100
characters); `core/tests/test_search_terms.py` holds them equal on a list of hard names.
SQLite gets the Python functions themselves on every connection (`CoreConfig.ready`).
"""

from django.db import migrations

NORM = """
CREATE OR REPLACE FUNCTION rp_search_norm(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT btrim(left(btrim(regexp_replace(
  translate(
    replace(replace(replace(replace(replace(replace(replace(
      regexp_replace(
        lower(regexp_replace(normalize(coalesce(value, ''), NFKD), '[\u0300-\u036f]', '', 'g')),
        '[''\u2019\u2018`]', '', 'g'),
      'æ', 'ae'), 'Æ', 'ae'), 'œ', 'oe'), 'Œ', 'oe'), 'ß', 'ss'), 'þ', 'th'), 'Þ', 'th'),
    'øØđĐłŁðÐıħĦŧŦς', 'ooddllddihhttσ'),
  '[^[:alnum:]]+', ' ', 'g')), 100))
$$
"""

PHRASES = """
CREATE OR REPLACE FUNCTION rp_search_phrases(value text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT array_to_string(s.w[i:], ' ')
FROM (SELECT string_to_array(rp_search_norm(value), ' ') AS w) AS s,
     generate_subscripts(s.w, 1) AS i
WHERE i <= 8
$$
"""

NAME_TERMS = """
CREATE OR REPLACE FUNCTION rp_search_name_terms(first text, last text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT rp_search_phrases(coalesce(first, '') || ' ' || coalesce(last, ''))
UNION
SELECT btrim(left(tail || ' ' || rp_search_norm(first), 100))
FROM rp_search_phrases(last) AS tail
WHERE rp_search_norm(first) <> ''
$$
"""

DIGITS = """
CREATE OR REPLACE FUNCTION rp_search_digits(number text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT DISTINCT right(s.d, n)
FROM (SELECT left(regexp_replace(coalesce(number, ''), '[^0-9]', '', 'g'), 100) AS d) AS s,
     unnest(ARRAY[100, 10, 7, 4]) AS n
WHERE s.d <> '' AND (n = 100 OR length(s.d) > n)
$$
"""

DROP = [
    "DROP FUNCTION IF EXISTS rp_search_digits(text)",
    "DROP FUNCTION IF EXISTS rp_search_name_terms(text, text)",
    "DROP FUNCTION IF EXISTS rp_search_phrases(text)",
    "DROP FUNCTION IF EXISTS rp_search_norm(text)",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in (NORM, PHRASES, NAME_TERMS, DIGITS):
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_worker_heartbeat")]
    operations = [migrations.RunPython(create, drop)]
