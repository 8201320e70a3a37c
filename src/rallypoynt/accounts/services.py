"""Writes on users: accounts, passwords, login throttling and API tokens."""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from email_validator import EmailNotValidError, validate_email

from rallypoynt.accounts.models import (
    APIToken,
    LoginAttempt,
    User,
    normalize_email_address,
    validate_time_zone,
)
from rallypoynt.core.audit import audit_record
from rallypoynt.core.errors import Conflict, NotFound, ValidationFailed
from rallypoynt.core.events import event_emit

TOKEN_PREFIX = "rp_"


def validate_email_address(email: str, *, field: str = "email") -> str:
    """Return the normalised address or raise ValidationFailed naming `field`."""
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed("Invalid e-mail address.", fields={field: [str(exc)]}) from exc
    return normalize_email_address(result.normalized)


def validate_new_password(password: str, *, user: User | None = None) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationFailed(
            "The password is too weak.", fields={"password": list(exc.messages)}
        ) from exc


@transaction.atomic
def user_create(
    *, email: str, password: str, first_name: str = "", last_name: str = "", phone: str = ""
) -> User:
    email = validate_email_address(email)
    if User.objects.filter(email=email).exists():
        raise Conflict("A user with that e-mail exists.", fields={"email": ["taken"]})
    user = User(
        email=email, first_name=first_name.strip(), last_name=last_name.strip(), phone=phone.strip()
    )
    validate_new_password(password, user=user)
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def user_update_profile(
    *, user: User, first_name: str, last_name: str, phone: str = "", time_zone: str | None = None
) -> User:
    """Save the profile; `time_zone` blank follows the org's zone, None leaves it unchanged."""
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.phone = phone.strip()
    fields = ["first_name", "last_name", "phone"]
    if time_zone is not None:
        time_zone = time_zone.strip()
        try:
            validate_time_zone(time_zone)
        except ValidationError as exc:
            raise ValidationFailed(
                "Choose a time zone from the list.", fields={"time_zone": exc.messages}
            ) from exc
        user.time_zone = time_zone
        fields.append("time_zone")
    user.save(update_fields=fields)
    return user


def _window_start():
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


def _is_known_address(*, email: str, ip_address: str, now) -> bool:
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


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor, name: str) -> tuple[APIToken, str]:
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
    audit_record(
        org_id=actor.org_id, actor_id=actor.user_id, action="api_token.create", target=token
    )
    event_emit(org_id=actor.org_id, kind="api_token.created", subject=token, actor_id=actor.user_id)
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor, token_id: int) -> APIToken:
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


def login_attempts_prune(*, days: int = 30) -> int:
    """Delete login attempts older than `days` (throttling looks back minutes, audits weeks)."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = LoginAttempt.objects.filter(at__lt=cutoff).delete()
    return deleted
