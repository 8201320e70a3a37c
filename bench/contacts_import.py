"""`rallypoynt bench contacts-import`: CSV import with dedupe vs a raw bulk insert baseline.

A CSV of `scale` people (from the demo generator) is written to a temp file the way another
CRM exports it, with ~2% repeated people (other spelling of the same e-mail and number) and
~1% bad rows. The product path uploads it as an import job and runs it: read, map, validate,
dedupe (in the file and against the org), insert in committed batches. The baseline inserts
the same valid rows, pre-built, in one transaction with the driver's fastest bulk path: `COPY`
on PostgreSQL (what the import uses too), `executemany` on SQLite.
"""

from __future__ import annotations

import csv
import os
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone

from bench.scratch import scratch_drop, scratch_org
from rallypoynt.contacts.choices import Stage
from rallypoynt.contacts.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    ContactTag,
    ImportJob,
    Tag,
)
from rallypoynt.contacts.services.csv_import import (
    CONTACT_FIELDS,
    EMAIL_FIELDS,
    PHONE_FIELDS,
    TAG_FIELDS,
    import_job_create,
    import_job_prepare,
    import_job_run,
)
from rallypoynt.core.bulk import reserve_ids
from rallypoynt.demo.people import people

HEADERS = [
    "First Name",
    "Last Name",
    "Email",
    "Email 2",
    "Phone",
    "Home Phone",
    "Stage",
    "Source",
    "Tags",
    "Address",
    "City",
    "State",
    "Zip",
    "Birthday",
    "Notes",
]
TAG_CHOICES = [("Buyer",), ("Seller",), ("Buyer", "VIP"), ()]
AREA_CODES = ("303", "720", "970")
DUPLICATE_SHARE, BAD_SHARE = 0.02, 0.01


@dataclass
class ValidRow:
    """A person as the import should store it (what the baseline inserts)."""

    values: tuple
    emails: list[tuple[str, str]]
    phones: list[tuple[str, str]]
    tags: tuple[str, ...]


def _phone(n: int, which: int) -> tuple[str, str]:
    # Unique, well-formed numbers (the demo's 555-01XX pool is too small for dedupe by phone).
    area = AREA_CODES[which % len(AREA_CODES)]
    exchange, line = 200 + which * 20 + n // 10_000, n % 10_000
    return f"+1{area}{exchange}{line:04d}", f"({area}) {exchange}-{line:04d}"


def build_csv(path: Path, scale: int, seed: int) -> tuple[list[ValidRow], int, int]:
    """Write the CSV; return the valid rows plus the number of duplicate and bad rows."""
    rng = random.Random(seed)
    persons = people(scale, seed=seed, owners=1)
    valid: list[ValidRow] = []
    written: list[list[str]] = []
    good: list[list[str]] = []
    duplicates = bad = 0
    for n, p in enumerate(persons):
        roll = rng.random()
        if roll < DUPLICATE_SHARE and good:
            dup = list(rng.choice(good))
            dup[2] = dup[2].upper()  # same address, other spelling
            dup[4] = dup[4].replace("(", "").replace(") ", "-")  # same number, other format
            written.append(dup)
            duplicates += 1
            continue
        mobile, mobile_text = _phone(n, 0)
        phones = [(mobile, "mobile")]
        home_text = ""
        if len(p.phones) > 1:
            home, home_text = _phone(n, 1)
            phones.append((home, "home"))
        tags = rng.choice(TAG_CHOICES)
        stage_label = Stage(p.stage).label
        birthday = p.birthday_on.strftime("%m/%d/%Y") if p.birthday_on else ""
        row = [
            p.first_name,
            p.last_name,
            p.emails[0],
            p.emails[1] if len(p.emails) > 1 else "",
            mobile_text,
            home_text,
            stage_label,
            p.source,
            ", ".join(tags),
            p.street,
            p.city,
            p.state,
            p.postal_code,
            birthday,
            "",
        ]
        if BAD_SHARE + DUPLICATE_SHARE > roll >= DUPLICATE_SHARE:
            row[2] = row[2].replace("@", "@@")  # a typo that the validator must catch
            written.append(row)
            bad += 1
            continue
        written.append(row)
        good.append(row)
        values = (p.first_name, p.last_name, p.stage, p.source, p.street, p.city, p.state)
        values += (p.postal_code, p.birthday_on)
        emails = [(address, "personal") for address in p.emails]
        valid.append(ValidRow(values, emails, phones, tags))
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        writer.writerows(written)
    return valid, duplicates, bad


def _raw_write(raw, model, fields, data: list[tuple]) -> None:
    """Insert `data` with the DB-API cursor: COPY on PostgreSQL, executemany on SQLite."""
    columns = ", ".join(model._meta.get_field(f).column for f in fields)
    if connection.vendor == "postgresql":
        with raw.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
            for row in data:
                copy.write_row(row)
        return
    marks = ", ".join(["?"] * len(fields))
    raw.executemany(f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks})", data)


