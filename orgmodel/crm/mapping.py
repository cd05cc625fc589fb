"""``mapping.toml``: a company's own table, column and value names onto the canonical format.

A mapping has one entry per canonical table (``[opportunities]``), or several
when one canonical table comes from several files (``[[activities]]`` twice for
Salesforce's Task and Event). Each entry names its ``file`` (the stem, or a
name with ``.csv``/``.parquet``) and its ``columns``: a canonical column either
takes a source column's name, or a small table::

    outcome = { columns = ["IsClosed", "IsWon"], values = { "true|true" = "won", "true|false" = "lost", "*" = "open" } }
    minutes = { column = "CallDurationInSeconds", scale = 0.0166667 }
    kind = { value = "meeting" }

``columns`` joins several source columns with ``|`` before ``values`` maps
them; ``"*"`` maps every other non-empty value; ``scale`` multiplies numbers;
``value`` is a constant. ``one_of`` names alternative source columns (the
first the file has is read, case-insensitively: exports of the same CRM name a
column differently by route, e.g. HubSpot's ``associatedcompanyid`` property and
its UI export's ``Associated Company IDs (Primary)``); ``split`` keeps the text
before the first separator (a list of associated ids: the first is the primary). ``unpivot`` turns a wide export (HubSpot's
``hs_date_entered_<stage>`` columns) into one row per stage. An ``[options]``
table sets ``dayfirst = true`` for day-first dates. The shipped mappings
(``salesforce``, ``hubspot``, ``example``) live in ``orgmodel/crm/mappings/``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from orgmodel.crm.parse import empty
from orgmodel.crm.schema import TABLES, CrmError, Problem

MAPPING_FILE = "mapping.toml"
#: the columns every read table carries besides the canonical ones: where each row came from
ORIGIN = ("_file", "_row")
_COLUMN_KEYS = {"column", "columns", "one_of", "values", "value", "scale", "split"}
_ENTRY_KEYS = {"file", "columns", "unpivot", "exclude"}


@dataclass(frozen=True)
class ColumnSource:
    """Where one canonical column comes from in a source file."""

    columns: tuple[str, ...] = ()
    values: dict[str, str] = field(default_factory=dict)
    value: str | None = None
    scale: float | None = None
    #: alternative names of the one source column (the first present is read); ``columns`` holds the first
    one_of: tuple[str, ...] = ()
    split: str | None = None

    def present(self, frame_columns: list[str]) -> ColumnSource:
        """The same source with ``one_of`` resolved against a file's columns (the first alternative it has)."""
        if not self.one_of:
            return self
        lower = {c.lower(): c for c in frame_columns}
        found = next((lower[c.lower()] for c in self.one_of if c.lower() in lower), self.one_of[0])
        return ColumnSource((found,), self.values, self.value, self.scale, (), self.split)


@dataclass(frozen=True)
class Unpivot:
    """A wide layout: every source column matching ``pattern`` becomes a row (its group -> ``name``, its value -> ``value``)."""

    pattern: str
    name: str
    value: str


@dataclass(frozen=True)
class Source:
    """One source file feeding a canonical table."""

    table: str
    file: str
    columns: dict[str, ColumnSource]
    unpivot: Unpivot | None = None
    #: source column -> values whose rows are left out (deleted records, other pipelines); ignored when absent
    exclude: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Mapping:
    """A whole mapping: sources per canonical table, and reading options."""

    sources: dict[str, list[Source]]
    dayfirst: bool = False
    path: str = ""


def shipped_mappings() -> list[str]:
    """The names of the mappings shipped with orgmodel (usable as ``--mapping NAME``)."""
    folder = resources.files("orgmodel.crm") / "mappings"
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


def resolve_mapping(folder: Path, mapping: str | Path | None) -> Path | None:
    """The mapping file to use: the one given (a path or a shipped name), else ``folder/mapping.toml``, else none."""
    if mapping is None:
        own = folder / MAPPING_FILE
        return own if own.is_file() else None
    path = Path(mapping)
    if path.is_file():
        return path
    if str(mapping) in shipped_mappings():
        return Path(str(resources.files("orgmodel.crm") / "mappings" / f"{mapping}.toml"))
    raise CrmError(f"mapping '{mapping}' is neither a file nor a shipped mapping; shipped: {', '.join(shipped_mappings())}")


