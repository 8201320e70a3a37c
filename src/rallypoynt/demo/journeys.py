"""Demo pipeline: engagements spread over the journey, moved there by the real services."""

from __future__ import annotations

import random

from django.db import transaction
from django.utils import timezone

from rallypoynt.core.errors import ServiceError
from rallypoynt.journeys.models import Engagement
from rallypoynt.journeys.selectors import engagement_evaluate
from rallypoynt.journeys.services.engagements import engagement_open
from rallypoynt.journeys.services.progress import phase_advance, step_complete
from rallypoynt.orgs.models import Membership, Organization

ENGAGEMENTS_PER_AGENT = 4


def _walk(agent: Membership, engagement: Engagement, phases: int) -> None:
    """Do every open step and advance, `phases` times (stops early where a gate holds)."""
    for _ in range(phases):
        engagement.refresh_from_db()
        for status in engagement_evaluate(engagement, timezone.now()).open_steps:
            step_complete(actor=agent, engagement_id=engagement.pk, step_key=status.step.key)
        try:
            phase_advance(actor=agent, engagement_id=engagement.pk)
        except ServiceError:
            return


@transaction.atomic
def demo_pipeline(org: Organization, *, seed: int = 42) -> int:
    """Open engagements for agents' own contacts at every phase; once (returns how many)."""
    if Engagement.objects.filter(org=org, inquiry__isnull=True).exists():
        return 0
    rng = random.Random(seed)
    agents = Membership.objects.filter(org=org, is_active=True, role_assignments__role="agent")
    opened = 0
    for agent in agents.select_related("org", "user").distinct():
        contacts = list(agent.owned_contacts.order_by("pk")[:ENGAGEMENTS_PER_AGENT])
        for n, contact in enumerate(contacts):
            engagement = engagement_open(
                actor=agent,
                contact_ids=[contact.pk],
                side="sell" if n % 3 == 2 else "buy",
                expected_value=rng.choice([6000, 9500, 12000, 15500, 21000]),
            )
            _walk(agent, engagement, phases=n % 5)
            opened += 1
    return opened
