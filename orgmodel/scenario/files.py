"""Scenarios from TOML files, built-in names and ``--set key=value`` overrides.

A scenario file is flat: ``key = value`` lines at the top level whose keys are
exactly the :class:`~orgmodel.scenario.schema.Scenario` fields. The one
exception is ``interventions``: an array of tables, each ``[[interventions]]``
with ``week``, ``note`` and a nested ``[interventions.set]`` table of keys to change. Every way a
user can get an input wrong ends in one :class:`ScenarioError` whose message
names the key and says what is allowed, so the CLI can print it as one line.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import stat
import tomllib
import typing
from pathlib import Path
from typing import Any

from annotated_types import Ge, Gt, Le, Lt
from pydantic import ValidationError

from orgmodel import __version__
from orgmodel.scenario.schema import Scenario, key_choices

KEYS_HINT = "orgmodel scenarios --keys"
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
_TYPE_WORDS = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
INTERVENTIONS = "interventions"
#: numbers as --set takes them: ASCII decimal digits, optionally signed, with a decimal point and exponent for floats
_INT_TEXT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_FLOAT_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_NOT_FINITE_TEXT = re.compile(r"[+-]?(?:inf|infinity|nan)", re.IGNORECASE)
_INTERVENTION_KEYS = ("week", "set", "note")


class ScenarioError(Exception):
    """A scenario input is wrong; ``str(error)`` is one line saying what and what is allowed."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))
        self.message = str(self)


# --- values ---------------------------------------------------------------------------------------
def _fmt_number(x: float) -> str:
    """A bound as a person writes it: 1 rather than 1.0."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return str(x)


def _shown(value: Any) -> str:
    """A user's value as it appears in a message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def key_bounds(key: str) -> tuple[Any, bool, Any, bool]:
    """A numeric key's (low, low is strict, high, high is strict) from its field constraints."""
    lo = hi = None
    lo_strict = hi_strict = False
    for m in Scenario.model_fields[key].metadata:
        if isinstance(m, Ge):
            lo = m.ge
        elif isinstance(m, Gt):
            lo, lo_strict = m.gt, True
        elif isinstance(m, Le):
            hi = m.le
        elif isinstance(m, Lt):
            hi, hi_strict = m.lt, True
    return lo, lo_strict, hi, hi_strict


def allowed_range(key: str) -> str:
    """The bounds of a numeric key in words ('between 0 and 1'), or '' if it has none."""
    lo, lo_strict, hi, hi_strict = key_bounds(key)
    if lo is not None and hi is not None:
        if not lo_strict and not hi_strict:
            return f"between {_fmt_number(lo)} and {_fmt_number(hi)}"
        low = f"greater than {_fmt_number(lo)}" if lo_strict else f"at least {_fmt_number(lo)}"
        high = f"less than {_fmt_number(hi)}" if hi_strict else f"at most {_fmt_number(hi)}"
        return f"{low} and {high}"
    if lo is not None:
        return f"greater than {_fmt_number(lo)}" if lo_strict else f"at least {_fmt_number(lo)}"
    if hi is not None:
        return f"less than {_fmt_number(hi)}" if hi_strict else f"at most {_fmt_number(hi)}"
    return ""


def allowed_values(key: str) -> str:
    """What a key accepts, in words: its type and range, or the registered policy names."""
    from orgmodel.policies import incentives, responses, structures

    if key == "structure":
        return "one of: " + ", ".join(structures.names())
    if key == "incentive":
        return "one of: " + ", ".join(incentives.names())
    if key == "management_response":
        return "one of: " + ", ".join(responses.names())
    if key == INTERVENTIONS:
        return "[[interventions]] tables with week, note and [interventions.set], in a scenario file"
    if choices := key_choices(key):
        return "one of: " + ", ".join(choices)
    kind = key_type(key)
    words = {bool: "true or false", int: "integer", float: "number", str: "text"}.get(kind, kind.__name__)
    bounds = allowed_range(key)
    return f"{words}, {bounds}" if bounds else words


def key_type(key: str) -> type:
    """The Python type of a scenario key (bool, int, float or str; optional keys give the type they hold)."""
    annotation = Scenario.model_fields[key].annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    return args[0] if args else annotation  # type: ignore[return-value]


def is_optional(key: str) -> bool:
    """Whether a key may be left unset (None)."""
    return type(None) in typing.get_args(Scenario.model_fields[key].annotation)


