"""Idempotency keys: one run per key, replays for retries, 409 for reuse, safe under races."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections

from rallypoynt.core.errors import Conflict, ValidationFailed
from rallypoynt.leads.models import IdempotencyKey
from rallypoynt.leads.services.idempotency import (
    MAX_KEY_LENGTH,
    idempotency_key_clean,
    idempotency_run,
    request_fingerprint,
)
from rallypoynt.orgs.models import Organization
from rallypoynt.orgs.tests.factories import OrganizationFactory


class Counter:
    """A call that counts its runs and answers with the run number."""

    def __init__(self, delay: float = 0.0):
        self.runs = 0
        self.delay = delay
        self.lock = threading.Lock()

    def __call__(self) -> tuple[int, dict]:
        with self.lock:
            self.runs += 1
            run = self.runs
        # Touch the org table so the call writes inside the claim's transaction, as intake does.
        Organization.objects.filter(pk__lt=0).update(name="")
        time.sleep(self.delay)
        return 201, {"run": run}


def run(org, call, key="k-1", digest="h-1", scope="leads"):
    return idempotency_run(org_id=org.pk, scope=scope, key=key, request_hash=digest, call=call)


@pytest.fixture
def org(db):
    return OrganizationFactory()


def test_first_call_runs_and_stores_the_answer(org):
    call = Counter()
    answer = run(org, call)
    assert (answer.status_code, answer.body, answer.is_replay) == (201, {"run": 1}, False)
    row = IdempotencyKey.objects.get(org=org, scope="leads", key="k-1")
    assert (row.status_code, row.response, row.request_hash) == (201, {"run": 1}, "h-1")


def test_retry_with_same_key_and_body_replays_without_running(org):
    call = Counter()
    run(org, call)
    again = run(org, call)
    assert (again.status_code, again.body, again.is_replay) == (201, {"run": 1}, True)
    assert call.runs == 1


def test_same_key_with_another_body_is_a_conflict_and_runs_nothing(org):
    call = Counter()
    run(org, call)
    with pytest.raises(Conflict) as exc:
        run(org, call, digest="h-2")
    assert exc.value.status == 409
    assert "Idempotency-Key" in exc.value.fields
    assert call.runs == 1


def test_keys_are_separate_per_org_and_per_scope(org):
    call = Counter()
    other = OrganizationFactory()
    run(org, call)
    run(other, call)
    run(org, call, scope="leads.email")
    assert call.runs == 3


def test_a_failed_call_releases_the_key_so_a_corrected_retry_runs(org):
    def failing():
        raise ValidationFailed("bad", fields={"person": ["missing"]})

    with pytest.raises(ValidationFailed):
        run(org, failing)
    assert not IdempotencyKey.objects.filter(org=org).exists()
    assert run(org, Counter()).body == {"run": 1}


def test_non_2xx_answers_returned_by_the_call_are_stored_too(org):
    answer = run(org, lambda: (422, {"review_item_id": 7}))
    assert run(org, Counter()).body == answer.body == {"review_item_id": 7}


def test_a_claim_without_an_answer_is_refused_rather_than_guessed(org):
    IdempotencyKey.objects.create(org=org, scope="leads", key="k-1", request_hash="h-1")
    with pytest.raises(Conflict):
        run(org, Counter())


def test_key_clean_accepts_a_normal_key_and_refuses_unusable_ones():
    assert idempotency_key_clean(None) is None
    assert idempotency_key_clean("  order-42 ") == "order-42"
    for bad in ("", "   ", "x" * (MAX_KEY_LENGTH + 1), "tab\tkey", "nul\x00"):
        with pytest.raises(ValidationFailed):
            idempotency_key_clean(bad)


def test_fingerprint_ignores_key_order_and_hashes_bytes_as_they_are():
    assert request_fingerprint({"a": 1, "b": [1, 2]}) == request_fingerprint({"b": [1, 2], "a": 1})
    assert request_fingerprint({"a": 1}) != request_fingerprint({"a": 2})
    assert request_fingerprint(b"raw") != request_fingerprint(b"raw ")


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_run_once_and_both_get_the_same_answer():
    org = OrganizationFactory()
    call = Counter(delay=0.4)
    barrier = threading.Barrier(2)
    answers, errors = [], []

    def worker():
        try:
            barrier.wait()
            answers.append(run(org, call, key="race"))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert call.runs == 1
    assert [a.body for a in answers] == [{"run": 1}, {"run": 1}]
    assert sorted(a.is_replay for a in answers) == [False, True]
    assert IdempotencyKey.objects.filter(org=org, key="race").count() == 1
