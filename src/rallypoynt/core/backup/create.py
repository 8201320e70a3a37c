"""Writing a backup archive: the database snapshot, its row counts, media and the key."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:  # for annotations only: this module imports Django where it uses it
    from rich.progress import Progress
from rallypoynt.core.backup.common import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MEDIA_PREFIX,
    PAGES_PER_STEP,
    PG_MEMBER,
    SECRET_MEMBER,
    SQLITE_MEMBER,
    BackupError,
    BackupResult,
    DbSettings,
    Manifest,
    MediaFile,
    Update,
    _engine,
    _media_files,
    _pg_counts,
    _pg_run,
    _pg_tool,
    _progress_task,
    _settings,
    _sqlite_counts,
)


def backup_create(path: str | Path | None = None, progress: Progress | None = None) -> BackupResult:
    """Write an archive of the configured database, MEDIA_ROOT and the var-dir secret key."""
    settings = _settings()
    db = settings.DATABASES["default"]
    engine = _engine(db)
    now = datetime.now(UTC)
    target = _target_path(path, now, Path(settings.VAR_DIR))
    secret = Path(settings.VAR_DIR) / "secret_key"
    media = _media_files(Path(settings.MEDIA_ROOT))
    try:
        with tempfile.TemporaryDirectory(prefix=".backup-", dir=target.parent) as tmp:
            dump = Path(tmp) / (SQLITE_MEMBER if engine == "sqlite" else PG_MEMBER)
            if engine == "sqlite":
                tables = _sqlite_backup(Path(db["NAME"]), dump, progress)
            else:
                tables = _pg_dump(db, dump, progress)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
                "app_version": _app_version(),
                "database": {
                    "engine": engine,
                    "file": dump.name,
                    "tables": tables,
                    "rows": sum(tables.values()),
                },
                "media": {"files": len(media), "bytes": sum(size for *_, size in media)},
                "secret_key": secret.is_file(),
            }
            _write_archive(target, manifest, dump, media, secret, progress)
    except OSError as exc:
        raise BackupError(f"Cannot write {exc.filename or target}: {exc.strerror or exc}.") from exc
    return BackupResult(target, manifest)


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rallypoynt")
    except PackageNotFoundError:
        return "unknown"


def _target_path(path: str | Path | None, now: datetime, var_dir: Path) -> Path:
    name = f"rallypoynt-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    target = var_dir / "backups" / name if path is None else Path(path).expanduser()
    if target.is_dir() or str(path).endswith(("/", os.sep)):
        target = target / name
    if target.exists():
        raise BackupError(f"{target} already exists; give another path.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"Cannot create the directory {target.parent}: {exc.strerror}.") from exc
    return target.resolve()


def _sqlite_backup(source: Path, dest: Path, progress: Progress | None) -> dict[str, int]:
    """Copy a live SQLite database page by page from one snapshot; writers carry on (WAL)."""
    if not source.is_file():
        raise BackupError(f"No SQLite database at {source}: nothing to back up.")
    try:
        src = sqlite3.connect(source, timeout=20, isolation_level=None)
        dst = sqlite3.connect(dest, isolation_level=None)
        try:
            # An open read transaction pins the snapshot for every backup step, so the copy
            # never restarts when another process writes, and what is copied is one moment.
            src.execute("BEGIN")
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()
            page_size = src.execute("PRAGMA page_size").fetchone()[0]
            update = _progress_task(progress, "Database copy", None)

            def step(_status: int, remaining: int, total: int) -> None:
                update(total=total * page_size, completed=(total - remaining) * page_size)

            src.backup(dst, pages=PAGES_PER_STEP, progress=step)
            src.execute("COMMIT")
            # One self-contained file in the archive, no -wal beside it.
            dst.execute("PRAGMA journal_mode=DELETE")
            problems = [row[0] for row in dst.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise BackupError(f"{source} fails PRAGMA quick_check: {'; '.join(problems[:5])}")
            return _sqlite_counts(dst)
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        raise BackupError(f"Cannot back up {source}: {exc}.") from exc


def _pg_dump(db: DbSettings, dest: Path, progress: Progress | None) -> dict[str, int]:
    """pg_dump from an exported snapshot, so the row counts describe exactly what was dumped."""
    from django.db import DatabaseError, connection, transaction

    pg_dump = _pg_tool("pg_dump")
    update = _progress_task(progress, "pg_dump", None)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = _pg_counts(cursor)
            command = [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}"]
            _pg_run([*command, f"--file={dest}"], db, dest, update)
    except DatabaseError as exc:
        raise BackupError(f"Cannot read database {db['NAME']!r}: {exc}".strip()) from exc
    size = dest.stat().st_size
    update(total=size, completed=size)
    return tables


class _Counted:
    """A file object that reports how much has been read through it."""

    def __init__(self, handle: IO[bytes], update: Update) -> None:
        self.handle, self.update = handle, update

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.update(advance=len(data))
        return data


def _write_archive(
    target: Path,
    manifest: Manifest,
    dump: Path,
    media: list[MediaFile],
    secret: Path,
    progress: Progress | None,
) -> None:
    partial = target.with_name(target.name + ".part")
    update = _progress_task(
        progress, "Archive", dump.stat().st_size + sum(size for *_, size in media)
    )
    # The archive holds the secret key and everybody's data: owner-only from the start.
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with (
            os.fdopen(fd, "wb") as out,
            tarfile.open(fileobj=out, mode="w:gz", compresslevel=6) as tar,
        ):
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
            tar.addfile(info, io.BytesIO(data))
            _add_file(tar, dump, dump.name, update)
            if secret.is_file():
                _add_file(tar, secret, SECRET_MEMBER, lambda **_: None)
            for path, name, _size in media:
                with contextlib.suppress(FileNotFoundError):  # deleted since the listing
                    _add_file(tar, path, MEDIA_PREFIX + name, update)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _add_file(tar: tarfile.TarFile, path: Path, name: str, update: Update) -> None:
    with open(path, "rb") as handle:
        info = tar.gettarinfo(arcname=name, fileobj=handle)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        tar.addfile(info, _Counted(handle, update))
