"""Request helpers every app's pages share: run a service and say how it went."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from rallypoynt.core.errors import ServiceError


@dataclass(frozen=True)
class Outcome:
    """What a service call from a page gave: `ok` is False when the service refused."""

    ok: bool
    result: Any = None

    def __bool__(self) -> bool:
        return self.ok


def refusal_text(exc: ServiceError) -> str:
    """The service's message with every field reason, once."""
    # Field names are internal words: the reasons are written to be read alone.
    details = "; ".join(e for errs in exc.fields.values() for e in errs)
    if not details or details in exc.message:
        return exc.message
    return f"{exc.message} {details}".strip()


def run_service(request: HttpRequest, call: Callable[[], Any], success: str) -> Outcome:
    """Call a service; a refusal becomes an error message on the page, never a crash."""
    try:
        result = call()
    except ServiceError as exc:
        messages.error(request, refusal_text(exc))
        return Outcome(ok=False)
    messages.success(request, success)
    return Outcome(ok=True, result=result)
