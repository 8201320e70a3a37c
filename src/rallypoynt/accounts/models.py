"""Users (e-mail login), API tokens, calendar feeds and login attempts."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from rallypoynt.core.models import TenantModel


def validate_time_zone(value: str) -> None:
    """Blank, or an IANA zone name this machine knows (zoneinfo.available_timezones())."""
    if value and value not in zone_names():
        raise ValidationError(f"{value!r} is not an IANA time zone.", code="time_zone")


@lru_cache(maxsize=1)
def zone_names() -> frozenset[str]:
    """Every IANA zone name zoneinfo knows (read from disk once per process)."""
    return frozenset(available_timezones())


def normalize_email_address(email: str) -> str:
    """Lower-case the whole address: people type it in every case, and it is the login."""
    return email.strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=normalize_email_address(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email=normalize_email_address(username))


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in; their seats in organizations are memberships."""

    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    # Blank follows the org's zone; set, it wins in every org (a member living elsewhere).
    time_zone = models.CharField(max_length=64, blank=True, default="")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self) -> None:
        # Forms (the admin's too) save through clean(), not create_user(): keep the
        # login lower-case there as well, or the e-mail backend could never find it.
        super().clean()
        self.email = normalize_email_address(self.email)
        try:
            validate_time_zone(self.time_zone)
        except ValidationError as exc:
            raise ValidationError({"time_zone": exc.messages}) from exc

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class APIToken(models.Model):
    """A bearer token for integrations; only its SHA-256 is stored, the secret is shown once."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Unique within the org, so the table can be distributed by org (ADR 0009); the
        # plain index keeps authentication's lookup by hash alone one index probe.
        constraints = [models.UniqueConstraint("org", "token_hash", name="apitoken_org_hash_uniq")]
        indexes = [
            models.Index(fields=["org", "user"], name="apitoken_org_user"),
            models.Index(fields=["token_hash"], name="apitoken_hash"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class CalendarFeed(TenantModel):
    """A member's secret, revocable iCalendar URL; only the secret's SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "token_hash", name="calendarfeed_org_hash_uniq"),
            # One live URL per seat: a new one replaces the old (see calendar_feed_create).
            models.UniqueConstraint(
                "org",
                "user",
                condition=models.Q(revoked_at__isnull=True),
                name="calendarfeed_one_active",
            ),
        ]
        # The URL carries only the secret, so the lookup is by hash alone.
        indexes = [models.Index(fields=["token_hash"], name="calendarfeed_hash")]

    def __str__(self) -> str:
        return f"Calendar feed {self.prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LoginAttempt(models.Model):
    """One login attempt; recent failures throttle further tries for that address or IP."""

    email = models.CharField(max_length=254)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["email", "at"], name="loginattempt_email_at"),
            models.Index(fields=["ip_address", "at"], name="loginattempt_ip_at"),
        ]

    def __str__(self) -> str:
        return f"{self.email} {'ok' if self.succeeded else 'failed'} at {self.at:%Y-%m-%d %H:%M}"
