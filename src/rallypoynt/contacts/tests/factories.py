"""Factories for CRM rows: contacts with e-mails and phones, touchpoints, tasks, routing rules,
import jobs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rallypoynt.contacts.models import (
    ClientProfile,
    Contact,
    ContactEmail,
    ContactPhone,
    ImportJob,
    Task,
    Touchpoint,
)
from rallypoynt.contacts.services.csv_import import import_job_create
from rallypoynt.contacts.services.profiles import ProfileData, client_profile_set
from rallypoynt.orgs.tests.factories import MembershipFactory, OrganizationFactory

IMPORTS = Path(__file__).parent / "data" / "imports"


class ContactFactory(factory.django.DjangoModelFactory):
    """A contact; owner defaults to a new agent in the same org. emails=[...], phones=[...]."""

    class Meta:
        model = Contact
        skip_postgeneration_save = True

    org = factory.SubFactory(OrganizationFactory)
    owner = factory.LazyAttribute(lambda o: MembershipFactory(org=o.org))
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    source = "Website"

    @factory.post_generation
    def emails(obj, create, extracted, **kwargs):
        for i, address in enumerate(extracted or []):
            ContactEmail.objects.create(
                org=obj.org, contact=obj, address=address, is_primary=i == 0
            )

    @factory.post_generation
    def phones(obj, create, extracted, **kwargs):
        for i, number in enumerate(extracted or []):
            ContactPhone.objects.create(org=obj.org, contact=obj, number=number, is_primary=i == 0)


class TouchpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Touchpoint

    contact = factory.SubFactory(ContactFactory)
    org = factory.SelfAttribute("contact.org")
    kind = "call"
    direction = "outbound"
    occurred_at = factory.LazyFunction(timezone.now)
    logged_by = factory.SelfAttribute("contact.owner")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    contact = factory.SubFactory(ContactFactory)
    org = factory.SelfAttribute("contact.org")
    title = factory.Sequence(lambda n: f"Follow up {n}")
    assignee = factory.SelfAttribute("contact.owner")


def import_sample(name: str) -> SimpleUploadedFile:
    """One of the sample files in tests/data/imports, as an upload."""
    return SimpleUploadedFile(name, (IMPORTS / name).read_bytes())


def uploaded(member, name: str = "followupboss_people.csv") -> ImportJob:
    """An import job of `member` for a sample file, stored and auto-mapped (not run)."""
    return import_job_create(
        actor=member, org_id=member.org_id, upload=import_sample(name), filename=name
    )


# A buyer's essentials: a top price, an area and a timeframe (the profile is then complete).
BUYER_ESSENTIALS = {"price_max": Decimal(550000), "areas": ["Highlands"], "timeframe": "months_3"}
SELLER_ESSENTIALS = {"price_min": Decimal(725000), "timeframe": "months_6"}


def profile_for(member, contact: Contact, side: str = "buy", **values) -> ClientProfile:
    """The contact's buyer or seller profile set by `member` through the real service."""
    return client_profile_set(
        actor=member, contact_id=contact.pk, side=side, data=ProfileData(**values)
    )