def _unknown_key(key: str, where: str) -> ScenarioError:
    close = difflib.get_close_matches(key, list(Scenario.model_fields), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return ScenarioError(f"unknown key {key!r}{where}{hint} (all keys: {KEYS_HINT})")


def _type_error(key: str, value: Any, where: str = "", typed: bool = False) -> ScenarioError:
    """A value of the wrong type; ``typed`` when the user wrote the value as text (``--set``)."""
    kind = key_type(key)
    what = _TYPE_WORDS.get(kind, kind.__name__)
    hint = ""
    if kind is bool and typed:
        what = "true or false (also yes/no, 1/0)"
    elif typed and kind in (int, float) and any(ch.isdigit() for ch in str(value)):
        hint = "; write plain decimal digits" + (" without a decimal point" if kind is int else "")
    elif not typed and kind is bool and isinstance(value, str):
        hint = "; write true or false without quotes"
    elif not typed and kind is not str and isinstance(value, str):
        hint = "; write the value without quotes"
    elif not typed and kind is int and isinstance(value, float):
        hint = "; write it without a decimal point"
    return ScenarioError(f"key {key!r} must be {what}, got {_shown(value)}{where}{hint}")


def _no_interventions_override(where: str) -> ScenarioError:
    return ScenarioError(
        f"key 'interventions' cannot be given{where}: write [[interventions]] tables "
        "(week, note, [interventions.set]) in a scenario file and run that file"
    )


def convert(key: str, text: str, where: str = " (from --set)") -> Any:
    """Turn the text of ``--set key=text`` into the key's type (a ScenarioError if it does not fit)."""
    if key == INTERVENTIONS:
        raise _no_interventions_override(where)
    kind = key_type(key)
    raw = text.strip()
    if is_optional(key) and raw.lower() in ("", "none", "unset"):
        return None
    if kind is bool:
        low = raw.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise _type_error(key, text, where, typed=True)
    # plain ASCII decimal only: Python's int() and float() would also take '1_000', '٣' or '５'
    if kind is int:
        if not _INT_TEXT.fullmatch(raw):
            raise _type_error(key, text, where, typed=True)
        return int(raw)
    if kind is float:
        if not (_FLOAT_TEXT.fullmatch(raw) or _NOT_FINITE_TEXT.fullmatch(raw)):
            raise _type_error(key, text, where, typed=True)
        return float(raw)  # inf and nan get the 'finite number' message from validate()
    return text


def parse_overrides(overrides: list[str] | dict[str, Any] | None) -> dict[str, Any]:
    """``["key=value", ...]`` as typed values (or a dict of typed values), checked against the keys.

    A dict's values are taken as they are (the scenario's strict types judge
    them: ``{"years": "5"}`` is refused like ``years = "5"`` in a file). A key
    given twice in ``--set`` is refused: which one was meant cannot be guessed.
    """
    if not overrides:
        return {}
    if isinstance(overrides, dict):
        out = {}
        for key, value in overrides.items():
            if key not in Scenario.model_fields:
                raise _unknown_key(str(key), " (from overrides)")
            if key == INTERVENTIONS and not isinstance(value, list):
                raise _no_interventions_override(" (from overrides)")
            out[key] = value
        return out
    out = {}
    for item in overrides:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ScenarioError(f"--set expects KEY=VALUE (e.g. --set years=5), got {item!r}")
        if key not in Scenario.model_fields:
            raise _unknown_key(key, " (from --set)")
        if key in out:
            first = next(i for i in overrides if i.partition("=")[0].strip() == key)
            raise ScenarioError(f"key {key!r} is given twice in --set ({first!r} and {item!r}): give it once")
        out[key] = convert(key, value)
    return out


# --- validation -------------------------------------------------------------------------------------
def _message(error: dict[str, Any], origin: dict[str, str], shown: dict[str, str]) -> str:
    """One pydantic error as a sentence that names the key and what is allowed."""
    kind = error["type"]
    loc = error.get("loc") or ()
    value = error.get("input")
    if not loc:  # a model-level rule (the schema's cross-field checks): its own words
        cause = (error.get("ctx") or {}).get("error")
        text = str(cause) if cause is not None else str(error["msg"]).removeprefix("Value error, ")
        return text + origin.get(INTERVENTIONS, "") if text.startswith(f"{INTERVENTIONS}[") else text
    key = str(loc[0])
    where = origin.get(key, "")
    raw = shown.get(key)
    if key == INTERVENTIONS and len(loc) > 1:
        name = f"interventions[{loc[1]}]" + "".join(f".{part}" for part in loc[2:])
        msg = str(error["msg"]).removeprefix("Value error, ")
        if kind == "extra_forbidden":
            msg = f"unknown field; an intervention has only {', '.join(_INTERVENTION_KEYS)}"
        elif kind == "missing":
            msg = "missing"
        return f"{name}: {msg}, got {_shown(value)}{where}" if kind != "missing" else f"{name} is missing{where}"
    if kind == "extra_forbidden":
        return str(_unknown_key(key, where))
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        bounds = allowed_range(key)
        if not bounds:  # no bounds on the field: say the one pydantic checked
            (op, bound), *_ = (error.get("ctx") or {}).items()
            words = {"gt": "greater than", "ge": "at least", "lt": "less than", "le": "at most"}
            bounds = f"{words.get(op, op)} {_fmt_number(bound)}"
        return f"key {key!r} must be {bounds}, got {raw.strip() if raw is not None else _shown(value)}{where}"
    if kind.endswith(("_parsing", "_type")) or kind in {"int_from_float", "finite_number"}:
        return str(_type_error(key, raw if raw is not None else value, where))
    shown_value = _shown(raw if raw is not None else value)
    return f"key {key!r}: {str(error['msg']).removeprefix('Value error, ')}, got {shown_value}{where}"


def validate(values: dict[str, Any], origin: dict[str, str] | None = None, shown: dict[str, str] | None = None) -> Scenario:
    """A Scenario from a flat dict, or a ScenarioError with one clear message.

    Args:
        values: scenario keys and values.
        origin: for each key, where it came from (" (from --set)", " (in file.toml)"),
            appended to messages about that key.
        shown: for keys given as text (``--set``), the text as typed, quoted in messages.

    """
    origin = origin or {}
    shown = shown or {}
    for key, value in values.items():
        if key == INTERVENTIONS:
            _check_intervention_tables(value, origin.get(key, ""))
            continue
        if isinstance(value, dict):
            raise ScenarioError(
                f"unexpected table [{key}]{origin.get(key, '')}: scenario files are flat, "
                f"write `key = value` lines without [sections] (all keys: {KEYS_HINT})"
            )
        if key not in Scenario.model_fields:
            raise _unknown_key(key, origin.get(key, ""))
        if isinstance(value, list):
            raise ScenarioError(f"key {key!r} must be a single value, got a list{origin.get(key, '')}")
        if isinstance(value, float) and not math.isfinite(value):
            bounds = allowed_range(key)
            raise ScenarioError(
                f"key {key!r} must be a finite number{f' ({bounds})' if bounds else ''}, got {value}{origin.get(key, '')}"
            )
    try:
        return Scenario.model_validate(values)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        message = _message(errors[0], origin, shown)
        others = sorted({str(e["loc"][0]) for e in errors[1:] if e.get("loc")} - {str((errors[0].get("loc") or ("",))[0])})
        if others:
            message += f" (also invalid: {', '.join(others)})"
        raise ScenarioError(message) from None


def _check_intervention_tables(value: Any, where: str) -> None:
    """``interventions`` must be an array of tables whose only nested table is ``set``."""
    if not isinstance(value, list):
        raise ScenarioError(
            f"key 'interventions' must be [[interventions]] tables (week, note, [interventions.set]), got {_shown(value)}{where}"
        )
    for i, item in enumerate(value):
        name = f"interventions[{i}]"
        if not isinstance(item, dict):
            raise ScenarioError(f"{name} must be a table with week, note and [interventions.set], got {_shown(item)}{where}")
        for field, inner in item.items():
            if field not in _INTERVENTION_KEYS:
                raise ScenarioError(
                    f"{name}.{field}: unknown field; an intervention has only {', '.join(_INTERVENTION_KEYS)}{where}"
                )
            if field == "set":
                if not isinstance(inner, dict):
                    raise ScenarioError(f"{name}.set must be a table of `key = value` lines, got {_shown(inner)}{where}")
                for key, v in inner.items():
                    if isinstance(v, (dict, list)):
                        raise ScenarioError(f"{name}.set.{key} must be a single value, got a table or list{where}")
                    if isinstance(v, float) and not math.isfinite(v):
                        raise ScenarioError(f"{name}.set.{key} must be a finite number, got {v}{where}")
            elif isinstance(inner, (dict, list)):
                raise ScenarioError(f"{name}.{field} must be a single value, got a table or list{where}")


# --- files and built-ins ------------------------------------------------------------------------------
#: largest scenario or experiment file read (a resolved scenario is about 15 kB; a file this large is a mistake)
MAX_FILE_BYTES = 1024 * 1024
#: deepest nesting of tables and arrays accepted (a scenario is flat; an experiment nests three levels)
MAX_DEPTH = 8


def _read_regular_file(path: Path, what: str) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES, or a ScenarioError.

    Opened without blocking and checked with ``fstat`` on the open file, so a
    pipe, a device or a directory is refused at once instead of hanging or
    reading without end, and nothing can swap the file between check and read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ScenarioError(f"{what} '{path}' does not exist") from None
    except IsADirectoryError:
        raise ScenarioError(f"{what} '{path}' is a directory, not a TOML file") from None
    except PermissionError:
        raise ScenarioError(f"cannot read {what} '{path}': permission denied") from None
    except OSError as exc:
        raise ScenarioError(f"cannot read {what} '{path}': {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ScenarioError(f"{what} '{path}' is a directory, not a TOML file")
        if not stat.S_ISREG(info.st_mode):
            kind = "a pipe" if stat.S_ISFIFO(info.st_mode) else "a device or socket"
            raise ScenarioError(f"{what} '{path}' is {kind}, not a regular file: give the path of a TOML file")
        if info.st_size > MAX_FILE_BYTES:
            raise ScenarioError(
                f"{what} '{path}' is {info.st_size:,} bytes, more than the {MAX_FILE_BYTES // 1024:,} kB a {what} may have"
            )
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(f"cannot read {what} '{path}': {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(f"{what} '{path}' is more than the {MAX_FILE_BYTES // 1024:,} kB a {what} may have")
    return data


def _depth(value: Any) -> int:
    """How deeply tables and arrays nest in a parsed TOML value (a scalar is 0)."""
    stack = [(value, 0)]
    deepest = 0
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


#: TOML strings and comments, blanked out before looking for number forms (multi-line strings first)
_TOML_TEXT = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*')
#: integers TOML reads but a person may misread: hexadecimal, octal, binary, or digits grouped with _
_NON_DECIMAL = re.compile(
    r"(?<![\w.])[+-]?(?:0[xob][0-9A-Fa-f_]+|[0-9]+(?:_[0-9]+)+(?:\.[0-9_]+)?(?:[eE][+-]?[0-9_]+)?)(?![\w.])"
)


def _non_decimal_number(text: str) -> tuple[int, str] | None:
    """The line and text of the first number not written in plain decimal digits, outside strings and comments."""
    blanked = _TOML_TEXT.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    found = _NON_DECIMAL.search(blanked)
    if found is None:
        return None
    return blanked.count("\n", 0, found.start()) + 1, found.group()


def read_toml(path: str | Path, what: str = "scenario file") -> dict[str, Any]:
    """The top-level table of a TOML file, or a ScenarioError saying why it cannot be read.

    Only a regular file of at most :data:`MAX_FILE_BYTES` is read, and tables
    and arrays may nest at most :data:`MAX_DEPTH` levels deep.

    Args:
        path: the file.
        what: what the file is, in messages ("scenario file", "experiment file").

    """
    path = Path(path)
    data = _read_regular_file(path, what)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{what} '{path}' is not UTF-8 text") from None
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{what} '{path}' is not valid TOML: {exc}") from None
    except RecursionError:
        raise ScenarioError(f"{what} '{path}' nests tables or arrays too deeply (at most {MAX_DEPTH} levels)") from None
    odd = _non_decimal_number(text)
    if odd is not None:
        line, number = odd
        raise ScenarioError(
            f"{what} '{path}' line {line}: write numbers in plain decimal digits, got {number} "
            "(hexadecimal, octal, binary and digits grouped with _ are not accepted)"
        )
    if _depth(table) > MAX_DEPTH:
        raise ScenarioError(f"{what} '{path}' nests tables or arrays too deeply (at most {MAX_DEPTH} levels)")
    return table


def _looks_like_path(source: str) -> bool:
    return source.endswith(".toml") or "/" in source or "\\" in source or Path(source).is_file()


def load_scenario(source: str | Path | None = None, overrides: list[str] | dict[str, Any] | None = None) -> Scenario:
    """The scenario a user asked for.

    Args:
        source: ``None`` (the defaults), a built-in scenario name (see
            ``orgmodel scenarios``) or the path of a flat TOML file. A file
            without a ``name`` key is named after the file.
        overrides: ``["key=value", ...]`` as given to ``--set`` (converted to
            each key's type: plain decimal numbers; bool accepts true/false/1/0/yes/no)
            or a dict of values of each key's type (not converted).

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: with one message naming the key and what is allowed.

    """
    from orgmodel.scenario import builtin

    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    if source is not None:
        if isinstance(source, str) and source in builtin.names():
            values = read_toml(builtin.path(source))
            origin = dict.fromkeys(values, f" (in built-in scenario '{source}')")
        elif isinstance(source, Path) or _looks_like_path(source):
            path = Path(source)
            values = read_toml(path)
            values.setdefault("name", path.stem)
            origin = dict.fromkeys(values, f" (in {path})")
        else:
            raise ScenarioError(
                f"unknown scenario {str(source)!r}: not a built-in ({', '.join(builtin.names())}) "
                "and not a .toml file; `orgmodel scenarios` lists the built-ins"
            )
    changes = parse_overrides(overrides)
    values.update(changes)
    origin.update(dict.fromkeys(changes, " (from --set)" if isinstance(overrides, list) else " (from overrides)"))
    shown = {}
    if isinstance(overrides, list):
        shown = {k.strip(): v for k, _, v in (item.partition("=") for item in overrides)}
    return validate(values, origin, shown)


# --- writing -----------------------------------------------------------------------------------------------
def toml_value(value: Any) -> str:
    """A str, int, float or bool (or an empty list) as a TOML value (floats by repr, so they read back exactly)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        escapes = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
        out = []
        for ch in value:
            if ch in escapes:
                out.append(escapes[ch])
            elif ord(ch) < 0x20 or ord(ch) == 0x7F:
                out.append(f"\\u{ord(ch):04x}")
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'
    if isinstance(value, list) and not value:
        return "[]"
    raise TypeError(f"cannot write {type(value).__name__} as a scenario value")


def dump_scenario_toml(scenario: Scenario, seed: int | None = None) -> str:
    """The fully resolved scenario as a flat TOML file that loads back to an equal Scenario.

    Args:
        scenario: the scenario to write.
        seed: the seed of the run, named in the header so the run can be repeated.

    """
    again = f"orgmodel run <this file> --seed {seed}" if seed is not None else "orgmodel run <this file>"
    lines = [
        f"# orgmodel scenario '{scenario.name}', fully resolved: every key with the value a run used.",
        f"# Written by orgmodel {__version__}. Run it again with: {again}",
        "# Above each key: what it means, its default, and where the default comes from.",
        "",
    ]
    values = scenario.model_dump()
    for key, (default, description, source) in Scenario.field_sources().items():
        changed = "" if values[key] == default else "; changed"
        for text in description.splitlines() or [""]:
            lines.append(f"# {text}".rstrip())
        if key == INTERVENTIONS:
            lines.append(f"# default none{changed}; source: {source}".rstrip())
            if values[key]:
                lines.append("# (written as [[interventions]] tables at the end of this file)")
            else:
                lines.append(f"{key} = []")
            lines.append("")
            continue
        shown = "unset" if default is None else toml_value(default)
        lines.append(f"# default {shown}{changed}; source: {source}".rstrip())
        if values[key] is None:  # TOML has no null: an unset optional key is left out
            lines.append(f"# {key} = (unset)")
        else:
            lines.append(f"{key} = {toml_value(values[key])}")
        lines.append("")
    for item in values[INTERVENTIONS]:
        lines.append("[[interventions]]")
        lines.append(f"week = {toml_value(item['week'])}")
        lines.append(f"note = {toml_value(item['note'])}")
        lines.append("[interventions.set]")
        lines.extend(f"{_toml_key(k)} = {toml_value(v)}" for k, v in item["set"].items())
        lines.append("")
    return "\n".join(lines)


def _toml_key(key: str) -> str:
    """A key as TOML writes it (bare if it can be)."""
    if key and all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in key):
        return key
    return toml_value(key)
