"""Login throttling: an exponential back-off per address, a ceiling per IP, and pruning."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from rallypoynt.accounts.models import LoginAttempt, normalize_email_address


def _window_start() -> datetime:
    return timezone.now() - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


# Failures older than this no longer lengthen an address's back-off (a success clears them).
BACKOFF_MEMORY = timedelta(days=1)
# A browser that logged in to this address from the same IP lately is "known" for this long.
KNOWN_ADDRESS_DAYS = 30


def login_backoff(failures: int) -> timedelta:
    """The wait after `failures` consecutive failures: 1 s, 2 s, 4 s … capped (15 min)."""
    if failures <= 0:
        return timedelta(0)
    cap = settings.LOGIN_BACKOFF_MAX_MINUTES * 60
    exponent = min(failures - 1, 40)  # 2**40 s outgrows any cap; keeps the float finite
    return timedelta(seconds=min(settings.LOGIN_BACKOFF_BASE_SECONDS * 2**exponent, cap))


def login_retry_after(*, email: str, ip_address: str | None) -> int:
    """Seconds until this e-mail address may try again from this IP (0: now).

    Per address: an exponential back-off from its last failure, so a stranger guessing
    cannot keep the owner out for long: every wait is short and ends on its own, and an IP
    the owner logged in from lately is held only by its own failures. Per IP: more than
    4 x LOGIN_FAILURE_LIMIT failures in LOGIN_FAILURE_WINDOW_MINUTES, across addresses."""
    email = normalize_email_address(email)
    now = timezone.now()
    failed = LoginAttempt.objects.filter(succeeded=False)
    if ip_address:
        since = _window_start()
        ip_failures = failed.filter(ip_address=ip_address, at__gte=since)
        if ip_failures.count() >= settings.LOGIN_FAILURE_LIMIT * 4:
            # Refused until the oldest failure in the window ages out of it.
            oldest = ip_failures.order_by("at").values_list("at", flat=True)[0]
            return _whole_seconds(oldest - since)
    counted = failed.filter(email=email, at__gte=now - BACKOFF_MEMORY)
    if ip_address and _is_known_address(email=email, ip_address=ip_address, now=now):
        counted = counted.filter(ip_address=ip_address)
    stats = counted.aggregate(n=models.Count("id"), last=models.Max("at"))
    if not stats["n"]:
        return 0
    return _whole_seconds(stats["last"] + login_backoff(stats["n"]) - now)


def _is_known_address(*, email: str, ip_address: str, now: datetime) -> bool:
    return LoginAttempt.objects.filter(
        email=email,
        ip_address=ip_address,
        succeeded=True,
        at__gte=now - timedelta(days=KNOWN_ADDRESS_DAYS),
    ).exists()


def _whole_seconds(delta: timedelta) -> int:
    return max(0, math.ceil(delta.total_seconds()))


def login_is_throttled(*, email: str, ip_address: str | None) -> bool:
    """True while this address's back-off runs or this IP is over its limit."""
    return login_retry_after(email=email, ip_address=ip_address) > 0


def login_attempt_record(*, email: str, ip_address: str | None, succeeded: bool) -> None:
    """Record an attempt; a success clears that address's failures."""
    email = normalize_email_address(email)
    if succeeded:
        LoginAttempt.objects.filter(email=email, succeeded=False).delete()
    LoginAttempt.objects.create(email=email[:254], ip_address=ip_address, succeeded=succeeded)


def login_attempts_prune(*, days: int = 30) -> int:
    """Delete login attempts older than `days` (throttling looks back minutes, audits weeks)."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = LoginAttempt.objects.filter(at__lt=cutoff).delete()
    return deleted
