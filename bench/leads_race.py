"""`rallypoynt bench leads-race`: concurrent intake of the same new people from 8 clients.

A real server (`rallypoynt serve`, 2 workers, the leads-api helpers) on a free loopback port;
8 client threads, each with its own API token and a fresh `Idempotency-Key` per request, send
`POST /api/v1/leads` for 30 seconds. They draw from one shared feed over a small pool of new
people (200 by e-mail, or `--scale`; every fourth of them with a phone too; a quarter as many
again by phone alone) in which each person comes in a burst of 2 to 8 leads in a row, so the
clients take the same new person at nearly the same moment. Intake serialises them on a lock
keyed on the person's normalised e-mails and phones (src/rallypoynt/core/locks.py): every
person must end as one contact.

The journeys those leads open are background jobs (`engagement_open_for_lead`); after the run
the bench runs the scratch org's queued ones itself, on 4 threads in queue order (a burst's
jobs side by side), so the contact lock that lets one job open the journey is raced too. Each
person must end with at most one journey.

The baseline, in the same run and on the same database: as many plain contacts as requests
were sent, each with its e-mail rows, inserted through the raw driver cursor (no ORM), once
with `executemany` in one transaction (as bench/demo.py) and once row by row, one committed
transaction per contact (the floor for one lead per transaction).
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict

from django.db import connection, transaction
from django.utils import timezone

from bench.demo import _plain, _raw_sql
from bench.leads_api import (
    WORKERS,
    _client,
    _free_port,
    _lead,
    _routing,
    _server,
    _stop,
    _tree_cpu_seconds,
    _wait_until_up,
)
from bench.leads_api import _drop_queued_jobs as _queued_jobs_drop
from bench.scratch import scratch_drop, scratch_org
from bench.timing import percentiles
from rallypoynt.accounts.services import api_token_create
from rallypoynt.contacts.models import Contact, ContactEmail, ContactPhone
from rallypoynt.core.bulk import reserve_ids
from rallypoynt.core.console import progress_bar
from rallypoynt.demo.loader import CONTACT_FIELDS, EMAIL_FIELDS, contact_tuples
from rallypoynt.demo.people import people
from rallypoynt.journeys.models import EngagementContact
from rallypoynt.leads.models import LeadInquiry

CLIENTS = 8
SECONDS = 30
EMAIL_PEOPLE = 200  # `--scale` sets it; a quarter as many again come by phone alone
WITH_PHONE_EVERY = 4  # every fourth e-mail person always gives a phone as well
JOB_THREADS = 4
WARMUP = 16


def _pool(email_people: int, seed: int, tag: str) -> list[tuple[str, dict]]:
    """(identity, `person` of the lead body) for each new person, a quarter as many by phone
    as by e-mail; one person always sends the same addresses, so one identity is one person."""
    rows = people(email_people + email_people // 4, seed=seed, owners=1)
    pool = []
    for n, row in enumerate(rows):
        person = {"first_name": row.first_name, "last_name": row.last_name}
        if n < email_people:
            email = f"race-{tag}-{n}@example.com"
            person["emails"] = [email]
            if n % WITH_PHONE_EVERY == 0:
                person["phones"] = [row.phones[0][0]]
            pool.append((email, person))
        else:
            person["phones"] = [row.phones[0][0]]
            pool.append((row.phones[0][0], person))
    return pool


class _Feed:
    """The shared stream of leads: people in shuffled rounds, each in a burst of 2..CLIENTS
    leads in a row, so the clients taking the next lead often take the same person at once."""

    def __init__(self, pool: list[tuple[str, dict]], seed: int, tag: str) -> None:
        self.pool, self.rng, self.tag = pool, random.Random(seed), tag
        self.lock = threading.Lock()
        self.burst: list[int] = []
        self.round: list[int] = []
        self.sent = 0

    def take(self) -> tuple[int, bytes]:
        with self.lock:
            if not self.burst:
                if not self.round:
                    self.round = list(range(len(self.pool)))
                    self.rng.shuffle(self.round)
                self.burst = [self.round.pop()] * self.rng.randint(2, CLIENTS)
            index, n = self.burst.pop(), self.sent
            self.sent += 1
            body = _lead(None, n, self.tag, self.rng)  # the body leads-api sends, ...
        body["person"] = self.pool[index][1]  # ... about this person
        return index, json.dumps(body).encode()


class _FreshKey(dict):
    """Request headers that carry a new Idempotency-Key each time they are sent (leads-api's
    `_client` sends one header mapping with every request)."""

    def items(self):
        return {**self, "Idempotency-Key": uuid.uuid4().hex}.items()


def _leads(feed: _Feed, start: threading.Barrier, deadline: list[float], sent: list[int]):
    """One client's requests: the next lead from the feed until the deadline."""
    start.wait()
    while time.monotonic() < deadline[0]:
        index, body = feed.take()
        sent.append(index)
        yield "POST", "/api/v1/leads", body


