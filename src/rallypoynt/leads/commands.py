"""CLI: `rallypoynt leads ingest-email FILE... --org SLUG` and `rallypoynt smtpd`."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

from rallypoynt.core.console import console, progress_bar


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register this module's subcommands."""
    p = sub.add_parser("leads", help="lead intake: take in lead e-mails from files")
    actions = p.add_subparsers(dest="leads_command", required=True, metavar="ACTION")
    q = actions.add_parser(
        "ingest-email",
        help="take in raw RFC 5322 messages (.eml); unreadable ones go to the review queue",
    )
    q.add_argument("files", nargs="+", type=Path, metavar="FILE", help="message files")
    q.add_argument("--org", required=True, metavar="SLUG", help="slug of the organization")
    q.set_defaults(func=cmd_ingest_email)

    p = sub.add_parser("smtpd", help="receive lead e-mails over SMTP (loopback by default)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=int, default=2525, help="port to listen on (2525)")
    p.add_argument(
        "--org-default",
        metavar="SLUG",
        help="org for recipients that name no org (without it they are refused with 550)",
    )
    p.set_defaults(func=cmd_smtpd)


def _describe(answer) -> str:
    body = answer.body
    again = " (already received: nothing new created)" if answer.is_replay else ""
    if answer.status_code != 201:
        reason = "; ".join(body["error"]["fields"].get("message", [])) or body["error"]["message"]
        return f"kept for review as item {body['review_item_id']}: {reason}{again}"
    contact = (
        f"existing contact {body['contact_id']}"
        if body["deduplicated"]
        else (f"new contact {body['contact_id']}")
    )
    assignee = f"assigned to member {body['assigned_to']}" if body["assigned_to"] else "unassigned"
    return f"lead: inquiry {body['inquiry_id']} for {contact}, {assignee}{again}"


def _ingest_file(org_id: int, path: Path) -> tuple[str, str | None]:
    """(what happened, problem or None) for one file."""
    from rallypoynt.core.errors import ServiceError
    from rallypoynt.leads.services.email_intake import lead_email_ingest
    from rallypoynt.leads.services.email_parse import LEAD_EMAIL_MAX_BYTES

    try:
        raw = path.read_bytes()
    except OSError as exc:
        return f"not read: {exc.strerror}", f"cannot be read ({exc.strerror})"
    if len(raw) > LEAD_EMAIL_MAX_BYTES:
        problem = f"larger than {LEAD_EMAIL_MAX_BYTES} bytes"
        return f"skipped: {problem}", problem
    if not raw.strip():
        return "skipped: the file is empty", "the file is empty"
    try:
        answer = lead_email_ingest(org_id=org_id, raw=raw)
    except ServiceError as exc:
        return f"refused: {exc.message}", exc.message
    text = _describe(answer)
    return text, (None if answer.status_code == 201 else text.split(": ", 1)[1])


def cmd_ingest_email(args: argparse.Namespace) -> int:
    from rallypoynt.orgs.models import Organization

    org = Organization.objects.filter(slug=args.org).first()
    if org is None:
        console.print(f"[red]No organization with slug {args.org!r}.[/]", soft_wrap=True)
        return 2
    problems: list[tuple[Path, str]] = []
    many = len(args.files) > 1
    with progress_bar() if many else contextlib.nullcontext() as bar:
        task = bar.add_task("Lead e-mails", total=len(args.files)) if many else None
        for path in args.files:
            text, problem = _ingest_file(org.pk, path)
            print(f"{path}: {text}", flush=True)
            if problem:
                problems.append((path, problem))
            if many:
                bar.advance(task)
    if problems:
        console.print(
            f"[red]{len(problems)} of {len(args.files)} file(s) did not become a lead:[/]"
        )
        for path, problem in problems:
            console.print(f"  [bold]{path}[/]: {problem}", highlight=False, soft_wrap=True)
        return 2
    console.print(f"[green]{len(args.files)} lead e-mail(s) taken in for {org.slug}.[/]")
    return 0


def cmd_smtpd(args: argparse.Namespace) -> int:
    from rallypoynt.leads.smtpd import smtpd_serve
    from rallypoynt.orgs.models import Organization

    if args.org_default and not Organization.objects.filter(slug=args.org_default).exists():
        console.print(f"[red]No organization with slug {args.org_default!r} (--org-default).[/]")
        return 2
    if not 0 < args.port < 65536:
        console.print(f"[red]Invalid port {args.port}.[/]")
        return 2
    fallback = f"; other recipients go to {args.org_default}" if args.org_default else ""
    console.print(
        f"[green]Lead e-mail SMTP server[/] on {args.host}:{args.port} — send to "
        f"<org-slug>@… or leads+<org-slug>@…{fallback}. Ctrl-C stops.",
        highlight=False,
    )
    try:
        smtpd_serve(
            host=args.host,
            port=args.port,
            default_slug=args.org_default,
            report=lambda text: console.print(text, highlight=False),
        )
    except OSError as exc:
        console.print(f"[red]Cannot listen on {args.host}:{args.port}: {exc.strerror or exc}[/]")
        return 2
    console.print("Stopped.")
    return 0
