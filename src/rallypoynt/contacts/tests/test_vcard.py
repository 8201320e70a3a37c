"""vCard 3.0 and 4.0: import through the one import engine, export card by card, round trip."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import vobject
from django.core.files.uploadedfile import SimpleUploadedFile

from rallypoynt.contacts.choices import ImportStatus
from rallypoynt.contacts.models import Contact, SmartList, Tag
from rallypoynt.contacts.services.csv_import import (
    import_job_create,
    import_job_prepare,
    import_job_run,
    import_preview,
)
from rallypoynt.contacts.services.people import (
    ContactData,
    EmailEntry,
    PhoneEntry,
    contact_create,
)
from rallypoynt.contacts.services.vcard import (
    contact_vcard,
    contacts_vcard_export,
    vcard_blocks,
    vcard_cells,
)
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.errors import NotFound, ValidationFailed
from rallypoynt.core.models import AuditEntry
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data" / "imports"


@pytest.fixture
def brokerage(db):
    return build_brokerage()


@pytest.fixture
def other(db):
    return build_brokerage("Other Realty")


def run_vcf(actor, name: str, content: bytes | None = None, dry_run: bool = False):
    content = content if content is not None else (DATA / name).read_bytes()
    job = import_job_create(
        actor=actor,
        org_id=actor.org_id,
        upload=SimpleUploadedFile(name, content),
        filename=name,
    )
    import_job_prepare(actor=actor, job=job, mapping=None, dry_run=dry_run)
    return import_job_run(job_id=job.pk)


def export_text(actor, version="3.0", **kwargs) -> str:
    return "".join(contacts_vcard_export(actor=actor, version=version, **kwargs))


def test_vcard_3_file_imports_names_addresses_numbers_tags_and_notes(brokerage):
    job = run_vcf(brokerage.ben, "contacts_v3.vcf")
    assert job.file_format == "vcf"
    assert (job.rows_total, job.rows_created, job.rows_failed) == (3, 2, 1)
    isabel = Contact.objects.get(org=brokerage.org, first_name="Isabel")
    assert isabel.last_name == "Morales"
    assert isabel.source == "vCard import"
    assert isabel.owner_id == brokerage.ben.pk
    assert dict(isabel.emails.values_list("address", "kind")) == {
        "isabel.morales@example.com": "personal",
        "imorales@example.org": "work",
    }
    assert isabel.emails.get(is_primary=True).address == "isabel.morales@example.com"
    assert dict(isabel.phones.values_list("number", "kind")) == {
        "+13035550501": "mobile",
        "+13035550551": "home",
    }
    assert (isabel.street, isabel.city, isabel.state, isabel.postal_code, isabel.country) == (
        "4100 E Mexico Ave",
        "Denver",
        "CO",
        "80222",
        "US",
    )
    assert isabel.birthday_on == date(1983, 6, 21)
    assert isabel.background == "Relocating from Austin, starts in March"
    assert {t.tag.name for t in isabel.tag_links.all()} == {"Buyer", "Relocation"}
    jonas = Contact.objects.get(org=brokerage.org, first_name="Jonas")
    assert jonas.phones.get().kind == "work"
    bad = [e for e in job.errors if "kind" not in e]
    assert [(e["row"], e["column"]) for e in bad] == [(3, "EMAIL")]


def test_vcard_4_file_reads_uri_numbers_pref_and_basic_dates(brokerage):
    job = run_vcf(brokerage.ben, "contacts_v4.vcf")
    assert (job.rows_created, job.rows_failed) == (2, 0)
    amara = Contact.objects.get(org=brokerage.org, first_name="Amara")
    assert amara.phones.get(is_primary=True).number == "+17205550601"
    assert amara.phones.get(kind="work").number == "+13035550651"
    assert amara.birthday_on == date(1991, 4, 12)
    assert amara.language == "en"
    wei = Contact.objects.get(org=brokerage.org, first_name="Wei")
    assert wei.last_name == "Zhang"  # from FN: the card has no N
    assert wei.birthday_on is None
    warning = next(e for e in job.errors if e.get("kind") == "warning")
    assert (warning["row"], warning["column"]) == (2, "BDAY")


def test_running_the_same_vcard_file_again_creates_no_duplicates(brokerage):
    run_vcf(brokerage.ben, "contacts_v3.vcf")
    again = run_vcf(brokerage.ben, "contacts_v3.vcf")
    assert (again.rows_created, again.rows_duplicate) == (0, 2)
    assert Contact.objects.filter(org=brokerage.org).count() == 2


def test_an_unreadable_card_is_reported_and_the_others_import(brokerage):
    content = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN Broken line without colon\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Ok;Fine;;;\r\nFN:Fine Ok\r\nEND:VCARD\r\n"
    )
    job = run_vcf(brokerage.ben, "mixed.vcf", content)
    assert (job.rows_created, job.rows_failed) == (1, 1)
    assert job.errors[0]["row"] == 1
    assert job.errors[0]["reason"].startswith("not a readable vCard")


def test_a_file_without_cards_is_refused(brokerage):
    with pytest.raises(ValidationFailed) as exc:
        import_job_create(
            actor=brokerage.ben,
            org_id=brokerage.org.pk,
            upload=SimpleUploadedFile("x.vcf", b"hello"),
            filename="x.vcf",
        )
    assert "file" in exc.value.fields


def test_vcard_21_bare_types_are_understood():
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;Jane\r\nTEL;HOME;PREF:303 555 0100\r\n"
        "EMAIL;INTERNET;WORK:j@example.com\r\nEND:VCARD\r\n"
    )
    (_, cells), *_ = vcard_cells(text)
    assert ("home_phone", "TEL", "303 555 0100") in cells
    assert ("work_email", "EMAIL", "j@example.com") in cells


def test_vcard_types_name_the_kind_and_a_voice_only_number_is_not_taken_for_a_mobile():
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane\r\n"
        "TEL:303 555 0100\r\nTEL;TYPE=VOICE:303 555 0101\r\n"
        "TEL;TYPE=WORK,FAX:303 555 0102\r\nTEL;TYPE=VOICE,CELL:303 555 0103\r\n"
        "EMAIL;TYPE=INTERNET,OTHER:o@example.com\r\nEMAIL;TYPE=INTERNET,HOME:h@example.com\r\n"
        "END:VCARD\r\n"
    )
    (_, cells), *_ = vcard_cells(text)
    assert [(t, v) for t, c, v in cells if c in ("TEL", "EMAIL")] == [
        ("other_email", "o@example.com"),
        ("email", "h@example.com"),
        ("mobile_phone", "303 555 0100"),
        ("other_phone", "303 555 0101"),
        ("other_phone", "303 555 0102"),
        ("mobile_phone", "303 555 0103"),
    ]


def test_folded_lines_stay_inside_their_card():
    text = "BEGIN:VCARD\r\nNOTE:long\r\n END:VCARD in a note\r\nEND:VCARD\r\n"
    assert len(vcard_blocks(text)) == 1


def test_preview_shows_the_first_cards(brokerage):
    job = import_job_create(
        actor=brokerage.ben,
        org_id=brokerage.org.pk,
        upload=SimpleUploadedFile("c.vcf", (DATA / "contacts_v3.vcf").read_bytes()),
        filename="c.vcf",
    )
    preview = import_preview(job=job, rows=2)
    assert preview.total_rows == 3
    assert preview.rows[0][:2] == ["Isabel Morales", "isabel.morales@example.com"]
    assert len(preview.rows) == 2


# Export ------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_export_writes_a_valid_card_per_contact(brokerage, version):
    contact = ContactFactory(
        org=brokerage.org,
        owner=brokerage.ben,
        first_name="Ana",
        last_name="Ruiz",
        emails=["ana@example.com"],
        phones=["+13035550701"],
        street="1 Main St",
        city="Denver",
        state="CO",
        postal_code="80202",
        birthday_on=date(1990, 5, 6),
        background="Likes, commas; and semicolons",
    )
    tag = Tag.objects.create(org=brokerage.org, name="Buyer")
    contact.tag_links.create(org=brokerage.org, tag=tag)
    card = vobject.readOne(contact_vcard(contact, version))
    assert card.version.value == version
    assert card.fn.value == "Ana Ruiz"
    assert card.n.value.family == "Ruiz"
    assert card.email.value == "ana@example.com"
    tel = card.tel.value
    assert tel == ("+13035550701" if version == "3.0" else "tel:+13035550701")
    assert card.adr.value.city == "Denver"
    assert card.note.value == "Likes, commas; and semicolons"
    assert card.categories.value == ["Buyer"]
    assert card.bday.value == ("1990-05-06" if version == "3.0" else "19900506")


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_exported_cards_import_back_into_another_org_unchanged(brokerage, other, version):
    ContactFactory(
        org=brokerage.org,
        owner=brokerage.ben,
        first_name="Ana",
        last_name="Ruiz",
        emails=["ana@example.com", "ana.work@example.org"],
        phones=["+13035550701"],
        city="Denver",
        birthday_on=date(1990, 5, 6),
    )
    text = export_text(brokerage.ben, version)
    job = run_vcf(other.ben, "back.vcf", text.encode())
    assert job.rows_created == 1
    ana = Contact.objects.get(org=other.org)
    assert (ana.first_name, ana.last_name, ana.city, ana.birthday_on) == (
        "Ana",
        "Ruiz",
        "Denver",
        date(1990, 5, 6),
    )
    assert set(ana.emails.values_list("address", flat=True)) == {
        "ana@example.com",
        "ana.work@example.org",
    }


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_every_kind_of_email_and_phone_survives_export_and_import(brokerage, other, version):
    contact_create(
        actor=brokerage.ben,
        org_id=brokerage.org.pk,
        owner_id=brokerage.ben.pk,
        data=ContactData(
            first_name="Ana",
            emails=[
                EmailEntry("ana@work.example.com", "work"),
                "ana@example.com",
                EmailEntry("ana@other.example.com", "other"),
            ],
            phones=[
                PhoneEntry("+13035550104", "home"),
                "+13035550101",
                PhoneEntry("+13035550102", "work"),
                PhoneEntry("+13035550103", "other"),
            ],
        ),
    )
    text = export_text(brokerage.ben, version)
    assert run_vcf(other.ben, "back.vcf", text.encode()).rows_created == 1
    ana = Contact.objects.get(org=other.org)
    assert dict(ana.emails.values_list("address", "kind")) == {
        "ana@work.example.com": "work",
        "ana@example.com": "personal",
        "ana@other.example.com": "other",
    }
    assert dict(ana.phones.values_list("number", "kind")) == {
        "+13035550104": "home",
        "+13035550101": "mobile",
        "+13035550102": "work",
        "+13035550103": "other",
    }
    assert ana.emails.get(is_primary=True).address == "ana@work.example.com"
    assert ana.phones.get(is_primary=True).number == "+13035550104"


def test_export_holds_only_contacts_the_actor_can_see(brokerage, other):
    ContactFactory(org=brokerage.org, owner=brokerage.ben, first_name="Mine")
    ContactFactory(org=brokerage.org, owner=brokerage.maria, first_name="Marias")
    ContactFactory(org=other.org, owner=other.ben, first_name="Elsewhere")
    agent = export_text(brokerage.ben)
    assert "Mine" in agent and "Marias" not in agent and "Elsewhere" not in agent
    broker = export_text(brokerage.broker)
    assert "Mine" in broker and "Marias" in broker and "Elsewhere" not in broker
    assert AuditEntry.objects.filter(action="contacts.export").count() == 2


def test_export_of_a_smart_list_applies_its_filters_within_visibility(brokerage):
    ContactFactory(org=brokerage.org, owner=brokerage.ben, first_name="Lead", stage="lead")
    ContactFactory(org=brokerage.org, owner=brokerage.ben, first_name="Client", stage="client")
    ContactFactory(org=brokerage.org, owner=brokerage.maria, first_name="Hidden", stage="lead")
    shared = SmartList.objects.create(
        org=brokerage.org,
        owner=brokerage.broker,
        name="Leads",
        filters={"stage": "lead"},
        is_shared=True,
    )
    text = export_text(brokerage.ben, smart_list_id=shared.pk)
    assert "Lead" in text and "Client" not in text and "Hidden" not in text
    private = SmartList.objects.create(
        org=brokerage.org, owner=brokerage.broker, name="Mine", filters={}
    )
    with pytest.raises(NotFound):
        export_text(brokerage.ben, smart_list_id=private.pk)


def test_unknown_vcard_version_is_refused(brokerage):
    with pytest.raises(ValidationFailed) as exc:
        export_text(brokerage.ben, version="2.1")
    assert "version" in exc.value.fields


def test_vcard_job_status_is_done(brokerage):
    assert run_vcf(brokerage.ben, "contacts_v4.vcf").status == ImportStatus.DONE
