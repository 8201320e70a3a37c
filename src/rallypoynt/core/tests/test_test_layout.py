"""Test support lives in support modules, not in tests: no test module imports another one
(helpers go to `<app>/tests/factories.py` or `core/testing.py`), and every app with models has
a `tests/factories.py`."""

from __future__ import annotations

import ast
from pathlib import Path

import rallypoynt
from rallypoynt.core.testing import PROJECT_ROOT, project_test_files

PACKAGE = Path(rallypoynt.__file__).parent


def imported_modules(node: ast.AST) -> list[str]:
    """The dotted names an import statement reads (`from a import b` reads a and a.b)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        # `from .tests import test_x` names the test module as the imported name
        base = node.module or ""
        return [base] + [f"{base}.{alias.name}" for alias in node.names]
    return []


def test_module_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) for each import of a `test_*` module in `path`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        for name in imported_modules(node):
            if name.rpartition(".")[2].startswith("test_"):
                found.append((node.lineno, name))
                break
    return sorted(found)


test_module_imports.__test__ = False  # a helper, not a test


def test_no_test_module_imports_another():
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{line} imports {name}"
        for path in project_test_files()
        for line, name in test_module_imports(path)
    ]
    assert not offenders, "move the helper to factories.py or core/testing.py:\n" + "\n".join(
        offenders
    )


def test_the_check_sees_every_kind_of_import(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "import rallypoynt.orgs.tests.test_views\n"
        "from rallypoynt.orgs.tests.test_views import client_for\n"
        "from rallypoynt.orgs.tests import test_views\n"
        "def f():\n    from .test_views import page\n"
        "from rallypoynt.orgs.tests.factories import MembershipFactory\n"
        "from rallypoynt.core.testing import client_for\n"
    )
    assert [line for line, _ in test_module_imports(sample)] == [1, 2, 3, 5]


def apps_with_models() -> list[str]:
    """The apps under src/rallypoynt that define models (a models module or package)."""
    return sorted(
        app.name
        for app in PACKAGE.iterdir()
        if (app / "models.py").exists() or (app / "models" / "__init__.py").exists()
    )


def test_every_app_with_models_has_factories():
    apps = apps_with_models()
    assert {"accounts", "contacts", "core", "journeys", "orgs", "transactions"} <= set(apps)
    missing = [app for app in apps if not (PACKAGE / app / "tests" / "factories.py").exists()]
    assert not missing, f"add tests/factories.py to: {', '.join(missing)}"
