"""Locks on things that have no row yet: two requests about one new person must take turns.

`select_for_update()` cannot lock a contact that does not exist; a transaction-scoped advisory
lock keyed on the person's normalised e-mail and phone can. SQLite needs none: it runs one
writer at a time (every transaction begins IMMEDIATE).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.db import connection


def _key(namespace: str, value: str) -> int:
    digest = hashlib.blake2b(f"{namespace}\x00{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def keys_lock(namespace: str, values: Iterable[str]) -> int:
    """Hold, until the transaction ends, a lock on each value (in a fixed order, so two
    transactions never wait on each other in a circle); returns how many were taken."""
    if connection.vendor != "postgresql":
        return 0
    keys = sorted({_key(namespace, v) for v in values if v})
    if not keys:
        return 0
    # One round trip: a volatile function in the select list runs after the ORDER BY, so the
    # locks are taken in key order.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k ORDER BY k", [keys]
        )
    return len(keys)
