"""The results store: Parquet files in one folder, written as runs finish, read with pyarrow or DuckDB.

Layout of ``DIR``:

- ``experiment.toml``: the resolved experiment (see :mod:`.resolved`).
- ``runs.parquet``: one row per run: ``run_id``, ``point``, ``arm``, ``replicate``,
  ``seed``, one column per factor, ``status`` ("ok"/"error"), ``error``,
  ``wall_time_s``, ``orgmodel_version``, then every key of the run's summary
  (numbers as columns, yearly lists as ``list<double>``, anything else as JSON text).
- ``timeseries/``: a Parquet dataset of ``run_id`` plus the weekly columns,
  thinned to the experiment's ``keep`` (absent when only summaries are kept).

- ``manifest.jsonl``: size, checksum, rows and run ids of every file written
  (see :mod:`.integrity`), so damage is found rather than read.
- ``.lock``: held (``flock``) by the one process writing the store.

While an experiment runs, each finished run is written at once as its own
small files (``parts/run-<id>.parquet`` and ``timeseries/run-<id>.parquet``,
each written under a hidden name unique to the writer, recorded in the
manifest and renamed, so a file is whole or absent); :meth:`Store.compact`
merges them at the end. A killed experiment therefore loses only the runs in
flight, readers see every finished run whether or not it was compacted, and
the runner holds no results in memory. A second writer on the same folder is
refused while the first holds the lock; the kernel releases it when the
first dies, however it dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import os
import re
import time
import uuid
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from orgmodel import __version__
from orgmodel.experiments import integrity
from orgmodel.experiments.spec import Experiment, ExperimentError, parse_experiment
from orgmodel.invocation import orgmodel_command, quoted
from orgmodel.outputs import OutputError, check_out_dir, json_safe
from orgmodel.scenario.files import read_toml

if TYPE_CHECKING:
    import pandas as pd

    from orgmodel.experiments.plan import RunTask

EXPERIMENT_FILE = "experiment.toml"
RUNS_FILE = "runs.parquet"
PARTS = "parts"
TIMESERIES = "timeseries"
LOCK_FILE = ".lock"
#: the columns every run row starts with, before the factors
ID_COLUMNS = ("run_id", "point", "arm", "replicate", "seed")
#: the columns after the factors, before the summary
STATUS_COLUMNS = ("status", "error", "wall_time_s", "orgmodel_version")
_RUN_FILE = re.compile(r"^run-(\d+)\.parquet$")
_MERGED_FILE = re.compile(r"^part-(\d+)\.parquet$")
#: rows per merged timeseries file
CHUNK_ROWS = 250_000
#: threads reading a store's files (compaction runs after the workers stopped, so every core is free)
READERS = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 4)


class StoreError(ExperimentError):
    """The output folder cannot hold this experiment; one line saying why and what to do."""


# --- rows -------------------------------------------------------------------------------------------------
def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def _column(value: Any) -> pa.Array:
    """One value as a one-row Arrow column of the store's type for it."""
    if isinstance(value, (bool, np.bool_)):
        return pa.array([bool(value)], pa.bool_())
    if isinstance(value, (int, np.integer)):
        return pa.array([int(value)], pa.int64())
    if isinstance(value, (float, np.floating)):
        return pa.array([float(value)], pa.float64())
    if isinstance(value, str):
        return pa.array([value], pa.string())
    if isinstance(value, (list, tuple, np.ndarray)) and len(value) and all(_is_number(v) for v in value):
        return pa.array([[float(v) for v in value]], pa.list_(pa.float64()))
    if value is None:
        return pa.array([None], pa.null())
    return pa.array([json.dumps(json_safe(value), allow_nan=False)], pa.string())


def stored_value(value: Any) -> Any:
    """``value`` as it reads back from the store (e.g. a list of ints as floats, a list of tables as JSON text)."""
    return _column(value).to_pylist()[0]


def run_row(task: RunTask, error: str | None, wall_time_s: float, summary: dict[str, Any] | None) -> pa.Table:
    """The one-row ``runs`` table of a finished run (``error`` None means it succeeded)."""
    columns: dict[str, pa.Array] = {
        "run_id": pa.array([task.run_id], pa.int64()),
        "point": pa.array([task.point], pa.int64()),
        "arm": pa.array([task.arm], pa.string()),
        "replicate": pa.array([task.replicate], pa.int64()),
        "seed": pa.array([task.seed], pa.int64()),
    }
    for key, value in task.values.items():
        columns[key] = _column(value)
    columns["status"] = pa.array(["ok" if error is None else "error"], pa.string())
    columns["error"] = pa.array([error], pa.string())
    columns["wall_time_s"] = pa.array([wall_time_s], pa.float64())
    columns["orgmodel_version"] = pa.array([__version__], pa.string())
    for key, value in (summary or {}).items():
        if key not in columns:  # a summary key equal to a factor (e.g. structure) keeps the factor's column
            columns[key] = _column(value)
    return pa.table(columns)


