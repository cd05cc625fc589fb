"""A temporary checkout of another commit, so two versions of the model run in one benchmark run.

``equivalence.py`` and ``bench_core.py --against REF`` both compare the working tree with an
earlier commit. The earlier commit is checked out as a detached ``git worktree`` under the
system's temporary folder (never inside the repository) and removed again afterwards, even
when the benchmark fails; its model runs in a subprocess of the same virtual environment with
``PYTHONPATH`` pointing at the checkout, so both versions share the interpreter, the libraries
and the machine conditions of the moment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class RefError(ValueError):
    """The reference commit cannot be resolved (bad ``--against``)."""


def _git(*args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RefError(proc.stderr.strip() or f"git {' '.join(args)} failed")
    return proc.stdout.strip()


def resolve(ref: str) -> str:
    """The full commit hash of ``ref`` (RefError with one clear line if it names no commit)."""
    try:
        return _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except RefError:
        raise RefError(f"--against: {ref!r} is not a commit of this repository (a branch, tag, hash or e.g. main~20)") from None


def describe_working_tree() -> dict[str, object]:
    """Commit and whether ``orgmodel/`` has uncommitted changes: what 'the working tree' means in a report."""
    return {
        "commit": _git("rev-parse", "--short", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--", "orgmodel")),
        "root": str(ROOT),
    }


@contextmanager
def checkout(ref: str) -> Iterator[Path]:
    """Check ``ref`` out into a temporary detached worktree; yield its root; remove it afterwards."""
    commit = resolve(ref)
    parent = Path(tempfile.mkdtemp(prefix="orgmodel-ref-"))
    where = parent / commit[:12]
    _git("worktree", "add", "--detach", "--quiet", str(where), commit)
    try:
        yield where
    finally:
        try:
            _git("worktree", "remove", "--force", str(where))
        except RefError:
            _git("worktree", "prune")
        if parent.exists():
            shutil.rmtree(parent, ignore_errors=True)


def env_for(root: Path) -> dict[str, str]:
    """The environment of a subprocess that must import ``orgmodel`` from ``root``.

    ``PYTHONPATH`` comes before site-packages (and the editable install's path entry), so the
    checkout's package wins; the subprocess checks that it did (see ``assert_imported_from``).
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def assert_imported_from(root: str | Path) -> None:
    """Fail loudly if ``orgmodel`` was imported from somewhere other than ``root``."""
    import orgmodel

    got = Path(orgmodel.__file__).resolve().parent.parent
    if got != Path(root).resolve():
        sys.stderr.write(f"orgmodel imported from {got}, expected {root}\n")
        raise SystemExit(3)
