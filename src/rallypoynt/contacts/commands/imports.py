"""CLI: `import contacts FILE --org SLUG` and `export contacts --org SLUG --as EMAIL`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rallypoynt.core.console import console, progress_bar, service_error_print

MAX_SHOWN = 20


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `import contacts` and `export contacts`."""
    p = sub.add_parser("import", help="import contacts from a CSV or vCard file")
    what = p.add_subparsers(dest="what", required=True, metavar="WHAT")
    c = what.add_parser("contacts", help="import contacts (dedupes by e-mail and phone)")
    c.add_argument("file", help="CSV (other CRMs, Google Contacts, Excel) or vCard file")
    c.add_argument("--org", required=True, help="slug of the organization")
    c.add_argument("--owner", help="e-mail of the member who owns the contacts (default: broker)")
    c.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    c.add_argument("--format", choices=["csv", "vcf"], help="default: from the file name")
    c.set_defaults(func=cmd_import_contacts)

    p = sub.add_parser("export", help="export contacts as CSV or vCard")
    what = p.add_subparsers(dest="what", required=True, metavar="WHAT")
    c = what.add_parser("contacts", help="export the contacts a member can see")
    c.add_argument("--org", required=True, help="slug of the organization")
    c.add_argument("--as", dest="as_email", required=True, help="e-mail of the member")
    c.add_argument("--format", choices=["csv", "vcf"], default="csv")
    c.add_argument("--vcard-version", choices=["3.0", "4.0"], default="3.0")
    c.add_argument("--smart-list", type=int, help="id of a smart list to export")
    c.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a contacts-list filter, e.g. stage=lead or tag=buyer; repeat for several",
    )
    c.add_argument("-o", "--output", help="file to write (default: standard output)")
    c.set_defaults(func=cmd_export_contacts)


def _org(slug: str):
    from rallypoynt.orgs.models import Organization

    return Organization.objects.filter(slug=slug).first()


def _member(org, email: str):
    from rallypoynt.orgs.models import Membership

    return (
        Membership.objects.filter(org=org, is_active=True, user__email__iexact=email.strip())
        .select_related("user")
        .first()
    )


def cmd_import_contacts(args: argparse.Namespace) -> int:
    from django.core.files import File

    from rallypoynt.contacts.services import csv_import
    from rallypoynt.core.errors import ServiceError

    org = _org(args.org)
    if org is None:
        console.print(f"[red]No organization with slug {args.org!r}.[/]")
        return 2
    owner = _member(org, args.owner) if args.owner else csv_import.org_default_owner(org_id=org.pk)
    if owner is None:
        console.print(f"[red]No active member {args.owner or ''!r} in {org.slug}.[/]")
        return 2
    path = Path(args.file)
    if not path.is_file():
        console.print(f"[red]No such file: {path}[/]")
        return 2
    try:
        with path.open("rb") as fh:
            job = csv_import.import_job_create(
                actor=None,
                org_id=org.pk,
                upload=File(fh, name=path.name),
                filename=path.name,
                file_format=args.format or "",
                owner_id=owner.pk,
            )
        job = csv_import.import_job_prepare(actor=None, job=job, mapping=None, dry_run=args.dry_run)
    except ServiceError as exc:
        return service_error_print(exc)
    _mapping_table(job)
    return _run(job, owner)


def _mapping_table(job) -> None:
    from rich.table import Table

    from rallypoynt.contacts.services.csv_import import NOT_IMPORTED, TARGETS, job_headers

    if job.file_format != "csv":
        return
    table = Table(title=f"Columns of {job.filename}")
    table.add_column("Column")
    table.add_column("Imported into")
    for header in job_headers(job):
        target = job.mapping.get(header, "")
        table.add_row(header, TARGETS[target] if target else f"[dim]{NOT_IMPORTED}[/]")
    console.print(table)


def _run(job, owner) -> int:
    from rallypoynt.contacts.services import csv_import

    total = csv_import.import_preview(job=job, rows=0).total_rows
    label = "Checking" if job.is_dry_run else "Importing"
    try:
        with progress_bar() as bar:
            task = bar.add_task(f"{label} {job.filename}", total=total)
            job = csv_import.import_job_run(job_id=job.pk, progress=lambda n: bar.advance(task, n))
    except Exception as exc:  # the job is marked failed; committed batches are whole contacts
        console.print(f"[red]The import stopped: {exc}[/] Rows imported so far are kept.")
        return 1
    _summary(job, owner)
    if job.rows_failed:
        first = next(e for e in job.errors if "kind" not in e)
        console.print(
            f"[red]{job.rows_failed} bad row(s); first: row {first['row']}, "
            f"field {first['column'] or '(row)'}: {first['reason']}[/]"
        )
        return 2
    return 0


