"""Bulk work keeps the planner right: loads analyse what they filled, the finder stays linear."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from rallypoynt.contacts.models import Contact, ContactEmail, ContactPhone
from rallypoynt.contacts.selectors import MAX_SHARED, duplicate_scores, shared_values
from rallypoynt.contacts.services import dedupe
from rallypoynt.contacts.services.csv_import import engine as import_engine
from rallypoynt.contacts.services.csv_import import (
    import_job_create,
    import_job_prepare,
    import_job_run,
)
from rallypoynt.contacts.services.dedupe import contact_merge
from rallypoynt.contacts.tests.factories import ContactFactory, TouchpointFactory
from rallypoynt.core import bulk
from rallypoynt.demo import loader
from rallypoynt.demo.people import people
from rallypoynt.orgs.tests.brokerage import build_brokerage, fresh

pytestmark = pytest.mark.django_db
IMPORT_TABLES = {
    "contacts_contact",
    "contacts_contactemail",
    "contacts_contactphone",
    "contacts_contacttag",
}
_ANALYZED = re.compile(r'"([a-z_]+)"')


@pytest.fixture
def firm():
    return build_brokerage()


@pytest.fixture
def other():
    return build_brokerage("Other Realty")


def csv_of(n: int, start: int = 0) -> bytes:
    lines = ["First Name,Email,Phone,Tags"]
    lines += [f"P{i},p{i}@example.com,(303) 555-{i:04d},buyer" for i in range(start, start + n)]
    return "\n".join(lines).encode()


def run_import(actor, content: bytes):
    upload = SimpleUploadedFile("people.csv", content)
    job = import_job_create(actor=actor, org_id=actor.org_id, upload=upload, filename="people.csv")
    import_job_prepare(actor=actor, job=job, mapping=None, dry_run=False)
    return import_job_run(job_id=job.pk)


def analyses(ctx: CaptureQueriesContext) -> list[set[str]]:
    """The tables of each ANALYZE run (SQLite analyses one table per statement)."""
    runs = []
    for query in ctx.captured_queries:
        if query["sql"].startswith("ANALYZE"):
            runs.append(set(_ANALYZED.findall(query["sql"])))
    return runs


def clock():
    """The database's time now (PostgreSQL), to tell a fresh ANALYZE from an older one."""
    if connection.vendor == "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def planner_knows(tables: set[str], since) -> set[str]:
    """The tables the planner has statistics for (analysed after `since`, on PostgreSQL)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
            return {row[0] for row in cursor.fetchall()} & tables
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid "
            "WHERE c.reltuples > 0 AND s.last_analyze >= %s",
            [since],
        )
        return {row[0] for row in cursor.fetchall()} & tables


def test_an_import_above_the_threshold_analyses_the_tables_it_filled(firm, monkeypatch):
    monkeypatch.setattr(bulk, "REFRESH_MIN_ROWS", 5)
    monkeypatch.setattr(import_engine, "BATCH", 4)
    since = clock()
    with CaptureQueriesContext(connection) as ctx:
        job = run_import(firm.ben, csv_of(14))
    assert job.rows_created == 14
    runs = analyses(ctx)
    # Once mid-load (8 rows, before that batch's COMMIT), once in full at the end.
    if connection.vendor == "sqlite":
        assert len(runs) == 8
        assert [set().union(*runs[i : i + 4]) for i in (0, 4)] == [IMPORT_TABLES] * 2
    else:
        assert runs == [IMPORT_TABLES] * 2
    assert planner_knows(IMPORT_TABLES, since) == IMPORT_TABLES


def test_refreshes_come_each_time_the_rows_have_doubled(monkeypatch):
    monkeypatch.setattr(bulk, "REFRESH_MIN_ROWS", 10)
    calls = []
    monkeypatch.setattr(bulk, "tables_analyze", lambda models, light=False: calls.append(light))
    keeper = bulk.StatisticsKeeper([Contact])
    refreshed_at = [keeper.written for _ in range(40) if keeper.grew(4)]
    assert refreshed_at == [12, 24, 48, 96]
    assert keeper.finish() and calls == [True] * 4 + [False]


def test_a_small_import_runs_no_analyze(firm, monkeypatch):
    monkeypatch.setattr(bulk, "REFRESH_MIN_ROWS", 50)
    with CaptureQueriesContext(connection) as ctx:
        job = run_import(firm.ben, csv_of(6))
    assert job.rows_created == 6
    assert analyses(ctx) == []


def test_the_demo_load_analyses_the_people_it_loaded(firm, monkeypatch):
    monkeypatch.setattr(bulk, "REFRESH_MIN_ROWS", 30)
    monkeypatch.setattr(loader, "BATCH", 20)
    since = clock()
    with CaptureQueriesContext(connection) as ctx:
        loader.contacts_insert(firm.org, [firm.ben.pk], people(50, seed=1, owners=1))
    tables = {"contacts_contact", "contacts_contactemail", "contacts_contactphone"}
    tables.add("contacts_touchpoint")
    runs = analyses(ctx)
    assert runs and set().union(*runs) == tables
    assert planner_knows(tables, since) == tables


def test_a_merge_that_moved_many_rows_analyses_their_tables_and_a_small_one_does_not(
    firm, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(dedupe, "ANALYZE_AFTER_MOVED", 4)
    for touchpoints, expected in ((3, set()), (4, {"contacts_touchpoint"})):
        keep = ContactFactory(org=firm.org, owner=firm.ben)
        merge = ContactFactory(org=firm.org, owner=firm.ben)
        TouchpointFactory.create_batch(touchpoints, contact=merge)
        with (
            CaptureQueriesContext(connection) as ctx,
            django_capture_on_commit_callbacks(execute=True),
        ):
            contact_merge(actor=firm.ben, keep_id=keep.pk, merge_id=merge.pk)
        assert set().union(*analyses(ctx)) == expected


# The duplicate finder's exact pass ---------------------------------------------------------


def shared_values_before(model, column, *, org_id, contact_ids=None) -> dict[str, list[int]]:
    """The finder's exact pass as it was: rows whose value is IN a grouped subquery."""
    rows = model.objects.filter(org_id=org_id)
    if contact_ids is not None:
        rows = rows.filter(contact_id__in=list(contact_ids))
    dup = rows.values(column).annotate(n=Count("pk")).filter(n__gt=1)
    groups: dict[str, set[int]] = defaultdict(set)
    for value, contact_id in rows.filter(**{f"{column}__in": dup.values(column)}).values_list(
        column, "contact_id"
    ):
        groups[value].add(contact_id)
    return {value: sorted(ids) for value, ids in groups.items()}


