"""Bearer-token and session authentication for the API, with per-token rate limits."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from ninja.security import APIKeyCookie, HttpBearer

from rallypoynt.accounts.services import api_token_touch
from rallypoynt.orgs.selectors import membership_for_token


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after


def rate_limit_check(key: str, limit: int, window_seconds: int = 60) -> None:
    """Fixed-window counter in the shared cache; raises RateLimited past `limit`."""
    now = int(time.time())
    window = now - now % window_seconds
    cache_key = f"rl:{key}:{window}"
    if cache.add(cache_key, 1, timeout=window_seconds + 5):
        return
    try:
        count = cache.incr(cache_key)
    except ValueError:
        cache.set(cache_key, 1, timeout=window_seconds + 5)
        return
    if count > limit:
        raise RateLimited(retry_after=window + window_seconds - now)


class BearerToken(HttpBearer):
    """`Authorization: Bearer rp_…`: acts as the token's user in the token's org."""

    def authenticate(self, request, token: str):
        membership = membership_for_token(secret=token)
        if membership is None:
            return None
        token_id = membership.api_token_id
        rate_limit_check(f"token:{token_id}", settings.API_RATE_LIMIT_PER_MINUTE)
        api_token_touch(token_id=token_id, last_used_at=membership.api_token_used_at)
        request.user = membership.user
        request.membership = membership
        return membership


class SessionMembership(APIKeyCookie):
    """The browser's session cookie (CSRF-checked on unsafe methods)."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        # Without a session cookie this scheme cannot apply: skip its CSRF check, so a
        # bad or revoked bearer token on POST/DELETE is a 401, not "CSRF check Failed".
        if not request.COOKIES.get(self.param_name):
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        if not key:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        membership = getattr(request, "membership", None)
        return membership


AUTH = [BearerToken(), SessionMembership(csrf=True)]
