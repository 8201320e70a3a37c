"""Shared pytest setup: fast hashing, isolated var dir, loopback-only helpers."""

from __future__ import annotations

import os
import tempfile

# Tests never touch the developer's ./var (SQLite file, secret key, cache).
os.environ.setdefault("RALLYPOYNT_VAR_DIR", tempfile.mkdtemp(prefix="rallypoynt-test-"))

import pytest


@pytest.fixture(autouse=True)
def _fast_tests(settings):
    # Argon2 is deliberately slow; tests check behaviour, not hashing cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
