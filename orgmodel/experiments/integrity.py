"""What the results store wrote, and whether its files are still what was written.

Every Parquet file the store writes is recorded, before it is renamed into
place, as one line of ``manifest.jsonl``: its path in the store, size,
SHA-256, row count and the run ids it holds. A file on disk whose size and
checksum match none of its recorded lines was truncated, corrupted or put
there by something else; the runs it held are damaged. A successful run whose
timeseries is in no intact file is damaged too. ``--resume`` moves damaged
files aside (into ``damaged/``, nothing is deleted) and runs those runs again;
readers (``results query``, ``report``, ``run --from-experiment``) refuse a
damaged store with one line saying what was found and how to repair it.

Recording before renaming means a reader never sees a file without its line;
a line without a file is a write a kill interrupted, and harmless. Stores
written before manifests existed have none and are not checked.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

MANIFEST = "manifest.jsonl"
DAMAGED = "damaged"
_BLOCK = 1 << 20


def digest(path: Path) -> tuple[int, str]:
    """A file's size in bytes and SHA-256 (hex)."""
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK):
            sha.update(block)
            size += len(block)
    return size, sha.hexdigest()


def entry(folder: Path, path: Path, written: Path, rows: int, run_ids: Iterable[int]) -> dict[str, Any]:
    """The manifest line of a file of ``rows`` rows, written to ``written`` and about to become ``path`` in ``folder``.

    ``run_ids``: the runs the file stands for (those its rows name, and a timeseries' run even if it kept no week).
    """
    size, sha = digest(written)
    ids = sorted(set(run_ids))
    return {"file": path.relative_to(folder).as_posix(), "bytes": size, "sha256": sha, "rows": rows, "run_ids": ids}


def record(folder: Path, line: dict[str, Any]) -> None:
    """Append one line to the store's manifest (the store's lock makes this process its only writer)."""
    with (folder / MANIFEST).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, separators=(",", ":")) + "\n")
        fh.flush()


def read_manifest(folder: Path) -> dict[str, list[dict[str, Any]]] | None:
    """The recorded lines by file, or None if the store has no manifest (written before manifests existed).

    A line a kill cut short is skipped: the file it described then counts as unrecorded.
    """
    path = folder / MANIFEST
    if not path.is_file():
        return None
    lines: dict[str, list[dict[str, Any]]] = {}
    for text in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            line = json.loads(text)
            lines.setdefault(str(line["file"]), []).append(line)
        except (ValueError, KeyError, TypeError):
            continue
    return lines


def rewrite_manifest(folder: Path, files: list[Path]) -> None:
    """Keep only the lines that describe ``files`` as they are now (after a compaction deleted the merged ones)."""
    lines = read_manifest(folder)
    if lines is None:
        return
    kept = []
    for path in files:
        try:
            size, sha = digest(path)
        except FileNotFoundError:
            continue
        rel = path.relative_to(folder).as_posix()
        kept += [line for line in lines.get(rel, []) if line["bytes"] == size and line["sha256"] == sha][:1]
    tmp = folder / f".{MANIFEST}.{os.getpid()}.tmp"
    tmp.write_text("".join(json.dumps(line, separators=(",", ":")) + "\n" for line in kept), encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)


@dataclass
class Damage:
    """What a store check found: damaged files (name, what is wrong), the runs to run again, the files to set aside."""

    files: list[tuple[str, str]] = field(default_factory=list)
    run_ids: set[int] = field(default_factory=set)
    paths: list[Path] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.files)

    def describe(self) -> str:
        """One line: the damaged files and how many runs they cost."""
        shown = ", ".join(f"{name} ({why})" for name, why in self.files[:5])
        more = f" and {len(self.files) - 5} more files" if len(self.files) > 5 else ""
        runs = len(self.run_ids)
        return f"{shown}{more}; {runs} run{'s' if runs != 1 else ''} to run again"


def _ids_of(name: str, lines: list[dict[str, Any]]) -> set[int]:
    """The run ids a damaged file held: every id its recorded lines name, or the id in a per-run file's name."""
    ids = {int(i) for line in lines for i in line.get("run_ids", ())}
    stem = Path(name).stem
    if not ids and stem.startswith("run-") and stem[4:].isdigit():
        ids.add(int(stem[4:]))
    return ids


def _why(path: Path, size: int, lines: list[dict[str, Any]]) -> str:
    if not lines:
        return "not recorded in the manifest"
    if all(size < line["bytes"] for line in lines):
        return f"truncated: {size} of {max(line['bytes'] for line in lines)} bytes"
    return "checksum differs from the one recorded"


def inspect(folder: Path, row_files: list[Path], timeseries_files: list[Path], keeps_timeseries: bool) -> Damage:
    """Check every data file of the store against the manifest (see the module's docstring).

    Args:
        folder: the store.
        row_files: every file holding run rows (merged and per run).
        timeseries_files: every timeseries file (merged parts and per run).
        keeps_timeseries: whether the experiment keeps timeseries (a successful run without one is damaged).

    Raises:
        FileNotFoundError: a file vanished while checking (a compaction ran meanwhile); check again.

    """
    lines = read_manifest(folder)
    damage = Damage()
    if lines is None:
        return damage
    intact: dict[str, set[int]] = {"rows": set(), "timeseries": set()}
    lost: dict[str, set[int]] = {"rows": set(), "timeseries": set()}
    good_rows: list[Path] = []
    for kind, files in (("rows", row_files), ("timeseries", timeseries_files)):
        for path in files:
            rel = path.relative_to(folder).as_posix()
            size, sha = digest(path)
            recorded = lines.get(rel, [])
            match = next((line for line in recorded if line["bytes"] == size and line["sha256"] == sha), None)
            if match is None:
                damage.files.append((rel, _why(path, size, recorded)))
                damage.paths.append(path)
                lost[kind] |= _ids_of(rel, recorded)
            else:
                intact[kind] |= set(match.get("run_ids", ()))
                if kind == "rows":
                    good_rows.append(path)
    damage.run_ids = (lost["rows"] - intact["rows"]) | (lost["timeseries"] - intact["timeseries"])
    if keeps_timeseries and good_rows:
        ok = set()
        for path in good_rows:
            table = pq.read_table(path, columns=["run_id", "status"])
            ok |= {
                i
                for i, s in zip(table.column("run_id").to_pylist(), table.column("status").to_pylist(), strict=True)
                if s == "ok"
            }
        missing = sorted(ok - intact["timeseries"] - damage.run_ids)
        if missing:
            shown = ", ".join(map(str, missing[:5])) + (" ..." if len(missing) > 5 else "")
            damage.files.append((f"timeseries of run{'s' if len(missing) > 1 else ''} {shown}", "missing"))
            damage.run_ids |= set(missing)
    return damage


__all__ = ["DAMAGED", "MANIFEST", "Damage", "digest", "entry", "inspect", "read_manifest", "record", "rewrite_manifest"]
