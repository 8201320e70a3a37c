"""What backup and restore share: the archive's names, results, settings and counts."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # for annotations only: this module imports Django where it uses it
    from django.conf import LazySettings
    from django.db.backends.utils import CursorWrapper
    from rich.progress import Progress

FORMAT = "rallypoynt-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
SECRET_MEMBER = "secret_key"
MEDIA_PREFIX = "media/"
# `migrate` fills these by itself; a database holding rows only here counts as empty.
BOOKKEEPING_TABLES = {"django_migrations", "django_content_type", "auth_permission"}
PAGES_PER_STEP = 256
CHUNK = 1 << 20

# A database's settings (settings.DATABASES["default"]) and an archive's manifest.json.
DbSettings = Mapping[str, Any]
Manifest = dict[str, Any]
# (path, name inside MEDIA_ROOT, size) of an uploaded file.
MediaFile = tuple[Path, str, int]


class Update(Protocol):
    """Moves one progress task along (rich's `Progress.update` for that task, or a no-op)."""

    def __call__(
        self, *, advance: float = ..., completed: float = ..., total: float | None = ...
    ) -> None: ...


class BackupError(Exception):
    """A problem the operator can act on: the CLI prints it and exits with 2."""


@dataclass
class BackupResult:
    path: Path
    manifest: Manifest


@dataclass
class RestoreResult:
    manifest: Manifest
    tables: dict[str, int]
    media_files: int = 0
    secret_key: bool = False
    pending_migrations: int = 0
    notes: list[str] = field(default_factory=list)


def _settings() -> LazySettings:
    from django.conf import settings

    return settings


def _engine(db: DbSettings) -> str:
    if "sqlite" in db["ENGINE"]:
        return "sqlite"
    if "postgres" in db["ENGINE"]:
        return "postgresql"
    raise BackupError(f"Backups cover SQLite and PostgreSQL, not {db['ENGINE']}.")


def _progress_task(progress: Progress | None, description: str, total: float | None) -> Update:
    """An `update(advance=, completed=, total=)` for a rich Progress task (or a no-op)."""
    if progress is None:
        return lambda **_: None
    task = progress.add_task(description, total=total)
    return lambda **kw: progress.update(task, **kw)


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    return {
        name: conn.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0] for name in names
    }


def _pg_counts(cursor: CursorWrapper) -> dict[str, int]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    counts: dict[str, int] = {}
    for (name,) in cursor.fetchall():
        cursor.execute(f"SELECT count(*) FROM {_quote(name)}")
        counts[name] = cursor.fetchone()[0]
    return counts


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not on PATH. Install the PostgreSQL client tools of the server's major "
            "version or newer (Debian: apt-get install postgresql-client), or put them on PATH."
        )
    return path


def _pg_run(command: list[str], db: DbSettings, progress_file: Path | None, update: Update) -> None:
    """Run pg_dump/pg_restore, showing the dump file's size while it grows."""
    with tempfile.TemporaryFile("w+") as errors:
        proc = subprocess.Popen(command, env=_pg_env(db), stdout=errors, stderr=errors)
        while proc.poll() is None:
            with contextlib.suppress(OSError):
                if progress_file is not None:
                    update(completed=progress_file.stat().st_size)
            time.sleep(0.2)
        if proc.returncode:
            errors.seek(0)
            lines = [line for line in errors.read().splitlines() if line.strip()]
            raise BackupError(
                f"{Path(command[0]).name} failed on database {db['NAME']!r} "
                f"(exit {proc.returncode}): " + " / ".join(lines[-5:])
            )


def _media_files(root: Path) -> list[MediaFile]:
    """(path, name inside MEDIA_ROOT, size) of every regular file under MEDIA_ROOT."""
    files: list[MediaFile] = []
    if not root.is_dir():
        return files
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                files.append((path, path.relative_to(root).as_posix(), path.stat().st_size))
    return files


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pg_env(db: DbSettings) -> dict[str, str]:
    """libpq's variables for the configured database (the password stays off the command line)."""
    env = dict(os.environ)
    keys = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD"}
    for key, variable in keys.items():
        if db.get(key):
            env[variable] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    if sslmode := (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    return env
