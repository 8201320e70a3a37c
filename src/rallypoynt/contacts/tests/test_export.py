"""CSV export of any contact list: columns, visibility, filters, smart lists, round trip."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.contacts.filters import ContactFilters
from rallypoynt.contacts.models import Contact, SmartList, Tag
from rallypoynt.contacts.services.csv_import import (
    csv_headers,
    import_job_create,
    import_job_prepare,
    import_job_run,
    mapping_guess,
)
from rallypoynt.contacts.services.export import CSV_HEADERS, contacts_csv_export, csv_safe
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.models import AuditEntry
from rallypoynt.core.testing import count_queries
from rallypoynt.orgs.tests.brokerage import build_brokerage, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000


@pytest.fixture
def brokerage(db):
    return build_brokerage()


@pytest.fixture
def other(db):
    return build_brokerage("Other Realty")


def rows_of(text: str) -> list[dict]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def export(actor, **kwargs) -> list[dict]:
    return rows_of("".join(contacts_csv_export(actor=actor, **kwargs)))


def person(brokerage, owner=None, **values):
    values.setdefault("emails", [f"{values.get('first_name', 'x').lower()}@example.com"])
    return ContactFactory(org=brokerage.org, owner=owner or brokerage.ben, **values)


def test_export_has_one_row_per_contact_with_every_column(brokerage):
    contact = person(
        brokerage,
        first_name="Ana",
        last_name="Ruiz",
        emails=["ana@example.com"],
        phones=["+13035550701"],
        stage="client",
        source="Zillow",
        street="1 Main St",
        city="Denver",
        state="CO",
        postal_code="80202",
        birthday_on=date(1990, 5, 6),
        background="Wants a yard",
    )
    contact.emails.create(org=brokerage.org, address="ana@work.example.com", kind="work")
    contact.phones.create(org=brokerage.org, number="+13035550702", kind="home")
    for name in ("Buyer", "VIP"):
        contact.tag_links.create(
            org=brokerage.org, tag=Tag.objects.create(org=brokerage.org, name=name)
        )
    (row,) = export(brokerage.ben)
    assert list(row) == CSV_HEADERS
    assert row["First Name"] == "Ana" and row["Last Name"] == "Ruiz"
    assert row["Email"] == "ana@example.com"
    assert row["Work Email"] == "ana@work.example.com"
    assert row["Mobile Phone"] == "+13035550701"
    assert row["Home Phone"] == "+13035550702"
    assert row["Stage"] == "Client"
    assert sorted(row["Tags"].split(", ")) == ["Buyer", "VIP"]
    assert row["Birthday"] == "1990-05-06"
    assert row["Owner"] == brokerage.ben.user.email
    assert row["Contact ID"] == str(contact.pk)


def test_an_agent_exports_only_what_they_can_see(brokerage, other):
    person(brokerage, first_name="Mine")
    person(brokerage, owner=brokerage.maria, first_name="Marias")
    person(brokerage, owner=brokerage.buyer, first_name="Buyers")
    ContactFactory(org=other.org, owner=other.ben, first_name="Elsewhere")
    names = lambda actor: {r["First Name"] for r in export(actor)}  # noqa: E731
    assert names(brokerage.ben) == {"Mine"}
    assert names(brokerage.lead) == {"Buyers"}  # team lead sees the team
    assert names(brokerage.broker) == {"Mine", "Marias", "Buyers"}
    assert names(other.broker) == {"Elsewhere"}


def test_export_takes_the_same_filters_as_the_list(brokerage):
    person(brokerage, first_name="Lena", stage="lead", source="Zillow")
    person(brokerage, first_name="Carl", stage="client", source="Zillow")
    person(brokerage, first_name="Lou", stage="lead", source="Referral")
    filters = ContactFilters.from_dict({"stage": "lead", "source": "zillow"})
    assert [r["First Name"] for r in export(brokerage.ben, filters=filters)] == ["Lena"]


def test_smart_list_export_narrows_with_extra_filters(brokerage):
    person(brokerage, first_name="Lena", stage="lead", source="Zillow")
    person(brokerage, first_name="Lou", stage="lead", source="Referral")
    saved = SmartList.objects.create(
        org=brokerage.org, owner=brokerage.ben, name="Leads", filters={"stage": "lead"}
    )
    assert {r["First Name"] for r in export(brokerage.ben, smart_list_id=saved.pk)} == {
        "Lena",
        "Lou",
    }
    narrowed = export(
        brokerage.ben,
        smart_list_id=saved.pk,
        filters=ContactFilters.from_dict({"source": "Referral"}),
    )
    assert [r["First Name"] for r in narrowed] == ["Lou"]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-- called twice", "'-- called twice"),
        ("+13035550701", "+13035550701"),
        ("Plain", "Plain"),
    ],
)
def test_cells_a_spreadsheet_would_run_are_quoted(value, cell):
    assert csv_safe(value) == cell


def test_export_reimports_into_another_org_unchanged(brokerage, other):
    person(
        brokerage,
        first_name="=Ana",
        last_name="Ruiz",
        emails=["ana@example.com"],
        phones=["+13035550701"],
        stage="past_client",
        city="Denver",
        postal_code="02134",
        birthday_on=date(1990, 5, 6),
        background="-- prefers texts",
    )
    text = "".join(contacts_csv_export(actor=brokerage.ben)).encode("utf-8")
    assert set(mapping_guess(csv_headers(text.decode("utf-8-sig"))).values()) >= {
        "first_name",
        "email",
        "work_email",
        "mobile_phone",
        "stage",
        "birthday_on",
        "background",
    }
    job = import_job_create(
        actor=other.ben,
        org_id=other.org.pk,
        upload=SimpleUploadedFile("export.csv", text),
        filename="export.csv",
    )
    import_job_prepare(actor=other.ben, job=job, mapping=None, dry_run=False)
    job = import_job_run(job_id=job.pk)
    assert (job.rows_created, job.rows_failed) == (1, 0)
    ana = Contact.objects.get(org=other.org)
    assert (ana.first_name, ana.stage, ana.postal_code, ana.background) == (
        "=Ana",
        "past_client",
        "02134",
        "-- prefers texts",
    )
    assert ana.birthday_on == date(1990, 5, 6)
    assert ana.phones.get().number == "+13035550701"


def test_export_queries_stay_constant_as_contacts_grow(brokerage):
    for i in range(3):
        person(brokerage, first_name=f"A{i}", phones=[f"+1303555{i:04d}"])
    few = count_queries(lambda: export(fresh(brokerage.ben)))
    for i in range(3, 40):
        person(brokerage, first_name=f"A{i}", phones=[f"+1303555{i:04d}"])
    assert count_queries(lambda: export(fresh(brokerage.ben))) == few


def test_each_export_is_audited(brokerage):
    export(brokerage.ben, filters=ContactFilters.from_dict({"stage": "lead"}))
    entry = AuditEntry.objects.get(action="contacts.export")
    assert entry.actor_id == brokerage.ben.user_id
    assert entry.changes["filters"] == {"stage": "lead"}


# Endpoints ---------------------------------------------------------------------------------


def test_export_page_streams_a_csv_attachment_with_the_list_filters(brokerage):
    person(brokerage, first_name="Lena", stage="lead")
    person(brokerage, first_name="Carl", stage="client")
    client = Client()
    client.force_login(brokerage.ben.user)
    response = client.get("/contacts/export.csv?stage=lead")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    assert [r["First Name"] for r in rows_of(text)] == ["Lena"]
    vcf = client.get("/contacts/export.vcf?stage=client&version=4.0")
    cards = b"".join(vcf.streaming_content).decode()
    assert "VERSION:4.0" in cards and "Carl" in cards and "Lena" not in cards


def test_export_page_holds_only_visible_contacts_and_lists(brokerage, other):
    person(brokerage, first_name="Mine")
    person(brokerage, owner=brokerage.maria, first_name="Marias")
    ContactFactory(org=other.org, owner=other.ben, first_name="Elsewhere")
    private = SmartList.objects.create(
        org=brokerage.org, owner=brokerage.broker, name="Broker only", filters={}
    )
    client = Client()
    client.force_login(brokerage.ben.user)
    text = b"".join(client.get("/contacts/export.csv").streaming_content).decode()
    assert [r["First Name"] for r in rows_of(text)] == ["Mine"]
    cards = b"".join(client.get("/contacts/export.vcf").streaming_content).decode()
    assert "Mine" in cards and "Marias" not in cards and "Elsewhere" not in cards
    assert client.get(f"/contacts/export.csv?smart_list={private.pk}").status_code == 404
    other_list = SmartList.objects.create(
        org=other.org, owner=other.ben, name="Theirs", filters={}, is_shared=True
    )
    assert client.get(f"/contacts/export.vcf?smart_list={other_list.pk}").status_code == 404


def test_export_page_refuses_bad_filters_and_needs_a_login(brokerage):
    client = Client()
    assert client.get("/contacts/export.csv").status_code == 302
    client.force_login(brokerage.ben.user)
    response = client.get("/contacts/export.csv?stage=nope")
    assert response.status_code == 400
    assert b"stage" in response.content
    assert client.get("/contacts/export.csv?smart_list=999999").status_code == 404


def test_export_api_respects_visibility_and_filters(brokerage, other):
    person(brokerage, first_name="Mine", stage="lead")
    person(brokerage, owner=brokerage.maria, first_name="Marias", stage="lead")
    ContactFactory(org=other.org, owner=other.ben, first_name="Elsewhere", stage="lead")
    response = ApiClient(brokerage.ben).get("/api/v1/contacts/export.csv?stage=lead")
    assert response.status_code == 200
    names = {r["First Name"] for r in rows_of(b"".join(response.streaming_content).decode())}
    assert names == {"Mine"}
    vcf = ApiClient(brokerage.ben).get("/api/v1/contacts/export.vcf")
    text = b"".join(vcf.streaming_content).decode()
    assert "Mine" in text and "Marias" not in text and "Elsewhere" not in text


def test_export_api_bad_filter_uses_the_error_shape(brokerage):
    response = ApiClient(brokerage.ben).get("/api/v1/contacts/export.csv?stage=nope")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert list(error["fields"]) == ["stage"]
    response = ApiClient(brokerage.ben).get("/api/v1/contacts/export.vcf?version=9")
    assert response.status_code == 422
    assert "version" in response.json()["error"]["fields"]


def test_unknown_filter_is_refused(brokerage):
    from rallypoynt.contacts.services.export import export_filters

    with pytest.raises(ValidationFailed) as exc:
        export_filters({"shoe_size": "9"})
    assert "shoe_size" in exc.value.fields
