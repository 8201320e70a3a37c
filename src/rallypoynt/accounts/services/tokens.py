"""Writes on API tokens: create (the secret is shown once), revoke, note their use."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Protocol

from django.db import transaction
from django.utils import timezone

from rallypoynt.accounts.models import APIToken
from rallypoynt.core.audit import audit_and_emit, audit_record
from rallypoynt.core.errors import NotFound, ValidationFailed

TOKEN_PREFIX = "rp_"


class Seat(Protocol):
    """Whose tokens and feeds: a member's seat (orgs' Membership, which accounts cannot import)."""

    @property
    def org_id(self) -> int: ...

    @property
    def user_id(self) -> int: ...


def token_hash(token: str) -> str:
    """The stored digest of a secret (tokens and calendar feeds keep only this)."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Seat, name: str) -> tuple[APIToken, str]:
    """Create a token for the actor's seat; the secret is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationFailed("A name is required.", fields={"name": ["This field is required."]})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = APIToken.objects.create(
        org_id=actor.org_id,
        user_id=actor.user_id,
        name=name[:100],
        prefix=secret[:10],
        token_hash=token_hash(secret),
    )
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="api_token.create",
        target=token,
        kind="api_token.created",
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: Seat, token_id: int) -> APIToken:
    token = APIToken.objects.filter(
        pk=token_id, user_id=actor.user_id, org_id=actor.org_id, revoked_at__isnull=True
    ).first()
    if token is None:
        raise NotFound("No such active token.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        org_id=actor.org_id, actor_id=actor.user_id, action="api_token.revoke", target=token
    )
    return token


def api_token_touch(*, token_id: int, last_used_at: datetime | None) -> None:
    """Note when a token was last used, at most once a minute to spare the database."""
    now = timezone.now()
    if last_used_at is None or now - last_used_at > timedelta(minutes=1):
        APIToken.objects.filter(pk=token_id).update(last_used_at=now)
