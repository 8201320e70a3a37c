"""Backup and restore: the database, the uploaded files and the secret key in one archive.

The archive is a .tar.gz holding, in this order: `manifest.json` (time, app version, database
engine, row counts per table), `database.sqlite3` (an online copy made with SQLite's backup
API) or `database.pgdump` (`pg_dump --format=custom`), `secret_key` when the key lives in the
var dir, and `media/…` (MEDIA_ROOT). The row counts are taken from the very snapshot that was
copied, so a restore can check it got everything. `rallypoynt backup|restore` call these.
"""

from rallypoynt.core.backup.common import BackupError, BackupResult, RestoreResult
from rallypoynt.core.backup.create import backup_create
from rallypoynt.core.backup.restore import backup_restore

__all__ = ["BackupError", "BackupResult", "RestoreResult", "backup_create", "backup_restore"]
