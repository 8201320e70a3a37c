"""Helpers every app's tests share: a logged-in client, a page's text, query counts, and the
project's test modules (for the checks that read them).

Core is the lowest layer, so nothing here imports another rallypoynt app: a member is anything
with a `.user`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

from django.db import connection, models
from django.http import HttpResponse, StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

# src/rallypoynt/core/testing.py -> the checkout: its test modules live under src/ and tests/.
PROJECT_ROOT = Path(__file__).resolve().parents[3]


class HasUser(Protocol):
    user: Any


def client_for(member: HasUser) -> Client:
    """A test client logged in as the member's user."""
    client = Client()
    client.force_login(member.user)
    return client


def page(response: HttpResponse) -> str:
    """The response body as text."""
    return response.content.decode()


def count_queries(call: Callable[[], object]) -> int:
    """How many SQL queries `call` runs on the default database."""
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


# What a test client's request returns: a page, or a streamed body (an export).
Fetch = Callable[[], HttpResponse | StreamingHttpResponse]


def assert_queries_flat(fetch: Fetch, grow: Callable[[], object]) -> int:
    """Fail unless `fetch` answers 200 with the same query count before and after `grow` adds
    rows it must show (its body grows); returns that count."""
    fetch()  # warm the per-process caches: the org's configuration, the token's last use
    few, before = _counted(fetch)
    grow()
    fetch()  # new rows may renew the org's configuration stamp: let the cache refill
    more, after = _counted(fetch)
    # A body that did not grow means the new rows are not on it: the guard would prove nothing.
    assert len(after) > len(before), "the new rows are not in the response"
    assert more == few, f"{few} queries before the new rows, {more} after"
    return few


def _counted(fetch: Fetch) -> tuple[int, bytes]:
    # A streamed body (an export) runs its queries while it is read: read it inside the count.
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
        if isinstance(response, StreamingHttpResponse):
            body = b"".join(response)  # iterates its streaming_content (a sync iterator)
        else:
            body = response.content
    assert response.status_code == 200, (response.status_code, body[:300])
    return len(ctx.captured_queries), body


def project_test_files() -> list[Path]:
    """Every test module of the project (`test_*.py` under src/ and tests/)."""
    return sorted(p for top in ("src", "tests") for p in (PROJECT_ROOT / top).rglob("test_*.py"))


# What a page form must refuse in a number, id or date field, and still not save anything.
GARBAGE = ("three", "x", "1e3", "-1", "99999999999999999999", "\x00", "")
FILLED = tuple(value for value in GARBAGE if value)  # an optional field may be left empty


def rows_snapshot(
    models_checked: Iterable[type[models.Model]],
) -> dict[str, list[dict[str, Any]]]:
    """Every row of `models_checked`, to show that a refused form changed none of them."""
    return {
        model.__name__: list(model._default_manager.order_by("pk").values())
        for model in models_checked
    }
