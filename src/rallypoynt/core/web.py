"""Request helpers every app's pages share: run a service and say how it went, put its
refusal on the form, find the safe page to go back to, and a page's buttons as data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

from rallypoynt.core.errors import ServiceError
from rallypoynt.core.forms import ServiceForm

# A page view, and a decorator that guards one (login, a seat, a permission, the method).
View = Callable[..., HttpResponse]
Guard = Callable[[View], View]


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


def run_service(
    request: HttpRequest, call: Callable[[], Any], success: str | Callable[[Any], str]
) -> Outcome:
    """Call a service; a refusal becomes an error message on the page, never a crash. The
    message after is `success`, or what `success` makes of the service's result."""
    try:
        result = call()
    except ServiceError as exc:
        messages.error(request, refusal_text(exc))
        return Outcome(ok=False)
    messages.success(request, success(result) if callable(success) else success)
    return Outcome(ok=True, result=result)


def errors_to_form(
    form: forms.Form, exc: ServiceError, names: Mapping[str, str] | None = None
) -> None:
    """Put a service's field errors on the form: on the field they name (through `names`
    where the service's word differs from the form's), the rest above the form."""
    names = names or {}
    for field, errors in exc.fields.items():
        target = names.get(field, field.replace(".", "_"))
        for error in errors:
            if target in form.fields:
                form.add_error(target, error)
            else:
                form.add_error(None, error if field == "__all__" else f"{field}: {error}")
    if not exc.fields:
        form.add_error(None, exc.message)


def form_run(form: forms.Form, call: Callable[[], Any], *, atomic: bool = False) -> bool:
    """Run a service for a valid form; its refusal becomes the form's errors. True on success."""
    try:
        if atomic:
            with transaction.atomic():
                call()
        else:
            call()
    except ServiceError as exc:
        errors_to_form(form, exc)
        return False
    return True


def next_or(request: HttpRequest, fallback: str) -> str:
    """The page to go back to: a safe `next` on this host, else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


def actor_of(request: HttpRequest) -> Any:
    """The member a page acts as: the orgs middleware sets it, so core cannot name its type."""
    return request.membership  # type: ignore[attr-defined]


@dataclass(frozen=True)
class PageAction:
    """One button of a page, as data: the form it posts, the one service the form's arguments
    go to, and what the page says after (or a function of the service's result that says
    what happened, e.g. "Inspection contingency waived.")."""

    form_class: type[ServiceForm]
    service: Callable[..., Any]
    success: str | Callable[[Any], str]

    def bind(self, request: HttpRequest, scope: Any = None) -> ServiceForm:
        """The posted form, its picks narrowed to the member and to the page's `scope` row."""
        return self.form_class(request.POST, actor=actor_of(request), scope=scope)

    def run(self, request: HttpRequest, form: ServiceForm, **ids: Any) -> Outcome:
        """The service, for a valid form, as the member, with the page's `ids` (the rows its
        URL names) beside the form's arguments; a refusal becomes an error message."""
        arguments = form.arguments()
        return run_service(
            request, lambda: self.service(actor=actor_of(request), **ids, **arguments), self.success
        )


@dataclass(frozen=True)
class ActionPage:
    """A page whose buttons each post to a view of their own: `post(request, action, **URL
    arguments)` is the round trip they share, `guards` wrap each view (outermost first), and
    `module` is where the views are bound when `post` lives elsewhere."""

    post: Callable[..., HttpResponse]
    guards: tuple[Guard, ...]
    module: str = ""

    def button(self, name: str, doc: str, action: PageAction) -> View:
        """The view of one button, named and documented as a `def name` beside `post` would
        be: URL lists, tracebacks and the structure tests read these."""

        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return self.post(request, action, *args, **kwargs)

        view.__name__ = view.__qualname__ = name
        view.__doc__ = doc
        view.__module__ = self.module or self.post.__module__
        guarded: View = view
        for guard in reversed(self.guards):
            guarded = guard(guarded)
        return guarded