def timeseries_table(run_id: int, timeseries: pd.DataFrame, keep_every: int) -> pa.Table:
    """A run's weekly table thinned to every ``keep_every``-th week, with its ``run_id`` first."""
    if keep_every > 1:
        weeks = timeseries["week"]
        # an interval beyond the horizon keeps no week (and never overflows numpy's integers)
        kept = timeseries[weeks % keep_every == 0] if len(weeks) and keep_every <= int(weeks.max()) else timeseries.iloc[0:0]
    else:
        kept = timeseries
    table = pa.Table.from_pandas(kept, preserve_index=False)
    return table.add_column(0, "run_id", pa.array(np.full(len(kept), run_id, dtype=np.int64)))


@dataclass(frozen=True)
class ParquetBytes:
    """A table already encoded as a Parquet file where it was made, and what the manifest records of it.

    A worker encodes its run's row and timeseries itself, so the runner only
    saves bytes: the encoding is spread over the workers instead of queued in
    the one runner process, and the bytes cross between processes without a
    pickled Arrow table's cost at both ends. They are exactly the bytes
    ``pq.write_table`` writes to a file.
    """

    data: bytes
    rows: int
    run_ids: tuple[int, ...]


def encoded(table: pa.Table, run_ids: Iterable[int] = ()) -> ParquetBytes:
    """``table`` as a Parquet file's bytes; ``run_ids``: runs it stands for beyond those its rows name."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    ids = tuple(sorted(set(table.column("run_id").to_pylist()) | set(run_ids)))
    return ParquetBytes(sink.getvalue().to_pybytes(), table.num_rows, ids)


# --- files ------------------------------------------------------------------------------------------------
def _tmp_name(path: Path) -> Path:
    """A hidden name beside ``path`` that no other writer uses (``.<name>.<pid>.<random>.tmp``)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


def _ids(folder: Path, pattern: re.Pattern[str]) -> dict[int, Path]:
    if not folder.is_dir():
        return {}
    out = {}
    for p in folder.iterdir():
        m = pattern.match(p.name)
        if m:
            out[int(m.group(1))] = p
    return out


def all_data_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """Every file holding run rows and every timeseries file, merged or per run, whether or not duplicated."""
    rows = [folder / RUNS_FILE] if (folder / RUNS_FILE).is_file() else []
    rows += [p for _, p in sorted(_ids(folder / PARTS, _RUN_FILE).items())]
    ts = folder / TIMESERIES
    series = [p for _, p in sorted(_ids(ts, _MERGED_FILE).items())] + [p for _, p in sorted(_ids(ts, _RUN_FILE).items())]
    return rows, series


def inspect_store(folder: Path, keeps_timeseries: bool) -> integrity.Damage:
    """Check the store's files against its manifest (a compaction meanwhile: check again)."""
    for attempt in range(3):
        try:
            return integrity.inspect(folder, *all_data_files(folder), keeps_timeseries=keeps_timeseries)
        except FileNotFoundError:
            if attempt == 2:
                raise
            time.sleep(0.2)
    raise AssertionError("unreachable")


def check_intact(folder: str | Path, exp: Experiment) -> None:
    """Refuse a damaged store (a StoreError saying what was found and how to run the damaged runs again)."""
    folder = Path(folder)
    try:
        damage = inspect_store(folder, exp.keep_every is not None)
    except OSError as exc:
        raise StoreError(f"cannot check the results in '{folder}': {exc.strerror or exc}") from None
    if damage:
        resolved = folder / EXPERIMENT_FILE
        raise StoreError(
            f"the results in '{folder}' are damaged: {damage.describe()}. Run them again with: "
            f"{orgmodel_command()} experiment run {quoted(resolved)} --out {quoted(folder)} --resume"
        )


def _scaffolding(path: Path) -> bool:
    """Whether ``path`` is what a store holds before its experiment file (left by a run killed while starting)."""
    name = path.name
    if name == LOCK_FILE or (name.startswith(".") and name.endswith(".tmp")):
        return True
    if name == integrity.MANIFEST:
        return path.is_file() and path.stat().st_size == 0
    if name in (PARTS, TIMESERIES):
        return path.is_dir() and not any(path.iterdir())
    return False