def _summary(job, owner) -> None:
    from rich.table import Table

    word = "Card" if job.file_format == "vcf" else "Row"
    table = Table(title=("Dry run of " if job.is_dry_run else "Imported ") + job.filename)
    table.add_column("")
    table.add_column("Count", justify="right")
    table.add_row(f"{word}s in the file", str(job.rows_total))
    table.add_row("Would be created" if job.is_dry_run else "Created", str(job.rows_created))
    merged = "Would merge into" if job.is_dry_run else "Merged into"
    table.add_row(f"{merged} existing contacts", str(job.rows_duplicate))
    table.add_row(f"Bad {word.lower()}s", str(job.rows_failed))
    console.print(table)
    console.print(f"Owner of the new contacts: {owner.user.email}")
    _merges(job, word)
    problems = [e for e in job.errors if e.get("kind", "error") in ("error", "warning")]
    if not problems:
        return
    detail = Table(title="Rows to look at")
    for column in (word, "Column", "Value", "Reason"):
        detail.add_column(column)
    for e in problems[:MAX_SHOWN]:
        reason = e["reason"] if "kind" not in e else f"(imported) {e['reason']}"
        detail.add_row(str(e["row"] or "—"), e["column"] or "—", e.get("value", ""), reason)
    console.print(detail)
    if len(problems) > MAX_SHOWN:
        console.print(f"… and {len(problems) - MAX_SHOWN} more (see the import's page).")


def _merges(job, word: str) -> None:
    """What each row that matched an existing contact added to it."""
    from rich.table import Table

    rows = [e for e in job.errors if e.get("kind") == "duplicate"]
    if not rows:
        return
    table = Table(title="Matched existing contacts")
    table.add_column(word)
    table.add_column("What it did")
    for e in rows[:MAX_SHOWN]:
        table.add_row(str(e["row"] or "—"), e["reason"])
    console.print(table)
    if len(rows) > MAX_SHOWN:
        console.print(f"… and {len(rows) - MAX_SHOWN} more (see the import's page).")


def cmd_export_contacts(args: argparse.Namespace) -> int:
    from rallypoynt.contacts.services.export import contacts_csv_export, export_filters
    from rallypoynt.contacts.services.vcard import contacts_vcard_export
    from rallypoynt.core.errors import ServiceError

    org = _org(args.org)
    if org is None:
        console.print(f"[red]No organization with slug {args.org!r}.[/]")
        return 2
    actor = _member(org, args.as_email)
    if actor is None:
        console.print(f"[red]No active member {args.as_email!r} in {org.slug}.[/]")
        return 2
    params = dict(item.partition("=")[::2] for item in args.filter)
    if args.smart_list is not None:
        params["smart_list"] = args.smart_list
    try:
        filters, smart_list_id = export_filters(params)
        if args.format == "csv":
            lines = contacts_csv_export(actor=actor, filters=filters, smart_list_id=smart_list_id)
        else:
            lines = contacts_vcard_export(
                actor=actor,
                filters=filters,
                smart_list_id=smart_list_id,
                version=args.vcard_version,
            )
        count = _write(lines, args.output)
    except ServiceError as exc:
        return service_error_print(exc)
    if args.format == "csv":
        count -= 1  # the header line
    console.print(f"[green]Exported {count} contacts[/] to {args.output or 'standard output'}.")
    return 0


def _write(lines, output: str | None) -> int:
    """Write the export; returns the number of lines (CSV) or cards (vCard) written."""
    count = 0
    with open(output, "w", encoding="utf-8", newline="") if output else _stdout() as fh:
        for line in lines:
            fh.write(line.lstrip("\ufeff") if not output and count == 0 else line)
            count += 1
    return count


class _stdout:
    """Standard output as a context manager that is flushed, not closed."""

    def __enter__(self):
        return sys.stdout

    def __exit__(self, *exc):
        sys.stdout.flush()
