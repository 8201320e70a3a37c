"""`rallypoynt bench dedupe`: duplicate detection on `scale` contacts vs the bare exact-match SQL.

The demo generator gives every person a unique e-mail, so one contact in a hundred is replaced
by a planted duplicate of another: a third share an e-mail, a third a phone number, a third only
a near-identical name at the same street address. The product path (`duplicate_candidates`, the
page's call) runs against the baseline: the same GROUP BY ... HAVING queries alone, which find
the exact matches and nothing else. Recall is how many planted pairs came back.

Everything is timed right after the bulk load, on the statistics the load itself left (the demo
loader analyses what it filled): the bench runs no ANALYZE of its own.
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import replace

from django.db import connection

from bench.scratch import scratch_drop, scratch_org
from rallypoynt.contacts.models import Contact, ContactEmail, ContactPhone
from rallypoynt.contacts.selectors import (
    duplicate_candidates,
    duplicate_scores,
    shared_values,
)
from rallypoynt.demo.loader import contacts_insert
from rallypoynt.demo.people import PersonRow, people

PLANTED_SHARE = 100  # one planted duplicate per this many contacts
BASELINE_SQL = (
    "SELECT {column} FROM {table} WHERE org_id = %s GROUP BY {column} HAVING COUNT(*) > 1"
)
LONG_STREET = {"St": "Street", "Ave": "Avenue", "Dr": "Drive", "Ct": "Court", "Ln": "Lane"}


def _fictional_uk(n: int) -> str:
    # Ofcom's drama range (07700 900000-900999): never a real subscriber.
    return f"+447700900{n % 1000:03d}"


def _typo(rng: random.Random, name: str) -> str:
    """One slip of the keyboard: a doubled or dropped letter inside the name."""
    if len(name) < 4:
        return name + name[-1]
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + name[i + 1 :] if rng.random() < 0.5 else name[:i] + name[i] + name[i:]


def _longhand(street: str) -> str:
    number, _, rest = street.partition(" ")
    words = rest.split(" ")
    words[-1] = LONG_STREET.get(words[-1], words[-1])
    return f"{number} {' '.join(words)}"


def planted(scale: int, seed: int) -> tuple[list[PersonRow], list[tuple[int, int, str]]]:
    """`scale` people of which every PLANTED_SHARE-th duplicates an earlier one."""
    rows = people(scale, seed=seed, owners=1)
    rng = random.Random(seed)
    truth = []
    planted_at = set(range(PLANTED_SHARE - 1, scale, PLANTED_SHARE))
    used: set[int] = set()
    for n, i in enumerate(sorted(planted_at)):
        src_index = rng.randrange(0, i)
        while src_index in planted_at or src_index in used:  # one duplicate per original
            src_index = rng.randrange(0, i)
        used.add(src_index)
        src = rows[src_index]
        kind = ("email", "phone", "fuzzy")[n % 3]
        fresh = rows[i]
        if kind == "email":
            dup = replace(fresh, first_name=src.first_name, emails=src.emails[:1])
        elif kind == "phone":
            number = _fictional_uk(n)
            rows[src_index] = src = replace(src, phones=((number, "mobile"),))
            dup = replace(fresh, first_name=src.first_name, last_name=src.last_name)
            dup = replace(dup, phones=((number, "mobile"),))
        else:
            dup = replace(
                fresh,
                first_name=_typo(rng, src.first_name),
                last_name=src.last_name,
                street=_longhand(src.street),
                city=src.city,
                postal_code=src.postal_code,
            )
        rows[i] = dup
        truth.append((src_index, i, kind))
    return rows, truth


def _baseline(org_id: int) -> tuple[float, int]:
    started = time.perf_counter()
    found = 0
    with connection.cursor() as cursor:
        for table, column in (
            ("contacts_contactemail", "address"),
            ("contacts_contactphone", "number"),
        ):
            cursor.execute(BASELINE_SQL.format(table=table, column=column), [org_id])
            found += len(cursor.fetchall())
    return time.perf_counter() - started, found


def _exact_pass(org_id: int) -> float:
    """The product's exact-match pass alone: shared e-mails and phones with their contacts."""
    started = time.perf_counter()
    shared_values(ContactEmail, "address", org_id=org_id)
    shared_values(ContactPhone, "number", org_id=org_id)
    return time.perf_counter() - started


def _load_floor(org_id: int) -> float:
    """Fetching the columns the fuzzy pass reads: the floor of any in-Python comparison."""
    started = time.perf_counter()
    rows = Contact.objects.filter(org_id=org_id).values_list(
        "pk", "first_name", "last_name", "street", "city", "postal_code"
    )
    for _ in rows.iterator(chunk_size=10000):
        pass
    return time.perf_counter() - started


def _timed(call, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - started)
    return best, result


def run(scale: int = 100_000, seed: int = 42) -> dict:
    """Load `scale` contacts with planted duplicates, time detection and the SQL baseline."""
    org, owner = scratch_org("dedupe")
    try:
        rows, truth = planted(scale, seed)
        started = time.perf_counter()
        contacts_insert(org, [owner.pk], rows)
        load_seconds = time.perf_counter() - started
        ids = _ids_in_insert_order(org.pk)
        page_seconds, page = _timed(lambda: duplicate_candidates(actor=owner, limit=200))
        all_seconds, ranked = _timed(lambda: duplicate_scores(actor=owner), repeat=1)
        base_seconds, base_groups = min(_baseline(org.pk) for _ in range(3))
        exact_seconds = min(_exact_pass(org.pk) for _ in range(3))
        floor_seconds = min(_load_floor(org.pk) for _ in range(3))
    finally:
        scratch_drop(org)
    found = {(p.keep_id, p.other_id) for p in ranked} | {(p.other_id, p.keep_id) for p in ranked}
    recall = {kind: [0, 0] for kind in ("email", "phone", "fuzzy")}
    for a, b, kind in truth:
        recall[kind][1] += 1
        recall[kind][0] += (ids[a], ids[b]) in found
    return {
        "scenario": "dedupe",
        "database": connection.vendor,
        "contacts": scale,
        "planted_duplicates": len(truth),
        "load_seconds": round(load_seconds, 2),
        "duplicate_candidates": {
            "seconds": round(page_seconds, 3),
            "pairs_returned": len(page),
            "best_of": 3,
        },
        "all_pairs": {"seconds": round(all_seconds, 3), "pairs": len(ranked)},
        "baseline_exact_group_by_sql": {
            "seconds": round(base_seconds, 3),
            "shared_values": base_groups,
        },
        "exact_match_pass_seconds": round(exact_seconds, 3),
        "load_columns_floor_seconds": round(floor_seconds, 3),
        "ratio_to_baseline": round(page_seconds / base_seconds, 1),
        "machine_load_average": [round(x, 1) for x in os.getloadavg()],
        "recall": {k: f"{hit}/{total}" for k, (hit, total) in recall.items()},
        "targets": {"max_seconds_for_100k": 5},
    }


def _ids_in_insert_order(org_id: int) -> list[int]:
    """Contact ids in the order of the generated rows (ids are reserved ascending)."""
    return list(Contact.objects.filter(org_id=org_id).order_by("pk").values_list("pk", flat=True))