def _read(path: Path, columns: list[str] | None = None) -> pa.Table:
    """One Parquet file as a table: every column, or those of ``columns`` it has, in that order.

    ``ParquetFile.read`` gives the very table ``pq.read_table`` gives, for
    less: ``read_table`` also sets up a dataset for each file.
    """
    with pq.ParquetFile(path) as file:
        names = None if columns is None else [c for c in columns if c in file.schema_arrow.names]
        return file.read(columns=names)


def _tables(paths: Sequence[Path], columns: list[str] | None = None) -> Iterator[pa.Table]:
    """The tables of ``paths`` (see :func:`_read`), in order, a few read ahead on other threads.

    Compacting reads every run's small file once, after the workers have
    stopped: decoding one is mostly Arrow's C++ work, done without the GIL,
    so reading on every core shortens that wait. At most ``2 * READERS``
    tables are held ahead of the caller, so memory stays bounded.
    """
    if len(paths) < 2:
        yield from (_read(p, columns) for p in paths)
        return
    rest = iter(paths)
    with ThreadPoolExecutor(READERS, thread_name_prefix="orgmodel-store-read") as pool:
        ahead = deque(pool.submit(_read, p, columns) for p in itertools.islice(rest, 2 * READERS))
        while ahead:
            table = ahead.popleft().result()
            following = next(rest, None)
            if following is not None:
                ahead.append(pool.submit(_read, following, columns))
            yield table


def _column_ids(paths: Iterable[Path]) -> set[int]:
    ids: set[int] = set()
    for table in _tables(list(paths), ["run_id"]):
        ids.update(table.column("run_id").to_pylist())
    return ids


def run_files(folder: str | Path) -> list[Path]:
    """The files holding the ``runs`` rows: ``runs.parquet`` and the part files of runs not yet compacted into it."""
    folder = Path(folder)
    merged = folder / RUNS_FILE
    parts = _ids(folder / PARTS, _RUN_FILE)
    files = [merged] if merged.is_file() else []
    if files and parts:
        covered = _column_ids(files)
        parts = {i: p for i, p in parts.items() if i not in covered}
    return files + [parts[i] for i in sorted(parts)]


def timeseries_files(folder: str | Path) -> list[Path]:
    """The files of the timeseries dataset, without per-run files already merged into a part (after a crash)."""
    ts = Path(folder) / TIMESERIES
    merged = [p for _, p in sorted(_ids(ts, _MERGED_FILE).items())]
    single = _ids(ts, _RUN_FILE)
    if merged and single:
        covered = _column_ids(merged)
        single = {i: p for i, p in single.items() if i not in covered}
    return merged + [single[i] for i in sorted(single)]


def read_runs(folder: str | Path, columns: list[str] | None = None) -> pa.Table:
    """Every stored run row, one per run id, sorted by run id (only ``columns``, those that exist, if given)."""
    files = run_files(folder)
    if not files:
        return pa.table({c: pa.array([], t) for c, t in zip(ID_COLUMNS, _ID_TYPES, strict=True)})
    # merged a few hundred at a time: each run's one-row table holds its own buffers and schema (about 120 kB
    # in memory), so 10,000 part files held at once took 1.2 GB to merge into a file of a few MB
    groups: list[pa.Table] = []
    group: list[pa.Table] = []
    for part in _tables(files, columns):
        group.append(part)
        if len(group) == _MERGE_EVERY:
            groups.append(pa.concat_tables(group, promote_options="permissive").combine_chunks())
            group = []
    if group:
        groups.append(pa.concat_tables(group, promote_options="permissive").combine_chunks())
    table = pa.concat_tables(groups, promote_options="permissive")
    ids = table.column("run_id").to_numpy()
    _, first = np.unique(ids, return_index=True)
    return table.take(pa.array(first))


_ID_TYPES = (pa.int64(), pa.int64(), pa.string(), pa.int64(), pa.int64())
#: run rows merged into one table at a time by :func:`read_runs`
_MERGE_EVERY = 256


def read_experiment(folder: str | Path) -> Experiment:
    """The resolved experiment stored in ``folder`` (an ExperimentError if there is none)."""
    path = Path(folder) / EXPERIMENT_FILE
    if not path.is_file():
        raise StoreError(f"'{folder}' holds no experiment results (no {EXPERIMENT_FILE}); run `orgmodel experiment run` first")
    from orgmodel.scenario.files import ScenarioError

    try:
        data = read_toml(path, what="experiment file")
    except ScenarioError as exc:
        raise StoreError(str(exc)) from None
    return parse_experiment(data, where=str(path), folder=Path(folder))