def _race(port: int, secrets: list[str], feed: _Feed, server_pid: int, bar) -> dict:
    """CLIENTS threads with their own tokens for SECONDS; what they got back, per person."""
    start = threading.Barrier(CLIENTS + 1)
    deadline = [float("inf")]
    outs: list[list] = [[] for _ in range(CLIENTS)]
    sent: list[list[int]] = [[] for _ in range(CLIENTS)]
    threads = []
    for n, secret in enumerate(secrets):
        headers = _FreshKey(Authorization=f"Bearer {secret}")
        headers["Content-Type"] = "application/json"
        requests = _leads(feed, start, deadline, sent[n])
        threads.append(threading.Thread(target=_client, args=(port, requests, headers, outs[n])))
        threads[-1].start()
    task = bar.add_task(f"{CLIENTS} clients racing", total=SECONDS)
    cpu_before = _tree_cpu_seconds(server_pid)
    deadline[0] = time.monotonic() + SECONDS
    started = time.perf_counter()
    start.wait()
    while any(t.is_alive() for t in threads):
        bar.update(task, completed=min(SECONDS, time.perf_counter() - started))
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    cpu_after = _tree_cpu_seconds(server_pid)
    bar.update(task, completed=SECONDS)
    # `_client` appends (ms, status, body) in the order its requests were taken.
    results = [(i, *r) for n in range(CLIENTS) for i, r in zip(sent[n], outs[n], strict=False)]
    statuses = Counter(status for _, _, status, _ in results)
    answered: dict[int, set] = defaultdict(set)
    for index, _, status, data in results:
        if 200 <= status < 300:
            answered[index].add(json.loads(data)["contact_id"])
    bursts = Counter(index for n in range(CLIENTS) for index in sent[n])
    return {
        "requests": len(results),
        "seconds": round(elapsed, 1),
        "requests_per_s": round(len(results) / elapsed, 1),
        **percentiles([ms / 1000 for _, ms, _, _ in results]),
        "non_2xx": sum(c for s, c in statuses.items() if not 200 <= s < 300),
        "status": dict(statuses),
        "server_cpu_ms_per_request": (
            round((cpu_after - cpu_before) * 1000 / len(results), 2)
            if cpu_before is not None
            else None
        ),
        "people_sent": len(bursts),
        "leads_per_person_mean": round(len(results) / max(len(bursts), 1), 1),
        # Read back from the answers: a person answered with two contact ids was split.
        "people_answered_with_several_contacts": sum(
            1 for ids in answered.values() if len(ids) > 1
        ),
    }


def _journey_jobs_run(org, since) -> dict:
    """Run the org's queued journey jobs on JOB_THREADS threads in queue order (what
    `rallypoynt worker` processes would do); the rows are dropped with the other jobs."""
    from django_tasks_db.models import DBTaskResult

    from rallypoynt.core.models import Event
    from rallypoynt.journeys.tasks import engagement_open_for_lead

    events = set(
        Event.objects.filter(org=org, kind__startswith="lead.").values_list("pk", flat=True)
    )
    queued = DBTaskResult.objects.filter(
        enqueued_at__gte=since, task_path__startswith="rallypoynt.journeys."
    ).order_by("enqueued_at", "pk")
    jobs = iter(
        [
            args["args"][0]
            for args in queued.values_list("args_kwargs", flat=True)
            if (args or {}).get("args", [None])[:1] and args["args"][0] in events
        ]
    )
    lock, done, errors = threading.Lock(), [0], []

    def work() -> None:
        try:
            while True:
                with lock:
                    event_id = next(jobs, None)
                if event_id is None:
                    return
                try:
                    engagement_open_for_lead.call(event_id)
                except Exception as exc:  # a failed job is a finding, not a crash
                    errors.append(repr(exc))
                with lock:
                    done[0] += 1
        finally:
            connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(JOB_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "jobs": done[0],
        "threads": JOB_THREADS,
        "seconds": round(time.perf_counter() - started, 1),
        "errors": len(errors),
        "first_errors": errors[:3],
    }


def _outcome(org, pool: list[tuple[str, dict]]) -> dict:
    """Per identity (e-mail or phone): how many contacts hold it, how many journeys they have."""
    identities = [
        *ContactEmail.objects.filter(org=org).values_list("address", "contact_id"),
        *ContactPhone.objects.filter(org=org).values_list("number", "contact_id"),
    ]
    contacts: dict[str, set] = defaultdict(set)
    for identity, contact_id in identities:
        contacts[identity].add(contact_id)
    journeys_of: dict[int, set] = defaultdict(set)
    for contact_id, engagement_id in EngagementContact.objects.filter(org=org).values_list(
        "contact_id", "engagement_id"
    ):
        journeys_of[contact_id].add(engagement_id)
    # Over the people the clients reached in the time (a large pool is not all sent).
    per_person = Counter(
        len(set().union(*(journeys_of[c] for c in contacts[identity])))
        for identity, _ in pool
        if contacts[identity]
    )
    return {
        "contacts": Contact.objects.filter(org=org).count(),
        "duplicate_contacts": sum(1 for ids in contacts.values() if len(ids) > 1),
        "people_in_pool": len(pool),
        "people_with_a_contact": sum(1 for identity, _ in pool if contacts[identity]),
        "journeys_per_person": {str(k): v for k, v in sorted(per_person.items())},
        "max_journeys_per_person": max(per_person, default=0),
        "inquiries": LeadInquiry.objects.filter(org=org).count(),
        "contacts_per_identity_max": max((len(ids) for ids in contacts.values()), default=0),
    }


