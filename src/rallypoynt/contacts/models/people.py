"""People: contacts with their addresses, numbers, tags, collaborators and relationships."""

from __future__ import annotations

from typing import TypedDict

from django.db import models
from django.db.models.functions import Lower

from rallypoynt.contacts.choices import (
    Consent,
    CustomFieldType,
    EmailKind,
    PhoneKind,
    RelationshipKind,
    Stage,
)
from rallypoynt.core.models import TenantModel


class EmailRow(TypedDict):
    """A contact's e-mail as list pages and the API read it (`contact_rows_attach`)."""

    contact_id: int
    address: str
    kind: str
    is_primary: bool


class PhoneRow(TypedDict):
    contact_id: int
    number: str
    kind: str
    is_primary: bool


class Contact(TenantModel):
    """A person the business knows: lead, prospect, client, past client or sphere."""

    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.LEAD)
    # The closing that made them a past client (the latest one, when they bought twice).
    past_client_on = models.DateField(null=True, blank=True)
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
    language = models.CharField(max_length=10, blank=True, help_text="e.g. en, es")
    background = models.TextField(blank=True, help_text="What everyone should know about them.")
    email_consent = models.CharField(
        max_length=10, choices=Consent.choices, default=Consent.UNKNOWN
    )
    sms_consent = models.CharField(max_length=10, choices=Consent.choices, default=Consent.UNKNOWN)
    is_do_not_contact = models.BooleanField(default=False)
    consent_updated_at = models.DateTimeField(null=True, blank=True)
    custom = models.JSONField(default=dict, blank=True)
    # Kept by touchpoint services so "no touchpoint in N days" needs no join.
    last_touchpoint_at = models.DateTimeField(null=True, blank=True)

    # Not columns: plain lists that `contact_rows_attach` gives the contacts of a list page
    # (declared only, so a contact without them has no such attribute).
    email_rows: list[EmailRow]
    phone_rows: list[PhoneRow]
    tag_names: list[str]

    class Meta:
        indexes = [
            models.Index(fields=["org", "owner", "-created_at"], name="contact_org_owner_created"),
            models.Index("org", Lower("last_name"), Lower("first_name"), name="contact_org_name"),
            models.Index(fields=["org", "stage"], name="contact_org_stage"),
            models.Index(fields=["org", "-created_at", "-id"], name="contact_org_created"),
            models.Index(fields=["org", "last_touchpoint_at"], name="contact_org_last_touch"),
        ]

    def __str__(self) -> str:
        return self.full_name or f"Contact {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def may_email(self) -> bool:
        """Whether marketing or automatic e-mail may go to this person."""
        return not self.is_do_not_contact and self.email_consent != Consent.OPTED_OUT

    @property
    def may_text(self) -> bool:
        return not self.is_do_not_contact and self.sms_consent != Consent.OPTED_OUT


class ContactEmail(TenantModel):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    address = models.CharField(max_length=254, help_text="Normalised, lower-case")
    kind = models.CharField(max_length=20, choices=EmailKind.choices, default=EmailKind.PERSONAL)
    is_primary = models.BooleanField(default=False)

    class Meta:
        # Covering (contact last), so SQLite prefers it to the unique index even without
        # fresh statistics: dedupe at intake finds a match in one index probe.
        indexes = [
            models.Index(fields=["org", "address", "contact"], name="contactemail_lookup"),
        ]
        constraints = [
            models.UniqueConstraint("org", "contact", "address", name="contactemail_uniq"),
        ]

    def __str__(self) -> str:
        return self.address


class ContactPhone(TenantModel):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=20, help_text="E.164, e.g. +14155550123")
    kind = models.CharField(max_length=20, choices=PhoneKind.choices, default=PhoneKind.MOBILE)
    is_primary = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["org", "number", "contact"], name="contactphone_lookup"),
        ]
        constraints = [
            models.UniqueConstraint("org", "contact", "number", name="contactphone_uniq"),
        ]

    def __str__(self) -> str:
        return self.number


class Tag(TenantModel):
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("org", "name", name="tag_org_name_uniq")]

    def __str__(self) -> str:
        return self.name


class ContactTag(TenantModel):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="contact_links")

    class Meta:
        constraints = [models.UniqueConstraint("org", "contact", "tag", name="contacttag_uniq")]
        indexes = [models.Index(fields=["org", "tag"], name="contacttag_org_tag")]


class ContactCollaborator(TenantModel):
    """A member who works with the contact beside its owner (and so may see it)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="collaborators")
    membership = models.ForeignKey(
        "orgs.Membership", on_delete=models.CASCADE, related_name="collaborations"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "contact", "membership", name="collaborator_uniq")
        ]
        indexes = [models.Index(fields=["org", "membership"], name="collaborator_org_member")]


class Relationship(TenantModel):
    """`contact` is `kind` of `related` (e.g. spouse of, referred by)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="relationships")
    related = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "contact", "related", "kind", name="relationship_uniq"),
            models.CheckConstraint(
                condition=~models.Q(contact=models.F("related")), name="relationship_not_self"
            ),
        ]


class CustomField(TenantModel):
    """An org's own contact field; values live in `Contact.custom[key]`."""

    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=80)
    field_type = models.CharField(
        max_length=10, choices=CustomFieldType.choices, default=CustomFieldType.TEXT
    )
    choices = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]
        constraints = [models.UniqueConstraint("org", "key", name="customfield_org_key_uniq")]

    def __str__(self) -> str:
        return self.label
