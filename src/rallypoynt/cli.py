"""The `rallypoynt` command: serve, worker, migrate, demo, createorg, createuser, backup, restore,
bench, manage."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence

from rich.markup import escape
from rich.table import Table

from rallypoynt.core.console import bytes_bar, console, progress_bar
from rallypoynt.core.console import service_error_print as _service_error


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rallypoynt.config.settings")
    import django

    django.setup()


def cmd_backup(args: argparse.Namespace) -> int:
    from rallypoynt.core.backup import BackupError, backup_create

    try:
        with bytes_bar() as bar:
            result = backup_create(args.path, progress=bar)
    except BackupError as exc:
        console.print(str(exc), style="red", markup=False, soft_wrap=True)
        return 2
    db, media = result.manifest["database"], result.manifest["media"]
    console.print(
        f"Backup written: {result.path} ({db['engine']}, {db['rows']} rows in "
        f"{len(db['tables'])} tables, {_plural(media['files'], 'uploaded file')}"
        + (", the secret key)" if result.manifest["secret_key"] else ")"),
        style="green",
        markup=False,
        soft_wrap=True,
    )
    print(result.path)
    return 0


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def cmd_restore(args: argparse.Namespace) -> int:
    from rallypoynt.core.backup import BackupError, backup_restore

    try:
        with bytes_bar() as bar:
            result = backup_restore(args.archive, force=args.force, progress=bar)
    except BackupError as exc:
        console.print(str(exc), style="red", markup=False, soft_wrap=True)
        return 2
    manifest = result.manifest
    console.print(
        f"Restored {args.archive} (made {manifest['created_at']} by RallyPoynt OS "
        f"{manifest['app_version']}): {sum(result.tables.values())} rows in "
        f"{len(result.tables)} tables, matching the manifest; "
        f"{_plural(result.media_files, 'uploaded file')}"
        + ("; the secret key." if result.secret_key else "."),
        style="green",
        markup=False,
        soft_wrap=True,
    )
    for note in result.notes:
        console.print(note, style="yellow", markup=False, soft_wrap=True)
    if result.pending_migrations:
        console.print(
            f"{result.pending_migrations} migrations are newer than the backup: "
            "run `rallypoynt migrate`.",
            style="yellow",
            markup=False,
        )
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from rallypoynt.core.bulk import planner_statistics_refresh
    from rallypoynt.core.migrate import migrate_run

    result = migrate_run(verbose=args.verbose)
    planner_statistics_refresh()
    if result.applied:
        console.print(
            f"[green]Applied {_plural(result.applied, 'migration')} in {result.seconds:.1f} s.[/]"
        )
    else:
        console.print(f"[green]Database is up to date ({_plural(result.total, 'migration')}).[/]")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from rallypoynt.demo.loader import DEMO_PASSWORD, demo_load

    if args.migrate:
        cmd_migrate(argparse.Namespace(verbose=False))
    with progress_bar() as bar:
        task = bar.add_task("Demo contacts", total=args.scale)
        from rallypoynt.contacts.models import Contact
        from rallypoynt.orgs.models import Organization

        org = Organization.objects.filter(slug="demo").first()
        done = Contact.objects.filter(org=org).count() if org else 0
        bar.update(task, completed=min(done, args.scale))
        started = time.perf_counter()
        result = demo_load(
            scale=args.scale, seed=args.seed, progress=lambda n: bar.advance(task, n)
        )
        bar.update(task, completed=args.scale)
    elapsed = time.perf_counter() - started
    from rallypoynt.core.bulk import planner_statistics_refresh

    planner_statistics_refresh()
    console.print(
        f"[green]Demo brokerage ready:[/] {result.org.name} — {result.contacts_created} new "
        f"contacts in {elapsed:.1f} s."
    )
    _logins_print(result.logins, DEMO_PASSWORD)
    return 0


def _logins_print(logins: Sequence[tuple[str, str, str]], password: str) -> None:
    table = Table(title=f"Demo logins (password: {password})")
    # The e-mail is what one types: never cut short; names and roles wrap instead.
    table.add_column(
        "E-mail", no_wrap=True, min_width=max((len(row[0]) for row in logins), default=0)
    )
    table.add_column("Name")
    table.add_column("Roles")
    for row in logins:
        table.add_row(*row)
    console.print(table)


def cmd_createorg(args: argparse.Namespace) -> int:
    from rallypoynt.accounts.models import User
    from rallypoynt.core.errors import ServiceError
    from rallypoynt.orgs.services import organization_create

    owner = User.objects.filter(email=args.owner.strip().lower()).first()
    if owner is None:
        console.print(f"[red]No user {args.owner!r}: create it first with createuser.[/]")
        return 2
    try:
        org = organization_create(
            name=args.name,
            slug=args.slug or "",
            owner=owner,
            time_zone=args.time_zone,
            holiday_country=args.country,
            holiday_subdivision=args.subdivision,
        )
    except ServiceError as exc:
        return _service_error(exc)
    console.print(f"[green]Created organization[/] {org.name} (slug {org.slug}).")
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    import getpass

    from rallypoynt.accounts.services import user_create
    from rallypoynt.core.errors import ServiceError
    from rallypoynt.orgs.models import Organization
    from rallypoynt.orgs.services import member_add

    password = args.password or os.environ.get("RALLYPOYNT_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            console.print("[red]Give --password or RALLYPOYNT_PASSWORD when not interactive.[/]")
            return 2
        password = getpass.getpass("Password: ")
    org = None
    if args.org:
        org = Organization.objects.filter(slug=args.org).first()
        if org is None:
            console.print(f"[red]No organization with slug {args.org!r}.[/]")
            return 2
    try:
        user = user_create(
            email=args.email,
            password=password,
            first_name=args.first_name,
            last_name=args.last_name,
        )
        if args.superuser:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        if org is not None:
            member_add(org=org, user=user, roles=args.role or [])
    except ServiceError as exc:
        return _service_error(exc)
    console.print(f"[green]Created user[/] {user.email}" + (f" in {org.slug}" if org else ""))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from rallypoynt.core.serve import Supervisor, port_taken, url_host, web_command

    if port_taken(args.host, args.port):
        console.print(f"[red]Port {args.port} is in use on {args.host}: give another --port.[/]")
        return 2
    call_command("collectstatic", interactive=False, verbosity=0)
    web = web_command(
        host=args.host,
        port=args.port,
        workers=args.workers,
        threads=args.threads,
        access_log=args.access_log,
    )
    processes = [subprocess.Popen(web)]
    worker_ready = None
    if args.with_worker:
        # The worker says on this pipe when it has run the jobs queued before it started, so
        # that its report comes before the banner, not after it.
        worker_ready, child_end = os.pipe()
        worker = [sys.executable, "-m", "rallypoynt.cli", "worker", "--ready-fd", str(child_end)]
        processes.append(subprocess.Popen(worker, pass_fds=(child_end,)))
        os.close(child_end)
    url = f"http://{url_host(args.host)}:{args.port}/"
    supervisor = Supervisor(processes, host=args.host, port=args.port, worker_ready=worker_ready)
    return supervisor.run(on_ready=lambda: _running_print(url, with_worker=args.with_worker))


def _running_print(url: str, *, with_worker: bool) -> None:
    """The banner, last on screen once the server answers and the worker is idle."""
    from rallypoynt.demo.loader import DEMO_PASSWORD, demo_logins

    logins = demo_logins()
    if logins:
        _logins_print(logins, DEMO_PASSWORD)
    sign_in = (
        f" — sign in as {logins[0][0]} (password: {DEMO_PASSWORD}) or any login above"
        if logins
        else ""
    )
    console.print(
        f"[bold green]RallyPoynt OS is running at[/] [bold]{escape(url)}[/]"
        + (" with a background worker" if with_worker else "")
        + sign_in
        + ". Ctrl-C stops.",
        soft_wrap=True,
    )


def cmd_worker(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.utils.autoreload import DJANGO_AUTORELOAD_ENV

    from rallypoynt.core.housekeeping import housekeeping_schedule
    from rallypoynt.core.joblog import BatchReport, console_line, job_logging_quiet, ready_signal
    from rallypoynt.core.worker import Heartbeat

    # The worker keeps the hourly housekeeping pass queued (one, however many workers).
    housekeeping_schedule()
    # A unique id and a heartbeat row: jobs of a worker that stops beating (kill -9) are
    # given back to the queue by the others (core/worker.py).
    heartbeat = Heartbeat()
    heartbeat.start()
    options = {"interval": args.interval, "worker_id": heartbeat.worker_id}
    if args.batch:
        options["batch"] = True
    if not args.verbose:
        job_logging_quiet()
    # With DEBUG, db_worker reloads on code changes: this process only watches files and the
    # jobs run in a child, which reports (and tells serve it is ready) itself.
    watcher = settings.DEBUG and not args.batch and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
    report = None
    try:
        if not watcher:
            console_line(
                f"worker: started {heartbeat.worker_id}; one line per batch of jobs"
                + ("" if args.verbose else " (--verbose: one per job)")
            )
            ready = ready_signal(args.ready_fd) if args.ready_fd is not None else None
            report = BatchReport(on_idle=ready)
            report.start()
        call_command("db_worker", **options)
    finally:
        if report is not None:
            report.stop()
        heartbeat.stop()
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    import importlib
    import json

    from django.core.management import call_command

    try:
        module = importlib.import_module(f"bench.{args.scenario.replace('-', '_')}")
    except ModuleNotFoundError:
        console.print(f"[red]No benchmark scenario {args.scenario!r}.[/]")
        return 2
    call_command("migrate", interactive=False, verbosity=0)
    result = module.run(**{k: v for k, v in vars(args).items() if k in {"scale", "seed"} and v})
    print(json.dumps(result, indent=2, default=str))
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["rallypoynt manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rallypoynt",
        description="RallyPoynt OS: the operating system for residential real estate.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("serve", help="run the web server (and optionally the worker)")
    p.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    p.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_WORKERS", "2")),
        help="web processes (default 2)",
    )
    p.add_argument("--threads", type=int, default=4, help="threads per web process")
    p.add_argument("--with-worker", action="store_true", help="also run a background worker")
    p.add_argument("--access-log", action="store_true", help="log each request to stdout")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="run background jobs from the database queue")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
    p.add_argument("--batch", action="store_true", help="exit when the queue is empty")
    p.add_argument("-v", "--verbose", action="store_true", help="log every job")
    # serve's pipe: the worker writes to it once it has run the jobs queued at start.
    p.add_argument("--ready-fd", type=int, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("migrate", help="create or upgrade the database schema")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("demo", help="load the demo brokerage (idempotent)")
    p.add_argument("--scale", type=int, default=2000, help="contacts in the demo brokerage")
    p.add_argument("--seed", type=int, default=42, help="random seed (same seed, same data)")
    p.add_argument(
        "--no-migrate", dest="migrate", action="store_false", help="do not migrate first"
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("createorg", help="create an organization owned by an existing user")
    p.add_argument("name")
    p.add_argument("--owner", required=True, help="e-mail of the broker/owner")
    p.add_argument("--slug")
    p.add_argument("--time-zone", default="America/New_York")
    p.add_argument("--country", default="US", help="holiday calendar country (ISO code)")
    p.add_argument("--subdivision", default="", help="holiday calendar state, e.g. CA")
    p.set_defaults(func=cmd_createorg)

    p = sub.add_parser("createuser", help="create a user, optionally with a seat in an org")
    p.add_argument("email")
    p.add_argument("--password", help="or set RALLYPOYNT_PASSWORD; asked for when interactive")
    p.add_argument("--first-name", default="")
    p.add_argument("--last-name", default="")
    p.add_argument("--org", help="slug of the organization to join")
    p.add_argument("--role", action="append", help="role code; repeat for several")
    p.add_argument("--superuser", action="store_true", help="may use /admin/")
    p.set_defaults(func=cmd_createuser)

    p = sub.add_parser("backup", help="write the database and uploaded files to one archive")
    p.add_argument(
        "path", nargs="?", help="file or directory (default: $VAR/backups/rallypoynt-<UTC>.tar.gz)"
    )
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="restore a backup archive into an empty database")
    p.add_argument("archive", help="a .tar.gz written by `rallypoynt backup`")
    p.add_argument(
        "--force", action="store_true", help="replace a non-empty database and media files"
    )
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("bench", help="run a benchmark scenario and print JSON")
    p.add_argument("scenario", help="e.g. demo")
    p.add_argument("--scale", type=int, help="workload size")
    p.add_argument("--seed", type=int, help="random seed")
    p.set_defaults(func=cmd_bench)

    from rallypoynt.contacts.commands import imports as import_commands
    from rallypoynt.leads import commands as lead_commands

    lead_commands.add_parser(sub)
    import_commands.add_parser(sub)

    p = sub.add_parser("manage", help="run any Django management command", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_django()
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