def _column_source(where: str, spec: Any) -> ColumnSource:
    if isinstance(spec, str):
        return ColumnSource(columns=(spec,))
    if not isinstance(spec, dict):
        raise CrmError(f"{where}: give a source column name or a table with column/columns/values/value/scale")
    unknown = set(spec) - _COLUMN_KEYS
    if unknown:
        raise CrmError(f"{where}: unknown key '{sorted(unknown)[0]}'; allowed: {', '.join(sorted(_COLUMN_KEYS))}")
    one_of = spec.get("one_of", [])
    if isinstance(one_of, str) or not isinstance(one_of, list) or not all(isinstance(c, str) for c in one_of):
        raise CrmError(f"{where}: 'one_of' is a list of alternative source column names")
    if one_of and ("column" in spec or "columns" in spec):
        raise CrmError(f"{where}: give either column/columns or one_of, not both")
    cols = spec.get("columns", [spec["column"]] if "column" in spec else one_of[:1])
    if isinstance(cols, str) or not all(isinstance(c, str) for c in cols):
        raise CrmError(f"{where}: 'columns' is a list of source column names")
    split = spec.get("split")
    if split is not None and (not isinstance(split, str) or not split):
        raise CrmError(f"{where}: 'split' is the separator of a list in one cell, e.g. \";\"")
    if not cols and "value" not in spec:
        raise CrmError(f"{where}: name a source column (column = ...) or a constant (value = ...)")
    values = spec.get("values", {})
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        raise CrmError(f"{where}: 'values' maps source values to canonical ones, both as text")
    scale = spec.get("scale")
    if scale is not None and (isinstance(scale, bool) or not isinstance(scale, int | float)):
        raise CrmError(f"{where}: 'scale' is a number")
    value = spec.get("value")
    return ColumnSource(
        tuple(cols), {str(k): v for k, v in values.items()}, None if value is None else str(value), scale, tuple(one_of), split
    )


def _source(where: str, table: str, entry: Any) -> Source:
    if not isinstance(entry, dict):
        raise CrmError(f"{where}: a table with file = ... and [columns]")
    unknown = set(entry) - _ENTRY_KEYS
    if unknown:
        raise CrmError(f"{where}: unknown key '{sorted(unknown)[0]}'; allowed: {', '.join(sorted(_ENTRY_KEYS))}")
    spec = TABLES[table]
    columns: dict[str, ColumnSource] = {}
    for name, col in (entry.get("columns") or {}).items():
        if name not in spec.names:
            raise CrmError(f"{where}.columns: '{name}' is not a column of {table}; allowed: {', '.join(spec.names)}")
        columns[name] = _column_source(f"{where}.columns.{name}", col)
    unpivot = None
    if "unpivot" in entry:
        raw = entry["unpivot"]
        if not isinstance(raw, dict) or set(raw) != {"pattern", "name", "value"}:
            raise CrmError(f"{where}.unpivot: give pattern (a regex with one group), name and value (canonical columns)")
        for key in ("name", "value"):
            if raw[key] not in spec.names:
                raise CrmError(f"{where}.unpivot.{key}: '{raw[key]}' is not a column of {table}")
        try:
            if re.compile(raw["pattern"]).groups != 1:
                raise CrmError(f"{where}.unpivot.pattern: needs exactly one (group) for the {raw['name']}")
        except re.error as exc:
            raise CrmError(f"{where}.unpivot.pattern: not a regular expression ({exc})") from None
        unpivot = Unpivot(raw["pattern"], raw["name"], raw["value"])
    file = entry.get("file", table)
    if not isinstance(file, str) or not file:
        raise CrmError(f"{where}.file: the source file's name (without folder)")
    exclude = entry.get("exclude", {})
    if not isinstance(exclude, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in exclude.values()
    ):
        raise CrmError(f'{where}.exclude: source column = [values whose rows are left out], e.g. IsDeleted = ["true"]')
    return Source(table, file, columns, unpivot, {str(k): tuple(v) for k, v in exclude.items()})


def parse_mapping(data: dict[str, Any], path: str = "") -> Mapping:
    """Check a mapping's structure and build it; raises CrmError naming the key at fault."""
    where = path or MAPPING_FILE
    sources: dict[str, list[Source]] = {}
    dayfirst = False
    for key, entry in data.items():
        if key == "options":
            if not isinstance(entry, dict) or set(entry) - {"dayfirst"}:
                raise CrmError(f"{where} [options]: allowed: dayfirst = true/false")
            dayfirst = bool(entry.get("dayfirst", False))
            continue
        if key not in TABLES:
            raise CrmError(f"{where}: '{key}' is not a canonical table; allowed: {', '.join(TABLES)}, options")
        entries = entry if isinstance(entry, list) else [entry]
        sources[key] = [_source(f"{where} [{key}]", key, e) for e in entries]
    return Mapping(sources, dayfirst, str(path))


