"""Point a `rallypoynt` subprocess at the database of the running test."""

from __future__ import annotations

import os
import socket

from django.conf import settings


def database_env() -> dict[str, str]:
    """os.environ plus a DATABASE_URL naming this test's (file or PostgreSQL) database."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    if "sqlite" in db["ENGINE"]:
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/"
            f"{db['NAME']}"
        )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
