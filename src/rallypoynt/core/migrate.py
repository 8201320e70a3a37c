"""`rallypoynt migrate`: Django's migrate command with a progress bar and a count of what it did.

It is Django's own command (pre- and post-migrate signals, so content types and permissions are
created as usual), given a progress callback: the bar learns the plan from `pre_migrate` and
moves as the executor reports each migration applied.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.core.management import call_command
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.models.signals import pre_migrate
from rich.progress import Progress, TaskID

from rallypoynt.core.console import progress_bar

DONE = ("apply_success", "unapply_success")
STARTED = ("apply_start", "unapply_start")


@dataclass(frozen=True)
class MigrateResult:
    applied: int  # migrations applied (or unapplied) by this run
    total: int  # migrations the project has
    seconds: float


class ProgressMigrate(MigrateCommand):
    """Django's migrate, moving a progress bar (when there is one) as migrations apply."""

    def __init__(self, bar: Progress | None) -> None:
        super().__init__()
        self.bar = bar
        self.task: TaskID | None = None
        self.planned = 0
        self.applied = 0

    def plan_known(self, sender: Any, plan: list | None = None, **kwargs: Any) -> None:
        """The `pre_migrate` receiver: sent once per app, the plan is the same each time."""
        if self.task is not None or self.bar is None or not plan:
            return
        self.planned = len(plan)
        self.task = self.bar.add_task("Migrations", total=self.planned)
        self.bar.start()

    def migration_progress_callback(
        self, action: str, migration: Any = None, fake: bool = False
    ) -> None:
        super().migration_progress_callback(action, migration, fake)
        if action in DONE:
            self.applied += 1
        if self.bar is None or self.task is None:
            return
        if action in STARTED:
            self.bar.update(self.task, description=f"Migrating {migration.app_label}")
        elif action in DONE:
            self.bar.advance(self.task)
            if self.applied >= self.planned:
                # What is left is the post_migrate work: content types and permissions.
                self.bar.update(self.task, description="Content types and permissions")


def migrate_run(*, verbose: bool = False, database: str = "default") -> MigrateResult:
    """Apply every pending migration; a progress bar unless `verbose` (Django's own lines)."""
    bar = None if verbose else progress_bar(transient=True)
    command = ProgressMigrate(bar)
    started = time.perf_counter()
    pre_migrate.connect(command.plan_known, dispatch_uid="rallypoynt-migrate-progress")
    try:
        call_command(command, database=database, interactive=False, verbosity=1 if verbose else 0)
    finally:
        pre_migrate.disconnect(dispatch_uid="rallypoynt-migrate-progress")
        if bar is not None and command.task is not None:
            bar.stop()
    seconds = time.perf_counter() - started
    total = len(MigrationLoader(connections[database], ignore_no_migrations=True).graph.nodes)
    return MigrateResult(applied=command.applied, total=total, seconds=seconds)
