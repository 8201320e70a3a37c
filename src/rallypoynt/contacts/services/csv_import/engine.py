"""The import engine: in-file and org dedupe, batched set-based insert, outcomes."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from rallypoynt.contacts.choices import Stage
from rallypoynt.contacts.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    ContactTag,
    Tag,
)
from rallypoynt.contacts.services.csv_import.cleaning import (
    CleanRow,
    _name_key,
    row_clean,
)
from rallypoynt.contacts.services.csv_import.vocabulary import (
    BATCH,
    MAX_STORED_ISSUES,
    Cell,
    Progress,
)
from rallypoynt.core.bulk import insert_rows, reserve_ids

# --- the import engine ----------------------------------------------------------------------

CONTACT_FIELDS = (
    "id",
    "org",
    "owner",
    "first_name",
    "last_name",
    "stage",
    "source",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
    "birthday_on",
    "language",
    "background",
    "is_do_not_contact",
    "email_consent",
    "sms_consent",
    "custom",
    "created_at",
    "updated_at",
)
EMAIL_FIELDS = ("org", "contact", "address", "kind", "is_primary", "created_at", "updated_at")
PHONE_FIELDS = ("org", "contact", "number", "kind", "is_primary", "created_at", "updated_at")
TAG_FIELDS = ("org", "contact", "tag", "created_at", "updated_at")


@dataclass
class ImportOutcome:
    """Counts and the (capped) list of problems and skipped duplicates of one run."""

    total: int = 0
    created: int = 0
    duplicate: int = 0
    failed: int = 0
    errors: list[dict] = field(default_factory=list)

    def add_issue(self, issue: dict) -> None:
        if len(self.errors) < MAX_STORED_ISSUES:
            self.errors.append(issue)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during a bulk load.

    The loop allocates millions of short-lived containers and creates no cycles; without
    the pause the collector rescans every pending row over and over (a third of the CPU).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class ContactImporter:
    """Validate, dedupe and insert rows for one org; a dry run does everything but write."""

    def __init__(
        self,
        *,
        org_id: int,
        owner_id: int | None,
        source: str,
        dry_run: bool = False,
        progress: Progress | None = None,
        on_batch: Callable[[ImportOutcome], None] | None = None,
        batch: int | None = None,
    ):
        self.org_id, self.owner_id, self.source = org_id, owner_id, source
        self.dry_run, self.progress, self.on_batch = dry_run, progress, on_batch
        self.batch = batch or BATCH
        self.outcome = ImportOutcome()
        self.seen: dict[str, int] = {}
        self.names_loaded = False
        self.tag_ids: dict[str, int] = {}

    def run(self, rows: Iterable[tuple[int, list[Cell]]]) -> ImportOutcome:
        with gc_paused():
            return self._run(rows)

    def _run(self, rows: Iterable[tuple[int, list[Cell]]]) -> ImportOutcome:
        self._load_existing()
        pending: list[CleanRow] = []
        since_progress = 0
        for row_no, cells in rows:
            self.outcome.total += 1
            since_progress += 1
            clean, errors = row_clean(row_no, cells)
            if clean is None:
                self.outcome.failed += 1
                for error in errors:
                    self.outcome.add_issue(error)
            elif self._is_duplicate(clean):
                self.outcome.duplicate += 1
            else:
                pending.append(clean)
                for warning in clean.warnings:
                    self.outcome.add_issue(warning)
            if since_progress >= self.batch:
                self._flush(pending)
                pending = []
                self._report(since_progress)
                since_progress = 0
        self._flush(pending)
        self._report(since_progress)
        return self.outcome

    def _report(self, rows: int) -> None:
        if self.progress and rows:
            self.progress(rows)

    def _load_existing(self) -> None:
        emails = ContactEmail.objects.filter(org_id=self.org_id)
        phones = ContactPhone.objects.filter(org_id=self.org_id)
        self.seen = dict.fromkeys(emails.values_list("address", flat=True).iterator(), 0)
        self.seen.update(dict.fromkeys(phones.values_list("number", flat=True).iterator(), 0))
        self.tag_ids = {
            name.lower(): pk
            for pk, name in Tag.objects.filter(org_id=self.org_id).values_list("pk", "name")
        }

    def _load_name_only(self) -> None:
        # People kept without any e-mail or phone can only be matched by name and address.
        self.names_loaded = True
        qs = Contact.objects.filter(org_id=self.org_id).exclude(
            Exists(ContactEmail.objects.filter(contact=OuterRef("pk")))
        )
        qs = qs.exclude(Exists(ContactPhone.objects.filter(contact=OuterRef("pk"))))
        for row in qs.values_list("first_name", "last_name", "street", "postal_code").iterator():
            self.seen.setdefault(_name_key(*row), 0)

    def _is_duplicate(self, row: CleanRow) -> bool:
        keys = row.keys()
        if keys[0].startswith("name:") and not self.names_loaded:
            self._load_name_only()
        for key in keys:
            first = self.seen.get(key)
            if first is not None:
                where = f"row {first}" if first else "an existing contact"
                self.outcome.add_issue(
                    {
                        "row": row.row,
                        "column": "",
                        "value": key.removeprefix("name:").replace("|", " ").strip(),
                        "reason": f"duplicate of {where}",
                        "kind": "duplicate",
                    }
                )
                return True
        for key in keys:
            self.seen[key] = row.row
        return False

    def _flush(self, rows: list[CleanRow]) -> None:
        if self.dry_run:
            self.outcome.created += len(rows)
            if self.on_batch:
                self.on_batch(self.outcome)
            return
        new_tags: dict[str, int] = {}
        with transaction.atomic():
            if rows:
                new_tags = self._insert(rows)
            self.outcome.created += len(rows)
            if self.on_batch:
                self.on_batch(self.outcome)
        # Only after commit: a rolled-back batch must not leave ids of tags that do not exist.
        self.tag_ids.update(new_tags)

    def _insert(self, rows: list[CleanRow]) -> dict[str, int]:
        # Adapt shared and date values once, not once per row in the driver.
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        day = connection.ops.adapt_datefield_value
        org, owner = self.org_id, self.owner_id
        new_tags = self._tags_create({t.lower(): t for r in rows for t in r.tags})
        tag_ids = {**self.tag_ids, **new_tags}
        contacts, emails, phones, links = [], [], [], []
        for pk, r in zip(reserve_ids(Contact, len(rows)), rows, strict=True):
            v = r.values
            contacts.append(
                (
                    pk,
                    org,
                    owner,
                    v.get("first_name") or "",
                    v.get("last_name") or "",
                    v.get("stage") or Stage.LEAD,
                    v.get("source") or self.source,
                    v.get("street") or "",
                    v.get("city") or "",
                    v.get("state") or "",
                    v.get("postal_code") or "",
                    v.get("country") or "US",
                    day(v.get("birthday_on")),
                    v.get("language") or "",
                    v.get("background") or "",
                    False,
                    "unknown",
                    "unknown",
                    {},
                    now,
                    now,
                )
            )
            for i, (address, kind) in enumerate(r.emails):
                emails.append((org, pk, address, kind, i == 0, now, now))
            for i, (number, kind) in enumerate(r.phones):
                phones.append((org, pk, number, kind, i == 0, now, now))
            for tag in r.tags:
                links.append((org, pk, tag_ids[tag.lower()], now, now))
        insert_rows(Contact, CONTACT_FIELDS, contacts)
        insert_rows(ContactEmail, EMAIL_FIELDS, emails)
        insert_rows(ContactPhone, PHONE_FIELDS, phones)
        insert_rows(ContactTag, TAG_FIELDS, links)
        return new_tags

    def _tags_create(self, names: dict[str, str]) -> dict[str, int]:
        missing = {k: n for k, n in names.items() if k not in self.tag_ids}
        if not missing:
            return {}
        Tag.objects.bulk_create(
            [Tag(org_id=self.org_id, name=n) for n in missing.values()], ignore_conflicts=True
        )
        found = Tag.objects.filter(org_id=self.org_id, name__in=list(missing.values()))
        return {name.lower(): pk for pk, name in found.values_list("pk", "name")}
