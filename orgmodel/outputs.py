"""Writing a run's outputs to a folder, all or nothing.

:func:`write_run` writes every file into a hidden staging folder on the same
file system as the output folder and puts them in place only once all of them
were written, so a failure never deletes or half-overwrites what the output
folder held before:

- a new output folder: the staging folder is made beside it and renamed to it
  in one step, so the folder appears whole or not at all;
- an existing one (also a mount point, or the current folder): the staging
  folder is made inside it, the names are checked first (a folder in the way
  is refused before anything moves), the old files are moved aside into the
  staging folder and the new ones in; a failure moves the old ones back. A
  journal in the staging folder lets the next run undo a swap that a kill
  interrupted.

Staging folders are named ``.orgmodel-partial-<pid>-<random>``; each run
first removes (or rolls back) those of processes that no longer exist, so a
killed run leaves nothing behind for long. Files in the output folder that a
run does not write are left alone.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from orgmodel import __version__
from orgmodel.scenario.files import dump_scenario_toml

if TYPE_CHECKING:
    from orgmodel.simulate import SimulationResult

OUTPUT_FILES = ("timeseries.parquet", "staff.parquet", "summary.json", "scenario.toml", "overview.png")


class OutputError(Exception):
    """The outputs cannot be written; ``str(error)`` says where and why in one line."""


def folder_name(name: str) -> str:
    """A scenario or experiment name as a safe folder name (the default under ``out/``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "run"


def json_safe(value: Any) -> Any:
    """``value`` with NaN and infinities as None and numpy types as plain Python."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def summary_json(result: SimulationResult) -> str:
    """The run's summary as JSON, with its seed and the orgmodel version."""
    data = {**result.summary, "seed": result.seed, "orgmodel_version": __version__}
    return json.dumps(json_safe(data), indent=2, allow_nan=False) + "\n"


#: prefix of the hidden staging folders (followed by the writing process's id)
STAGING_PREFIX = ".orgmodel-partial-"
_OLD = ".old"
_JOURNAL = ".swap.json"
#: room kept in a path for the staging folder's name
_STAGING_ROOM = 40


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def _staging_pid(path: Path) -> int | None:
    rest = path.name[len(STAGING_PREFIX) :]
    head = rest.split("-", 1)[0]
    return int(head) if head.isdigit() else None


def _roll_back(staging: Path, folder: Path) -> None:
    """Undo a swap a killed run left half done: every output name as it was before the run."""
    journal = staging / _JOURNAL
    if not journal.is_file():
        return  # killed before the swap began: the folder was never touched
    try:
        existed = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    old = staging / _OLD
    for name in OUTPUT_FILES:
        if name in existed:
            if (old / name).exists():
                os.replace(old / name, folder / name)
        elif not (staging / name).exists():  # the new file was moved in; there was none before
            (folder / name).unlink(missing_ok=True)


def clean_stale_staging(folder: Path) -> None:
    """Remove the staging folders of runs that were killed, rolling back a swap one of them left half done.

    ``folder`` is where staging folders are made: an output folder's parent
    (staging beside a new folder) or the output folder itself.
    """
    if not folder.is_dir():
        return
    for path in folder.glob(STAGING_PREFIX + "*"):
        pid = _staging_pid(path)
        if pid is None or pid == os.getpid() or pid_alive(pid) or not path.is_dir():
            continue
        with contextlib.suppress(OSError):
            _roll_back(path, folder)
        shutil.rmtree(path, ignore_errors=True)


def _nearest_existing(full: Path) -> Path:
    probe = full
    while probe != probe.parent:
        try:
            if probe.exists():
                break
        except OSError:  # e.g. a name too long to look up
            pass
        probe = probe.parent
    return probe


def _check_name_lengths(out: Path, full: Path, existing: Path) -> None:
    try:
        name_max = os.pathconf(existing, "PC_NAME_MAX")
        path_max = os.pathconf(existing, "PC_PATH_MAX")
    except (OSError, ValueError):
        name_max, path_max = 255, 4096
    for part in full.parts:
        if len(os.fsencode(part)) > name_max:
            shown = part if len(part) <= 40 else part[:37] + "..."
            raise OutputError(
                f"output folder '{out}': the name '{shown}' is {len(os.fsencode(part))} bytes long, "
                f"this file system allows {name_max}; choose a shorter --out"
            )
    longest = max(len(n) for n in OUTPUT_FILES)
    if len(os.fsencode(str(full))) + _STAGING_ROOM + longest > path_max:
        raise OutputError(f"output folder '{out}': the path is too long for this file system ({path_max} bytes at most)")


def check_out_dir(out_dir: str | Path) -> None:
    """Raise OutputError if ``out_dir`` cannot be created or written, checked before a run.

    Beyond the folder's type it checks each name's length against the file
    system's limit and makes (and removes) a staging folder where
    :func:`write_run` will make one, so a read-only folder or mount fails in
    the first second rather than after the simulation.
    """
    out = Path(out_dir)
    probe = _nearest_existing(Path(os.path.abspath(out)))
    _check_name_lengths(out, Path(os.path.abspath(out)), probe)
    full = out.resolve()
    if full.exists() and not full.is_dir():
        raise OutputError(f"output folder '{out}' exists and is not a folder")
    probe = _nearest_existing(full)
    if not probe.is_dir():
        raise OutputError(f"cannot create output folder '{out}': '{probe}' is a file")
    try:
        Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=probe)).rmdir()
    except OSError as exc:
        raise OutputError(f"cannot write output folder '{out}': '{probe}' is not writable ({exc.strerror or exc})") from None


