"""`rallypoynt backup` and `restore` in real subprocesses: SQLite under a writer, PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import time
import uuid
from pathlib import Path

import pytest

# Each test makes its own SQLite files or PostgreSQL databases (DATABASE_URL is dropped).
pytestmark = [pytest.mark.slow_cli, pytest.mark.own_database]

PG_ADMIN = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "password": "postgres"}
UPLOAD = Path("imports/2026/05/front-range-contacts.csv")

# Keeps inserting tasks through the ORM, one transaction each, as the web and workers would.
WRITER = """
import pathlib
from rallypoynt.contacts.models import Task
from rallypoynt.orgs.models import Membership
member = Membership.objects.filter(org__slug="demo").order_by("id").first()
count, stop = pathlib.Path({count!r}), pathlib.Path({stop!r})
partial = count.with_suffix(".part")
n = 0
while not stop.exists():
    Task.objects.create(org_id=member.org_id, assignee=member, title=f"during backup {{n}}")
    n += 1
    partial.write_text(str(n))
    partial.replace(count)  # the test never reads half a number
"""


def cli_env(var: Path, **extra: str) -> dict[str, str]:
    skip = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(RALLYPOYNT_VAR_DIR=str(var), COLUMNS="120", **extra)
    return env


def rp(env, *args, check=True):
    result = subprocess.run(
        [sys.executable, "-m", "rallypoynt.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed:\n{result.stdout}\n{result.stderr}")
    return result


def assert_cli_error(result, *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    message = " ".join(result.stderr.split())
    for word in words:
        assert word in message, message


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        return json.load(tar.extractfile("manifest.json"))


def sqlite_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


def put_upload(var: Path) -> bytes:
    content = b"first_name,email\nDana,dana@example.com\n"
    path = var / "media" / UPLOAD
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    return content


def seed(env, var: Path, people: int = 80) -> None:
    """A small brokerage through the real commands: the broker, the org, contacts from a CSV
    (the demo loader would take a minute; the backup does not care how rows got there)."""
    rp(env, "migrate")
    broker = "broker@demo-realty.example.com"
    rp(env, "createuser", broker, "--password", "rallypoynt-demo")
    rp(env, "createorg", "Demo Realty", "--owner", broker, "--slug", "demo")
    rows = "\n".join(f"Person{n},Test,person{n}@example.com" for n in range(people))
    csv = var / "people.csv"
    csv.write_text(f"first_name,last_name,email\n{rows}\n")
    rp(env, "import", "contacts", str(csv), "--org", "demo")


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_sqlite_backup_while_a_writer_runs_restores_every_row(tmp_path):
    source = tmp_path / "source"
    env = cli_env(source)
    seed(env, source)
    upload = put_upload(source)
    count, stop = tmp_path / "written", tmp_path / "stop"
    script = WRITER.format(count=str(count), stop=str(stop))
    writer = subprocess.Popen(
        [sys.executable, "-m", "rallypoynt.cli", "manage", "shell", "-c", script],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: count.exists() and int(count.read_text()) >= 20)
        result = rp(env, "backup", f"{tmp_path / 'backups'}/")  # a directory, made on demand
        archive = Path(result.stdout.strip())
        written_by_then = int(count.read_text())
        wait_for(lambda: int(count.read_text()) >= written_by_then + 20)
    finally:
        stop.touch()
        _out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err  # never "database is locked"
    assert archive.parent == tmp_path / "backups" and archive.name.startswith("rallypoynt-")
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    manifest = manifest_of(archive)
    assert manifest["database"]["engine"] == "sqlite" and manifest["app_version"]
    # The upload, and the copy of the CSV the import keeps.
    assert manifest["media"]["files"] == 2 and manifest["secret_key"] is True
    tables = manifest["database"]["tables"]
    live = sqlite_counts(source / "rallypoynt.sqlite3")
    assert set(tables) == set(live)
    # The copy is of one moment in the middle of the writer's work; the writer went on.
    assert tables["contacts_task"] >= live["contacts_task"] - int(count.read_text()) + 20
    assert tables["contacts_task"] < live["contacts_task"]
    assert tables["contacts_contact"] == live["contacts_contact"] > 50

    target = tmp_path / "target"
    restored = rp(cli_env(target), "restore", str(archive))
    assert "matching the manifest" in " ".join(restored.stderr.split())
    assert sqlite_counts(target / "rallypoynt.sqlite3") == tables
    assert (target / "media" / UPLOAD).read_bytes() == upload
    assert (target / "secret_key").read_text() == (source / "secret_key").read_text()
    assert oct((target / "secret_key").stat().st_mode & 0o777) == "0o600"
    login = rp(
        cli_env(target),
        "manage",
        "shell",
        "-c",
        "from django.contrib.auth import authenticate as a;"
        "print(bool(a(username='broker@demo-realty.example.com', password='rallypoynt-demo')))",
    )
    assert login.stdout.strip().endswith("True")

    # A second restore finds data and refuses, naming the file and what is in it.
    again = rp(cli_env(target), "restore", str(archive), check=False)
    assert_cli_error(again, str(target / "rallypoynt.sqlite3"), "contacts_contact", "--force")
    forced = rp(cli_env(target), "restore", str(archive), "--force")
    assert "matching the manifest" in " ".join(forced.stderr.split())
    assert sqlite_counts(target / "rallypoynt.sqlite3") == tables


def test_errors_name_the_file_and_exit_2(tmp_path):
    env = cli_env(tmp_path / "var")
    missing = tmp_path / "no-such-backup.tar.gz"
    assert_cli_error(rp(env, "restore", str(missing), check=False), str(missing), "no such file")
    junk = tmp_path / "junk.tar.gz"
    junk.write_text("not an archive")
    assert_cli_error(rp(env, "restore", str(junk), check=False), str(junk), "not a readable")
    plain = tmp_path / "plain.tar.gz"
    with tarfile.open(plain, "w:gz") as tar:
        tar.add(junk, arcname="notes.txt")
    assert_cli_error(rp(env, "restore", str(plain), check=False), str(plain), "manifest.json")
    # Nothing migrated yet: no database file to back up.
    assert_cli_error(rp(env, "backup", check=False), "rallypoynt.sqlite3", "nothing to back up")
    rp(env, "migrate")
    assert_cli_error(rp(env, "backup", str(junk), check=False), str(junk), "already exists")
    # A PostgreSQL URL without the client tools on PATH.
    pg = {**env, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "PATH": str(tmp_path)}
    assert_cli_error(rp(pg, "backup", check=False), "pg_dump is not on PATH")


@pytest.fixture
def pg_databases():
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore not on PATH")
    import psycopg

    try:
        admin = psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=5, **PG_ADMIN)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL at 127.0.0.1:5432 ({exc})")
    suffix = uuid.uuid4().hex[:8]
    names = [f"rp_backup_source_{suffix}", f"rp_backup_target_{suffix}"]
    for name in names:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield names
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def pg_url(name: str) -> str:
    return "postgres://{user}:{password}@{host}:{port}/".format(**PG_ADMIN) + name


def pg_counts(name: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(dbname=name, **PG_ADMIN) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def test_postgresql_backup_restores_into_a_new_empty_database(tmp_path, pg_databases):
    source_db, target_db = pg_databases
    source = tmp_path / "source"
    env = cli_env(source, DATABASE_URL=pg_url(source_db))
    seed(env, source)
    upload = put_upload(source)
    archive = Path(rp(env, "backup", str(tmp_path / "rp.tar.gz")).stdout.strip())
    manifest = manifest_of(archive)
    assert manifest["database"]["engine"] == "postgresql"
    assert manifest["database"]["file"] == "database.pgdump"
    assert manifest["database"]["tables"] == pg_counts(source_db)
    assert manifest["database"]["tables"]["contacts_contact"] > 50

    target = tmp_path / "target"
    target_env = cli_env(target, DATABASE_URL=pg_url(target_db))
    rp(target_env, "restore", str(archive))
    assert pg_counts(target_db) == manifest["database"]["tables"]
    assert (target / "media" / UPLOAD).read_bytes() == upload

    again = rp(target_env, "restore", str(archive), check=False)
    assert_cli_error(again, target_db, "contacts_contact", "--force")
    # The SQLite side refuses a PostgreSQL archive by name.
    other = rp(cli_env(tmp_path / "sqlite"), "restore", str(archive), check=False)
    assert_cli_error(other, str(archive), "postgresql")
