"""Scratch organizations for benchmarks: created in the configured database, removed after."""

from __future__ import annotations

import uuid

from django.db import connection, transaction

from rallypoynt.accounts.models import User
from rallypoynt.orgs.models import Membership, Organization
from rallypoynt.orgs.services import organization_create

# Child tables first; each is emptied with one set-based DELETE per scratch org. The search
# terms go first: the triggers of the tables after them then find nothing left to remove.
BULK_TABLES = [
    "contacts_contactsearchterm",
    "journeys_engagementsearchterm",
    "transactions_dealsearchterm",
    "transactions_deadlinechange",
    "transactions_deadlinenotice",
    "transactions_deadline",
    "transactions_offerversion",
    "transactions_offer",
    "transactions_dealengagement",
    "transactions_deal",
    "journeys_handoff",
    "journeys_gatedecision",
    "journeys_deliverablerecord",
    "journeys_stepcompletion",
    "journeys_stagevisit",
    "journeys_phasevisit",
    "journeys_engagementcontact",
    "journeys_engagement",
    "contacts_touchpoint",
    "contacts_contactemail",
    "contacts_contactphone",
    "contacts_contact",
]


def scratch_org(label: str) -> tuple[Organization, Membership]:
    """A throwaway org with one owner, unique per call."""
    tag = uuid.uuid4().hex[:8]
    user = User.objects.create_user(f"bench-{label}-{tag}@bench.invalid", None)
    org = organization_create(name=f"Bench {label} {tag}", slug=f"bench-{label}-{tag}", owner=user)
    return org, Membership.objects.get(org=org, user=user)


@transaction.atomic
def scratch_drop(org: Organization) -> None:
    """Remove a scratch org and every row it owns."""
    with connection.cursor() as cursor:
        for table in BULK_TABLES:
            cursor.execute(f"DELETE FROM {table} WHERE org_id = %s", [org.pk])
    owners = list(User.objects.filter(memberships__org=org))
    org.delete()
    for user in owners:
        user.delete()
