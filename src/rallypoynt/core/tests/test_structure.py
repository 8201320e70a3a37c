"""The skeleton holds (docs/conventions.md): one way to split a module, one URL list per app,
packages that say what they export, cross-app imports through those packages, names that
grep to one thing, and pages, API and forms that read tenant rows only through selectors."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

from rallypoynt.api.api import ENDPOINT_SUFFIX, api

SRC = Path(__file__).resolve().parents[2]
APPS = sorted(p.name for p in SRC.iterdir() if (p / "apps.py").exists())
KINDS = ("api", "selectors", "services", "views", "forms", "tasks", "models", "domain")
SIBLING = re.compile(rf"^({'|'.join(KINDS)})_\w+\.py$")
EXPORTING = ("selectors", "services", "forms", "domain")


def _modules(app: str) -> list[Path]:
    return [
        path
        for path in sorted((SRC / app).rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(SRC / app).parts)
    ]


def _patterns(patterns=None):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace != "api":
                yield from _patterns(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            yield entry


def test_a_grown_module_is_a_package_not_a_row_of_siblings():
    siblings = [
        str(path.relative_to(SRC))
        for app in APPS
        for path in _modules(app)
        if SIBLING.match(path.name)
    ]
    assert siblings == [], "move each into its package"


def test_an_app_with_pages_keeps_its_url_list_in_urls_py():
    with_views = [app for app in APPS if (SRC / app / "views").is_dir()]
    assert [app for app in with_views if not (SRC / app / "urls.py").exists()] == []
    carrying = [
        str(path.relative_to(SRC))
        for app in with_views
        for path in (SRC / app / "views").glob("*.py")
        if "urlpatterns" in path.read_text()
    ]
    assert carrying == []


def test_a_package_lists_what_other_apps_may_import():
    bare = [
        f"{app}/{kind}/__init__.py"
        for app in APPS
        for kind in EXPORTING
        if (SRC / app / kind / "__init__.py").exists()
        and "__all__" not in (SRC / app / kind / "__init__.py").read_text()
    ]
    assert bare == []


def _topic_imports(path: Path, app: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        parts = node.module.split(".")
        # rallypoynt.<other app>.<package>.<topic>
        other_app = len(parts) >= 4 and parts[0] == "rallypoynt" and parts[1] != app
        if other_app and parts[2] in EXPORTING and (SRC / parts[1] / parts[2]).is_dir():
            found.append(f"{path.relative_to(SRC)}:{node.lineno} {node.module}")
    return found


def test_another_app_imports_from_the_package_not_its_topic_modules():
    found = [hit for app in APPS for path in _modules(app) for hit in _topic_imports(path, app)]
    found += [
        hit
        for path in (SRC / "cli.py", *sorted((SRC / "demo").glob("*.py")))
        for hit in _topic_imports(path, "")
    ]
    assert found == []


def test_every_page_view_ends_in_view():
    views = [
        p.callback
        for p in _patterns()
        if p.callback.__module__.startswith("rallypoynt.") and not hasattr(p.callback, "view_class")
    ]
    assert len(views) > 100
    wrong = sorted(
        f"{v.__module__}.{v.__name__}" for v in views if not v.__name__.endswith("_view")
    )
    assert wrong == []


def test_every_api_operation_ends_in_endpoint():
    names = [
        operation.view_func.__name__
        for _prefix, router in api._routers
        for path_view in router.path_operations.values()
        for operation in path_view.operations
    ]
    assert len(names) >= 146
    assert [n for n in names if not n.endswith(ENDPOINT_SUFFIX)] == []


def test_operation_ids_are_unique_across_the_api():
    ids = [
        operation["operationId"]
        for path in api.get_openapi_schema()["paths"].values()
        for operation in path.values()
    ]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_no_service_or_selector_shares_a_name_with_a_view_or_endpoint():
    defined = set()
    for app in APPS:
        for path in _modules(app):
            if path.relative_to(SRC / app).parts[0].startswith(("services", "selectors")):
                tree = ast.parse(path.read_text())
                defined |= {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    views = {p.callback.__name__ for p in _patterns()}
    assert defined & views == set()


def test_pages_api_and_forms_read_tenant_rows_only_through_selectors():
    reads = [
        f"{path.relative_to(SRC)}:{number}"
        for app in APPS
        for path in _modules(app)
        if path.relative_to(SRC / app).parts[0].removesuffix(".py") in ("views", "api", "forms")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\.objects\b", line)
    ]
    assert reads == []


def test_an_exported_name_never_hides_a_topic_module_of_the_same_name():
    import importlib

    hidden = []
    for app in APPS:
        for kind in EXPORTING:
            if not (SRC / app / kind / "__init__.py").exists():
                continue
            package = importlib.import_module(f"rallypoynt.{app}.{kind}")
            for name in package.__all__:
                topic = SRC / app / kind / f"{name}.py"
                value = getattr(package, name)
                if topic.exists() and not isinstance(value, type(package)):
                    hidden.append(f"{app}/{kind}/{name}")
    assert hidden == [], "rename the topic module: importing it would replace the export"
