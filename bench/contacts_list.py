"""`rallypoynt bench contacts-list`: the contacts list page and API at `scale` contacts.

A scratch org gets `scale` generated people spread over several agents. Requests run
in-process through Django's test client (the full middleware, auth, selectors, templates
and JSON rendering), logged in as the broker (sees everyone) and as one agent (sees their
own). Each figure is the latency of REQUESTS requests after WARMUP ones. The baseline in the
same run replays the SQL those requests issue for their data, straight on the DB cursor:
the floor for that page, so the ratio survives a noisy machine.
"""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import timing
from bench.scratch import scratch_drop, scratch_org
from rallypoynt.accounts.models import User
from rallypoynt.demo.loader import contacts_insert
from rallypoynt.demo.people import people
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.services import member_add

AGENTS = 8
CREATES = 200
# The numbers to beat: 5x faster than the open-source CRM's 0.9 s list and 0.6 s search.
TARGETS_MS = {"list_p95": 150, "search_p95": 120, "create_p99": 34}
CONTACT_TABLE_PREFIX = "contacts_"


def _data_sql(client: Client, url: str) -> list[str]:
    """The statements a request runs on CRM tables (not session, user or membership)."""
    with CaptureQueriesContext(connection) as ctx:
        timing.get_ok(client, url)()
    return [q["sql"] for q in ctx.captured_queries if CONTACT_TABLE_PREFIX in q["sql"]]


def _raw(statements: list[str]) -> Callable[[], object]:
    def call():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    return call


def _plan(client: Client, url: str) -> list[str]:
    """How the database runs the request's main contact query (to judge an index)."""
    sql = next(q for q in _data_sql(client, url) if 'FROM "contacts_contact"' in q)
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return [" ".join(str(v) for v in row) for row in cursor.fetchall()]


def _query_count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        timing.get_ok(client, url)()
    return len(ctx.captured_queries)


def _members(org) -> list:
    tag = uuid.uuid4().hex[:6]
    agents = []
    for i in range(AGENTS):
        user = User.objects.create_user(f"bench-agent{i}-{tag}@bench.invalid", None)
        agents.append(member_add(org=org, user=user, roles=[Role.AGENT]))
    return agents


def _common_prefix(rows) -> str:
    last, _ = Counter(r.last_name for r in rows).most_common(1)[0]
    return last[:3]


def _creator(client: Client) -> Callable[[], object]:
    counter = iter(range(10**9))

    def call():
        n = next(counter)
        response = client.post(
            "/api/v1/contacts",
            {
                "first_name": "Bench",
                "last_name": f"Create{n}",
                "emails": [f"bench.create{n}@example.com"],
                "phones": [f"+1303{n % 10_000_000:07d}"],
                "stage": "lead",
                "source": "Website",
            },
            content_type="application/json",
        )
        if response.status_code != 201:
            raise RuntimeError(f"create answered {response.status_code}: {response.content!r}")

    return call


def _worst(figures: dict, prefix: str, key: str) -> float:
    return max(f[key] for name, f in figures.items() if name.startswith(prefix))


def run(scale: int = 100_000, seed: int = 42) -> dict:
    """Time the list page, list API, name search and create at `scale` contacts."""
    load_before = os.getloadavg()[0]
    org, broker = scratch_org("contacts")
    try:
        agents = _members(org)
        rows = people(scale, seed=seed, owners=len(agents))
        started = time.perf_counter()
        contacts_insert(org, [a.pk for a in agents], rows)
        load_seconds = time.perf_counter() - started
        timing.analyze()
        prefix = _common_prefix(rows)
        clients = {
            "broker": timing.session_client(broker),
            "agent": timing.session_client(agents[0]),
        }
        urls = {
            "list_page": "/contacts/",
            "list_api": "/api/v1/contacts?limit=50",
            "search_page": f"/contacts/?q={prefix}",
            "search_api": f"/api/v1/contacts?limit=50&q={prefix}",
        }
        figures: dict[str, dict] = {}
        for who, client in clients.items():
            for name, url in urls.items():
                product = timing.timed(timing.get_ok(client, url))
                base = timing.timed(_raw(_data_sql(client, url)))
                figures[f"{name}_{who}"] = {
                    "url": url,
                    **product,
                    "baseline_raw_sql": base,
                    "ratio_p50": round(product["p50_ms"] / max(base["p50_ms"], 0.01), 1),
                }
        figures["create_api_agent"] = {
            "url": "POST /api/v1/contacts",
            **timing.timed(_creator(clients["agent"]), n=CREATES, warmup=timing.WARMUP),
        }
        plans = {
            "search_agent": _plan(clients["agent"], urls["search_api"]),
            "search_broker": _plan(clients["broker"], urls["search_api"]),
            "rare_search_broker": _plan(clients["broker"], "/api/v1/contacts?q=Zzq"),
        }
        rare = timing.timed(
            timing.get_ok(clients["broker"], "/api/v1/contacts?limit=50&q=Zzq"), n=50
        )
        figures["rare_search_api_broker"] = {"url": "/api/v1/contacts?limit=50&q=Zzq", **rare}
        queries = {
            who: {
                "api_limit_10": _query_count(client, "/api/v1/contacts?limit=10"),
                "api_limit_100": _query_count(client, "/api/v1/contacts?limit=100"),
                "list_page": _query_count(client, "/contacts/"),
                "search_page": _query_count(client, urls["search_page"]),
            }
            for who, client in clients.items()
        }
    finally:
        scratch_drop(org)
    return {
        "scenario": "contacts-list",
        "database": connection.vendor,
        "contacts": scale,
        "owners": len(agents),
        "load_seconds": round(load_seconds, 1),
        # Other work on the machine inflates wall-clock latency; say how busy it was.
        "machine_load_avg_1m": {"before": load_before, "after": os.getloadavg()[0]},
        "cpus": os.cpu_count(),
        "search_prefix": prefix,
        "requests_each": timing.REQUESTS,
        "figures": figures,
        "query_counts": queries,
        "plans": plans,
        "query_count_constant_in_page_size": all(
            q["api_limit_10"] == q["api_limit_100"] for q in queries.values()
        ),
        "targets_ms": TARGETS_MS,
        "meets_targets": {
            "list_p95": _worst(figures, "list_", "p95_ms") <= TARGETS_MS["list_p95"],
            "search_p95": _worst(figures, "search_", "p95_ms") <= TARGETS_MS["search_p95"],
            "create_p99": figures["create_api_agent"]["p99_ms"] <= TARGETS_MS["create_p99"],
        },
    }
