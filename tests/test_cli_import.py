"""`rallypoynt import contacts` and `rallypoynt export contacts`, run in-process on the test DB."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from rallypoynt.cli import build_parser, main
from rallypoynt.contacts.models import Contact, ImportJob
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.models import Event
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parents[1] / "src/rallypoynt/contacts/tests/data/imports"


@pytest.fixture
def brokerage(db):
    return build_brokerage()


def rp(capsys, *args: str) -> tuple[int, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_help_lists_import_and_export():
    parser = build_parser()
    text = parser.format_help()
    assert "import" in text and "export" in text
    args = parser.parse_args(["import", "contacts", "x.csv", "--org", "a", "--dry-run"])
    assert (args.what, args.dry_run, args.owner) == ("contacts", True, None)


def test_dry_run_prints_the_mapping_and_bad_rows_and_writes_nothing(brokerage, capsys):
    code, out = rp(
        capsys,
        "import",
        "contacts",
        DATA / "followupboss_people.csv",
        "--org",
        brokerage.org.slug,
        "--owner",
        brokerage.ben.user.email,
        "--dry-run",
    )
    assert code == 2
    assert "Assigned To" in out and "Not imported" in out
    assert "Would be created" in out
    assert "row 5, field Email 1" in out
    assert "no such date" in out
    assert not Contact.objects.exists()
    assert ImportJob.objects.get().is_dry_run


def test_import_creates_good_rows_for_the_owner_and_a_second_run_adds_nothing(brokerage, capsys):
    args = ["import", "contacts", DATA / "followupboss_people.csv", "--org", brokerage.org.slug]
    code, out = rp(capsys, *args, "--owner", brokerage.ben.user.email.upper())
    assert code == 2  # two bad rows, named in the output
    assert Contact.objects.filter(org=brokerage.org, owner=brokerage.ben).count() == 5
    assert "Created" in out
    code, out = rp(capsys, *args, "--owner", brokerage.ben.user.email)
    assert Contact.objects.filter(org=brokerage.org).count() == 5
    assert Event.objects.filter(kind="contacts.imported").count() == 2
    job = ImportJob.objects.order_by("-pk").first()
    assert (job.rows_created, job.rows_duplicate) == (0, 6)


def test_clean_file_exits_zero_and_defaults_the_owner_to_the_broker(brokerage, capsys, tmp_path):
    path = tmp_path / "clean.csv"
    path.write_text("Full Name,E-mail,Cell\nAnn Lee,ann@example.com,303-555-0101\n")
    code, out = rp(capsys, "import", "contacts", path, "--org", brokerage.org.slug)
    assert code == 0, out
    ann = Contact.objects.get(org=brokerage.org)
    assert (ann.first_name, ann.last_name, ann.owner_id) == ("Ann", "Lee", brokerage.broker.pk)
    assert brokerage.broker.user.email in out


def test_vcard_import_by_extension_or_format_flag(brokerage, capsys, tmp_path):
    code, _ = rp(
        capsys, "import", "contacts", DATA / "contacts_v4.vcf", "--org", brokerage.org.slug
    )
    assert code == 0
    copy = tmp_path / "cards.txt"
    copy.write_bytes((DATA / "contacts_v3.vcf").read_bytes())
    code, out = rp(
        capsys, "import", "contacts", copy, "--org", brokerage.org.slug, "--format", "vcf"
    )
    assert code == 2 and "Cards in the file" in out
    assert Contact.objects.filter(org=brokerage.org).count() == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "nope"], "No organization"),
        (["--org", "{slug}", "--owner", "stranger@example.com"], "No active member"),
    ],
)
def test_bad_org_or_owner_exit_2(brokerage, capsys, args, message):
    args = [a.format(slug=brokerage.org.slug) for a in args]
    code, out = rp(capsys, "import", "contacts", DATA / "kvcore_leads.csv", *args)
    assert code == 2 and message in out


def test_missing_or_empty_file_exit_2(brokerage, capsys, tmp_path):
    code, out = rp(capsys, "import", "contacts", tmp_path / "x.csv", "--org", brokerage.org.slug)
    assert code == 2 and "No such file" in out
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    code, out = rp(capsys, "import", "contacts", empty, "--org", brokerage.org.slug)
    assert code == 2 and "file" in out


def test_export_csv_holds_only_what_the_member_sees(brokerage, capsys, tmp_path):
    ContactFactory(org=brokerage.org, owner=brokerage.ben, first_name="Mine", stage="lead")
    ContactFactory(org=brokerage.org, owner=brokerage.ben, first_name="Client", stage="client")
    ContactFactory(org=brokerage.org, owner=brokerage.maria, first_name="Marias", stage="lead")
    out_file = tmp_path / "out.csv"
    code, out = rp(
        capsys,
        "export",
        "contacts",
        "--org",
        brokerage.org.slug,
        "--as",
        brokerage.ben.user.email,
        "--filter",
        "stage=lead",
        "-o",
        out_file,
    )
    assert code == 0 and "Exported 1 contacts" in out
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8-sig"))))
    assert [r["First Name"] for r in rows] == ["Mine"]


def test_export_vcard_to_standard_output(brokerage, capsys):
    ContactFactory(org=brokerage.org, owner=brokerage.ben, first_name="Mine")
    code, out = rp(
        capsys,
        "export",
        "contacts",
        "--org",
        brokerage.org.slug,
        "--as",
        brokerage.ben.user.email,
        "--format",
        "vcf",
        "--vcard-version",
        "4.0",
    )
    assert code == 0
    assert "BEGIN:VCARD" in out and "VERSION:4.0" in out and "Mine" in out


def test_export_with_a_bad_filter_names_it_and_exits_2(brokerage, capsys):
    code, out = rp(
        capsys,
        "export",
        "contacts",
        "--org",
        brokerage.org.slug,
        "--as",
        brokerage.ben.user.email,
        "--filter",
        "stage=nope",
    )
    assert code == 2 and "stage" in out
