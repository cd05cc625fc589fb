"""The parameter table: every scenario key with its default, range, meaning and source.

Everything comes from :class:`~orgmodel.scenario.schema.Scenario` (field
types, ``ge``/``gt``/``le``/``lt`` bounds, descriptions and the ``source`` in
``json_schema_extra``), so the table cannot disagree with the code. Rows are
grouped under the ``# --- group ---`` comments of ``schema.py``.

Regenerate the docs page with::

    python -m orgmodel.scenario.paramtable > docs/parameters.md

``tests/test_docs.py`` fails when ``docs/parameters.md`` is stale.
"""

from __future__ import annotations

import inspect
import re
import sys
from typing import Any

from orgmodel.scenario import schema
from orgmodel.scenario.files import key_bounds
from orgmodel.scenario.schema import Scenario, key_choices, range_reason

_GROUP = re.compile(r"^\s*#\s*-{2,}\s*(?P<name>[^-].*?)\s*-*\s*$")
_FIELD = re.compile(r"^\s{4}(?P<key>[a-z_][a-z0-9_]*)\s*:")
_TYPE_NAMES = {bool: "bool", int: "int", float: "float", str: "str"}


def field_groups() -> list[tuple[str, list[str]]]:
    """Scenario keys grouped as in ``schema.py`` (by its ``# --- group ---`` comments).

    Keys the source does not place in a group (or all keys, if the source
    cannot be read) come last, in field order, under "other".
    """
    keys = list(Scenario.model_fields)
    groups: list[tuple[str, list[str]]] = []
    try:
        lines = inspect.getsource(schema.Scenario).splitlines()
    except (OSError, TypeError):
        lines = []
    current: list[str] | None = None
    placed: set[str] = set()
    for line in lines:
        if m := _GROUP.match(line):
            current = []
            groups.append((m["name"], current))
        elif (m := _FIELD.match(line)) and m["key"] in Scenario.model_fields and m["key"] not in placed:
            if current is None:
                current = []
                groups.append(("other", current))
            current.append(m["key"])
            placed.add(m["key"])
    rest = [k for k in keys if k not in placed]
    if rest:
        groups.append(("other", rest))
    return [(name, members) for name, members in groups if members]


def _number(x: Any) -> str:
    """A bound as a person writes it: 1 rather than 1.0, 1000000 without exponent."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return str(x)


def allowed(key: str) -> str:
    """Type and range of a key, e.g. ``float in [0, 1)`` or ``int ≥ 1``."""
    field = Scenario.model_fields[key]
    kind = _TYPE_NAMES.get(field.annotation, getattr(field.annotation, "__name__", str(field.annotation)))  # type: ignore[arg-type]
    lo, lo_open, hi, hi_open = key_bounds(key)
    if key == "interventions":
        return "list of `[[interventions]]` tables: `week` (1 to years*52), `set` (keys and new values), `note`"
    if key in ("structure", "incentive"):
        from orgmodel.policies import incentives, structures

        family = structures if key == "structure" else incentives
        return f"{kind}: one of {', '.join(family.names())}"
    if choices := key_choices(key):
        return f"{kind}: one of {', '.join(choices)}"
    if lo is not None and hi is not None:
        text = f"{kind} in {'(' if lo_open else '['}{_number(lo)}, {_number(hi)}{')' if hi_open else ']'}"
        return f"{text} ({why})" if (why := range_reason(key)) else text
    if lo is not None:
        return f"{kind} {'>' if lo_open else '≥'} {_number(lo)}"
    if hi is not None:
        return f"{kind} {'<' if hi_open else '≤'} {_number(hi)}"
    return kind


def shown_default(value: Any) -> str:
    """A default as it is written in a scenario TOML file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def assumption_mark(source: str) -> str:
    """``yes`` if the default is an assumption, ``partly`` if only its number is assumed."""
    text = source.strip().lower()
    if text.startswith("assumption"):
        return "yes"
    if "assumption" in text:
        return "partly"
    return ""


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*")


def parameter_table_markdown() -> str:
    """Every scenario key as a Markdown table: key, default, allowed values, meaning, source, plausible range.

    The *plausible range* of an assumed key is the span ``experiments/robustness.toml``
    samples (:mod:`orgmodel.scenario.plausible`), or why it is held fixed there.

    The last column marks defaults that are assumptions (``yes``: the source
    starts with "assumption") or whose direction is sourced but whose number
    is assumed (``partly``). A line under the table counts both.
    """
    sources = Scenario.field_sources()
    from orgmodel.scenario.plausible import plausible_text

    out = [
        "| key | default | allowed | meaning | source | plausible range | assumption |",
        "|---|---|---|---|---|---|---|",
    ]
    for group, keys in field_groups():
        out.append(f"| **{_cell(group)}** | | | | | | |")
        for key in keys:
            default, meaning, source = sources[key]
            out.append(
                f"| `{key}` | `{shown_default(default)}` | {_cell(allowed(key))} | {_cell(meaning)} | "
                f"{_cell(source)} | {_cell(plausible_text(key))} | {assumption_mark(source)} |"
            )
    marks = [assumption_mark(s) for _, _, s in sources.values()]
    yes, partly = marks.count("yes"), marks.count("partly")
    out.append("")
    out.append(
        f"Assumptions: {yes} of {len(sources)} keys have a default that is an assumption (source starting with "
        f'"assumption", marked **yes**); {partly} more take their form or direction from a source but their '
        "number is assumed (marked *partly*); the rest are set from the sources named."
    )
    return "\n".join(out) + "\n"


HEADER = """# Scenario parameters

This page is generated by `python -m orgmodel.scenario.paramtable > docs/parameters.md` from
the scenario schema (`orgmodel/scenario/schema.py`); do not edit it by hand, regenerate it
(`tests/test_docs.py` fails when it is stale). Every key can be set as `Scenario(key=value)`,
as a `key = value` line in a scenario TOML file or with `--set key=value`. Values must have the
key's type and are never converted: `salespeople = "5"`, `salespeople = 5.0` and `years = true`
are refused, as are numbers not written in plain decimal digits (`0x10`, `1_000`, `٣`); an
integer is accepted where a number is expected. `--set` reads text, so there `true`/`false`,
`yes`/`no` and `1`/`0` all work for true or false keys; a key given twice in `--set` is refused.
Values that would make a run meaningless are refused up front: every number has an upper
bound (with its reason where the bound is a choice), the first revenue
(`lead_min_weeks + qualified_min_weeks + proposal_min_weeks + implementation_weeks` after a lead)
must fall within the horizon,
and `salespeople + account_managers` must not exceed `market_size`. *Allowed* gives the
type and the bounds the schema enforces ([ ] closed, ( ) open). *Source* says where a default
comes from: the full citations are in the References section of [the ODD](ODD.md#references),
and the ODD's submodels show where each key enters the equations. *Plausible range* gives,
for each assumed default, the span over which `experiments/robustness.toml` tests the README's
claims and why (or why the key is held fixed there); see "How robust are the claims?" in the
README.
"""


def parameters_page() -> str:
    """The whole ``docs/parameters.md``: header paragraph and table."""
    return HEADER + "\n" + parameter_table_markdown()


if __name__ == "__main__":
    sys.stdout.write(parameters_page())
