"""CRM people: contacts with their e-mail addresses and phone numbers."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower

from rallypoynt.contacts.choices import EmailKind, PhoneKind, Stage
from rallypoynt.core.models import TenantModel


class Contact(TenantModel):
    """A person the business knows: lead, prospect, client, past client or sphere."""

    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.LEAD)
    source = models.CharField(max_length=100, blank=True)
    owner = models.ForeignKey(
        "orgs.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_contacts",
    )
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US", blank=True)
    birthday_on = models.DateField(null=True, blank=True)
    is_do_not_contact = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["org", "owner", "-created_at"], name="contact_org_owner_created"),
            models.Index("org", Lower("last_name"), Lower("first_name"), name="contact_org_name"),
            models.Index(fields=["org", "stage"], name="contact_org_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or f"Contact {self.pk}"


class ContactEmail(TenantModel):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    address = models.CharField(max_length=254)
    kind = models.CharField(max_length=20, choices=EmailKind.choices, default=EmailKind.PERSONAL)
    is_primary = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["org", "address"], name="contactemail_org_address")]

    def __str__(self) -> str:
        return self.address


class ContactPhone(TenantModel):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=20, help_text="E.164, e.g. +14155550123")
    kind = models.CharField(max_length=20, choices=PhoneKind.choices, default=PhoneKind.MOBILE)
    is_primary = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["org", "number"], name="contactphone_org_number")]

    def __str__(self) -> str:
        return self.number
