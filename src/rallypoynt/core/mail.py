"""Outgoing mail that may be sent again after a crash: the same message every time."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings


def stable_message_id(key: str, org_slug: str) -> str:
    """A Message-ID from the send's idempotency key: the same on every machine and every
    attempt (never the host's name), so a resend is the same message to the mail system."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<{key}@{org_slug}.{domain}>"


def idempotent_headers(key: str, org_slug: str) -> dict[str, str]:
    """The headers every outbound message carries: its stable id and its idempotency key."""
    return {"Message-ID": stable_message_id(key, org_slug), "X-RallyPoynt-Idempotency-Key": key}
