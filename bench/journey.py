"""`rallypoynt bench journey`: what following the work costs a deal's busiest moments.

`scale` buyers (default 100) walk to Search & Selection by hand, each with a deal and an offer.
Half accept their offer and later close with the journey following (the real services); the
other half do the same with the journey link switched off, the baseline measured in the same
run. The figures are each service call's time (p50/p95) and the difference per deal: what
recording the work on the engagement and moving it on adds.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.scratch import scratch_drop, scratch_org
from rallypoynt.core.clock import local_today
from rallypoynt.core.console import progress_bar
from rallypoynt.journeys.selectors import engagement_evaluate
from rallypoynt.journeys.services.engagements import engagement_open
from rallypoynt.journeys.services.progress import phase_advance, step_complete
from rallypoynt.transactions.models import Deadline
from rallypoynt.transactions.services import closing, journey_link, offer_accept, offers
from rallypoynt.transactions.services.deals import deal_open
from rallypoynt.transactions.services.resolution import deadline_resolve

TERMS = {"price": "500000", "contingencies": [{"kind": "inspection", "days": 10}]}
TARGET_EXTRA_P95_MS = 50  # the journey may add at most this to an accept or a closing


def _searching(agent, n: int):
    """A buyer through consultation and agreement, in the search (a person's ticks)."""
    from rallypoynt.contacts.models import Contact

    contact = Contact.objects.create(org=agent.org, owner=agent, first_name=f"Buyer {n}")
    engagement = engagement_open(actor=agent, contact_ids=[contact.pk], side="buy")
    for _ in range(2):
        engagement.refresh_from_db()
        for status in engagement_evaluate(engagement, timezone.now()).open_steps:
            step_complete(actor=agent, engagement_id=engagement.pk, step_key=status.step.key)
        phase_advance(actor=agent, engagement_id=engagement.pk)
    engagement.refresh_from_db()
    for status in engagement_evaluate(engagement, timezone.now()).open_steps:
        if not status.step.done_by:
            step_complete(actor=agent, engagement_id=engagement.pk, step_key=status.step.key)
    deal = deal_open(
        actor=agent, engagement_id=engagement.pk, kind="purchase", street=f"{n} Aspen Ct"
    )
    offer = offers.offer_create(actor=agent, deal_id=deal.pk, buyer_name="B", terms=TERMS)
    return deal, offer


@contextmanager
def _unfollowed():
    """The same services with the journey link switched off: the baseline."""
    saved = journey_link.journeys_follow, journey_link.journeys_win
    for module in (offer_accept, closing):
        module.journeys_follow = lambda *args, **kwargs: None
    closing.journeys_win = lambda *args, **kwargs: None
    try:
        yield
    finally:
        offer_accept.journeys_follow, closing.journeys_follow = saved[0], saved[0]
        closing.journeys_win = saved[1]


def _ms(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _stats(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
    }


def _deal_life(agent, deal, offer, queries: dict | None = None) -> tuple[float, float]:
    """Accept, clear the contingencies, close; the accept's and the closing's times (and, when
    `queries` is given, how many queries each ran)."""
    with CaptureQueriesContext(connection) as accepted:
        accept = _ms(lambda: offer_accept.offer_accept(actor=agent, offer_id=offer.pk))
    for row in Deadline.objects.filter(deal=deal, is_contingency=True):
        deadline_resolve(actor=agent, deadline_id=row.pk, status="satisfied")
    today = local_today(agent.org)
    with CaptureQueriesContext(connection) as closed:
        close = _ms(
            lambda: closing.deal_close(
                actor=agent, deal_id=deal.pk, closed_on=today, final_price=Decimal(500000)
            )
        )
    if queries is not None:
        queries.setdefault("accept", len(accepted.captured_queries))
        queries.setdefault("close", len(closed.captured_queries))
    return accept, close


def run(scale: int = 100, seed: int = 42) -> dict:
    """Accept and close `scale` deals, half following the journey, half not."""
    load_before = os.getloadavg()[0]
    org, agent = scratch_org("journey")
    try:
        with progress_bar() as bar:
            task = bar.add_task("buyers in the search, with an offer", total=scale)
            deals = []
            for n in range(scale):
                deals.append(_searching(agent, n))
                bar.advance(task)
        followed = {"accept": [], "close": []}
        baseline = {"accept": [], "close": []}
        counts = {"followed": {}, "baseline": {}}
        # Alternate, so a noisy moment on the machine hits both sides alike.
        for n, (deal, offer) in enumerate(deals):
            if n % 2:
                with _unfollowed():
                    accept, close = _deal_life(agent, deal, offer, counts["baseline"])
                target = baseline
            else:
                accept, close = _deal_life(agent, deal, offer, counts["followed"])
                target = followed
            target["accept"].append(accept)
            target["close"].append(close)
    finally:
        scratch_drop(org)
    figures = {
        name: {
            "following_the_journey": _stats(followed[name]),
            "baseline_without_the_journey": _stats(baseline[name]),
            "queries": {side: counts[side].get(name) for side in counts},
        }
        for name in ("accept", "close")
    }
    for figure in figures.values():
        figure["extra_p50_ms"] = round(
            figure["following_the_journey"]["p50_ms"]
            - figure["baseline_without_the_journey"]["p50_ms"],
            2,
        )
        figure["extra_p95_ms"] = round(
            figure["following_the_journey"]["p95_ms"]
            - figure["baseline_without_the_journey"]["p95_ms"],
            2,
        )
    worst = max(f["extra_p95_ms"] for f in figures.values())
    return {
        "scenario": "journey",
        "database": connection.vendor,
        "deals": scale,
        "machine_load_avg_1m": {"before": load_before, "after": os.getloadavg()[0]},
        "figures": figures,
        "targets": {"extra_p95_ms": TARGET_EXTRA_P95_MS},
        "meets_targets": worst < TARGET_EXTRA_P95_MS,
    }