def _write_all(result: SimulationResult, folder: Path) -> None:
    """Every output file into ``folder``."""
    from orgmodel.analysis.figures import overview_figure

    result.timeseries.to_parquet(folder / "timeseries.parquet", index=False)
    result.staff.to_parquet(folder / "staff.parquet", index=False)
    (folder / "summary.json").write_text(summary_json(result), encoding="utf-8")
    (folder / "scenario.toml").write_text(dump_scenario_toml(result.scenario, seed=result.seed), encoding="utf-8")
    fig = overview_figure(result)
    fig.savefig(folder / "overview.png", dpi=150)


def _swap_in(staging: Path, folder: Path, out: Path) -> None:
    """Replace the output files in ``folder`` by those in ``staging`` (inside it): all of them, or none."""
    for name in OUTPUT_FILES:
        target = folder / name
        if target.exists() and not target.is_file():
            raise OutputError(f"cannot write output folder '{out}': '{name}' there is not a file; move it away and run again")
    existed = [name for name in OUTPUT_FILES if (folder / name).is_file()]
    old = staging / _OLD
    old.mkdir()
    (staging / _JOURNAL).write_text(json.dumps(existed), encoding="utf-8")
    try:
        for name in existed:
            os.replace(folder / name, old / name)
        for name in OUTPUT_FILES:
            os.replace(staging / name, folder / name)
    except OSError:
        _roll_back(staging, folder)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_run(result: SimulationResult, out_dir: str | Path) -> list[Path]:
    """Write a run's files (``OUTPUT_FILES``) into ``out_dir``, all or nothing.

    Args:
        result: a finished run.
        out_dir: the output folder; created if needed. Files of an earlier run
            with the same names are replaced, other files are kept.

    Returns:
        The paths written.

    Raises:
        OutputError: the folder cannot be created or written; whatever it held
            before is unchanged.

    """
    out = Path(out_dir)
    check_out_dir(out)
    full = out.resolve()
    staging: Path | None = None
    try:
        new = not full.exists()
        home = full.parent if new else full  # staging on the output folder's own file system
        home.mkdir(parents=True, exist_ok=True)
        clean_stale_staging(home)
        staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=home))
        _write_all(result, staging)
        if new:
            staging.chmod(0o777 & ~_umask())
            try:
                os.rename(staging, full)  # the whole folder appears at once
                staging = None
            except OSError:
                if not full.is_dir():
                    raise
                raise OutputError(
                    f"cannot write output folder '{out}': it was created by someone else meanwhile; run again"
                ) from None
        else:
            _swap_in(staging, full, out)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        raise OutputError(f"cannot write output folder '{out}': {reason}{where}") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return [out / name for name in OUTPUT_FILES]