def _baseline(org, owner_id: int, count: int, seed: int) -> dict:
    """`count` contacts with their e-mail rows through the raw driver cursor: executemany in
    one transaction, then the same rows again one committed transaction per contact."""
    rows = people(count, seed=seed + 1, owners=1)
    figures = {}
    for mode in ("executemany_one_transaction", "row_by_row_committed"):
        with transaction.atomic():
            ids = reserve_ids(Contact, count)
        contacts, emails, *_ = contact_tuples(org.pk, [owner_id], rows, ids, timezone.now())
        contacts = [_plain(row) for row in contacts]
        sqls = [_raw_sql(Contact, CONTACT_FIELDS), _raw_sql(ContactEmail, EMAIL_FIELDS)]
        if connection.vendor == "sqlite":
            sqls = [sql.replace("%s", "?") for sql in sqls]
        by_contact: dict[int, list] = defaultdict(list)
        for email in emails:
            by_contact[email[EMAIL_FIELDS.index("contact")]].append(email)
        started = time.perf_counter()
        if mode == "executemany_one_transaction":
            with transaction.atomic():
                raw = connection.connection.cursor()  # the DB-API cursor, no Django wrapper
                raw.executemany(sqls[0], contacts)
                raw.executemany(sqls[1], emails)
        else:
            for contact in contacts:
                with transaction.atomic():
                    raw = connection.connection.cursor()
                    raw.execute(sqls[0], contact)
                    if by_contact[contact[0]]:
                        raw.executemany(sqls[1], by_contact[contact[0]])
        elapsed = time.perf_counter() - started
        figures[mode] = {
            "contacts": count,
            "email_rows": len(emails),
            "seconds": round(elapsed, 3),
            "contacts_per_s": round(count / elapsed, 1),
        }
    return figures


def run(scale: int = EMAIL_PEOPLE, seed: int = 42) -> dict:
    """Race CLIENTS clients for SECONDS over `scale` new people by e-mail (+ a quarter by
    phone)."""
    org, owner = scratch_org("race")
    base_org, base_owner = scratch_org("race-base")
    proc = None
    started_at = timezone.now()
    tag = uuid.uuid4().hex[:8]
    try:
        routing = _routing(org, owner)
        secrets = [api_token_create(actor=owner, name=f"client {n}")[1] for n in range(CLIENTS)]
        pool = _pool(scale, seed, tag)
        feed = _Feed(pool, seed, tag)
        rng = random.Random(seed)
        warm = [_lead(None, n, f"warm-{tag}", rng) for n in range(WARMUP)]
        port = _free_port()
        with tempfile.TemporaryFile() as log, progress_bar() as bar:
            proc = _server(port, log)
            _wait_until_up(port, proc, log)
            headers = _FreshKey(Authorization=f"Bearer {secrets[0]}")
            headers["Content-Type"] = "application/json"
            warm_out: list = []
            requests = [("POST", "/api/v1/leads", json.dumps(b).encode()) for b in warm]
            _client(port, requests, headers, warm_out)
            race = _race(port, secrets, feed, proc.pid, bar)
            _stop(proc)
        jobs = _journey_jobs_run(org, started_at)
        outcome = _outcome(org, pool)
        baseline = _baseline(base_org, base_owner.pk, race["requests"], seed)
    finally:
        if proc is not None:
            _stop(proc)
        dropped_jobs = _queued_jobs_drop(org, started_at)
        scratch_drop(org)
        scratch_drop(base_org)
    bulk, by_row = (
        baseline["executemany_one_transaction"],
        baseline["row_by_row_committed"],
    )
    return {
        "scenario": "leads_race",
        "database": connection.vendor,
        "server": {"workers": WORKERS, "threads_per_worker": 4, "clients": CLIENTS},
        "routing": routing,
        "pool": {
            "email_people": scale,
            "of_them_with_a_phone_too": len(range(0, scale, WITH_PHONE_EVERY)),
            "phone_people": scale // 4,
            "burst": f"2..{CLIENTS} leads of one person in a row",
        },
        "warmup_requests": len(warm_out),
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "race": race,
        "journey_jobs": jobs,
        "outcome": outcome,
        "baseline_raw_insert": baseline,
        "ratio_intake_to_bulk_insert": round(bulk["contacts_per_s"] / race["requests_per_s"], 1),
        "ratio_intake_to_row_by_row": round(by_row["contacts_per_s"] / race["requests_per_s"], 1),
        "queued_followups_removed": dropped_jobs,
        "meets_target": outcome["duplicate_contacts"] == 0
        and outcome["max_journeys_per_person"] <= 1
        and race["non_2xx"] == 0,
    }
