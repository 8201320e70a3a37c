"""Reads on accounts: the caller's own tokens, and token lookup for API auth."""

from __future__ import annotations

from django.db.models import QuerySet

from rallypoynt.accounts.models import APIToken
from rallypoynt.accounts.services import TOKEN_PREFIX, Seat, token_hash


def api_token_list(*, actor: Seat) -> QuerySet[APIToken]:
    """The actor's own tokens in their current org (others' tokens are never listed)."""
    return APIToken.objects.filter(user_id=actor.user_id, org_id=actor.org_id).order_by(
        "-created_at"
    )


def api_token_authenticate(*, secret: str) -> APIToken | None:
    """The active token for a bearer secret, with its user and org loaded."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    return (
        APIToken.objects.filter(token_hash=token_hash(secret), revoked_at__isnull=True)
        .select_related("user", "org")
        .first()
    )
