"""The command line's console and progress bars (rich), shared by every app's commands."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from rallypoynt.core.errors import ServiceError

# Progress and messages go to stderr so a command's output (CSV, YAML) can be piped.
console = Console(stderr=True)


def progress_bar(*, transient: bool = False) -> Progress:
    """Rows done of rows total, with the time left.

    A transient bar is erased when it stops; where nothing can be redrawn (a log file, a pipe)
    it is not drawn at all, so the log keeps only the sentence that follows it.
    """
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=transient,
        disable=transient and not console.is_terminal,
    )


def bytes_bar() -> Progress:
    """Bytes copied of bytes total, with the time left."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def service_error_print(exc: ServiceError) -> int:
    """Print a service's refusal with its fields; the exit status for it."""
    console.print(f"[red]{exc.message}[/]")
    for field, errors in exc.fields.items():
        console.print(f"  [bold]{field}[/]: {'; '.join(errors)}")
    return 2
