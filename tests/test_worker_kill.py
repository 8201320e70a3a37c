"""kill -9 a worker mid-job: another worker reclaims the job and every lead still gets its
acknowledgement, as one message (one Message-ID), however often it was resent."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rallypoynt.leads.models import LeadInquiry
from rallypoynt.leads.services import LeadIn, lead_intake
from rallypoynt.leads.tasks import inquiry_followups
from rallypoynt.orgs.models import Organization
from tests.subprocess_env import database_env, free_port

pytestmark = [pytest.mark.slow_cli, pytest.mark.django_db(transaction=True)]
DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
LEADS = 20
TIMEOUT_SECONDS = 3


class SlowInbox:
    """aiosmtpd handler that keeps every message, a little slowly (so kills land mid-send).

    While `hold` is set it keeps the first message it receives without answering, until
    `release`: the worker is killed after the server has the message but before the sender
    heard so, the case a resend must turn into a duplicate of the same Message-ID.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.messages = []
        self.lock = threading.Lock()
        self.hold = threading.Event()
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        if self.hold.is_set() and not self.holding.is_set():
            self.holding.set()
            for _ in range(600):
                if self.release.is_set():
                    break
                await asyncio.sleep(0.05)
        await asyncio.sleep(self.rng.uniform(0.05, 0.3))
        return "250 Message accepted for delivery"


def _worker(env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "rallypoynt.cli", "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def _open_jobs() -> int:
    """Jobs due now or running (the first-response checks queued for later do not count)."""
    due = DBTaskResult.objects.ready().count()
    return due + DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count()


@pytest.fixture
def inbox():
    seed = int(os.environ.get("RALLYPOYNT_KILL_SEED") or random.randrange(1_000_000))
    print(f"kill test seed {seed}")
    handler = SlowInbox(random.Random(seed))
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    handler.seed = seed
    try:
        yield handler
    finally:
        handler.release.set()
        controller.stop()


def test_killed_workers_lose_no_acknowledgement_and_send_none_twice(settings, inbox):
    settings.TASKS = DB_BACKEND
    rng = random.Random(inbox.seed)
    org = Organization.objects.create(name="Kill Realty", slug="kill-realty")
    addresses = [f"lead{i}@example.net" for i in range(LEADS)]
    inquiries = [
        lead_intake(org_id=org.pk, lead=LeadIn(first_name=f"Lee{i}", emails=[a])).inquiry
        for i, a in enumerate(addresses)
    ]
    jobs = DBTaskResult.objects.filter(task_path=inquiry_followups.module_path)
    assert jobs.filter(status=TaskResultStatus.READY).count() == LEADS

    env = database_env() | {
        "EMAIL_URL": f"smtp://127.0.0.1:{inbox.port}",
        "DEFAULT_FROM_EMAIL": "Kill Realty <no-reply@rallypoynt.test>",
        "RALLYPOYNT_WORKER_TIMEOUT": str(TIMEOUT_SECONDS),
    }
    started: list[subprocess.Popen] = []
    try:
        # 1. Killed while the server holds a message it has not acknowledged yet.
        inbox.hold.set()
        started.append(proc := _worker(env))
        assert inbox.holding.wait(timeout=90), "the worker sent nothing"
        _kill(proc)
        inbox.release.set()
        inbox.hold.clear()
        assert jobs.filter(status=TaskResultStatus.RUNNING).count() == 1

        # 2. Killed at random moments, sometimes two at once.
        kills = 0
        for round_ in range(4):
            procs = [_worker(env) for _ in range(2 if round_ % 2 else 1)]
            started.extend(procs)
            time.sleep(rng.uniform(2.0, 5.0))
            for proc in procs:
                _kill(proc)
                kills += 1
            print(f"round {round_}: killed {len(procs)}, {_open_jobs()} jobs open")

        # 3. Two workers finish the queue, reclaiming what the dead ones held.
        survivors = [_worker(env), _worker(env)]
        started.extend(survivors)
        deadline = time.monotonic() + 180
        while _open_jobs() and time.monotonic() < deadline:
            assert all(p.poll() is None for p in survivors), "a surviving worker died"
            time.sleep(0.5)
        assert _open_jobs() == 0, "jobs were left READY or RUNNING"
        for proc in survivors:
            proc.send_signal(signal.SIGTERM)
        for proc in survivors:
            proc.wait(timeout=60)
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)

    # Every lead: at least one acknowledgement, and only ever one Message-ID.
    with inbox.lock:
        messages = list(inbox.messages)
    ids_by_lead: dict[str, set[str]] = defaultdict(set)
    copies = 0
    for message in messages:
        key = message["X-RallyPoynt-Idempotency-Key"]
        if key and key.startswith("lead-ack-"):
            copies += 1
            ids_by_lead[message["To"]].add(message["Message-ID"])
    duplicates = copies - len(ids_by_lead)
    reclaimed = sum(len(row.worker_ids) > 1 for row in jobs)
    print(
        f"{LEADS} leads, {copies} acknowledgements received ({duplicates} resent duplicates), "
        f"{kills + 1} workers killed, {reclaimed} jobs reclaimed and run again"
    )
    assert sorted(ids_by_lead) == sorted(addresses), "a lead got no acknowledgement"
    assert all(len(ids) == 1 for ids in ids_by_lead.values()), ids_by_lead
    for inquiry in inquiries:
        [message_id] = ids_by_lead[addresses[inquiries.index(inquiry)]]
        assert message_id == f"<lead-ack-{inquiry.pk}@kill-realty.rallypoynt.test>"
    assert not LeadInquiry.objects.filter(pk__in=[i.pk for i in inquiries]).filter(
        acknowledged_at__isnull=True
    )
    assert jobs.filter(status=TaskResultStatus.SUCCESSFUL).count() == LEADS
    # The held message was resent after its worker died: a duplicate of the same Message-ID.
    assert duplicates >= 1 and reclaimed >= 1
