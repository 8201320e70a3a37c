"""Shared pytest setup: fast hashing, per-run SQLite file and cache, loopback-only helpers."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

# pytest-django has loaded settings by now; give this run its own scratch directory so
# parallel runs never share a cache or a test database file with each other or with ./var.
RUN_DIR = Path(tempfile.mkdtemp(prefix="rallypoynt-test-"))
django_settings.CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(RUN_DIR / "cache"),
    }
}
django_settings.MEDIA_ROOT = RUN_DIR / "media"
# A developer's collected (hashed) static files must not leak into pages under test.
django_settings.STATIC_ROOT = RUN_DIR / "static"
django_settings.STATIC_ROOT.mkdir()


# RALLYPOYNT_TEST_NOW=2026-12-06T04:30:00Z runs the whole suite as if the clock read that
# (it keeps ticking from there): .ci/run proves the suite at night, on DST and year-end days.
TEST_NOW = os.environ.get("RALLYPOYNT_TEST_NOW", "")


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, skip what the SQLite pass already ran and no database changes."""
    if "sqlite" in django_settings.DATABASES["default"]["ENGINE"]:
        return
    same = pytest.mark.skip(reason="makes its own databases: the SQLite pass ran it")
    layout = pytest.mark.skip(reason="layout is the same on any database: the SQLite pass ran it")
    for item in items:
        if item.get_closest_marker("own_database"):
            item.add_marker(same)
        elif item.get_closest_marker("layout"):
            item.add_marker(layout)


@pytest.fixture(scope="session", autouse=True)
def _test_clock():
    if not TEST_NOW:
        yield None
        return
    import time_machine

    start = datetime.fromisoformat(TEST_NOW.replace("Z", "+00:00"))
    with time_machine.travel(start, tick=True) as traveller:
        yield traveller


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # A file (not :memory:) so worker and server subprocesses share the test data.
    db = django_settings.DATABASES["default"]
    if "sqlite" in db["ENGINE"]:
        db["TEST"]["NAME"] = str(RUN_DIR / "test.sqlite3")


@pytest.fixture(autouse=True)
def _fast_tests(settings):
    # Argon2 is deliberately slow; tests check behaviour, not hashing cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Rate-limit counters live in the cache; ids repeat across tests, counters must not.
    cache.clear()


@pytest.fixture
def brokerage(db):
    """A demo-shaped brokerage with named people (see orgs/tests/brokerage.py)."""
    from rallypoynt.orgs.tests.brokerage import build_brokerage

    return build_brokerage()


@pytest.fixture
def other(db):
    """A second org with the same shape; nobody in `brokerage` may see or touch it."""
    from rallypoynt.orgs.tests.brokerage import build_brokerage

    return build_brokerage("Other Realty")
