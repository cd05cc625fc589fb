"""A company's CRM/ERP export, read into the canonical tables: :func:`load_export` and :func:`write_export`.

``load_export`` is what ``crm check``, ``crm describe`` and ``calibrate`` start
from: it reads the folder (through its ``mapping.toml`` if there is one),
parses and checks every table, and returns a :class:`CrmExport` with the
clean tables, the window they cover and the problems found. ``write_export``
is the other direction, used by ``crm synthesize`` to write a simulated
company's export in the same format.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from orgmodel.crm.clean import Cleaner
from orgmodel.crm.mapping import load_mapping, read_tables, resolve_mapping
from orgmodel.crm.schema import TABLES, CrmError, Problem

__all__ = ["TABLES", "CrmError", "CrmExport", "Problem", "load_export", "write_export"]

FORMATS = ("csv", "parquet")


@dataclass
class CrmExport:
    """The canonical tables of one export, checked.

    Attributes:
        tables: canonical table name -> frame with the canonical columns (see :data:`TABLES`): dates as
            ``datetime64[ns]``, amounts and numbers as float, ids and text as strings (``pd.NA`` when empty).
            Optional tables the export does not have are absent; optional columns it does not have are all NA.
        window: the first and last date of the recorded activity (deals, stages, orders, activities, cases;
            staff and account dates may only extend its end).
        problems: what ``crm check`` found, with the action taken.
        source: the folder read.
        files: canonical table -> the source file(s) it came from.
        mapping: the mapping file used ("" for canonical names).

    """

    tables: dict[str, pd.DataFrame]
    window: tuple[pd.Timestamp, pd.Timestamp]
    problems: list[Problem]
    source: str
    files: dict[str, str] = field(default_factory=dict)
    mapping: str = ""

    @property
    def months(self) -> float:
        """The window's length in months."""
        return (self.window[1] - self.window[0]).days / 30.44

    def has(self, table: str, column: str | None = None) -> bool:
        """Whether the export has ``table`` (and, if given, any value in its ``column``)."""
        if table not in self.tables:
            return False
        return column is None or bool(self.tables[table][column].notna().any())


def load_export(path: str | Path, mapping: str | Path | None = None) -> CrmExport:
    """Read and check the export in folder ``path``.

    Args:
        path: the folder with one CSV or Parquet file per table.
        mapping: a ``mapping.toml`` file or the name of a shipped mapping (``salesforce``, ``hubspot``);
            without it, ``path/mapping.toml`` is used if present, else the canonical names.

    Returns:
        The checked export; ``problems`` lists every flaw found and what was done about it.

    Raises:
        CrmError: what cannot be used, in one line naming file, row, column and what is allowed.

    """
    folder = Path(path)
    if not folder.is_dir():
        raise CrmError(f"'{folder}' is not a folder; give the folder holding the export's tables")
    mapping_path = resolve_mapping(folder, mapping)
    plan = load_mapping(mapping_path)
    read = read_tables(folder, plan)
    cleaner = Cleaner(read.tables, read.missing, plan.dayfirst, read.origins)
    cleaner.problems += read.excluded
    tables, window = cleaner.run()
    tables = {name: frame.drop(columns=["_file", "_row"]) for name, frame in tables.items()}
    return CrmExport(tables, window, cleaner.problems, str(folder), read.files, str(mapping_path or ""))


def _canonical(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the canonical columns of table ``name`` in documented order (extra columns refused)."""
    spec = TABLES[name]
    extra = [c for c in frame.columns if c not in spec.names]
    if extra:
        raise CrmError(f"table {name}: column '{extra[0]}' is not canonical; allowed: {', '.join(spec.names)}")
    absent = [c.name for c in spec.columns if c.required and c.name not in frame.columns]
    if absent:
        raise CrmError(f"table {name}: required column '{absent[0]}' is missing")
    cols = [c for c in spec.names if c in frame.columns]
    out = frame[cols].copy()
    for col in spec.columns:
        # real dates as YYYY-MM-DD; text is written as given (a synthesized export may carry flawed dates on purpose)
        if col.name in out and col.kind == "date" and pd.api.types.is_datetime64_any_dtype(out[col.name]):
            out[col.name] = out[col.name].dt.strftime("%Y-%m-%d")
    return out


def write_export(tables: dict[str, pd.DataFrame], out: str | Path, fmt: str = "csv") -> None:
    """Write canonical tables into folder ``out`` (one file per table), all or nothing.

    Dates are written as ``YYYY-MM-DD``. The files go to a temporary folder first and are moved in only
    once all were written, so a failure leaves ``out`` as it was; files already in ``out`` under the
    same names are replaced, others are left alone.

    Raises:
        CrmError: an unknown table or column, a missing required table or column, or an unknown format.

    """
    if fmt not in FORMATS:
        raise CrmError(f"format '{fmt}' is not allowed; allowed: {', '.join(FORMATS)}")
    unknown = [name for name in tables if name not in TABLES]
    if unknown:
        raise CrmError(f"table '{unknown[0]}' is not canonical; allowed: {', '.join(TABLES)}")
    absent = [name for name, spec in TABLES.items() if spec.required and name not in tables]
    if absent:
        raise CrmError(f"required table '{absent[0]}' is missing")
    frames = {name: _canonical(name, frame) for name, frame in tables.items()}
    target = Path(out)
    if target.exists() and not target.is_dir():
        raise CrmError(f"output '{target}' exists and is not a folder")
    other = next(f for f in FORMATS if f != fmt)
    clash = [name for name in frames if (target / f"{name}.{other}").exists()]
    if clash:
        raise CrmError(
            f"'{target / f'{clash[0]}.{other}'}' exists: writing {clash[0]}.{fmt} beside it would give the table two files"
        )
    target.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".crm-", dir=target))
    try:
        for name, frame in frames.items():
            file = staging / f"{name}.{fmt}"
            if fmt == "csv":
                frame.to_csv(file, index=False)
            else:
                frame.to_parquet(file, index=False)
        for name in frames:
            os.replace(staging / f"{name}.{fmt}", target / f"{name}.{fmt}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
