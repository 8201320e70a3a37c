"""No cross-app import hides inside a function, except where Django is not ready yet.

The layer contract (`lint-imports`, pyproject.toml) sees function-level imports too; this test
keeps them out of sight-lines anyway: an app's dependencies are read at the top of its modules.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Django is not set up while these run: the CLI parses arguments first, and `AppConfig.ready`
# must not import models at module import time.
LAZY_ALLOWED = ("cli.py", "apps.py", "commands", "commands.py")


def _function_imports(path: Path) -> list[str]:
    app = path.relative_to(ROOT).parts[0]
    found = []
    for fn in ast.walk(ast.parse(path.read_text())):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            module = getattr(node, "module", None) if isinstance(node, ast.ImportFrom) else None
            if module and module.startswith("rallypoynt.") and module.split(".")[1] != app:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {module}")
    return found


def test_cross_app_imports_sit_at_the_top_of_the_module():
    hidden = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts or any(p in LAZY_ALLOWED for p in parts):
            continue
        hidden += _function_imports(path)
    assert hidden == []
