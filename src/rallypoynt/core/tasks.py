"""Background jobs of the platform itself."""

from __future__ import annotations

from django_tasks import task

from rallypoynt.core.housekeeping import housekeeping_run, housekeeping_schedule


@task()
def housekeeping() -> dict[str, int | str]:
    """One housekeeping pass, then queue the next."""
    done = housekeeping_run()
    housekeeping_schedule()
    return done