def person(owner, *, emails=(), phones=()) -> Contact:
    return ContactFactory(org=owner.org, owner=owner, emails=list(emails), phones=list(phones))


@pytest.fixture
def shared(firm, other):
    """Values held once, twice, by three and by many; some across owners and orgs."""
    ben, maria = firm.ben, firm.maria
    person(ben, emails=["one@x.com"], phones=["+13035550100"])
    person(ben, emails=["two@x.com", "alone@x.com"])
    person(ben, emails=["two@x.com"], phones=["+13035550101"])
    person(maria, emails=["two@x.com"], phones=["+13035550101"])
    person(maria, emails=["mixed@x.com"])
    person(ben, emails=["mixed@x.com"])
    for _ in range(MAX_SHARED + 2):
        person(ben, phones=["+13035550199"])
    person(maria, phones=["+13035550199"])
    person(other.ben, emails=["one@x.com", "two@x.com"], phones=["+13035550100"])
    return firm


def owned(*owners) -> set[int]:
    return set(Contact.objects.filter(owner__in=owners).values_list("pk", flat=True))


@pytest.mark.parametrize(("model", "column"), [(ContactEmail, "address"), (ContactPhone, "number")])
def test_the_exact_pass_returns_the_same_groups_as_before(shared, model, column):
    org_id = shared.org.pk
    now = shared_values(model, column, org_id=org_id)
    assert now == shared_values_before(model, column, org_id=org_id)
    assert len(now) == 2  # two@x.com and mixed@x.com; +13035550101 and +13035550199
    half = set(sorted(owned(shared.ben, shared.maria))[::2])
    for visible in (owned(shared.ben), owned(shared.maria), half):
        restricted = shared_values(model, column, org_id=org_id, contact_ids=visible)
        assert restricted == shared_values_before(model, column, org_id=org_id, contact_ids=visible)


def test_an_agent_is_paired_only_on_values_two_of_their_own_contacts_share(shared):
    ben = owned(shared.ben)
    two = set(ContactEmail.objects.filter(address="two@x.com").values_list("contact", flat=True))
    pairs = {(p.keep_id, p.other_id) for p in duplicate_scores(actor=shared.ben)}
    assert tuple(sorted(two & ben)) in pairs
    assert all(a in ben and b in ben for a, b in pairs)
    reasons = {r for p in duplicate_scores(actor=fresh(shared.broker)) for r in p.reasons}
    assert {"same e-mail mixed@x.com", "same phone +13035550101"} <= reasons
