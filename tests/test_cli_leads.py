"""`rallypoynt leads ingest-email` on real files and `rallypoynt smtpd` as a real process."""

from __future__ import annotations

import shutil
import signal
import smtplib
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rallypoynt.cli import main
from rallypoynt.leads.models import LeadInquiry, LeadReviewItem
from rallypoynt.orgs.tests.factories import OrganizationFactory
from tests.subprocess_env import database_env, free_port

DATA = Path(__file__).parents[1] / "src/rallypoynt/leads/tests/data/lead_emails"
GOOD = ["relm_buyer.eml", "portal_plain.eml", "multipart_alternative.eml"]


@pytest.fixture
def files(tmp_path):
    """The sample messages copied under short names (so messages fit on one line)."""
    for name in [*GOOD, "unparseable.eml"]:
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def org(db):
    return OrganizationFactory(slug="front-range")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_ingest_email_takes_in_each_file_and_reports_it(org, files, capsys):
    paths = [str(files / name) for name in GOOD]
    code, out, err = run(capsys, "leads", "ingest-email", *paths, "--org", "front-range")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 3
    for path, line in zip(paths, lines, strict=True):
        assert line.startswith(f"{path}: lead: inquiry ")
    assert LeadInquiry.objects.filter(org=org).count() == 3
    assert "Lead e-mails" in err  # the progress bar for many files
    assert "3 lead e-mail(s) taken in for front-range" in err


def test_running_it_again_creates_nothing_new(org, files, capsys):
    path = str(files / "relm_buyer.eml")
    run(capsys, "leads", "ingest-email", path, "--org", "front-range")
    code, out, _ = run(capsys, "leads", "ingest-email", path, "--org", "front-range")
    assert code == 0
    assert "already received: nothing new created" in out
    assert LeadInquiry.objects.filter(org=org).count() == 1


def test_unparseable_and_missing_files_exit_2_naming_file_and_reason(org, files, capsys):
    bad, missing = files / "unparseable.eml", files / "nope.eml"
    good = files / "relm_buyer.eml"
    code, out, err = run(
        capsys, "leads", "ingest-email", str(good), str(bad), str(missing), "--org", "front-range"
    )
    assert code == 2
    assert f"{bad}: kept for review as item " in out
    assert f"{bad}: No e-mail address or phone number found in the message." in err
    assert f"{missing}: cannot be read (No such file or directory)" in err
    assert "2 of 3 file(s) did not become a lead" in err
    # The good file still went in, and the bad one waits in the review queue.
    assert LeadInquiry.objects.filter(org=org).count() == 1
    assert LeadReviewItem.objects.filter(org=org).count() == 1


def test_empty_file_is_bad_input(org, tmp_path, capsys):
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"")
    code, _, err = run(capsys, "leads", "ingest-email", str(empty), "--org", "front-range")
    assert code == 2 and f"{empty}: the file is empty" in err
    assert not LeadReviewItem.objects.exists()


def test_unknown_org_exits_2(db, files, capsys):
    code, _, err = run(
        capsys, "leads", "ingest-email", str(files / "relm_buyer.eml"), "--org", "nowhere"
    )
    assert code == 2 and "No organization with slug 'nowhere'" in err


def test_smtpd_refuses_an_unknown_default_org(db, capsys):
    code, _, err = run(capsys, "smtpd", "--org-default", "nowhere")
    assert code == 2 and "nowhere" in err


def test_help_lists_the_lead_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "leads" in out and "smtpd" in out


@pytest.mark.django_db(transaction=True)
def test_smtpd_process_takes_in_mail_sent_with_smtplib_then_stops(tmp_path):
    org = OrganizationFactory(slug="front-range")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rallypoynt.cli", "smtpd", "--port", str(port)],
        env={**database_env(), "RALLYPOYNT_VAR_DIR": str(tmp_path), "COLUMNS": "200"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        smtp = _connect(port, proc)
        with smtp:
            raw = (DATA / "portal_plain.eml").read_bytes().replace(b"\n", b"\r\n")
            smtp.sendmail("portal@realtyportal.example", ["leads+front-range@x.example"], raw)
        inquiry = LeadInquiry.objects.get(org=org)
        assert inquiry.contact.emails.get().address == "marcus.delgado@example.net"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert f"127.0.0.1:{port}" in out
    assert f"inquiry {inquiry.pk}" in out
    assert "Stopped." in out


def _connect(port: int, proc: subprocess.Popen) -> smtplib.SMTP:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read()
        try:
            return smtplib.SMTP("127.0.0.1", port, timeout=10)
        except OSError:
            time.sleep(0.3)
    raise AssertionError("smtpd did not come up")
