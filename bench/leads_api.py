"""`rallypoynt bench leads-api`: POST /api/v1/leads latency with `scale` contacts present.

A scratch org gets `scale` demo contacts; a real server (`rallypoynt serve`, 2 workers) runs
on a free loopback port; two client threads with keep-alive connections send the leads, half
of them matching an existing contact by e-mail or phone. The baseline is GET /healthz and
GET /api/v1/me on the same server in the same run: the floor for a request, and the floor
for an authenticated API request.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.db import connection

from bench.scratch import scratch_drop, scratch_org
from rallypoynt.accounts.services import api_token_create
from rallypoynt.demo.loader import contacts_insert
from rallypoynt.demo.people import PersonRow, people
from rallypoynt.leads.models import LeadInquiry

REQUESTS = 2000
BASELINE_REQUESTS = 1000
CLIENTS = 2
WORKERS = 2
TARGET_P99_MS = 50


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _lead(row: PersonRow | None, n: int, tag: str, rng: random.Random) -> dict:
    """A lead body: for `row`, one of its own addresses or numbers; else a new person."""
    if row is None:
        person = {"first_name": "Bench", "last_name": f"Lead {n}"}
        person["emails"] = [f"bench-{tag}-{n}@example.com"]
    else:
        person = {"first_name": row.first_name, "last_name": row.last_name}
        if row.emails and (not row.phones or rng.random() < 0.5):
            person["emails"] = [row.emails[0]]
        else:
            person["phones"] = [row.phones[0][0]]
    return {
        "source": rng.choice(["Zillow", "Realtor.com", "Website"]),
        "type": rng.choice(["buyer", "buyer", "seller", "renter"]),
        "person": person,
        "message": "Is this home still available? We would like a showing this week.",
        "timeframe": "0-3 months",
        "property": {
            "address": f"{100 + n % 900} Blake St",
            "city": "Denver",
            "state": "CO",
            "postal_code": "80202",
            "price": 400_000 + (n % 50) * 10_000,
        },
    }


def _bodies(rows: list[PersonRow], count: int, seed: int) -> tuple[list[bytes], int]:
    """`count` JSON bodies, half of them people already in `rows`, shuffled."""
    rng = random.Random(seed)
    tag = uuid.uuid4().hex[:8]
    known = [r for r in rows if r.emails or r.phones]
    matching = count // 2
    leads = [_lead(rng.choice(known), n, tag, rng) for n in range(matching)]
    leads += [_lead(None, n, tag, rng) for n in range(matching, count)]
    rng.shuffle(leads)
    return [json.dumps(b).encode() for b in leads], matching


def _server(port: int, log) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": settings.DATABASE_URL,
        "RALLYPOYNT_VAR_DIR": str(settings.VAR_DIR),
        "API_RATE_LIMIT_PER_MINUTE": "10000000",
    }
    command = [sys.executable, "-m", "rallypoynt.cli", "serve", "--port", str(port)]
    command += ["--workers", str(WORKERS)]
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def _wait_until_up(port: int, proc: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited:\n{log.read().decode(errors='replace')}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("server did not come up in 90 s")


def _client(port: int, requests: list[tuple[str, str, bytes | None]], headers: dict, out: list):
    """Send requests in order on one keep-alive connection; append (ms, status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for method, path, body in requests:
        for attempt in range(2):
            try:
                started = time.perf_counter()
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                out.append(((time.perf_counter() - started) * 1000, response.status, data))
                break
            except (http.client.RemoteDisconnected, ConnectionError):
                # The server closed an idle keep-alive connection: reconnect, resend once.
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                if attempt:
                    raise
    conn.close()


def _tree_cpu_seconds(root: int) -> float | None:
    """User+system CPU seconds of a process and its descendants (Linux /proc; else None)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        times[pid] = (int(fields[11]) + int(fields[12])) / tick
    tree, grew = {root}, True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= found
        grew = bool(found)
    return sum(times.get(pid, 0.0) for pid in tree)


def _fire(
    port: int, requests: list[tuple[str, str, bytes | None]], headers: dict, server_pid: int
) -> dict:
    """Split `requests` over CLIENTS threads; latency percentiles, throughput, server CPU."""
    cpu_before = _tree_cpu_seconds(server_pid)
    outs: list[list] = [[] for _ in range(CLIENTS)]
    threads = [
        threading.Thread(target=_client, args=(port, requests[i::CLIENTS], headers, outs[i]))
        for i in range(CLIENTS)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cpu_after = _tree_cpu_seconds(server_pid)
    results = [r for out in outs for r in out]
    latencies = sorted(ms for ms, _, _ in results)

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))], 2)

    return {
        "requests": len(results),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": round(latencies[-1], 2),
        "requests_per_s": round(len(results) / elapsed),
        "status": dict(Counter(status for _, status, _ in results)),
        # CPU the server spent per request: comparable across runs on a busy machine.
        "server_cpu_ms_per_request": (
            round((cpu_after - cpu_before) * 1000 / len(results), 2)
            if cpu_before is not None
            else None
        ),
        "_bodies": [data for _, _, data in results],
    }


def _analyze() -> None:
    """Refresh the planner's statistics after the bulk load, as a deployment does after an
    import (PostgreSQL's autovacuum would soon; SQLite never does on its own)."""
    tables = ["contacts_contact", "contacts_contactemail", "contacts_contactphone"]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        else:
            cursor.execute(f"ANALYZE {', '.join(tables)}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _drop_queued_jobs(org, since) -> int:
    """Remove the jobs the bench's leads queued (acknowledgements, SLA checks, notification
    e-mails): their rows go with the scratch org and no worker should act on them."""
    from django_tasks_db.models import DBTaskResult

    from rallypoynt.core.models import Event
    from rallypoynt.orgs.models import Notification

    owned = {
        "rallypoynt.contacts.": set(
            LeadInquiry.objects.filter(org=org).values_list("pk", flat=True)
        ),
        "rallypoynt.orgs.tasks.notification_": set(
            Notification.objects.filter(org=org).values_list("pk", flat=True)
        ),
        # Journeys opens each lead's engagement from its domain event.
        "rallypoynt.journeys.": set(
            Event.objects.filter(org=org, kind__startswith="lead.").values_list("pk", flat=True)
        ),
    }
    stale = [
        pk
        for pk, path, args in DBTaskResult.objects.filter(enqueued_at__gte=since).values_list(
            "pk", "task_path", "args_kwargs"
        )
        for prefix, ids in owned.items()
        if path.startswith(prefix)
        and (args or {}).get("args", [None])[:1]
        and args["args"][0] in ids
    ]
    DBTaskResult.objects.filter(pk__in=stale).delete()
    return len(stale)


def _routing(org, owner) -> dict:
    """Routing as a brokerage sets it up: Zillow leads round robin in a team of three,
    Realtor.com leads to one agent, anything else to the default fallback."""
    from rallypoynt.accounts.models import User
    from rallypoynt.leads.services import RoutingRuleData, routing_rule_create
    from rallypoynt.orgs.services import member_add, team_create, team_member_add

    team = team_create(actor=owner, name="Bench buyers")
    agents = []
    for n in range(3):
        user = User.objects.create_user(f"agent{n}-{org.slug}@bench.invalid", None)
        agents.append(member_add(org=org, user=user, roles=["agent"]))
        team_member_add(actor=owner, team_id=team.pk, membership_id=agents[-1].pk)
    rules = [
        RoutingRuleData(name="Zillow", action="round_robin", sources=["Zillow"], team_id=team.pk),
        RoutingRuleData(name="Realtor", sources=["Realtor.com"], assignee_id=agents[0].pk),
    ]
    for data in rules:
        routing_rule_create(actor=owner, data=data)
    return {"round_robin_team": 3, "rules": [r.name for r in rules]}


def run(scale: int = 100_000, seed: int = 42, requests: int = REQUESTS) -> dict:
    """Time POST /api/v1/leads against a server with `scale` contacts; baseline: /healthz."""
    from django.utils import timezone

    org, owner = scratch_org("leads")
    proc = None
    started_at = timezone.now()
    try:
        load_started = time.perf_counter()
        rows = people(scale, seed=seed, owners=1)
        contacts_insert(org, [owner.pk], rows)
        _analyze()
        load_seconds = time.perf_counter() - load_started
        routing = _routing(org, owner)
        _, secret = api_token_create(actor=owner, name="bench")
        bodies, matching = _bodies(rows, requests, seed)
        warm_bodies, _ = _bodies(rows, 40, seed + 1)
        port = _free_port()
        with tempfile.TemporaryFile() as log:
            proc = _server(port, log)
            _wait_until_up(port, proc, log)
            auth = {"Authorization": f"Bearer {secret}"}
            post = {**auth, "Content-Type": "application/json"}
            pid = proc.pid
            _fire(port, [("POST", "/api/v1/leads", b) for b in warm_bodies], post, pid)
            health = _fire(port, [("GET", "/healthz", None)] * BASELINE_REQUESTS, {}, pid)
            me = _fire(port, [("GET", "/api/v1/me", None)] * BASELINE_REQUESTS, auth, pid)
            leads = _fire(port, [("POST", "/api/v1/leads", b) for b in bodies], post, pid)
        answers = [json.loads(b) for b in leads.pop("_bodies")]
        health.pop("_bodies"), me.pop("_bodies")
        inquiry_ids = {a["inquiry_id"] for a in answers if "inquiry_id" in a}
        dedup = sum(1 for a in answers if a.get("deduplicated"))
        stored = LeadInquiry.objects.filter(org=org, pk__in=inquiry_ids).count()
    finally:
        if proc is not None:
            _stop(proc)
        dropped_jobs = _drop_queued_jobs(org, started_at)
        scratch_drop(org)
    return {
        "scenario": "leads_api",
        "database": connection.vendor,
        "contacts": scale,
        "load_seconds": round(load_seconds, 1),
        "planner_statistics_refreshed": True,
        "routing": routing,
        "server": {"workers": WORKERS, "threads_per_worker": 4, "clients": CLIENTS},
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "leads": {
            **leads,
            "matching_sent": matching,
            "deduplicated": dedup,
            "inquiries_stored": stored,
        },
        "baseline_healthz": health,
        "baseline_api_me": me,
        "ratio_p99_leads_to_healthz": round(leads["p99_ms"] / max(health["p99_ms"], 0.01), 1),
        "ratio_p99_leads_to_api_me": round(leads["p99_ms"] / max(me["p99_ms"], 0.01), 1),
        "queued_followups_removed": dropped_jobs,
        "targets": {"p99_ms": TARGET_P99_MS},
        "meets_target": leads["p99_ms"] < TARGET_P99_MS and leads["status"] == {201: requests},
    }
