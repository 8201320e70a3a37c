"""Names grep to one thing (docs/conventions.md, "Names"): in the apps listed here, a page's
view function ends in `_view`, an API operation in `_endpoint`, and the pages, the API and
the forms read tenant rows only through selectors (no `.objects` in them)."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

from rallypoynt.api.api import api

APPS = ("journeys", "orgs", "accounts", "web")
SRC = Path(__file__).resolve().parents[2]


def _in_apps(module: str) -> bool:
    return any(module.startswith(f"rallypoynt.{app}.") for app in APPS)


def _patterns(patterns=None):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace != "api":
                yield from _patterns(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            yield entry


def test_page_views_end_in_view():
    views = [p.callback for p in _patterns() if _in_apps(p.callback.__module__)]
    assert len(views) > 20
    wrong = sorted(
        f"{v.__module__}.{v.__name__}" for v in views if not v.__name__.endswith("_view")
    )
    assert wrong == []


def test_api_operations_end_in_endpoint():
    functions = [
        operation.view_func
        for _prefix, router in api._routers
        for path_view in router.path_operations.values()
        for operation in path_view.operations
        if _in_apps(operation.view_func.__module__)
    ]
    assert len(functions) > 20
    wrong = sorted(
        f"{f.__module__}.{f.__name__}" for f in functions if not f.__name__.endswith("_endpoint")
    )
    assert wrong == []


def _page_modules() -> list[Path]:
    found = []
    for app in APPS:
        root = SRC / app
        for kind in ("views", "api", "forms"):
            found += [root / f"{kind}.py"] if (root / f"{kind}.py").exists() else []
            found += sorted((root / kind).glob("*.py")) if (root / kind).is_dir() else []
    return found


def test_pages_api_and_forms_read_through_selectors():
    modules = _page_modules()
    assert len(modules) > 10
    reads = [
        f"{path.relative_to(SRC)}:{number}"
        for path in modules
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\.objects\b", line)
    ]
    assert reads == []
