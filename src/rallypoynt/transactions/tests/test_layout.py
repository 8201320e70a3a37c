"""The transactions app keeps the conventions' names and layers (docs/conventions.md): a view
ends in `_view`, an API operation in `_endpoint`, neither shares a name with a service or a
selector, and pages, endpoints and forms read tenant rows only through selectors."""

from __future__ import annotations

import inspect
import pkgutil
import re
from importlib import import_module
from pathlib import Path

from django.urls import URLPattern, get_resolver

from rallypoynt.api.api import api
from rallypoynt.transactions import api as transactions_api
from rallypoynt.transactions import selectors, services

APP = Path(__file__).resolve().parents[1]


def _functions(package) -> set[str]:
    """The public functions defined in a package's modules."""
    names = set()
    for info in pkgutil.iter_modules(package.__path__):
        module = import_module(f"{package.__name__}.{info.name}")
        names |= {
            name
            for name, value in vars(module).items()
            if inspect.isfunction(value)
            and value.__module__ == module.__name__
            and not name.startswith("_")
        }
    return names


def _app_views() -> list:
    """Every view the URLconf routes to the transactions app's code."""
    found, stack = [], list(get_resolver().url_patterns)
    while stack:
        entry = stack.pop()
        if isinstance(entry, URLPattern):
            if entry.callback.__module__.startswith("rallypoynt.transactions."):
                found.append(entry.callback)
        elif hasattr(entry, "url_patterns"):
            stack.extend(entry.url_patterns)
    return found


def _app_operations() -> list:
    """Every operation of the transactions app's routers (one per API topic module)."""
    return [
        operation.view_func
        for info in pkgutil.iter_modules(transactions_api.__path__)
        for path_view in import_module(
            f"{transactions_api.__name__}.{info.name}"
        ).router.path_operations.values()
        for operation in path_view.operations
    ]


def test_views_and_endpoints_are_named_for_what_they_are():
    views, operations = _app_views(), _app_operations()
    assert views and operations
    assert [v.__name__ for v in views if not v.__name__.endswith("_view")] == []
    assert [f.__name__ for f in operations if not f.__name__.endswith("_endpoint")] == []
    reads_and_writes = _functions(selectors) | _functions(services)
    names = {v.__name__ for v in views} | {f.__name__ for f in operations}
    assert names.isdisjoint(reads_and_writes), names & reads_and_writes


def test_operation_ids_are_unique_across_the_api():
    ids = [
        operation["operationId"]
        for path in api.get_openapi_schema()["paths"].values()
        for operation in path.values()
    ]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_pages_endpoints_and_forms_read_through_selectors():
    found = [
        f"{path.relative_to(APP)}:{number}"
        for package in ("views", "api", "forms")
        for path in sorted((APP / package).glob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\b[A-Z]\w*\.objects\b", line)
    ]
    assert found == []
