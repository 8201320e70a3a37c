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
from rallypoynt.contacts.services.csv_import.rows import (
    Merge,
    birthday_of,
    incoming_of_row,
    known_of_row,
    row_apply,
)
from rallypoynt.contacts.services.csv_import.vocabulary import (
    BATCH,
    MAX_STORED_ISSUES,
    Cell,
    Progress,
)
from rallypoynt.contacts.services.enrich import (
    EnrichPlan,
    Known,
    contacts_known,
    enrich_plan,
    enrich_write,
    known_apply,
)
from rallypoynt.contacts.services.people import PROFILE_FIELDS
from rallypoynt.core.bulk import Row, StatisticsKeeper, insert_rows, reserve_ids

# --- the import engine ----------------------------------------------------------------------

CONTACT_FIELDS = (
    "id",
    "org",
    "owner",
    *PROFILE_FIELDS,
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
FILLED = (Contact, ContactEmail, ContactPhone, ContactTag)  # the tables an import grows


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
    """Validate, dedupe and insert rows for one org; a dry run does everything but write.

    A row that matches a contact (stored, or created by an earlier row of the file) is merged
    into it by the shared enrich rules: what it adds is reported on the row, nothing is lost.
    """

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
        actor_id: int | None = None,
        job_id: int | None = None,
        row_word: str = "row",
    ):
        self.org_id, self.owner_id, self.source = org_id, owner_id, source
        self.dry_run, self.progress, self.on_batch = dry_run, progress, on_batch
        self.batch = batch or BATCH
        self.actor_id, self.job_id, self.row_word = actor_id, job_id, row_word
        self.outcome = ImportOutcome()
        # Dedupe key -> row number (> 0) of the file, or -id (< 0) of a stored contact.
        self.seen: dict[str, int] = {}
        self.names_loaded = False
        self.tag_ids: dict[str, int] = {}
        self.pending: dict[int, CleanRow] = {}  # rows of the batch not yet written
        self.merges: list[Merge] = []  # rows of the batch matching stored contacts
        self.row_pk: dict[int, int] = {}  # rows written -> their contact's id
        # A dry run writes nothing: what earlier rows would have made is kept here instead.
        self.dry_known: dict[int, Known] = {}
        self.statistics = StatisticsKeeper(FILLED)

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
            else:
                for warning in clean.warnings:
                    self.outcome.add_issue(warning)
                match = self._match(clean)
                if match is None:
                    pending.append(clean)
                    self.pending[clean.row] = clean
                else:
                    self.outcome.duplicate += 1
                    self._merge(clean, *match)
            if since_progress >= self.batch:
                self._flush(pending)
                pending = []
                self._report(since_progress)
                since_progress = 0
        self._flush(pending)
        self._report(since_progress)
        if not self.dry_run:
            self.statistics.finish()
        return self.outcome

    def _report(self, rows: int) -> None:
        if self.progress and rows:
            self.progress(rows)

    def _load_existing(self) -> None:
        emails = ContactEmail.objects.filter(org_id=self.org_id).values_list("address", "contact")
        phones = ContactPhone.objects.filter(org_id=self.org_id).values_list("number", "contact")
        self.seen = {key: -pk for key, pk in emails.iterator()}
        self.seen.update((key, -pk) for key, pk in phones.iterator())
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
        fields = ("pk", "first_name", "last_name", "street", "postal_code")
        for pk, *row in qs.values_list(*fields).iterator():
            self.seen.setdefault(_name_key(*row), -pk)

    def _match(self, row: CleanRow) -> tuple[int, str] | None:
        """(who the row is, the key that said so), or None for a new person."""
        keys = row.keys()
        if keys[0].startswith("name:") and not self.names_loaded:
            self._load_name_only()
        for key in keys:
            ref = self.seen.get(key)
            if ref is not None:
                # Its other addresses and numbers now lead to the same person.
                for other in keys:
                    self.seen.setdefault(other, ref)
                return ref, key
        for key in keys:
            self.seen[key] = row.row
        return None

    def _merge(self, row: CleanRow, ref: int, key: str) -> None:
        how = "name and address" if key.startswith("name:") else "e-mail" if "@" in key else "phone"
        value = key.removeprefix("name:").replace("|", " ").strip()
        target = self.pending.get(ref) if ref > 0 else None
        if target is not None:
            # The person's first row is still in memory: merge into it before it is written.
            known = known_of_row(target)
            plan = enrich_plan(known, incoming_of_row(row))
            row_apply(target, plan)
            self._merged(row, plan, known, how, value, ref)
        elif self.dry_run and ref in self.dry_known:
            known = self.dry_known[ref]
            plan = enrich_plan(known, incoming_of_row(row))
            self._merged(row, plan, known, how, value, ref)
            known_apply(known, plan)
        else:
            contact_id = self.row_pk[ref] if ref > 0 else -ref
            self.merges.append(Merge(row, contact_id, ref, how, value))

    def _merged(
        self, row: CleanRow, plan: EnrichPlan, known: Known, how: str, value: str, ref: int
    ) -> None:
        who = known.full_name or value
        where = f" from {self.row_word} {ref}" if ref > 0 else ""
        self.outcome.add_issue(
            {
                "row": row.row,
                "column": "",
                "value": value,
                "reason": f"matched {who} ({how}){where}; {plan.summary(dry_run=self.dry_run)}",
                "kind": "duplicate",
                "added": plan.lines(dry_run=self.dry_run),
            }
        )

    def _merges_run(self) -> None:
        """Merge the batch's rows into stored contacts: locked, planned in order, written once."""
        if not self.merges:
            return
        wanted = {m.contact_id for m in self.merges}
        if self.dry_run:
            loaded = contacts_known(
                org_id=self.org_id, contact_ids=wanted - {-r for r in self.dry_known if r < 0}
            )
            self.dry_known.update({-pk: known for pk, known in loaded.items()})
            known_by_id = {-r: k for r, k in self.dry_known.items() if r < 0}
        else:
            known_by_id = contacts_known(org_id=self.org_id, contact_ids=wanted, lock=True)
        plans: list[EnrichPlan] = []
        for merge in self.merges:
            known = known_by_id.get(merge.contact_id)
            if known is None:
                self._vanished(merge)
                continue
            plan = enrich_plan(known, incoming_of_row(merge.row))
            self._merged(merge.row, plan, known, merge.how, merge.value, merge.ref)
            known_apply(known, plan)
            plans.append(plan)
        if not self.dry_run:
            via = {"import_job": self.job_id} if self.job_id else {}
            enrich_write(org_id=self.org_id, plans=plans, actor_id=self.actor_id, via=via)

    def _vanished(self, merge: Merge) -> None:
        self.outcome.add_issue(
            {
                "row": merge.row.row,
                "column": "",
                "value": merge.value,
                "reason": "matched a contact deleted during the import; nothing was added",
                "kind": "duplicate",
            }
        )

    def _flush(self, rows: list[CleanRow]) -> None:
        if self.dry_run:
            self._merges_run()
            for row in rows:
                self.dry_known[row.row] = known_of_row(row)
            self.outcome.created += len(rows)
            self.pending.clear()
            self.merges = []
            if self.on_batch:
                self.on_batch(self.outcome)
            return
        new_tags: dict[str, int] = {}
        ids: list[int] = []
        with transaction.atomic():
            if rows:
                new_tags, ids = self._insert(rows)
            self._merges_run()
            # Last before COMMIT plans the batch's foreign-key checks; after the merges' row
            # locks, so the ANALYZE lock is never held while waiting for another import.
            self.statistics.grew(len(rows))
            self.outcome.created += len(rows)
            if self.on_batch:
                self.on_batch(self.outcome)
        # Only after commit: a rolled-back batch must not leave ids of rows that do not exist.
        self.tag_ids.update(new_tags)
        self.row_pk.update((row.row, pk) for row, pk in zip(rows, ids, strict=True))
        self.pending.clear()
        self.merges = []

    def _insert(self, rows: list[CleanRow]) -> tuple[dict[str, int], list[int]]:
        # Adapt shared and date values once, not once per row in the driver.
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        day = connection.ops.adapt_datefield_value
        org, owner = self.org_id, self.owner_id
        new_tags = self._tags_create({t.lower(): t for r in rows for t in r.tags})
        tag_ids = {**self.tag_ids, **new_tags}
        contacts: list[Row] = []
        emails: list[Row] = []
        phones: list[Row] = []
        links: list[Row] = []
        ids = reserve_ids(Contact, len(rows))
        for pk, r in zip(ids, rows, strict=True):
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
                    day(birthday_of(v)),
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
        return new_tags, ids

    def _tags_create(self, names: dict[str, str]) -> dict[str, int]:
        missing = {k: n for k, n in names.items() if k not in self.tag_ids}
        if not missing:
            return {}
        Tag.objects.bulk_create(
            [Tag(org_id=self.org_id, name=n) for n in missing.values()], ignore_conflicts=True
        )
        found = Tag.objects.filter(org_id=self.org_id, name__in=list(missing.values()))
        return {name.lower(): pk for pk, name in found.values_list("pk", "name")}