class Store:
    """Writes one experiment's results into a folder as runs finish.

    Attributes:
        repaired: what :meth:`open` found damaged and set aside (its runs run again).

    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.parts = self.folder / PARTS
        self.timeseries = self.folder / TIMESERIES
        self.repaired = integrity.Damage()
        self._recording = False

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's lock (creating the folder): a second writer gets a StoreError at once, not a race."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fh = (self.folder / LOCK_FILE).open("a+", encoding="utf-8")
        except OSError as exc:
            raise StoreError(f"cannot write output folder '{self.folder}': {exc.strerror or exc}") from None
        try:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.seek(0)
                holder = fh.read().strip()
                who = f" (pid {holder})" if holder.isdigit() else ""
                raise StoreError(
                    f"another orgmodel process{who} is writing to '{self.folder}': wait for it to finish "
                    "(then add --resume if runs are missing), or choose another --out"
                ) from None
            fh.seek(0)
            fh.truncate()
            fh.write(str(os.getpid()))
            fh.flush()
            yield
        finally:
            fh.close()  # releases the lock

    def check(self, exp: Experiment, resume: bool) -> None:
        """Refuse a folder that cannot take ``exp`` (a StoreError), before anything is written or started.

        A new or empty folder is fine; a folder that holds this experiment
        is fine with ``resume``; anything else is refused, so nothing already
        written is lost.
        """
        folder = self.folder
        try:
            check_out_dir(folder)  # a file, a read-only place or a name too long: before any run
        except OutputError as exc:
            raise StoreError(str(exc)) from None
        if (folder / EXPERIMENT_FILE).is_file():
            if not resume:
                try:
                    n = f" ({len(self.done_ids())} runs)"
                except Exception:  # a damaged file: --resume finds and repairs it
                    n = ""
                raise StoreError(
                    f"output folder '{folder}' already holds experiment results{n}: add --resume to run only "
                    "the missing runs, or choose another --out"
                )
            self._check_same(exp, read_experiment(folder))
        elif folder.is_dir() and not all(_scaffolding(p) for p in folder.iterdir()):
            raise StoreError(f"output folder '{folder}' is not empty and holds no experiment; choose a new or empty folder")

    def open(self, exp: Experiment, resume: bool) -> set[int]:
        """Prepare the folder for ``exp`` (see :meth:`check`) and return the run ids already stored."""
        from orgmodel.experiments.resolved import dump_experiment_toml

        self.check(exp, resume)
        stored = self.folder / EXPERIMENT_FILE
        try:
            self.parts.mkdir(parents=True, exist_ok=True)
            if exp.keep_every is not None:
                self.timeseries.mkdir(exist_ok=True)
            if not stored.is_file():
                (self.folder / integrity.MANIFEST).touch()  # a new store records every file it writes
                tmp = _tmp_name(stored)
                tmp.write_text(dump_experiment_toml(exp), encoding="utf-8")
                os.replace(tmp, stored)
            self._recording = (self.folder / integrity.MANIFEST).is_file()
            self._tidy_tmp()
            self.repaired = inspect_store(self.folder, exp.keep_every is not None)
            self._set_aside(self.repaired)
        except OSError as exc:
            raise StoreError(f"cannot write output folder '{self.folder}': {exc.strerror or exc}") from None
        done = self.done_ids() - self.repaired.run_ids
        self._tidy(done)
        return done

    def _set_aside(self, damage: integrity.Damage) -> None:
        """Move damaged files into ``damaged/<time>/`` (nothing a user might want is deleted)."""
        if not damage.paths:
            return
        where = self.folder / integrity.DAMAGED / time.strftime("%Y%m%d-%H%M%S")
        where.mkdir(parents=True, exist_ok=True)
        for path in damage.paths:
            target = where / path.relative_to(self.folder).as_posix().replace("/", "-")
            os.replace(path, target)

    @staticmethod
    def _check_same(exp: Experiment, stored: Experiment) -> None:
        """Resume only the same experiment: same scenarios, factors, design, replications, seed and keep."""
        diff = _first_difference(stored.identity(), exp.identity())
        if diff is not None:
            where, old, new = diff
            raise StoreError(
                f"cannot resume: the output folder holds a different experiment ({where} is {_brief(old)} there "
                f"and {_brief(new)} now); choose another --out"
            )

    def done_ids(self) -> set[int]:
        """Run ids with a stored row (succeeded or failed)."""
        merged = self.folder / RUNS_FILE
        ids = set(_ids(self.parts, _RUN_FILE))
        if merged.is_file():
            ids |= _column_ids([merged])
        return ids

    def _tidy_tmp(self) -> None:
        """Remove the hidden temporary files a killed writer left (safe: this process holds the lock)."""
        for folder in (self.folder, self.parts, self.timeseries):
            if folder.is_dir():
                for p in folder.glob(".*.tmp"):
                    p.unlink(missing_ok=True)

    def _tidy(self, done: set[int]) -> None:
        """Remove timeseries of runs without a row (a killed run wrote one but not the other) or to run again."""
        for run_id, path in _ids(self.timeseries, _RUN_FILE).items():
            if run_id not in done:
                path.unlink(missing_ok=True)

    def write(self, row: pa.Table | ParquetBytes, timeseries: pa.Table | ParquetBytes | None) -> None:
        """Store one finished run: its timeseries first, then its row (the row marks the run as done)."""
        run_id = row.run_ids[0] if isinstance(row, ParquetBytes) else row.column("run_id")[0].as_py()
        if timeseries is not None:
            self._write(timeseries, self.timeseries / f"run-{run_id:08d}.parquet", [run_id])
        self._write(row, self.parts / f"run-{run_id:08d}.parquet")

    def _write(self, table: pa.Table | ParquetBytes, path: Path, run_ids: list[int] | None = None) -> None:
        """Write under a hidden name, record it in the manifest, then rename: a reader or a crash never sees half a file."""
        tmp = _tmp_name(path)
        try:
            if isinstance(table, ParquetBytes):
                tmp.write_bytes(table.data)
                rows, ids = table.rows, {*table.run_ids, *(run_ids or ())}
            else:
                pq.write_table(table, tmp)
                rows, ids = table.num_rows, {*table.column("run_id").to_pylist(), *(run_ids or ())}
            if self._recording:
                integrity.record(self.folder, integrity.entry(self.folder, path, tmp, rows, ids))
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def compact(self) -> None:
        """Merge the per-run files: all rows into ``runs.parquet``, timeseries into parts of about CHUNK_ROWS rows.

        Each merged file is written before the files it replaces are deleted,
        so a crash here loses nothing; readers skip the duplicates such a
        crash can leave, and the next compaction removes them.
        """
        parts = _ids(self.parts, _RUN_FILE)
        if parts:
            self._write(read_runs(self.folder), self.folder / RUNS_FILE)
            for path in parts.values():
                path.unlink(missing_ok=True)
        self._compact_timeseries()
        if self._recording:
            rows, series = all_data_files(self.folder)
            integrity.rewrite_manifest(self.folder, rows + series)

    def _compact_timeseries(self) -> None:
        merged = _ids(self.timeseries, _MERGED_FILE)
        single = _ids(self.timeseries, _RUN_FILE)
        if not single:
            return
        if merged:
            covered = _column_ids(merged.values())
            for run_id in [i for i in single if i in covered]:
                single.pop(run_id).unlink(missing_ok=True)
        next_part = max(merged, default=-1) + 1
        batch: list[Path] = []
        tables: list[pa.Table] = []
        rows = 0
        ordered = [single[run_id] for run_id in sorted(single)]
        for path, table in zip(ordered, _tables(ordered), strict=True):
            batch.append(path)
            tables.append(table)
            rows += table.num_rows
            if rows >= CHUNK_ROWS:
                self._merge(tables, batch, next_part)
                next_part += 1
                batch, tables, rows = [], [], 0
        if tables:
            self._merge(tables, batch, next_part)

    def _merge(self, tables: list[pa.Table], files: list[Path], number: int) -> None:
        ids = [int(m.group(1)) for p in files if (m := _RUN_FILE.match(p.name))]
        self._write(pa.concat_tables(tables, promote_options="permissive"), self.timeseries / f"part-{number:05d}.parquet", ids)
        for path in files:
            path.unlink(missing_ok=True)


def _first_difference(old: Any, new: Any, where: str = "") -> tuple[str, Any, Any] | None:
    """The first place two nested dicts differ: (dotted path, old value, new value), or None if equal."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            found = _first_difference(old.get(key), new.get(key), f"{where}.{key}" if where else str(key))
            if found is not None:
                return found
        return None
    return None if old == new else (where, old, new)


def _brief(value: Any) -> str:
    if value is None:
        return "not set"
    text = json.dumps(json_safe(value), default=str)
    return text if len(text) <= 60 else text[:57] + "..."


__all__ = [
    "EXPERIMENT_FILE",
    "ID_COLUMNS",
    "PARTS",
    "RUNS_FILE",
    "STATUS_COLUMNS",
    "TIMESERIES",
    "ParquetBytes",
    "Store",
    "StoreError",
    "encoded",
    "read_experiment",
    "read_runs",
    "run_files",
    "run_row",
    "stored_value",
    "timeseries_files",
    "timeseries_table",
]
