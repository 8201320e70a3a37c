"""Import pages and API: upload, mapping preview, run, status; who may see which job."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rallypoynt.accounts.tests.factories import UserFactory
from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.contacts.choices import ImportStatus
from rallypoynt.contacts.models import Contact, ImportJob
from rallypoynt.contacts.services.csv_import import job_headers
from rallypoynt.contacts.tests.factories import import_sample, uploaded
from rallypoynt.core.testing import client_for, count_queries
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a call and then its on-commit callbacks (queued imports start after commit)."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


@pytest.fixture
def brokerage(db):
    return build_brokerage()


@pytest.fixture
def other(db):
    return build_brokerage("Other Realty")


def html(response) -> str:
    return response.content.decode()


# Pages -------------------------------------------------------------------------------------


def test_import_pages_need_a_login_and_a_seat(brokerage):
    assert Client().get("/contacts/import/").status_code == 302
    client = Client()
    client.force_login(UserFactory())
    assert client.get("/contacts/import/").status_code == 403


def test_upload_offers_only_owners_in_the_members_scope(brokerage, other):
    page = html(client_for(brokerage.ben).get("/contacts/import/"))
    assert brokerage.ben.user.email in page or brokerage.ben.user.get_full_name() in page
    assert brokerage.maria.user.get_full_name() not in page
    lead_page = html(client_for(brokerage.lead).get("/contacts/import/"))
    assert brokerage.buyer.user.get_full_name() in lead_page
    assert other.ben.user.get_full_name() not in lead_page


def test_upload_stores_the_file_and_shows_the_auto_mapping(brokerage, settings):
    response = client_for(brokerage.ben).post(
        "/contacts/import/",
        {"file": import_sample("followupboss_people.csv"), "owner_id": brokerage.ben.pk},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/import/{job.pk}/"
    assert Path(job.file.path).is_relative_to(Path(settings.MEDIA_ROOT))
    assert job.file.read().startswith(b"Name,First Name")
    page = html(client_for(brokerage.ben).get(response["Location"]))
    assert "Email 1" in page and "olivia.bennett@example.com" in page
    assert '<option value="email" selected>' in page
    # "Assigned To" is unknown: preselected as not imported and marked so.
    start = page.index(">Assigned To<")
    row = page[start : page.index("</tr>", start)]
    assert '<option value="" selected>Not imported</option>' in row
    assert "not imported" in row


def test_upload_of_an_empty_file_or_an_owner_out_of_scope_is_a_form_error(brokerage):
    client = client_for(brokerage.ben)
    response = client.post(
        "/contacts/import/",
        {"file": SimpleUploadedFile("empty.csv", b"\n"), "owner_id": brokerage.ben.pk},
    )
    assert response.status_code == 400
    assert "no header row" in html(response)
    response = client.post(
        "/contacts/import/",
        {"file": import_sample("kvcore_leads.csv"), "owner_id": brokerage.maria.pk},
    )
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


def test_dry_run_then_import_from_the_pages(brokerage, committed):
    job = uploaded(brokerage.ben)
    client = client_for(brokerage.ben)
    headers = job_headers(job)
    mapping = {f"map-{i}": job.mapping[h] for i, h in enumerate(headers)}
    response = committed(
        client.post, f"/contacts/import/{job.pk}/run/", {**mapping, "action": "dry_run"}
    )
    assert response["Location"] == f"/contacts/import/{job.pk}/status/"
    page = html(client.get(response["Location"]))
    assert 'id="count-created">5<' in page and 'id="count-failed">2<' in page
    assert "derek.olsen@@example.com" in page and "no such date" in page
    assert not Contact.objects.exists()

    response = committed(
        client.post, f"/contacts/import/{job.pk}/run/", {"keep_mapping": "1", "action": "import"}
    )
    assert Contact.objects.filter(org=brokerage.org).count() == 5
    page = html(client.get(response["Location"]))
    assert ">Done<" in page and "Merged into existing contacts" in page
    assert "matched Olivia Bennett (phone) from row 2; added notes" in page
    # Posting again does not import twice.
    committed(
        client.post, f"/contacts/import/{job.pk}/run/", {"keep_mapping": "1", "action": "import"}
    )
    assert Contact.objects.filter(org=brokerage.org).count() == 5


def test_a_column_unmapped_on_the_page_is_not_imported(brokerage, committed):
    job = uploaded(brokerage.ben)
    headers = job_headers(job)
    mapping = {f"map-{i}": job.mapping[h] for i, h in enumerate(headers)}
    mapping[f"map-{headers.index('Background')}"] = ""
    committed(
        client_for(brokerage.ben).post,
        f"/contacts/import/{job.pk}/run/",
        {**mapping, "action": "import"},
    )
    assert set(Contact.objects.values_list("background", flat=True)) == {""}


def test_a_mapping_without_name_email_or_phone_is_refused_on_the_page(brokerage):
    job = uploaded(brokerage.ben)
    response = client_for(brokerage.ben).post(
        f"/contacts/import/{job.pk}/run/", {"map-0": "", "action": "import"}
    )
    assert response.status_code == 400
    assert "Map at least one column" in html(response)
    job.refresh_from_db()
    assert job.status == ImportStatus.PENDING and not Contact.objects.exists()


def test_vcard_upload_previews_cards_and_imports(brokerage, committed):
    client = client_for(brokerage.ben)
    response = client.post(
        "/contacts/import/",
        {"file": import_sample("contacts_v3.vcf"), "owner_id": brokerage.ben.pk},
    )
    page = html(client.get(response["Location"]))
    assert "Isabel Morales" in page and "map-0" not in page
    job = ImportJob.objects.get()
    committed(
        client.post, f"/contacts/import/{job.pk}/run/", {"keep_mapping": "1", "action": "import"}
    )
    page = html(client.get(f"/contacts/import/{job.pk}/status/"))
    assert ">Card<" in page and "not-an-address" in page
    assert Contact.objects.filter(org=brokerage.org).count() == 2


def test_status_fragment_for_htmx_polling(brokerage):
    job = uploaded(brokerage.ben)
    response = client_for(brokerage.ben).get(
        f"/contacts/import/{job.pk}/status/", HTTP_HX_REQUEST="true"
    )
    assert html(response).startswith('<div id="import-status"')
    assert 'hx-trigger="every 1s"' in html(response)  # still pending: keeps polling


def test_jobs_are_invisible_to_other_orgs_and_to_members_outside_scope(brokerage, other):
    job = uploaded(brokerage.ben)
    for outsider in (other.broker, brokerage.maria, brokerage.lead):
        client = client_for(outsider)
        for path in ("", "status/"):
            assert client.get(f"/contacts/import/{job.pk}/{path}").status_code == 404
        response = client.post(f"/contacts/import/{job.pk}/run/", {"action": "import"})
        assert response.status_code == 404
        assert job.filename not in html(client.get("/contacts/import/"))
    assert client_for(brokerage.broker).get(f"/contacts/import/{job.pk}/").status_code == 200
    assert not Contact.objects.exists()


def test_upload_page_queries_stay_constant_as_jobs_grow(brokerage):
    uploaded(brokerage.ben)
    client = client_for(brokerage.ben)
    client.get("/contacts/import/")
    few = count_queries(lambda: client.get("/contacts/import/"))
    for _ in range(5):
        uploaded(brokerage.ben, "kvcore_leads.csv")
    assert count_queries(lambda: client.get("/contacts/import/")) == few


# API ---------------------------------------------------------------------------------------


def api_upload(api: ApiClient, name: str, **form):
    return api.client.post("/api/v1/imports", {"file": import_sample(name), **form}, **api.headers)


def test_api_upload_returns_the_job_with_preview_and_auto_mapping(brokerage):
    response = api_upload(ApiClient(brokerage.ben), "kvcore_leads.csv")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["owner_id"] == brokerage.ben.pk
    assert body["preview"]["mapping"]["Hashtags"] == "tags"
    assert body["preview"]["mapping"]["Agent"] == ""
    assert body["preview"]["total_rows"] == 6
    assert body["preview"]["rows"][0][:2] == ["Ava", "Thompson"]
    assert body["preview"]["targets"]["email"] == "E-mail"


def test_api_run_dry_then_real_and_read_the_bad_rows(brokerage, committed):
    api = ApiClient(brokerage.ben)
    job = api_upload(api, "kvcore_leads.csv").json()
    response = committed(api.post, f"/api/v1/imports/{job['id']}/run", {"dry_run": True})
    assert response.status_code == 202, response.content
    body = api.get(f"/api/v1/imports/{job['id']}").json()
    assert body["status"] == "done" and body["is_dry_run"]
    assert not Contact.objects.exists()
    mapping = {**job["mapping"], "Notes": ""}
    committed(api.post, f"/api/v1/imports/{job['id']}/run", {"mapping": mapping, "dry_run": False})
    body = api.get(f"/api/v1/imports/{job['id']}").json()
    assert (body["rows_created"], body["rows_failed"]) == (4, 2)
    bad = [e for e in body["errors"] if e["kind"] == "error"]
    assert {(e["row"], e["column"]) for e in bad} == {(6, "Cell Phone"), (7, "Status")}
    assert set(Contact.objects.values_list("background", flat=True)) == {""}
    again = api.post(f"/api/v1/imports/{job['id']}/run", {})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"


def test_api_bad_mapping_and_missing_file_use_the_error_shape(brokerage):
    api = ApiClient(brokerage.ben)
    job = api_upload(api, "kvcore_leads.csv").json()
    response = api.post(f"/api/v1/imports/{job['id']}/run", {"mapping": {"City": "city"}})
    assert response.status_code == 422
    assert "mapping" in response.json()["error"]["fields"]
    response = api.client.post("/api/v1/imports", {"owner_id": "1"}, **api.headers)
    assert response.status_code == 422
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    response = api_upload(api, "kvcore_leads.csv", file_format="xlsx")
    assert response.status_code == 422
    assert "file_format" in response.json()["error"]["fields"]


def test_api_jobs_are_invisible_outside_org_and_scope(brokerage, other):
    job = api_upload(ApiClient(brokerage.ben), "kvcore_leads.csv").json()
    for outsider in (other.broker, brokerage.maria):
        api = ApiClient(outsider)
        assert api.get(f"/api/v1/imports/{job['id']}").status_code == 404
        assert api.post(f"/api/v1/imports/{job['id']}/run", {}).status_code == 404
    assert ApiClient(brokerage.broker).get(f"/api/v1/imports/{job['id']}").status_code == 200
    response = api_upload(ApiClient(brokerage.ben), "kvcore_leads.csv", owner_id=other.ben.pk)
    assert response.status_code == 422
    assert "owner_id" in response.json()["error"]["fields"]
