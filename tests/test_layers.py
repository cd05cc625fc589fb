"""The package's layers import downwards only: no module imports the command line back.

``orgmodel/cli.py`` is the front that registers every command group; the groups
(experiments, results, crm, calibrate, discover, robustness, workshop) live in their
own modules. If one of them imports ``orgmodel.cli`` (even lazily, inside a function)
the two import each other: loading order then decides what works, and the command
modules cannot be used without the whole CLI. The model layer must not know about any
front at all (the command line, the dashboard, the workshop), so that notebooks and
``batch_run`` use it alone.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "orgmodel"


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (lazy imports inside functions count)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def modules_importing(prefixes: tuple[str, ...], under: Path) -> list[str]:
    found = []
    for path in sorted(under.rglob("*.py")):
        hits = [m for m in imported_modules(path) if any(m == p or m.startswith(p + ".") for p in prefixes)]
        if hits:
            found.append(f"{path.relative_to(PACKAGE.parent)} imports {sorted(hits)}")
    return found


def test_only_the_entry_point_imports_the_command_line() -> None:
    found = modules_importing(("orgmodel.cli",), PACKAGE)
    assert found == ["orgmodel/__main__.py imports ['orgmodel.cli', 'orgmodel.cli.main']"]


def test_the_model_layer_knows_no_front() -> None:
    fronts = ("orgmodel.cli", "orgmodel.dashboard", "orgmodel.workshop", "orgmodel.experiments", "orgmodel.calibration")
    assert modules_importing(fronts, PACKAGE / "model") == []