def load_mapping(path: Path | None) -> Mapping:
    """The mapping in ``path``; without one, every table is read under its canonical name."""
    if path is None:
        return Mapping({})
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CrmError(f"cannot read mapping '{path}': {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CrmError(f"mapping '{path}' is not valid TOML: {exc}") from None
    return parse_mapping(data, str(path))


def _find_file(folder: Path, stem: str, table: str) -> Path | None:
    """The file for ``stem`` in ``folder`` (csv or parquet, any case of extension); refuses two candidates."""
    if Path(stem).suffix.lower() in (".csv", ".parquet"):
        path = folder / stem
        return path if path.is_file() else None
    found = [p for p in folder.iterdir() if p.is_file() and p.stem == stem and p.suffix.lower() in (".csv", ".parquet")]
    if len(found) > 1:
        names = " and ".join(sorted(p.name for p in found))
        raise CrmError(f"{names}: two files for table {table}; keep one (csv or parquet)")
    return found[0] if found else None


def read_file(path: Path) -> pd.DataFrame:
    """Every column of a CSV or Parquet file as text (empty = ""), so each canonical column is parsed one way."""
    try:
        if path.suffix.lower() == ".parquet":
            frame = pd.read_parquet(path)
            return frame.astype("string").fillna("").astype(object)
        with path.open("rb") as fh:
            head = fh.readline()
        sep = ";" if head.count(b";") > head.count(b",") else ","
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, encoding="utf-8-sig")
        except UnicodeDecodeError:
            return pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, encoding="latin-1")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise CrmError(
            f"{path.name}: cannot be read as {path.suffix.lstrip('.') or 'a table'} ({' '.join(str(exc).split())})"
        ) from None


def _map_values(raw: pd.Series, values: dict[str, str]) -> pd.Series:
    """Apply a values table: exact match, then case-insensitive, then ``*`` for every other non-empty value."""
    exact = raw.map(values)
    lower = {k.lower(): v for k, v in values.items()}
    folded = raw.str.lower().map(lower)
    out = exact.fillna(folded)
    if "*" in values:
        out = out.where(out.notna() | empty(raw), values["*"])
    return out.fillna(raw)


def _column(frame: pd.DataFrame, file: str, table: str, name: str, spec: ColumnSource) -> pd.Series | None:
    """One canonical column from a source frame, or None when an optional column is not in the file."""
    col = TABLES[table].column(name)
    alternatives = spec.one_of
    spec = spec.present(list(frame.columns))
    if spec.value is not None and not spec.columns:
        return pd.Series(spec.value, index=frame.index, dtype=object)
    absent = [c for c in spec.columns if c not in frame.columns]
    if absent:
        if col.required:
            wanted = f"any of '{', '.join(alternatives)}'" if alternatives else f"'{absent[0]}'"
            raise CrmError(
                f"{file}: column {wanted} (mapped to {table}.{name}) is missing; the file has: {', '.join(frame.columns)}"
            )
        return None
    raw = (
        frame[list(spec.columns)].astype(str).agg("|".join, axis=1)
        if len(spec.columns) > 1
        else frame[spec.columns[0]].astype(str)
    )
    if spec.split is not None:
        raw = raw.str.split(spec.split, n=1, regex=False).str[0].str.strip()
    if spec.values:
        raw = _map_values(raw, spec.values)
    if spec.scale is not None:
        from orgmodel.crm.parse import parse_numbers

        numbers, _ = parse_numbers(raw)
        raw = (numbers * spec.scale).astype(object).where(numbers.notna(), raw)
    if spec.value is not None:
        raw = raw.where(~empty(raw), spec.value)
    return raw


