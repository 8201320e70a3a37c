"""`rallypoynt bench deals`: "my deals" at `scale` transactions, for everyone who reads them.

The org and its deals are the deadlines scenario's (bench/deadlines.py: 8 agents on 2 teams,
five deadlines per deal, loaded set-based); a tenth of the deals are then marked closed.

For the broker (org-wide), a team lead (half the deals), an agent (an eighth) and an agent with
none, through Django's test client with a bearer token, REQUESTS times each:
  - `GET /api/v1/transactions` (the first page, newest first),
  - `GET /api/v1/transactions?status=closed` (the same, filtered),
  - `GET /api/v1/transactions/{id}` (one deal of theirs with its deadlines).
Baseline: the SQL of the list page (`deal_list` limited to a page, as `paginate` runs
it) straight on the cursor. Every figure goes through the real visibility rule.
"""

from __future__ import annotations

import os
import time
import uuid

from django.core.exceptions import EmptyResultSet
from django.db import connection

from bench import timing
from bench.deadlines import Loader, _api_client, _raw, _staff
from bench.scratch import scratch_drop, scratch_org
from rallypoynt.accounts.models import User
from rallypoynt.core.console import progress_bar
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.services import member_add
from rallypoynt.transactions.models import Deal
from rallypoynt.transactions.selectors import deal_list

PAGE = 50
CLOSED_EVERY = 10  # one deal in ten is closed
TARGET_P95_MS = 100
URL = "/api/v1/transactions"


def _close_some(org_id: int) -> int:
    """Mark every tenth deal closed, set-based."""
    deals = Deal.objects.filter(org_id=org_id)
    ids = list(deals.values_list("pk", flat=True)[::CLOSED_EVERY])
    return deals.filter(pk__in=ids).update(status="closed")


def _list_sql(member_id: int) -> tuple[str, tuple]:
    """The list page's query as the selector builds it (a page and the row after it)."""
    actor = Membership.objects.select_related("org").get(pk=member_id)
    try:
        return deal_list(actor=actor)[: PAGE + 1].query.sql_with_params()
    except EmptyResultSet:  # no deals: Django answers without asking the database
        return "SELECT 1 WHERE 1 = 0", ()


def _one_of(member: Membership) -> int | None:
    """A deal the member sees, from the middle of their list."""
    actor = Membership.objects.select_related("org").get(pk=member.pk)
    ids = list(deal_list(actor=actor).values_list("pk", flat=True)[:1000])
    return ids[len(ids) // 2] if ids else None


def _figures(member: Membership, label: str) -> dict:
    urls = {"list": URL, "closed": f"{URL}?status=closed"}
    deal = _one_of(member)
    if deal is not None:
        urls["one_deal"] = f"{URL}/{deal}"
    found = {"who": label}
    for name, url in urls.items():
        call = timing.get_ok(_api_client(member), url)  # a token per URL: its own rate window
        body = call().json()
        found[name] = {
            "url": url,
            **timing.timed(call),
            "queries": len(timing.captured(call)),
            **({"items_on_page": len(body["items"])} if "items" in body else {}),
        }
    sql, params = _list_sql(member.pk)
    found["baseline_raw_sql_list"] = timing.timed(_raw(sql, params))
    found["ratio_p95_list"] = round(
        found["list"]["p95_ms"] / max(found["baseline_raw_sql_list"]["p95_ms"], 0.01), 1
    )
    return found


def run(scale: int = 100_000, seed: int = 42) -> dict:
    """Load `scale` deals, close a tenth, time the deal list and one deal for four readers."""
    load_before = os.getloadavg()[0]
    org, broker = scratch_org("deals")
    try:
        started = time.perf_counter()
        agents, team_of = _staff(org, broker)
        loader = Loader(org, agents, team_of, seed)
        with progress_bar() as bar:
            task = bar.add_task("transactions (5 deadlines each)", total=scale)
            loader.load(scale, lambda n: bar.advance(task, n))
        closed = _close_some(org.pk)
        load_seconds = time.perf_counter() - started
        timing.analyze()
        idle_user = User.objects.create_user(f"bench-idle-{uuid.uuid4().hex[:6]}@bench.invalid")
        idle = member_add(org=org, user=idle_user, roles=[Role.AGENT])
        readers = {
            "broker": _figures(broker, "broker (org-wide)"),
            "lead": _figures(agents[0], "team lead (half the deals)"),
            "agent": _figures(agents[2], "agent (own deals)"),
            "idle": _figures(idle, "agent with no deals"),
        }
    finally:
        scratch_drop(org)
    worst = max(
        figure["p95_ms"]
        for reader in readers.values()
        for figure in reader.values()
        if isinstance(figure, dict) and "url" in figure
    )
    return {
        "scenario": "deals",
        "database": connection.vendor,
        "transactions": scale,
        "closed": closed,
        "load_seconds": round(load_seconds, 1),
        "machine_load_avg_1m": {"before": load_before, "after": os.getloadavg()[0]},
        "requests_each": timing.REQUESTS,
        "readers": readers,
        "targets": {"p95_ms": TARGET_P95_MS},
        "worst_p95_ms": worst,
        "meets_targets": worst < TARGET_P95_MS,
    }
