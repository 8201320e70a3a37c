"""Restoring an archive into an empty database, checked against its row counts."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # for annotations only: this module imports Django where it uses it
    from rich.progress import Progress
from rallypoynt.core.backup.common import (
    BOOKKEEPING_TABLES,
    CHUNK,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MEDIA_PREFIX,
    PG_MEMBER,
    SECRET_MEMBER,
    BackupError,
    DbSettings,
    Manifest,
    RestoreResult,
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


def backup_restore(
    archive: str | Path, *, force: bool = False, progress: Progress | None = None
) -> RestoreResult:
    """Restore an archive into the configured (empty, unless `force`) database and MEDIA_ROOT."""
    archive = Path(archive).expanduser()
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file.")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            return _restore(tar, archive, force, progress)
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise BackupError(f"{archive}: not a readable backup archive ({exc}).") from exc
    except OSError as exc:
        raise BackupError(f"{exc.filename or archive}: {exc.strerror or exc}.") from exc


def _restore(
    tar: tarfile.TarFile, archive: Path, force: bool, progress: Progress | None
) -> RestoreResult:
    settings = _settings()
    db = settings.DATABASES["default"]
    engine = _engine(db)
    manifest = _read_manifest(tar, archive)
    stored = manifest["database"]
    if stored.get("engine") != engine:
        raise BackupError(
            f"{archive} holds a {stored.get('engine')} database, but DATABASE_URL points at "
            f"{engine}; restore it into a {stored.get('engine')} database."
        )
    media_root = Path(settings.MEDIA_ROOT)
    found = _nonempty_tables(db, engine, force)
    present = _media_files(media_root)
    if not force and (found or present):
        raise BackupError(_refusal(db, engine, found, media_root, len(present)))
    try:
        member = tar.getmember(stored.get("file", ""))
    except KeyError:
        raise BackupError(f"{archive} holds no {stored.get('file')!r}.") from None
    update = _progress_task(progress, "Database", member.size)
    if engine == "sqlite":
        tables = _restore_sqlite(tar, member, archive, Path(db["NAME"]), stored, update)
    else:
        tables = _restore_pg(tar, member, archive, db, stored, update)
    result = RestoreResult(manifest=manifest, tables=tables)
    result.media_files = _restore_media(tar, archive, media_root, progress)
    result.secret_key = _restore_secret(tar, Path(settings.VAR_DIR))
    if result.secret_key and os.environ.get("SECRET_KEY"):
        result.notes.append(
            "SECRET_KEY is set in the environment, so it, not the restored secret_key file, "
            "signs cookies and links."
        )
    result.pending_migrations = _pending_migrations()
    return result


def _read_manifest(tar: tarfile.TarFile, archive: Path) -> Manifest:
    try:
        handle = tar.extractfile(MANIFEST)
    except KeyError:
        raise BackupError(f"{archive}: no {MANIFEST}; not a RallyPoynt backup.") from None
    if handle is None:  # a directory or a link of that name
        raise BackupError(f"{archive}: {MANIFEST} is not valid JSON (not a regular file).")
    try:
        manifest = json.load(handle)
    except ValueError as exc:
        raise BackupError(f"{archive}: {MANIFEST} is not valid JSON ({exc}).") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive}: {MANIFEST} does not describe a RallyPoynt backup.")
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise BackupError(
            f"{archive} was written by a newer RallyPoynt OS (format "
            f"{manifest['format_version']}); upgrade before restoring it."
        )
    if not isinstance(manifest.get("database"), dict):
        raise BackupError(f"{archive}: {MANIFEST} names no database.")
    return manifest


def _nonempty_tables(db: DbSettings, engine: str, force: bool) -> dict[str, int]:
    """Tables of the configured database that hold rows `migrate` did not write itself."""
    if engine == "sqlite":
        path = Path(db["NAME"])
        if not path.exists() or path.stat().st_size == 0:
            return {}
        try:
            conn = sqlite3.connect(path, timeout=20)
            try:
                counts = _sqlite_counts(conn)
            finally:
                conn.close()
        except sqlite3.Error as exc:
            if force:
                return {}
            raise BackupError(
                f"{path} is not a readable SQLite database ({exc}); give --force to replace it."
            ) from exc
    else:
        from django.db import DatabaseError, connection

        try:
            with connection.cursor() as cursor:
                counts = _pg_counts(cursor)
        except DatabaseError as exc:
            raise BackupError(
                f"Cannot open database {db['NAME']!r}: {exc}".strip()
                + " — create it (empty) first, e.g. createdb."
            ) from exc
    return {name: rows for name, rows in counts.items() if rows and name not in BOOKKEEPING_TABLES}


def _refusal(
    db: DbSettings, engine: str, found: dict[str, int], media_root: Path, media_count: int
) -> str:
    what = []
    if found:
        biggest = sorted(found.items(), key=lambda item: (-item[1], item[0]))
        shown = ", ".join(f"{name} ({rows} rows)" for name, rows in biggest[:5])
        more = f" and {len(found) - 5} more tables" if len(found) > 5 else ""
        where = (
            f"SQLite database {db['NAME']}" if engine == "sqlite" else f"database {db['NAME']!r}"
        )
        what.append(f"the {where} is not empty: {shown}{more}")
    if media_count:
        what.append(
            f"the media directory {media_root} holds {media_count} file" + "s" * (media_count != 1)
        )
    return (
        "Refusing to restore: "
        + "; ".join(what)
        + ". Restore into an empty database and media directory, or give --force to replace "
        "the database and overwrite the uploaded files of the same name."
    )


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, out: IO[bytes], update: Update) -> None:
    source = tar.extractfile(member)
    if source is None:
        raise BackupError(f"{member.name} in the archive is not a regular file.")
    while chunk := source.read(CHUNK):
        out.write(chunk)
        update(advance=len(chunk))


def _check_counts(archive: Path, stored: dict[str, Any], tables: dict[str, int]) -> None:
    expected = stored.get("tables") or {}
    wrong = [
        f"{name}: {tables.get(name)} rows, manifest {rows}"
        for name, rows in expected.items()
        if tables.get(name) != rows
    ]
    if wrong:
        raise BackupError(
            f"{archive}: the restored database does not match the manifest ("
            + "; ".join(wrong[:5])
            + ")."
        )


def _restore_sqlite(
    tar: tarfile.TarFile,
    member: tarfile.TarInfo,
    archive: Path,
    target: Path,
    stored: dict[str, Any],
    update: Update,
) -> dict[str, int]:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".restore-", suffix=".sqlite3", dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            _extract(tar, member, out, update)
        try:
            conn = sqlite3.connect(temporary)
            try:
                problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
                if problems != ["ok"]:
                    raise BackupError(
                        f"{archive}: {member.name} fails PRAGMA integrity_check: "
                        + "; ".join(problems[:5])
                    )
                tables = _sqlite_counts(conn)
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise BackupError(
                f"{archive}: {member.name} is not a usable database ({exc})."
            ) from exc
        _check_counts(archive, stored, tables)
        if target.exists():
            shutil.copymode(target, temporary)
        # A -wal or -shm left from the old file would be replayed into the new one.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return tables


def _restore_pg(
    tar: tarfile.TarFile,
    member: tarfile.TarInfo,
    archive: Path,
    db: DbSettings,
    stored: dict[str, Any],
    update: Update,
) -> dict[str, int]:
    from django.db import DatabaseError, connection

    pg_restore = _pg_tool("pg_restore")
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=_settings().VAR_DIR) as tmp:
        dump = Path(tmp) / PG_MEMBER
        with open(dump, "wb") as out:
            _extract(tar, member, out, update)
        connection.close()
        command = [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        _pg_run([*command, "--no-password", f"--dbname={db['NAME']}", str(dump)], db, None, update)
    try:
        with connection.cursor() as cursor:
            tables = _pg_counts(cursor)
    except DatabaseError as exc:
        raise BackupError(f"Cannot read database {db['NAME']!r} after pg_restore: {exc}") from exc
    _check_counts(archive, stored, tables)
    return tables


def _restore_media(
    tar: tarfile.TarFile, archive: Path, root: Path, progress: Progress | None
) -> int:
    members = [m for m in tar.getmembers() if m.name.startswith(MEDIA_PREFIX) and m.isfile()]
    update = _progress_task(progress, "Uploaded files", sum(m.size for m in members))
    for member in members:
        relative = PurePosixPath(member.name[len(MEDIA_PREFIX) :])
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise BackupError(f"{archive}: refusing the unsafe path {member.name!r}.")
        dest = root.joinpath(*relative.parts)
        dest.parent.mkdir(parents=True, exist_ok=True)
        with open(dest, "wb") as out:
            _extract(tar, member, out, update)
        os.utime(dest, (member.mtime, member.mtime))
    return len(members)


def _restore_secret(tar: tarfile.TarFile, var_dir: Path) -> bool:
    try:
        member = tar.getmember(SECRET_MEMBER)
    except KeyError:
        return False
    source = tar.extractfile(member)
    if source is None:
        raise BackupError(f"{member.name} in the archive is not a regular file.")
    data = source.read()
    path = var_dir / "secret_key"
    partial = var_dir / ".secret_key.restore"
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(partial, path)
    return True


def _pending_migrations() -> int:
    """Migrations this code has that the restored database lacks (`rallypoynt migrate` them)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    connection.close()
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
