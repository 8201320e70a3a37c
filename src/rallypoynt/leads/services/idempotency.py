"""Idempotency keys: a retried request gets the first answer back and writes nothing new.

`idempotency_run` claims the key inside the caller's transaction, so the claim and the write
commit (or roll back) together; a concurrent duplicate waits on the unique index (PostgreSQL)
or on the write lock (SQLite) and then replays the stored answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from rallypoynt.core.errors import Conflict, ValidationFailed
from rallypoynt.leads.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class IdempotentAnswer:
    """The status and JSON body to send; `is_replay` when it was stored by an earlier call."""

    status_code: int
    body: dict[str, Any]
    is_replay: bool


def request_fingerprint(payload: Any) -> str:
    """SHA-256 of the request: raw bytes as they are, anything else as canonical JSON."""
    if not isinstance(payload, bytes):
        payload = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(payload).hexdigest()


def idempotency_key_clean(raw: str | None, *, field: str = HEADER) -> str | None:
    """The key as sent (None when absent), or ValidationFailed for an unusable one."""
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(
            "Invalid idempotency key.",
            fields={field: [f"1 to {MAX_KEY_LENGTH} printable characters"]},
        )
    return key


def _replay(row: IdempotencyKey, request_hash: str) -> IdempotentAnswer:
    if row.request_hash != request_hash:
        raise Conflict(
            "This idempotency key was already used with a different request.",
            fields={HEADER: ["reused with a different request body"]},
        )
    if not row.status_code:
        # Only reachable if a claim was committed without its answer: refuse, never guess.
        raise Conflict(
            "The first request with this idempotency key has not finished.",
            fields={HEADER: ["still in progress"]},
        )
    return IdempotentAnswer(row.status_code, row.response, is_replay=True)


@transaction.atomic
def idempotency_run(
    *,
    org_id: int,
    scope: str,
    key: str,
    request_hash: str,
    call: Callable[[], tuple[int, dict[str, Any]]],
) -> IdempotentAnswer:
    """Run `call` once per (org, scope, key) and store its (status, body) for retries.

    A ServiceError raised by `call` rolls the claim back with the write, so a corrected
    retry with the same key runs again. Same key with another request hash: Conflict (409).
    """
    lookup = {"org_id": org_id, "scope": scope, "key": key}
    row = IdempotencyKey.objects.filter(**lookup).first()
    if row is not None:
        return _replay(row, request_hash)
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(**lookup, request_hash=request_hash)
    except IntegrityError:
        # A concurrent request claimed the key and has committed by now: replay its answer.
        return _replay(IdempotencyKey.objects.get(**lookup), request_hash)
    status_code, body = call()
    row.status_code, row.response = status_code, body
    row.save(update_fields=["status_code", "response", "updated_at"])
    return IdempotentAnswer(status_code, body, is_replay=False)


KEYS_KEPT = timedelta(hours=24)


def idempotency_keys_prune() -> int:
    """Forget stored answers after a day: a client retries within minutes, not days."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - KEYS_KEPT).delete()
    return deleted
