"""`rallypoynt bench homes`: each role's home page at the demo's `scale` contacts.

The demo brokerage is loaded (or topped up) to `scale` contacts with its deals, journeys and
handoffs; then each demo role opens the home it lands on (broker: Brokerage, team lead: My
team, transaction coordinator: Closings, compliance officer: Compliance review, agent: My
day) through Django's test client, with the full middleware, selectors and templates. The
baseline in the same run replays the SQL those requests issue, straight on the DB cursor.
"""

from __future__ import annotations

import os
import re
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import timing
from rallypoynt.demo.loader import demo_load
from rallypoynt.orgs.models import Membership

ROLES = {  # the demo login (local part) and the home it should land on
    "broker": "Brokerage",
    "lead": "My team",
    "tc": "Closings",
    "compliance": "Compliance review",
    "ben": "My day",
}
TARGET_P95_MS = 150
SKIPPED_TABLES = ("django_session", "accounts_user", "orgs_membership", "orgs_membershiprole")


def _member(local: str) -> Membership:
    return Membership.objects.select_related("user", "org").get(
        user__email=f"{local}@demo.rallypoynt.test"
    )


def _data_sql(client, url: str) -> tuple[list[str], int]:
    """The statements the home runs for its data (not the session or the member), and the
    count of all its statements."""
    with CaptureQueriesContext(connection) as ctx:
        timing.get_ok(client, url)()
    every = [q["sql"] for q in ctx.captured_queries]
    return [sql for sql in every if _table(sql) not in SKIPPED_TABLES], len(every)


def _table(sql: str) -> str:
    """The table a statement reads first (its FROM), or "" for one that reads none."""
    found = re.search(r'FROM "(\w+)"', sql)
    return found.group(1) if found else ""


def _raw(statements: list[str]):
    def call():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    return call


def run(scale: int = 100_000, seed: int = 42) -> dict:
    """Time each role's home at `scale` demo contacts."""
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    demo_load(scale=scale, seed=seed)
    load_seconds = round(time.perf_counter() - started, 1)
    timing.analyze()
    figures = {}
    for local, title in ROLES.items():
        client = timing.session_client(_member(local))
        response = timing.get_ok(client, "/")()
        if f"<title>{title}" not in response.content.decode():
            raise RuntimeError(f"{local} did not land on {title}")
        statements, queries = _data_sql(client, "/")
        product = timing.timed(timing.get_ok(client, "/"), n=100, warmup=10)
        base = timing.timed(_raw(statements), n=100, warmup=10)
        figures[local] = {
            "home": title,
            **product,
            "queries": queries,
            "baseline_raw_sql": base,
            "ratio_p95": round(product["p95_ms"] / max(base["p95_ms"], 0.01), 1),
        }
    return {
        "scenario": "homes",
        "database": connection.vendor,
        "contacts": scale,
        "load_seconds": load_seconds,
        "machine_load_avg_1m": {"before": load_before, "after": os.getloadavg()[0]},
        "cpus": os.cpu_count(),
        "homes": figures,
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": all(f["p95_ms"] < TARGET_P95_MS for f in figures.values()),
    }
