"""Demo pipeline: each agent's clients spread over all seven phases (buyers and sellers) and
a lost one, moved there by the real services: a person's steps ticked, the rest left to the
deals that `demo.transactions` makes."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from rallypoynt.core.errors import ServiceError
from rallypoynt.journeys.choices import LOST_REASONS
from rallypoynt.journeys.models import Engagement
from rallypoynt.journeys.selectors import engagement_evaluate
from rallypoynt.journeys.services import (
    engagement_close,
    engagement_open,
    phase_advance,
    step_complete,
)
from rallypoynt.orgs.models import Membership, Organization

# Targets 0-6 are the journey's phases; 7 is an engagement lost along the way.
ENGAGEMENTS_PER_AGENT = 8
LOST = 7
# The last phase a person walks to; later ones are reached by the deal's own events.
SEARCH = 2


@dataclass(frozen=True)
class Planned:
    """An engagement that a deal takes on to phase `target` (3-6)."""

    engagement: Engagement
    target: int


# Work only a deal's events prove (an offer, a closing): the demo never ticks it by hand.
DEAL_WORK = ("offer", "transaction", "checklist", "walkthrough", "progress_update", "engagement")


def tick(agent: Membership, engagement: Engagement) -> None:
    """Tick the open steps of the current phase that a person does (as the agent would)."""
    engagement.refresh_from_db()
    for status in engagement_evaluate(engagement, timezone.now()).open_steps:
        if not any(kind.split(".")[0] in DEAL_WORK for kind in status.step.done_by):
            step_complete(actor=agent, engagement_id=engagement.pk, step_key=status.step.key)


def walk(agent: Membership, engagement: Engagement, phases: int) -> None:
    """Do a person's steps and advance, `phases` times (stops where a gate holds)."""
    for _ in range(phases):
        tick(agent, engagement)
        try:
            phase_advance(actor=agent, engagement_id=engagement.pk)
        except ServiceError:
            return


def _lose(agent: Membership, engagement: Engagement, n: int) -> None:
    key, _ = LOST_REASONS[n % len(LOST_REASONS)]
    engagement_close(actor=agent, engagement_id=engagement.pk, status="lost", reason_key=key)


@transaction.atomic
def demo_pipeline(org: Organization, *, seed: int = 42) -> list[Planned]:
    """Open engagements for agents' own contacts in every phase, once; returns the ones a
    deal should carry further."""
    if Engagement.objects.filter(org=org, inquiry__isnull=True).exists():
        return []
    rng = random.Random(seed)
    agents = Membership.objects.filter(org=org, is_active=True, role_assignments__role="agent")
    planned = []
    for a, agent in enumerate(agents.select_related("org", "user").distinct().order_by("pk")):
        contacts = list(agent.owned_contacts.order_by("pk")[:ENGAGEMENTS_PER_AGENT])
        for n, contact in enumerate(contacts):
            engagement = engagement_open(
                actor=agent,
                contact_ids=[contact.pk],
                side="sell" if (a + n) % 2 else "buy",
                expected_value=rng.choice([6000, 9500, 12000, 15500, 21000]),
            )
            if n == LOST:
                walk(agent, engagement, phases=n % 2)
                _lose(agent, engagement, a)
                continue
            walk(agent, engagement, phases=min(n, SEARCH))
            if n > SEARCH:
                tick(agent, engagement)  # the search is done: the offer proves the rest
                planned.append(Planned(engagement, n))
    return planned
