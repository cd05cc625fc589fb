"""Writing a run's outputs to a folder, all or nothing.

:func:`write_run` writes every file into a temporary folder next to the
output folder and moves them in only once all of them were written, so a
failure never deletes or half-overwrites what the output folder held before.
Files in the output folder that a run does not write are left alone.
"""

from __future__ import annotations

import json
import math
import os
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


def _writable(folder: Path) -> bool:
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


def check_out_dir(out_dir: str | Path) -> None:
    """Raise OutputError if ``out_dir`` cannot be created or written (checked before a run)."""
    out = Path(out_dir)
    full = out.resolve()
    if full.exists() and not full.is_dir():
        raise OutputError(f"output folder '{out}' exists and is not a folder")
    probe = full
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise OutputError(f"cannot create output folder '{out}': '{probe}' is a file")
    if not _writable(probe) and not (full.exists() and _writable(full.parent)):
        raise OutputError(f"cannot write output folder '{out}': '{probe}' is not writable")


def _write_all(result: SimulationResult, folder: Path) -> None:
    """Every output file into ``folder``."""
    from orgmodel.analysis.figures import overview_figure

    result.timeseries.to_parquet(folder / "timeseries.parquet", index=False)
    result.staff.to_parquet(folder / "staff.parquet", index=False)
    (folder / "summary.json").write_text(summary_json(result), encoding="utf-8")
    (folder / "scenario.toml").write_text(dump_scenario_toml(result.scenario, seed=result.seed), encoding="utf-8")
    fig = overview_figure(result)
    fig.savefig(folder / "overview.png", dpi=150)


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
        full.parent.mkdir(parents=True, exist_ok=True)
        # next to the output folder, or inside it if only the folder itself is writable
        stage_in = full.parent if _writable(full.parent) else full
        staging = Path(tempfile.mkdtemp(prefix=f".{full.name or 'out'}.", suffix=".partial", dir=stage_in))
        _write_all(result, staging)
        full.mkdir(exist_ok=True)
        for name in OUTPUT_FILES:
            os.replace(staging / name, full / name)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        raise OutputError(f"cannot write output folder '{out}': {reason}{where}") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return [out / name for name in OUTPUT_FILES]
