"""CSV import: header auto-mapping, row checks, dedupe, batches, dry run, jobs and the task."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import phonenumbers
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rallypoynt.contacts.choices import ImportStatus, Stage
from rallypoynt.contacts.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    ContactTag,
    ImportJob,
    Tag,
)
from rallypoynt.contacts.services import csv_import
from rallypoynt.contacts.services.csv_import import (
    BadValue,
    SkippedValue,
    date_clean,
    email_clean,
    header_target,
    import_job_create,
    import_job_get,
    import_job_prepare,
    import_job_queue,
    import_job_run,
    mapping_guess,
    name_split,
    phone_clean,
    row_clean,
)
from rallypoynt.contacts.services.csv_import import engine as import_engine
from rallypoynt.contacts.services.normalize import email_normalize
from rallypoynt.contacts.tasks import import_job_execute
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.errors import Conflict, NotFound, ValidationFailed
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.core.testing import count_queries
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data" / "imports"


@pytest.fixture
def brokerage(db):
    return build_brokerage()


@pytest.fixture
def other(db):
    return build_brokerage("Other Realty")


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else (DATA / name).read_bytes())


def run_import(actor, name, content=None, *, dry_run=False, mapping=None, owner_id=None):
    """Upload, map and run an import as `actor`; returns the finished job."""
    job = import_job_create(
        actor=actor,
        org_id=actor.org_id,
        upload=upload(name, content),
        filename=name,
        owner_id=owner_id,
    )
    import_job_prepare(actor=actor, job=job, mapping=mapping, dry_run=dry_run)
    return import_job_run(job_id=job.pk)


def errors_of(job, kind=None):
    return [e for e in job.errors if e.get("kind") == kind]


# Header auto-mapping ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("First Name", "first_name"),
        ("Given Name", "first_name"),
        ("Last Name", "last_name"),
        ("Surname", "last_name"),
        ("Full Name", "full_name"),
        ("Name", "full_name"),
        ("Email", "email"),
        ("E-mail", "email"),
        ("Email Address", "email"),
        ("Primary Email", "email"),
        ("Email 2", "email"),
        ("E-mail 1 - Value", "email"),
        ("E-mail 2 Address", "email"),
        ("Work Email", "work_email"),
        ("Business Email", "work_email"),
        ("Other Email", "other_email"),
        ("Home Email", "email"),
        ("Phone", "mobile_phone"),
        ("Phone Number", "mobile_phone"),
        ("Phone 1 - Value", "mobile_phone"),
        ("Mobile", "mobile_phone"),
        ("Cell", "mobile_phone"),
        ("Cell Phone", "mobile_phone"),
        ("Home Phone", "home_phone"),
        ("Work Phone", "work_phone"),
        ("Business Phone", "work_phone"),
        ("Office Phone", "work_phone"),
        ("Other Phone", "other_phone"),
        ("Fax", "other_phone"),
        ("Tags", "tags"),
        ("Labels", "tags"),
        ("Hashtags", "tags"),
        ("Source", "source"),
        ("Lead Source", "source"),
        ("Stage", "stage"),
        ("Status", "stage"),
        ("Street", "street"),
        ("Address", "street"),
        ("Address 1", "street"),
        ("Address 1 - Street", "street"),
        ("Address 2", "street2"),
        ("City", "city"),
        ("Address 1 - City", "city"),
        ("State", "state"),
        ("Address 1 - Region", "state"),
        ("Zip", "postal_code"),
        ("ZIP Code", "postal_code"),
        ("Postal Code", "postal_code"),
        ("Address 1 - Postal Code", "postal_code"),
        ("Birthday", "birthday_on"),
        ("Date of Birth", "birthday_on"),
        ("Notes", "background"),
        ("Background", "background"),
        ("Company", ""),
        ("Assigned To", ""),
        ("E-mail 1 - Label", ""),
        ("Phone 1 - Label", ""),
        ("Address 1 - Formatted", ""),
    ],
)
def test_headers_other_crms_export_map_to_contact_fields(header, target):
    assert header_target(header) == target


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("followupboss_people.csv", {"Email 2": "email", "Address 1 - Zip": "postal_code"}),
        ("kvcore_leads.csv", {"Secondary Email": "email", "Hashtags": "tags", "Agent": ""}),
        ("google_contacts.csv", {"E-mail 2 - Value": "email", "Organization Name": ""}),
        ("mixed_headers.csv", {"Full Name": "full_name", "Company": "", "Cell": "mobile_phone"}),
    ],
)
def test_sample_exports_are_auto_mapped(name, expected):
    headers = csv_import.csv_headers((DATA / name).read_text())
    mapping = mapping_guess(headers)
    assert {h: mapping[h] for h in expected} == expected


def test_repeated_and_blank_headers_are_made_unique():
    assert csv_import.unique_headers(["Email", "Email", "", "Email"]) == [
        "Email",
        "Email (2)",
        "Column 3",
        "Email (3)",
    ]
    assert header_target("Email (2)") == "email"


# Values ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("full", "first", "last"),
    [
        ("Olivia Bennett", "Olivia", "Bennett"),
        ("Mary Ann Smith", "Mary Ann", "Smith"),
        ("Mary Ann Smith Jr.", "Mary Ann", "Smith Jr."),
        ("Carter, Ben", "Ben", "Carter"),
        ("Cher", "Cher", ""),
    ],
)
def test_full_name_splits_into_first_and_last(full, first, last):
    assert name_split(full) == (first, last)


def test_email_fast_path_agrees_with_the_validator():
    samples = [
        "Olivia.Bennett@Example.com",
        "o'brien+crm@example.org",
        "x@a.b",
        "a..b@example.com",
        ".a@example.com",
        "a.@example.com",
        "a@-x.com",
        "a@x_y.com",
        "a@example.test",
        "a@x.123",
        "josé@example.com",
        "no-at-sign.example.com",
    ]
    for raw in samples:
        try:
            expected = email_normalize(raw)
        except ValidationFailed:
            expected = None
        try:
            got = email_clean(raw)
        except BadValue:
            got = None
        assert got == expected, raw


def test_phone_fast_path_agrees_with_phonenumbers_on_random_us_numbers():
    rng = random.Random(7)
    shapes = [
        "({}{}{}) {}{}{}-{}{}{}{}",
        "{}{}{}-{}{}{}-{}{}{}{}",
        "+1 {}{}{} {}{}{} {}{}{}{}",
        "1.{}{}{}.{}{}{}.{}{}{}{}",
        "{}{}{}{}{}{}{}{}{}{}",
    ]
    for _ in range(3000):
        raw = rng.choice(shapes).format(*(rng.randrange(10) for _ in range(10)))
        try:
            parsed = phonenumbers.parse(raw, "US")
        except phonenumbers.NumberParseException:
            parsed = None
        expected = None
        if parsed and phonenumbers.is_possible_number_with_reason(parsed) == 0:
            expected = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        try:
            got = phone_clean(raw)
        except BadValue:
            got = None
        assert got == expected, raw


def test_phone_without_area_code_is_refused():
    with pytest.raises(BadValue, match="area code"):
        phone_clean("555-0205")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1988-03-14", date(1988, 3, 14)),
        ("03/14/1988", date(1988, 3, 14)),
        ("3/14/88", date(1988, 3, 14)),
        ("1/2/85", date(1985, 1, 2)),
        ("14/03/1988", date(1988, 3, 14)),
        ("19880314", date(1988, 3, 14)),
        ("1988-03-14T00:00:00Z", date(1988, 3, 14)),
        ("03/14/1988 00:00:00", date(1988, 3, 14)),
        ("March 14, 1988", date(1988, 3, 14)),
        ("14 Mar 1988", date(1988, 3, 14)),
    ],
)
def test_birthdays_in_common_formats_are_read(raw, expected):
    assert date_clean(raw, today=date(2026, 1, 1)) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("1985-02-29", "no such date"),
        ("someday", "not a date"),
        ("2090-01-01", "plausible"),
    ],
)
def test_bad_birthdays_say_why(raw, reason):
    with pytest.raises(BadValue, match=reason):
        date_clean(raw, today=date(2026, 1, 1))


def test_birthday_without_year_is_left_out_with_a_warning():
    with pytest.raises(SkippedValue):
        date_clean("--05-17")


def test_a_bad_row_reports_every_bad_column_with_the_reason():
    row, errors = row_clean(
        7,
        [
            ("first_name", "First Name", "Derek"),
            ("email", "Email 1", "derek@@example.com"),
            ("mobile_phone", "Phone 1", "12"),
            ("stage", "Stage", "Archived"),
        ],
    )
    assert row is None
    assert [(e["row"], e["column"]) for e in errors] == [
        (7, "Email 1"),
        (7, "Stage"),
        (7, "Phone 1"),
    ]
    assert "unknown stage" in errors[1]["reason"]


def test_a_row_without_name_email_or_phone_is_refused():
    row, errors = row_clean(3, [("city", "City", "Denver")])
    assert row is None
    assert errors[0]["reason"].startswith("a contact needs a name")


def test_formula_guard_from_our_export_is_removed():
    row, _ = row_clean(2, [("first_name", "First", "'=Ann"), ("background", "Notes", "'-- hi")])
    assert row.values["first_name"] == "=Ann"
    assert row.values["background"] == "-- hi"


# Importing -------------------------------------------------------------------------------


def test_follow_up_boss_export_imports_good_rows_and_reports_bad_ones(brokerage):
    job = run_import(brokerage.ben, "followupboss_people.csv")
    assert job.status == ImportStatus.DONE
    assert (job.rows_total, job.rows_created, job.rows_duplicate, job.rows_failed) == (8, 5, 1, 2)
    derek, tomas = errors_of(job)
    assert (derek["row"], derek["column"], derek["value"]) == (
        5,
        "Email 1",
        "derek.olsen@@example.com",
    )
    assert "@" in derek["reason"]
    assert tomas == {
        "row": 8,
        "column": "Birthday",
        "value": "1985-02-29",
        "reason": "no such date",
    }
    dup = errors_of(job, "duplicate")
    assert dup[0]["row"] == 7
    assert dup[0]["reason"] == "matched Olivia Bennett (phone) from row 2; added notes"

    marcus = Contact.objects.get(org=brokerage.org, last_name="Reyes")
    assert marcus.owner_id == brokerage.ben.pk
    assert marcus.stage == Stage.CLIENT
    assert marcus.source == "Referral"
    assert (marcus.street, marcus.city, marcus.state, marcus.postal_code) == (
        "845 Pearl St",
        "Boulder",
        "CO",
        "80302",
    )
    assert marcus.birthday_on == date(1979, 11, 2)
    assert list(
        marcus.emails.order_by("-is_primary", "id").values_list("address", "is_primary")
    ) == [
        ("marcus.reyes@example.net", True),
        ("m.reyes@example.org", False),
    ]
    assert set(marcus.phones.values_list("number", flat=True)) == {"+17205550102", "+13035550152"}
    assert {t.tag.name for t in marcus.tag_links.all()} == {"Seller", "VIP"}
    priya = Contact.objects.get(org=brokerage.org, last_name="Nair")
    assert priya.emails.get().address == "priya.nair@example.com"
    assert priya.stage == Stage.SPHERE


def test_count_of_rows_counts_only_rows_with_data(brokerage):
    content = b"First Name,Email\nAnn,ann@example.com\n,\n\nBob,bob@example.com\n"
    job = run_import(brokerage.ben, "blank-lines.csv", content)
    assert (job.rows_total, job.rows_created) == (2, 2)


def test_running_the_same_file_again_creates_no_duplicates(brokerage):
    first = run_import(brokerage.ben, "kvcore_leads.csv")
    count = Contact.objects.filter(org=brokerage.org).count()
    second = run_import(brokerage.ben, "kvcore_leads.csv")
    assert first.rows_created == count > 0
    assert Contact.objects.filter(org=brokerage.org).count() == count
    assert second.rows_created == 0
    assert second.rows_duplicate == first.rows_created
    # Emma Wilson has no e-mail or phone: matched by name and address instead.
    assert Contact.objects.filter(org=brokerage.org, last_name="Wilson").count() == 1


def test_dedupe_matches_contacts_of_anyone_in_the_org(brokerage):
    ContactFactory(
        org=brokerage.org,
        owner=brokerage.chris,
        first_name="Liv",
        last_name="Bennett",
        phones=["+13035550101"],
    )
    job = run_import(brokerage.ben, "followupboss_people.csv")
    olivia = [e for e in errors_of(job, "duplicate") if e["row"] in (2, 7)]
    assert [e["reason"].split(";")[0] for e in olivia] == ["matched Liv Bennett (phone)"] * 2
    assert not Contact.objects.filter(org=brokerage.org, first_name="Olivia").exists()


def test_dedupe_never_looks_at_another_org(brokerage, other):
    ContactFactory(org=other.org, emails=["ava.thompson@example.com"])
    job = run_import(brokerage.ben, "kvcore_leads.csv")
    assert job.rows_duplicate == 0
    assert Contact.objects.filter(org=brokerage.org, first_name="Ava").exists()


def test_kvcore_statuses_and_hashtags_are_understood(brokerage):
    job = run_import(brokerage.ben, "kvcore_leads.csv")
    liam = Contact.objects.get(org=brokerage.org, first_name="Liam")
    assert liam.stage == Stage.PROSPECT
    noah = Contact.objects.get(org=brokerage.org, first_name="Noah")
    assert noah.stage == Stage.PAST_CLIENT
    assert {t.tag.name for t in noah.tag_links.all()} == {"pastclient", "referral"}
    ava = Contact.objects.get(org=brokerage.org, first_name="Ava")
    assert {t.tag.name for t in ava.tag_links.all()} == {"buyer", "firsttime"}
    assert {(e["row"], e["column"]) for e in errors_of(job)} == {(6, "Cell Phone"), (7, "Status")}


def test_google_contacts_export_imports_with_a_warning_for_a_birthday_without_year(brokerage):
    job = run_import(brokerage.ben, "google_contacts.csv")
    assert (job.rows_created, job.rows_failed) == (3, 0)
    sophie = Contact.objects.get(org=brokerage.org, first_name="Sophie")
    assert sophie.street == "1500 S Pearl St, Apt 2"
    assert sophie.country == "US"
    assert sophie.phones.count() == 2
    assert {t.tag.name for t in sophie.tag_links.all()} == {"Sphere"}
    warning = errors_of(job, "warning")[0]
    assert (warning["row"], warning["column"]) == (3, "Birthday")
    assert Contact.objects.get(org=brokerage.org, first_name="Ethan").birthday_on is None


def test_google_contacts_labels_give_each_address_and_number_its_kind(brokerage):
    run_import(brokerage.ben, "google_contacts.csv")
    sophie = Contact.objects.get(org=brokerage.org, first_name="Sophie")
    assert dict(sophie.emails.values_list("address", "kind")) == {
        "sophie.martin@example.com": "personal",
        "smartin@example.org": "work",
    }
    assert set(sophie.phones.values_list("kind", flat=True)) == {"mobile"}


def test_label_and_type_columns_set_kinds_and_unknown_labels_keep_the_column_kind(brokerage):
    content = (
        b"Name,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,"
        b"Phone 2 - Type,Phone 2 - Value,Phone 3 - Label,Phone 3 - Value\n"
        b"Ana Ruiz,* Other,ana@example.com,* Work,303-555-0100 ::: 303-555-0101,"
        b"Home Fax,303-555-0102,Google Voice,303-555-0103\n"
        b"Ben Cole,Business,ben@example.com,Home,303-555-0200,,,,\n"
    )
    job = run_import(brokerage.ben, "labels.csv", content)
    assert (job.rows_created, job.rows_failed) == (2, 0)
    ana = Contact.objects.get(org=brokerage.org, first_name="Ana")
    assert dict(ana.emails.values_list("address", "kind")) == {"ana@example.com": "other"}
    assert dict(ana.phones.values_list("number", "kind")) == {
        "+13035550100": "work",
        "+13035550101": "work",
        "+13035550102": "other",
        "+13035550103": "mobile",
    }
    ben = Contact.objects.get(org=brokerage.org, first_name="Ben")
    assert ben.emails.get().kind == "work" and ben.phones.get().kind == "home"


def test_kind_columns_store_their_kind(brokerage):
    content = (
        b"First Name,Mobile,Home Phone,Office Phone,Fax,Work Email,Other Email,Email\n"
        b"Ana,303-555-0100,303-555-0101,303-555-0102,303-555-0103,"
        b"ana@work.example.com,ana@other.example.com,ana@example.com\n"
    )
    run_import(brokerage.ben, "kinds.csv", content)
    ana = Contact.objects.get(org=brokerage.org)
    assert dict(ana.phones.values_list("number", "kind")) == {
        "+13035550100": "mobile",
        "+13035550101": "home",
        "+13035550102": "work",
        "+13035550103": "other",
    }
    assert dict(ana.emails.values_list("address", "kind")) == {
        "ana@work.example.com": "work",
        "ana@other.example.com": "other",
        "ana@example.com": "personal",
    }


def test_header_variants_full_name_split_and_zip_padding(brokerage):
    run_import(brokerage.ben, "mixed_headers.csv")
    ben = Contact.objects.get(org=brokerage.org, last_name="Carter")
    assert ben.first_name == "Ben"
    assert ben.postal_code == "02134"
    assert ben.street == "12 Main St, Suite 4"
    assert ben.birthday_on == date(1985, 1, 2)
    assert ben.source == "Referral"
    assert ben.stage == Stage.PROSPECT
    kinds = dict(ben.emails.values_list("address", "kind"))
    assert kinds == {
        "ben.carter@example.com": "personal",
        "ben@carter-builders.example.com": "work",
    }
    mary = Contact.objects.get(org=brokerage.org, first_name="Mary Ann")
    assert mary.last_name == "Smith Jr."
    assert dict(mary.phones.values_list("number", "kind")) == {
        "+17205550402": "mobile",
        "+13035550452": "home",
        "+13035550462": "work",
    }


def test_source_defaults_to_csv_import_and_existing_tags_are_reused(brokerage):
    tag = Tag.objects.create(org=brokerage.org, name="BUYER")
    content = b"Name,Email,Tags\nAnn Lee,ann@example.com,buyer\n"
    run_import(brokerage.ben, "plain.csv", content)
    ann = Contact.objects.get(org=brokerage.org, first_name="Ann")
    assert ann.source == "CSV import"
    assert ContactTag.objects.get(contact=ann).tag_id == tag.pk
    assert Tag.objects.filter(org=brokerage.org).count() == 1


def test_excel_semicolon_file_in_windows_1252_is_read(brokerage):
    content = "Vorname;Nachname;E-mail;Name\n;;jose@example.com;José Müller\n".encode("cp1252")
    job = run_import(brokerage.ben, "excel.csv", content)
    assert job.rows_created == 1
    contact = Contact.objects.get(org=brokerage.org)
    assert (contact.first_name, contact.last_name) == ("José", "Müller")


def test_dry_run_counts_and_reports_but_writes_nothing(brokerage):
    job = run_import(brokerage.ben, "followupboss_people.csv", dry_run=True)
    assert (job.rows_created, job.rows_duplicate, job.rows_failed) == (5, 1, 2)
    assert not Contact.objects.filter(org=brokerage.org).exists()
    assert not Event.objects.filter(org=brokerage.org, kind="contacts.imported").exists()
    # The same job then runs for real.
    import_job_prepare(actor=brokerage.ben, job=job, mapping=None, dry_run=False)
    job = import_job_run(job_id=job.pk)
    assert job.rows_created == Contact.objects.filter(org=brokerage.org).count() == 5


def test_one_audit_entry_and_one_event_per_import(brokerage):
    job = run_import(brokerage.ben, "followupboss_people.csv")
    events = Event.objects.filter(org=brokerage.org)
    assert list(events.values_list("kind", flat=True)) == ["contacts.imported"]
    payload = events.get().payload
    assert payload["created"] == 5 and payload["failed"] == 2 and payload["duplicate"] == 1
    assert payload["channel"] == "csv"
    audit = AuditEntry.objects.get(org=brokerage.org)
    assert audit.action == "contacts.import"
    assert audit.object_id == job.pk
    assert audit.actor_id == brokerage.ben.user_id


def test_queries_do_not_grow_with_the_number_of_rows(brokerage):
    def rows(n, start):
        lines = ["First Name,Email,Phone,Tags"]
        lines += [f"P{i},p{i}@example.com,(303) 555-{i:04d},buyer" for i in range(start, start + n)]
        return "\n".join(lines).encode()

    run_import(brokerage.ben, "warm-up.csv", rows(1, 9000))  # creates the tag
    small = count_queries(lambda: run_import(brokerage.ben, "a.csv", rows(5, 1000)))
    large = count_queries(lambda: run_import(brokerage.ben, "b.csv", rows(200, 2000)))
    assert large == small


def test_an_interrupted_import_leaves_no_half_written_contact(brokerage, monkeypatch):
    monkeypatch.setattr(import_engine, "BATCH", 2)
    real_insert = import_engine.insert_rows
    calls = {"phones": 0}

    def failing_insert(model, fields, rows, **kw):
        if model is ContactPhone:
            calls["phones"] += 1
            if calls["phones"] == 2:
                raise RuntimeError("disk full")
        return real_insert(model, fields, rows, **kw)

    monkeypatch.setattr(import_engine, "insert_rows", failing_insert)
    lines = ["First Name,Email,Phone"] + [
        f"P{i},p{i}@example.com,(303) 555-{i:04d}" for i in range(6)
    ]
    with pytest.raises(RuntimeError):
        run_import(brokerage.ben, "six.csv", "\n".join(lines).encode())
    contacts = Contact.objects.filter(org=brokerage.org)
    assert contacts.count() == 2
    for contact in contacts:
        assert contact.emails.count() == 1 and contact.phones.count() == 1
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert job.rows_created == 2
    assert "disk full" in job.errors[-1]["reason"]

    monkeypatch.setattr(import_engine, "insert_rows", real_insert)
    import_job_prepare(actor=brokerage.ben, job=job, mapping=None, dry_run=False)
    job = import_job_run(job_id=job.pk)
    assert (job.rows_created, job.rows_duplicate) == (4, 2)
    assert Contact.objects.filter(org=brokerage.org).count() == 6


# Jobs ------------------------------------------------------------------------------------


def test_owner_defaults_to_the_importing_member_and_may_be_someone_in_scope(brokerage):
    job = run_import(brokerage.lead, "kvcore_leads.csv", owner_id=brokerage.buyer.pk)
    assert job.owner_id == brokerage.buyer.pk
    assert set(Contact.objects.values_list("owner_id", flat=True)) == {brokerage.buyer.pk}


def test_an_agent_cannot_import_for_someone_outside_their_scope(brokerage, other):
    for owner in (brokerage.maria, other.ben):
        with pytest.raises(ValidationFailed) as exc:
            import_job_create(
                actor=brokerage.ben,
                org_id=brokerage.org.pk,
                upload=upload("kvcore_leads.csv"),
                filename="kvcore_leads.csv",
                owner_id=owner.pk,
            )
        assert "owner_id" in exc.value.fields


def test_jobs_are_hidden_from_other_orgs_and_members_outside_scope(brokerage, other):
    job = run_import(brokerage.ben, "kvcore_leads.csv")
    assert import_job_get(actor=brokerage.broker, job_id=job.pk) == job
    for outsider in (brokerage.maria, brokerage.lead, other.broker):
        with pytest.raises(NotFound):
            import_job_get(actor=outsider, job_id=job.pk)


def test_a_finished_import_cannot_run_twice(brokerage):
    job = run_import(brokerage.ben, "kvcore_leads.csv")
    with pytest.raises(Conflict):
        import_job_prepare(actor=brokerage.ben, job=job, mapping=None, dry_run=False)


def test_mapping_must_name_known_columns_fields_and_some_identity(brokerage):
    job = import_job_create(
        actor=brokerage.ben,
        org_id=brokerage.org.pk,
        upload=upload("kvcore_leads.csv"),
        filename="kvcore_leads.csv",
    )
    for mapping, needle in (
        ({"Nope": "email"}, "unknown column"),
        ({"Email": "shoe_size"}, "unknown field"),
        ({"City": "city"}, "no column gives"),
    ):
        with pytest.raises(ValidationFailed) as exc:
            import_job_prepare(actor=brokerage.ben, job=job, mapping=mapping, dry_run=False)
        assert needle in exc.value.fields["mapping"][0]


def test_a_column_left_unmapped_is_not_imported(brokerage):
    headers = csv_import.csv_headers((DATA / "kvcore_leads.csv").read_text())
    mapping = {**mapping_guess(headers), "Notes": ""}
    run_import(brokerage.ben, "kvcore_leads.csv", mapping=mapping)
    assert Contact.objects.get(first_name="Ava").background == ""


@pytest.mark.parametrize(
    ("content", "field"),
    [(b"", "file"), (b"\n\n", "file")],
)
def test_unusable_files_are_refused_with_the_field_named(brokerage, content, field):
    with pytest.raises(ValidationFailed) as exc:
        import_job_create(
            actor=brokerage.ben,
            org_id=brokerage.org.pk,
            upload=upload("x.csv", content),
            filename="x.csv",
        )
    assert field in exc.value.fields


def test_the_task_runs_a_queued_job_once(brokerage, django_capture_on_commit_callbacks):
    job = import_job_create(
        actor=brokerage.ben,
        org_id=brokerage.org.pk,
        upload=upload("kvcore_leads.csv"),
        filename="kvcore_leads.csv",
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_job_queue(actor=brokerage.ben, job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    created = Contact.objects.count()
    assert created == job.rows_created > 0
    again = import_job_execute.call(job.pk)
    assert again["created"] == job.rows_created
    assert Contact.objects.count() == created
    assert Event.objects.filter(kind="contacts.imported").count() == 1


def test_email_and_phone_rows_hold_normalised_values(brokerage):
    run_import(brokerage.ben, "followupboss_people.csv")
    addresses = list(ContactEmail.objects.values_list("address", flat=True))
    assert addresses and all(a == a.lower() for a in addresses)
    assert all(n.startswith("+1") for n in ContactPhone.objects.values_list("number", flat=True))
