"""Built-in scenarios: one flat TOML file each in this folder, named by its file name.

Each file sets ``name`` and ``description`` and only the keys it changes from
the defaults. ``orgmodel run <name>`` runs one; ``orgmodel scenarios`` lists them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from orgmodel.scenario.schema import Scenario

FOLDER = Path(__file__).resolve().parent
DEFAULT = "status_quo"


def names() -> list[str]:
    """Names of the built-in scenarios, sorted (the status quo first)."""
    found = sorted(p.stem for p in FOLDER.glob("*.toml"))
    return sorted(found, key=lambda n: (n != DEFAULT, n))


def path(name: str) -> Path:
    """The TOML file of built-in scenario ``name`` (a ScenarioError listing the names if unknown)."""
    if name not in names():
        from orgmodel.scenario.files import ScenarioError

        raise ScenarioError(f"unknown built-in scenario {name!r}; built-ins: {', '.join(names())}")
    return FOLDER / f"{name}.toml"


def list_builtins() -> list[tuple[str, str]]:
    """``(name, description)`` of each built-in scenario."""
    from orgmodel.scenario.files import read_toml

    return [(name, str(read_toml(path(name)).get("description", ""))) for name in names()]


def load_builtin(name: str, overrides: list[str] | dict[str, Any] | None = None) -> Scenario:
    """Built-in scenario ``name``, optionally with ``key=value`` overrides."""
    from orgmodel.scenario.files import load_scenario

    path(name)  # unknown names fail with the list of built-ins
    return load_scenario(name, overrides)


__all__ = ["DEFAULT", "list_builtins", "load_builtin", "names", "path"]
