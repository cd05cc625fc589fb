"""How to call orgmodel in a printed hint, so that the hint works when pasted as printed.

``orgmodel`` is on the PATH only while the virtual environment is active; a
newcomer who ran ``make run`` has not activated it. Hints therefore name the
command the way it will work: plain ``orgmodel`` when that is this very
installation, else the environment's script (``.venv/bin/orgmodel``), else
``python -m orgmodel`` with this interpreter.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path


def _shown(path: Path) -> str:
    """``path`` relative to the current folder when inside it (``.venv/bin/orgmodel``), else absolute; shell-quoted."""
    try:
        rel = path.relative_to(Path.cwd())
        text = str(rel) if len(rel.parts) > 1 else f".{os.sep}{rel}"
    except ValueError:
        text = str(path)
    return shlex.quote(text)


def orgmodel_command() -> str:
    """The command that runs this orgmodel from the user's shell as it is now."""
    script = Path(sys.executable).with_name("orgmodel")
    found = shutil.which("orgmodel")
    if found and script.is_file() and Path(found).resolve() == script.resolve():
        return "orgmodel"
    if script.is_file():
        return _shown(script.absolute())
    return f"{_shown(Path(sys.executable).absolute())} -m orgmodel"


def quoted(path: str | Path) -> str:
    """A path as a shell word."""
    return shlex.quote(str(path))


__all__ = ["orgmodel_command", "quoted"]