def _baseline(org, owner_id: int, rows: list[ValidRow]) -> tuple[float, float, int]:
    """Insert the valid rows' four tables with the raw driver: (seconds, cpu seconds, rows)."""
    names = sorted({t for r in rows for t in r.tags})
    tags = {t.name: t.pk for t in Tag.objects.bulk_create([Tag(org=org, name=n) for n in names])}
    if None in tags.values():
        tags = dict(Tag.objects.filter(org=org).values_list("name", "pk"))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    day = connection.ops.adapt_datefield_value
    with transaction.atomic():
        ids = reserve_ids(Contact, len(rows))
        custom = Contact._meta.get_field("custom").get_db_prep_save({}, connection)
        tables: dict = {Contact: [], ContactEmail: [], ContactPhone: [], ContactTag: []}
        for pk, r in zip(ids, rows, strict=True):
            first, last, stage, source, street, city, state, postal, birthday = r.values
            profile = (first, last, stage, source, street, city, state, postal)
            rest = ("US", day(birthday), "", "", False, "unknown", "unknown", custom, now, now)
            tables[Contact].append((pk, org.pk, owner_id, *profile, *rest))
            for i, (address, kind) in enumerate(r.emails):
                tables[ContactEmail].append((org.pk, pk, address, kind, i == 0, now, now))
            for i, (number, kind) in enumerate(r.phones):
                tables[ContactPhone].append((org.pk, pk, number, kind, i == 0, now, now))
            for tag in r.tags:
                tables[ContactTag].append((org.pk, pk, tags[tag], now, now))
        fields = {
            Contact: CONTACT_FIELDS,
            ContactEmail: EMAIL_FIELDS,
            ContactPhone: PHONE_FIELDS,
            ContactTag: TAG_FIELDS,
        }
        raw = connection.connection.cursor()  # the DB-API cursor, no Django wrapper
        started, cpu = time.perf_counter(), time.process_time()
        for model, data in tables.items():
            _raw_write(raw, model, fields[model], data)
    # The commit is part of the work: rows are not stored until it returns.
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return elapsed, cpu, sum(len(t) for t in tables.values())


def _drop(org) -> None:
    """Remove what scratch_drop does not know about, then the scratch org itself."""
    for job in ImportJob.objects.filter(org=org):
        job.file.delete(save=False)
    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("contacts_contacttag", "contacts_tag", "contacts_importjob"):
            cursor.execute(f"DELETE FROM {table} WHERE org_id = %s", [org.pk])
    scratch_drop(org)


def _product(org, owner, path: Path) -> tuple[float, float, ImportJob]:
    """Upload the file as a job and run it, as the upload page and the CLI do."""
    started, cpu = time.perf_counter(), time.process_time()
    with path.open("rb") as fh:
        job = import_job_create(
            actor=owner, org_id=org.pk, upload=File(fh, name=path.name), filename=path.name
        )
    job = import_job_prepare(actor=owner, job=job, mapping=None, dry_run=False)
    job = import_job_run(job_id=job.pk)
    return time.perf_counter() - started, time.process_time() - cpu, job


def run(scale: int = 100_000, seed: int = 42) -> dict:
    """Time the CSV import of `scale` rows and the raw insert of its valid rows.

    Each runs in its own scratch org, dropped before the other starts, so both write into
    tables of the same size.
    """
    with tempfile.TemporaryDirectory(prefix="rp-bench-") as tmp:
        path = Path(tmp) / "contacts.csv"
        valid, duplicates, bad = build_csv(path, scale, seed)
        org, owner = scratch_org("import")
        try:
            seconds, cpu_seconds, job = _product(org, owner, path)
            stored = {
                model.__name__: model.objects.filter(org=org).count()
                for model in (Contact, ContactEmail, ContactPhone, ContactTag)
            }
        finally:
            _drop(org)
    base_org, base_owner = scratch_org("import-baseline")
    try:
        base_seconds, base_cpu, base_rows = _baseline(base_org, base_owner.pk, valid)
    finally:
        _drop(base_org)
    return {
        "scenario": "contacts-import",
        "database": connection.vendor,
        "csv_rows": scale,
        "rows_created": job.rows_created,
        "rows_duplicate": job.rows_duplicate,
        "rows_failed": job.rows_failed,
        "expected": {"created": len(valid), "duplicate": duplicates, "failed": bad},
        "table_rows": stored,
        "import": {
            "seconds": round(seconds, 3),
            "csv_rows_per_s": round(scale / seconds),
            "cpu_seconds_this_process": round(cpu_seconds, 3),
        },
        "baseline_raw_bulk_insert": {
            "seconds": round(base_seconds, 3),
            "contacts_per_s": round(len(valid) / base_seconds),
            "table_rows": base_rows,
            "cpu_seconds_this_process": round(base_cpu, 3),
        },
        "ratio_import_to_baseline": round(seconds / base_seconds, 2),
        "targets": {"min_csv_rows_per_s": 5000, "max_ratio": 3},
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
