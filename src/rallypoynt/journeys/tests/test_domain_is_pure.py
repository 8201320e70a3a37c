"""journeys/domain/ is pure code (docs/conventions.md): no ORM, no request, no clock."""

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[1] / "domain"
# What a pure module may not import: the database, requests, the clock, or code that uses them.
FORBIDDEN = ("django.db", "django.http", "django.utils.timezone", "rallypoynt.core.clock")
FORBIDDEN_TAILS = ("models", "selectors", "services", "views", "api")


def _imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


def test_domain_modules_import_no_database_request_or_clock():
    modules = sorted(DOMAIN.glob("*.py"))
    assert len(modules) > 1
    impure = [
        f"{path.name} imports {name}"
        for path in modules
        for name in _imports(path)
        if name.startswith(FORBIDDEN)
        or (name.startswith("rallypoynt.") and set(name.split(".")) & set(FORBIDDEN_TAILS))
    ]
    assert impure == []
