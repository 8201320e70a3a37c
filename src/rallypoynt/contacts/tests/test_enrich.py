"""Merges keep everything: a repeated person adds what they bring, never overwriting a primary."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.contacts.models import Contact, ContactEmail, ContactPhone, ContactTag
from rallypoynt.contacts.services.csv_import import (
    ContactImporter,
    import_job_create,
    import_job_prepare,
    import_job_run,
)
from rallypoynt.contacts.services.csv_import.reading import csv_cells, mapping_guess
from rallypoynt.contacts.services.enrich import (
    EnrichPlan,
    Incoming,
    Known,
    contact_enrich,
    enrich_plan,
    enrich_write,
)
from rallypoynt.contacts.services.people import ContactData, contact_create
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.leads.models import LeadInquiry
from rallypoynt.leads.services import LeadIn, lead_email_ingest, lead_intake
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = pytest.mark.django_db
# Lead intake counts business minutes from "now": run at a fixed weekday morning.
FROZEN = "2025-10-07 15:00:00+00:00"
ADDED_PHONE = ["added phone +1 303-555-0199", "kept the existing primary phone +1 303-555-0100"]
HEADER = "First Name,Last Name,Email,Phone,Tags,Street,City,State,Zip\n"


@pytest.fixture
def brokerage(db):
    return build_brokerage()


def dana(brokerage, **extra) -> Contact:
    """Dana Whitfield, known by e-mail and a mobile number, living in Denver."""
    data = ContactData(
        first_name="Dana",
        last_name="Whitfield",
        emails=["dana@example.com"],
        phones=["+13035550100"],
        street="12 Main St",
        city="Denver",
        state="CO",
        postal_code="80202",
        tags=["buyer"],
    )
    for name, value in extra.items():
        setattr(data, name, value)
    return contact_create(actor=None, org_id=brokerage.org.pk, data=data)


def run_import(actor, name: str, content: bytes, *, dry_run: bool = False):
    job = import_job_create(
        actor=actor,
        org_id=actor.org_id,
        upload=SimpleUploadedFile(name, content),
        filename=name,
    )
    import_job_prepare(actor=actor, job=job, mapping=None, dry_run=dry_run)
    return import_job_run(job_id=job.pk)


def merged(job) -> dict[int, str]:
    return {e["row"]: e["reason"] for e in job.errors if e.get("kind") == "duplicate"}


def numbers(contact: Contact) -> list[tuple[str, bool]]:
    return list(contact.phones.order_by("-is_primary", "pk").values_list("number", "is_primary"))


def addresses(contact: Contact) -> list[tuple[str, bool]]:
    return list(contact.emails.order_by("-is_primary", "pk").values_list("address", "is_primary"))


def tags(contact: Contact) -> set[str]:
    return set(contact.tag_links.values_list("tag__name", flat=True))


# CSV --------------------------------------------------------------------------------------


def test_csv_with_the_same_person_twice_keeps_both_phones_and_reports_the_added_one(brokerage):
    content = (
        HEADER + "Dana,Whitfield,dana@example.com,303-555-0100,buyer,,,,\n"
        "Sam,Ortiz,sam@example.com,720-555-0123,,,,,\n"
        "Dana,Whitfield,DANA@example.com,303-555-0199,open house,,,,\n"
    ).encode()
    job = run_import(brokerage.ben, "twice.csv", content)
    assert (job.rows_created, job.rows_duplicate, job.rows_failed) == (2, 1, 0)
    contact = Contact.objects.get(org=brokerage.org, first_name="Dana")
    assert numbers(contact) == [("+13035550100", True), ("+13035550199", False)]
    assert tags(contact) == {"buyer", "open house"}
    assert merged(job) == {
        4: "matched Dana Whitfield (e-mail) from row 2; added phone +1 303-555-0199, "
        "tag 'open house'; kept the existing primary phone +1 303-555-0100"
    }


def test_csv_row_of_a_known_contact_adds_its_phone_and_tag_and_says_so(brokerage):
    contact = dana(brokerage)
    content = (HEADER + "Dana,Whitfield,dana@example.com,303-555-0199,Open House,,,,\n").encode()
    job = run_import(brokerage.ben, "known.csv", content)
    assert (job.rows_created, job.rows_duplicate) == (0, 1)
    assert merged(job) == {
        2: "matched Dana Whitfield (e-mail); added phone +1 303-555-0199, tag 'Open House'; "
        "kept the existing primary phone +1 303-555-0100"
    }
    assert numbers(contact) == [("+13035550100", True), ("+13035550199", False)]
    assert tags(contact) == {"buyer", "Open House"}
    entry = AuditEntry.objects.get(action="contact.enrich", object_id=str(contact.pk))
    assert entry.changes["added"] == [
        "added phone +1 303-555-0199",
        "added tag 'Open House'",
        "kept the existing primary phone +1 303-555-0100",
    ]
    assert entry.changes["import_job"] == job.pk
    assert Event.objects.filter(kind="contact.updated", subject_id=str(contact.pk)).exists()


def test_csv_row_with_another_primary_email_and_address_keeps_the_existing_ones(brokerage):
    contact = dana(brokerage)
    content = (
        HEADER + "Dana,Whitfield,dana.w@work.example,303-555-0100,,9 Pine Rd,Boulder,CO,80302\n"
    ).encode()
    job = run_import(brokerage.ben, "other-primary.csv", content)
    assert merged(job) == {
        2: "matched Dana Whitfield (phone); added e-mail dana.w@work.example; "
        "kept the existing primary e-mail dana@example.com; "
        "kept the existing primary address 12 Main St, Denver, CO 80202 "
        "(this one brought 9 Pine Rd, Boulder, CO 80302)"
    }
    assert addresses(contact) == [("dana@example.com", True), ("dana.w@work.example", False)]
    contact.refresh_from_db()
    assert (contact.street, contact.city, contact.postal_code) == ("12 Main St", "Denver", "80202")


def test_empty_fields_never_erase_and_names_only_fill_blanks(brokerage):
    contact = dana(brokerage, first_name="", street="", city="", state="", postal_code="")
    content = (HEADER + "Danielle,Smith,dana@example.com,,,,Denver,CO,\n").encode()
    job = run_import(brokerage.ben, "names.csv", content)
    contact.refresh_from_db()
    assert (contact.first_name, contact.last_name) == ("Danielle", "Whitfield")
    assert (contact.city, contact.state) == ("Denver", "CO")
    assert numbers(contact) == [("+13035550100", True)]
    assert tags(contact) == {"buyer"}
    assert "kept the existing name Whitfield (this one says Danielle Smith)" in merged(job)[2]

    blank = (HEADER + ",,dana@example.com,,,,,,\n").encode()
    again = run_import(brokerage.ben, "blank.csv", blank)
    assert merged(again) == {2: "matched Danielle Whitfield (e-mail); nothing new"}
    contact.refresh_from_db()
    assert (contact.first_name, contact.city) == ("Danielle", "Denver")


def test_running_a_file_again_adds_nothing_and_writes_no_audit(brokerage):
    content = (HEADER + "Dana,Whitfield,dana@example.com,303-555-0100,buyer,,,,\n").encode()
    run_import(brokerage.ben, "a.csv", content)
    before = AuditEntry.objects.count()
    job = run_import(brokerage.ben, "a.csv", content)
    assert merged(job) == {2: "matched Dana Whitfield (e-mail); nothing new"}
    assert AuditEntry.objects.count() == before + 1  # only the import's own entry


def test_dry_run_reports_the_additions_but_writes_nothing(brokerage):
    contact = dana(brokerage)
    content = (
        HEADER + "Dana,Whitfield,dana@example.com,303-555-0199,open house,,,,\n"
        "Sam,Ortiz,sam@example.com,,,,,,\n"
        "Sam,Ortiz,sam@example.com,720-555-0123,,,,,\n"
    ).encode()
    counts = (ContactPhone.objects.count(), ContactTag.objects.count(), Contact.objects.count())
    job = run_import(brokerage.ben, "dry.csv", content, dry_run=True)
    assert (job.rows_created, job.rows_duplicate) == (1, 2)
    assert merged(job) == {
        2: "matched Dana Whitfield (e-mail); would add phone +1 303-555-0199, tag 'open house'; "
        "would keep the existing primary phone +1 303-555-0100",
        4: "matched Sam Ortiz (e-mail) from row 3; would add phone +1 720-555-0123 (primary)",
    }
    assert (ContactPhone.objects.count(), ContactTag.objects.count(), Contact.objects.count()) == (
        counts
    )
    assert not AuditEntry.objects.filter(action="contact.enrich").exists()
    assert numbers(contact) == [("+13035550100", True)]


@pytest.mark.parametrize("dry_run", [False, True])
def test_same_person_in_another_batch_merges_into_the_first_rows_contact(brokerage, dry_run):
    content = (
        HEADER + "Dana,Whitfield,dana@example.com,,,,,,\n"
        "Sam,Ortiz,sam@example.com,,,,,,\n"
        "Lee,Park,lee@example.com,,,,,,\n"
        ",,dana@example.com,303-555-0199,vip,,,,\n"
    ).encode()
    text = content.decode()
    importer = ContactImporter(
        org_id=brokerage.org.pk,
        owner_id=brokerage.ben.pk,
        source="CSV import",
        dry_run=dry_run,
        batch=2,
    )
    outcome = importer.run(csv_cells(text, mapping_guess(HEADER.strip().split(","))))
    verb = "would add" if dry_run else "added"
    reasons = {e["row"]: e["reason"] for e in outcome.errors}
    assert reasons == {
        5: f"matched Dana Whitfield (e-mail) from row 2; {verb} phone +1 303-555-0199 "
        "(primary), tag 'vip'"
    }
    if not dry_run:
        contact = Contact.objects.get(org=brokerage.org, first_name="Dana")
        assert numbers(contact) == [("+13035550199", True)]
        assert tags(contact) == {"vip"}
    else:
        assert not Contact.objects.filter(org=brokerage.org).exists()


# vCard ------------------------------------------------------------------------------------


def test_vcard_of_a_known_contact_adds_its_second_email_and_tags(brokerage):
    contact = dana(brokerage)
    card = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Whitfield;Dana;;;\r\nFN:Dana Whitfield\r\n"
        b"EMAIL;TYPE=INTERNET,HOME,PREF:dana@example.com\r\n"
        b"EMAIL;TYPE=INTERNET,WORK:dana@whitfield.example\r\n"
        b"CATEGORIES:Seller,VIP\r\nEND:VCARD\r\n"
    )
    job = run_import(brokerage.ben, "dana.vcf", card)
    assert (job.rows_created, job.rows_duplicate) == (0, 1)
    assert addresses(contact) == [("dana@example.com", True), ("dana@whitfield.example", False)]
    assert contact.emails.get(address="dana@whitfield.example").kind == "work"
    assert tags(contact) == {"buyer", "Seller", "VIP"}
    assert merged(job) == {
        1: "matched Dana Whitfield (e-mail); added e-mail dana@whitfield.example, "
        "tag 'Seller', tag 'VIP'"
    }


# Leads ------------------------------------------------------------------------------------


@time_machine.travel(FROZEN, tick=False)
def test_api_lead_with_a_new_phone_for_a_known_email_adds_the_phone(brokerage):
    contact = dana(brokerage)
    lead = {
        "source": "Zillow",
        "type": "buyer",
        "person": {
            "first_name": "Dana",
            "emails": ["dana@example.com"],
            "phones": ["303-555-0199"],
        },
    }
    response = ApiClient(brokerage.broker).post("/api/v1/leads", lead)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["deduplicated"] is True and body["contact_id"] == contact.pk
    assert numbers(contact) == [("+13035550100", True), ("+13035550199", False)]
    inquiry = LeadInquiry.objects.get(pk=body["inquiry_id"])
    entry = AuditEntry.objects.get(action="lead.receive", object_id=str(inquiry.pk))
    assert entry.changes["added"] == ADDED_PHONE
    event = Event.objects.get(kind="lead.received", subject_id=str(inquiry.pk))
    assert event.payload["added"] == ADDED_PHONE


@time_machine.travel(FROZEN, tick=False)
def test_email_lead_with_a_new_phone_for_a_known_email_adds_the_phone(brokerage):
    contact = dana(brokerage)
    msg = EmailMessage()
    msg["From"] = "Portal <leads@portal.example>"
    msg["To"] = "front-range@leads.example"
    msg["Subject"] = "New lead"
    msg.set_content("Name: Dana Whitfield\nEmail: dana@example.com\nPhone: (303) 555-0199\n")
    answer = lead_email_ingest(org_id=brokerage.org.pk, raw=bytes(msg))
    assert answer.status_code == 201, answer.body
    assert answer.body["contact_id"] == contact.pk
    assert answer.body["added"] == ADDED_PHONE
    assert numbers(contact) == [("+13035550100", True), ("+13035550199", False)]


@time_machine.travel(FROZEN, tick=False)
def test_lead_with_another_email_keeps_the_primary_and_records_it(brokerage):
    contact = dana(brokerage)
    result = lead_intake(
        org_id=brokerage.org.pk,
        lead=LeadIn(source="Website", emails=["dw@new.example"], phones=["303-555-0100"]),
    )
    assert result.added == [
        "added e-mail dw@new.example",
        "kept the existing primary e-mail dana@example.com",
    ]
    assert addresses(contact) == [("dana@example.com", True), ("dw@new.example", False)]


@time_machine.travel(FROZEN, tick=False)
def test_lead_with_a_name_too_long_for_the_contact_is_refused_with_the_field(brokerage):
    dana(brokerage, first_name="")
    with pytest.raises(ValidationFailed) as caught:
        lead_intake(
            org_id=brokerage.org.pk,
            lead=LeadIn(source="Website", first_name="x" * 101, emails=["dana@example.com"]),
        )
    assert "first_name" in caught.value.fields


# The shared rules ---------------------------------------------------------------------------


def test_a_contact_without_email_gets_the_first_new_one_as_primary():
    plan = enrich_plan(Known(contact_id=1), Incoming(emails=[("a@x.example", None)]))
    assert plan.emails == [("a@x.example", "personal", True)]
    assert plan.kept == []


def test_notes_are_appended_not_replaced():
    known = Known(contact_id=1, background="Met at open house")
    plan = enrich_plan(known, Incoming(background="Wants a yard"))
    assert plan.fills["background"] == "Met at open house\n\nWants a yard"
    assert enrich_plan(known, Incoming(background="open house")).fills == {}


def test_birthday_and_language_fill_only_blanks():
    plan = enrich_plan(Known(contact_id=1, language="es"), Incoming(birthday_on=date(1980, 1, 2)))
    assert plan.fills == {"birthday_on": date(1980, 1, 2)}
    assert enrich_plan(Known(contact_id=1, language="es"), Incoming(language="en")).fills == {}


def test_writing_the_same_plan_twice_adds_each_value_once(brokerage):
    contact = dana(brokerage)
    plan = EnrichPlan(
        contact_id=contact.pk,
        phones=[("+13035550199", "mobile", False)],
        tags=["vip"],
        added=["phone +1 303-555-0199", "tag 'vip'"],
    )
    enrich_write(org_id=brokerage.org.pk, plans=[plan])
    # A second writer that planned from the same snapshot: the unique constraints hold.
    enrich_write(org_id=brokerage.org.pk, plans=[plan])
    assert numbers(contact) == [("+13035550100", True), ("+13035550199", False)]
    assert tags(contact) == {"buyer", "vip"}


def test_a_fill_planned_before_a_concurrent_edit_does_not_overwrite_it(brokerage):
    contact = dana(brokerage, first_name="")
    plan = enrich_plan(
        Known(contact_id=contact.pk, last_name="Whitfield"), Incoming(first_name="Danielle")
    )
    Contact.objects.filter(pk=contact.pk).update(first_name="Dana")
    enrich_write(org_id=brokerage.org.pk, plans=[plan])
    contact.refresh_from_db()
    assert contact.first_name == "Dana"


def test_contact_enrich_dry_run_says_what_it_would_add_and_writes_nothing(brokerage):
    contact = dana(brokerage)
    lines = contact_enrich(
        contact=contact,
        incoming=Incoming(emails=[("new@x.example", "work")], tags=["vip"]),
        dry_run=True,
    )
    assert lines == [
        "would add e-mail new@x.example",
        "would add tag 'vip'",
        "would keep the existing primary e-mail dana@example.com",
    ]
    assert not ContactEmail.objects.filter(address="new@x.example").exists()
