"""What the benchmark scenarios share to time their work: latency percentiles over repeated
calls, wall-clock seconds of one call, the SQL a call runs, and requests that fail loudly."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

REQUESTS = 200  # timed calls per figure
WARMUP = 20  # untimed calls first: caches filled, connections open


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50, p95, p99 and the mean of samples in seconds, in milliseconds to 0.01."""
    ordered = sorted(samples)

    def at(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2)

    return {
        "p50_ms": at(0.50),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
    }


def timed(call: Callable[[], object], n: int = REQUESTS, warmup: int = WARMUP) -> dict:
    """The latency percentiles of `n` calls after `warmup` untimed ones."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def seconds(call: Callable[[], object]) -> tuple[float, object]:
    """Wall-clock seconds of one call, and what it returned."""
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def captured(call: Callable[[], object]) -> list[str]:
    """The SQL statements one call runs, in order."""
    with CaptureQueriesContext(connection) as ctx:
        call()
    return [q["sql"] for q in ctx.captured_queries]


def analyze() -> None:
    """Fresh planner statistics, as autovacuum would give a live org."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def get_ok(client: Client, url: str) -> Callable[[], object]:
    """A GET of `url` that raises unless it answers 200 (a timed error page is no figure)."""

    def call():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}: {response.content!r}")
        return response

    return call


def session_client(member) -> Client:
    """A test client logged in as the member's user, as a browser would be."""
    client = Client(SERVER_NAME="localhost")
    client.force_login(member.user)
    return client