def read_source(folder: Path, source: Source) -> tuple[pd.DataFrame, list[str], list[Problem]] | None:
    """One source file as canonical columns (text) plus ``_file``/``_row``; None when the file is not there.

    Returns the frame, the optional canonical columns the file does not have, and the rows excluded.
    """
    spec = TABLES[source.table]
    path = _find_file(folder, source.file, source.table)
    if path is None:
        return None
    frame = read_file(path)
    frame.columns = [str(c).strip() for c in frame.columns]
    first_row = 1 if path.suffix.lower() == ".parquet" else 2  # CSV: line 1 is the header
    frame["_row"] = range(first_row, first_row + len(frame))
    excluded: list[Problem] = []
    for column, values in source.exclude.items():
        if column not in frame.columns:
            continue
        hit = frame[column].astype(str).str.strip().str.lower().isin([v.lower() for v in values])
        if hit.any():
            row = frame[hit].iloc[0]
            excluded.append(
                Problem(
                    "excluded by the mapping",
                    source.table,
                    "",
                    int(hit.sum()),
                    f"{path.name} row {row['_row']}: {column}={row[column]}",
                    "drop",
                    f"rows with {column} in {list(values)} are left out, as {MAPPING_FILE} says",
                )
            )
        frame = frame[~hit]
    if source.unpivot is not None:
        wide = [c for c in frame.columns if re.match(source.unpivot.pattern, c)]
        long = frame.melt(
            id_vars=[c for c in frame.columns if c not in wide], value_vars=wide, var_name="_wide", value_name="_value"
        )
        long = long[~empty(long["_value"])]
        long[source.unpivot.name] = long["_wide"].str.replace(source.unpivot.pattern, r"\1", regex=True)
        long[source.unpivot.value] = long["_value"]
        frame = long.sort_values("_row", kind="stable").reset_index(drop=True)
    out = pd.DataFrame(index=frame.index)
    missing: list[str] = []
    for col in spec.columns:
        given = source.columns.get(col.name)
        if given is None:
            if col.name in frame.columns:
                given = ColumnSource(columns=(col.name,))
            elif col.required and not (table_fills(source.table, col.name)):
                raise CrmError(
                    f"{path.name}: column '{col.name}' is missing; {source.table} needs "
                    f"{', '.join(c.name for c in spec.columns if c.required)} (map other names in {MAPPING_FILE})"
                )
            else:
                missing.append(col.name)
                continue
        series = _column(frame, path.name, source.table, col.name, given)
        if series is None:
            missing.append(col.name)
        else:
            out[col.name] = series
    out["_file"] = path.name
    out["_row"] = frame["_row"].to_numpy()
    return out, missing, excluded


def table_fills(table: str, column: str) -> bool:
    """Required columns the import can fill from another table (a contact's account from its deal)."""
    return table == "contacts" and column == "account_id"


@dataclass
class Read:
    """Every canonical table found in a folder, as text, with where each part came from."""

    #: canonical table -> text columns plus ``_file``/``_row``
    tables: dict[str, pd.DataFrame]
    #: canonical table -> optional canonical columns no source file has
    missing: dict[str, list[str]]
    #: canonical table -> its source file name(s)
    files: dict[str, str]
    #: rows the mapping's ``exclude`` left out
    excluded: list[Problem]
    #: canonical table -> canonical column -> the source column(s) it was read from, where named otherwise
    origins: dict[str, dict[str, str]]


def _origin(spec: ColumnSource) -> str:
    if spec.one_of:
        return " or ".join(spec.one_of)
    return "|".join(spec.columns) if spec.columns else f"constant {spec.value}"


def read_tables(folder: Path, mapping: Mapping) -> Read:
    """Every canonical table found in ``folder`` as text columns.

    Required tables that are not there raise CrmError; optional ones are simply absent.
    """
    read = Read({}, {}, {}, [], {})
    for name, spec in TABLES.items():
        sources = mapping.sources.get(name) or [Source(name, name, {})]
        frames = []
        for source in sources:
            found = read_source(folder, source)
            if found is None:
                continue
            frame, absent, dropped = found
            read.excluded += dropped
            frames.append(frame)
            read.missing[name] = list(dict.fromkeys(read.missing.get(name, []) + absent))
            for col, given in source.columns.items():
                if _origin(given) != col:
                    names = read.origins.setdefault(name, {})
                    parts = [part for part in names.get(col, "").split(" / ") if part]
                    names[col] = " / ".join(dict.fromkeys([*parts, _origin(given)]))
        if not frames:
            if spec.required:
                wanted = " or ".join(f"{s.file}.csv/.parquet" for s in sources)
                raise CrmError(f"{folder}: table {name} is missing (looked for {wanted}); it is required")
            continue
        table = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        # a column one file has and another lacks is present, empty for the other file's rows
        for col in read.missing.get(name, []):
            if col in table.columns:
                table[col] = table[col].fillna("")
        read.missing[name] = [c for c in read.missing.get(name, []) if c not in table.columns]
        read.tables[name] = table
        read.files[name] = ", ".join(dict.fromkeys(table["_file"]))
    return read
