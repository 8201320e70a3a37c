"""Backup and restore: the database, the uploaded files and the secret key in one archive.

The archive is a .tar.gz holding, in this order: `manifest.json` (time, app version, database
engine, row counts per table), `database.sqlite3` (an online copy made with SQLite's backup
API) or `database.pgdump` (`pg_dump --format=custom`), `secret_key` when the key lives in the
var dir, and `media/…` (MEDIA_ROOT). The row counts are taken from the very snapshot that was
copied, so a restore can check it got everything. `rallypoynt backup|restore` call these.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any, Protocol

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


# -- backup -----------------------------------------------------------------------------------


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


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pg_counts(cursor: CursorWrapper) -> dict[str, int]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    counts: dict[str, int] = {}
    for (name,) in cursor.fetchall():
        cursor.execute(f"SELECT count(*) FROM {_quote(name)}")
        counts[name] = cursor.fetchone()[0]
    return counts


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


# -- restore ----------------------------------------------------------------------------------


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
