"""The tenant (Organization) and the people in it: offices, teams, memberships and roles."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from rallypoynt.core.models import TenantModel, TimeStampedModel
from rallypoynt.orgs.choices import Role, Weekday
from rallypoynt.orgs.config_cache import new_config_stamp


class Organization(TimeStampedModel):
    """A brokerage, a team's business, or a solo agent's business (an org of one)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    branding_name = models.CharField(max_length=200, blank=True)
    time_zone = models.CharField(max_length=64, default="America/New_York")
    holiday_country = models.CharField(max_length=2, default="US", blank=True)
    holiday_subdivision = models.CharField(max_length=10, blank=True)
    # Renewed on every change to what the org's hot paths cache (orgs/config_cache.py).
    config_stamp = models.BigIntegerField(default=new_config_stamp, editable=False)

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.branding_name or self.name


class Office(TenantModel):
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint("org", "name", name="office_org_name_uniq")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(TenantModel):
    name = models.CharField(max_length=200)
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [models.UniqueConstraint("org", "name", name="team_org_name_uniq")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(TenantModel):
    """A user's seat in an organization; tenant data is owned by memberships."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.SET_NULL)
    title = models.CharField(max_length=120, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint("org", "user", name="membership_org_user_uniq")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.org_id}"

    @property
    def roles(self) -> set[str]:
        """Role codes; prefetched by selectors via `role_assignments`."""
        if not hasattr(self, "_roles"):
            self._roles = {r.role for r in self.role_assignments.all()}
        return self._roles

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class MembershipRole(TenantModel):
    """One role held by a member; a member may hold several."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(max_length=40, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "membership", "role", name="membershiprole_uniq")
        ]

    def __str__(self) -> str:
        return self.get_role_display()


class TeamMember(TenantModel):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="team_memberships"
    )
    is_lead = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint("org", "team", "membership", name="teammember_uniq")]


class BusinessHours(TenantModel):
    """One open interval on a weekday, in the org's local time; no row means closed."""

    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens_at = models.TimeField()
    closes_at = models.TimeField()

    class Meta:
        verbose_name_plural = "business hours"
        ordering = ["weekday", "opens_at"]
        constraints = [
            models.UniqueConstraint("org", "weekday", "opens_at", name="businesshours_uniq"),
        ]


class Closure(TenantModel):
    """A day the org is closed beyond public holidays (e.g. an office event)."""

    closed_on = models.DateField()
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["closed_on"]
        constraints = [models.UniqueConstraint("org", "closed_on", name="closure_org_day_uniq")]


class Invitation(TenantModel):
    """An e-mailed invitation to join an org with roles; accepted once, expires."""

    email = models.EmailField()
    roles = models.JSONField(default=list)
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.SET_NULL)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    token_hash = models.CharField(max_length=64)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Unique within the org (ADR 0009); accepting looks the hash up alone, by its index.
        constraints = [
            models.UniqueConstraint("org", "token_hash", name="invitation_org_hash_uniq")
        ]
        indexes = [
            models.Index("org", Lower("email"), name="invitation_org_email"),
            models.Index(fields=["token_hash"], name="invitation_hash"),
        ]

    def __str__(self) -> str:
        return self.email


class Notification(TenantModel):
    """An in-app message to a member (also e-mailed when it matters): 'New lead for you'."""

    recipient = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["org", "recipient", "read_at", "-created_at"], name="notification_inbox"
            ),
        ]

    def __str__(self) -> str:
        return self.title
