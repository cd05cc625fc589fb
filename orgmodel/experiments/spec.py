"""The experiment file: a pydantic model of the TOML, read with errors as strict as a scenario's.

An experiment names a base scenario, the scenario keys to vary (``[factors]``),
a design that turns the factors into design points, how many replications of
each point to run, a base seed and what to keep of each run. Every way to get
the file wrong ends in one :class:`ExperimentError` whose one-line message
names the field, so the CLI can print it and exit with code 2 like a scenario
error. See ``docs/experiments.md`` for the format.

Loading resolves every scenario the experiment refers to (a built-in name, a
file, or an inline ``[scenarios.NAME]`` table) into its full list of keys, so
the resolved experiment (written to ``DIR/experiment.toml``) repeats the runs
on its own even if a built-in or a file changes later.
"""

from __future__ import annotations

import difflib
import functools
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StrictBool, StrictFloat, StrictInt, StrictStr, ValidationError

from orgmodel.experiments import designs
from orgmodel.experiments.designs import DESIGNS
from orgmodel.scenario.files import (
    KEYS_HINT,
    ScenarioError,
    allowed_range,
    key_bounds,
    key_type,
    load_scenario,
    read_toml,
    validate,
)
from orgmodel.scenario.schema import Scenario

#: the factor that varies the base scenario itself (values: scenario names or files)
SCENARIO_FACTOR = "scenario"
#: scenario keys that cannot be factors: the run's identity, its horizon (the experiment's ``years``) and non-scalars
NOT_FACTORS = ("name", "description", "years", "interventions")
#: designs whose factors are sampled between numeric bounds only (lists of values are not allowed)
BOUNDS_ONLY = ("sobol", "morris")
#: design settings and the designs they apply to
DESIGN_SETTINGS = {
    "samples": ("monte_carlo", "latin_hypercube", "sobol"),
    "trajectories": ("morris",),
    "levels": ("morris",),
    "second_order": ("sobol",),
    "cross": ("monte_carlo", "latin_hypercube"),
}
_KEEP = re.compile(r"^\s*(?:(weekly)|(summary)|every\s+(\d+)\s+weeks?)\s*$", re.IGNORECASE)
_OUTCOME = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[(-?\d+)\])?$")
#: largest number of runs an experiment may plan (a typo like samples = 1000000 should not start a week of work)
MAX_RUNS = 10_000_000
#: set to a whole number to allow more (or fewer) runs than MAX_RUNS
MAX_RUNS_ENV = "ORGMODEL_MAX_RUNS"
#: most grid levels of a Morris design (4 to 10 are usual; a finer grid adds nothing but rounding)
MAX_MORRIS_LEVELS = 1000
#: most values one range factor may have in a full factorial
MAX_RANGE_VALUES = 100_000

Scalar = StrictBool | StrictInt | StrictFloat | StrictStr
Number = StrictInt | StrictFloat


class ExperimentError(Exception):
    """An experiment input is wrong; ``str(error)`` is one line naming the field and what is allowed."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


class Range(BaseModel):
    """A numeric factor between ``low`` and ``high``: ``steps`` values or every ``step`` (full factorial), or sampled."""

    model_config = ConfigDict(extra="forbid")

    low: Number
    high: Number
    steps: StrictInt | None = Field(None, ge=1)
    step: Number | None = Field(None, gt=0)


class Design(BaseModel):
    """How factors become design points, and the settings of that design."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["full_factorial", "monte_carlo", "latin_hypercube", "sobol", "morris"] = "full_factorial"
    samples: StrictInt | None = Field(None, ge=1)
    trajectories: StrictInt | None = Field(None, ge=2)
    levels: StrictInt | None = Field(None, ge=2, le=MAX_MORRIS_LEVELS)
    second_order: StrictBool | None = None
    skip_invalid: StrictBool = False
    # --- crossed factors (issue #16: scenario discovery over paired arms) ---
    #: list factors run at every sampled point instead of being sampled (each world runs under every arm)
    cross: list[StrictStr] | None = None


class DaskOptions(BaseModel):
    """Run on a Dask distributed cluster instead of local worker processes."""

    model_config = ConfigDict(extra="forbid")

    scheduler: StrictStr | None = None


@dataclass(frozen=True)
class Factor:
    """One factor after validation: either levels (a list) or numeric bounds.

    Attributes:
        name: the scenario key (or ``scenario``).
        kind: the key's Python type (bool, int, float or str).
        values: the levels (a list in the file, or a range with steps), or None for bounds.
        low: lower bound (bounds only).
        high: upper bound (bounds only).

    """

    name: str
    kind: type
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None

    def value(self, x: float) -> Any:
        """The factor's value at ``x``: a number between the bounds (rounded for integer keys)."""
        if self.kind is int:
            return int(min(max(round(x), self.low), self.high))  # type: ignore[type-var]
        return float(x)

    def from_unit(self, u: float) -> Any:
        """The factor's value at ``u`` in [0, 1): uniform between the bounds, or one of the levels with equal chance."""
        if self.values is not None:
            return self.values[min(int(u * len(self.values)), len(self.values) - 1)]
        return self.value(self.low + u * (self.high - self.low))  # type: ignore[operator]


class Experiment(BaseModel):
    """An experiment file, validated. Build it with :func:`load_experiment` or :func:`parse_experiment`.

    After loading, ``scenarios`` holds the full keys of every scenario the
    experiment uses (the base and the ``scenario`` factor's values), so the
    experiment no longer depends on built-ins or files.
    """

    model_config = ConfigDict(extra="forbid")

    name: StrictStr
    description: StrictStr = ""
    question: StrictStr = ""
    scenario: StrictStr = "status_quo"
    scenarios: dict[str, dict[str, Any]] = {}
    set: dict[str, Scalar] = {}
    years: StrictInt | None = Field(None, ge=1, le=50)
    replications: StrictInt = Field(1, ge=1)
    seed: StrictInt = Field(0, ge=0)
    common_random_numbers: StrictBool = False
    keep: StrictStr = "summary"
    outcomes: list[StrictStr] = []
    # issue 15: the outcome the report's answer ranks arms by ("" = contribution over the horizon)
    criterion: StrictStr = ""
    factors: dict[str, list[Scalar] | Range] = {}
    design: Design = Design()
    dask: DaskOptions = DaskOptions()

    _factors: list[Factor] = PrivateAttr(default_factory=list)
    _source: str = PrivateAttr(default="")

    @property
    def source(self) -> str:
        """The file the experiment was read from ('' if built in code)."""
        return self._source

    @property
    def keep_every(self) -> int | None:
        """Keep every N-th week of the timeseries (1 = weekly), or None for summaries only."""
        return parse_keep(self.keep)

    @property
    def factor_list(self) -> list[Factor]:
        """The factors in file order, validated."""
        return list(self._factors)

    def scenario_values(self, point: dict[str, Any]) -> dict[str, Any]:
        """The full scenario keys of one design point: its scenario, then ``set``, ``years`` and the factor values."""
        ref = point.get(SCENARIO_FACTOR, self.scenario)
        values = dict(self.scenarios[ref])
        values.update(self.set)
        if self.years is not None:
            values["years"] = self.years
        values.update({k: v for k, v in point.items() if k != SCENARIO_FACTOR})
        return values

    def identity(self) -> dict[str, Any]:
        """Everything that decides which runs there are and what each one computes (compared on --resume)."""
        used = {ref: self.scenarios[ref] for ref in self.scenario_refs()}
        data = self.model_dump(exclude={"name", "description", "question", "outcomes", "criterion", "dask", "scenarios"})
        data["scenarios"] = used
        return data

    def scenario_refs(self) -> list[str]:
        """The scenario references the runs use: the base, or the ``scenario`` factor's values."""
        factor = self.factors.get(SCENARIO_FACTOR)
        if isinstance(factor, list):
            return [str(v) for v in factor]
        return [self.scenario]


# --- reading --------------------------------------------------------------------------------------------
def parse_keep(text: str) -> int | None:
    """``"weekly"`` -> 1, ``"every 4 weeks"`` -> 4, ``"summary"`` -> None (a ValueError otherwise)."""
    m = _KEEP.match(text)
    if m is None or (m.group(3) is not None and int(m.group(3)) < 1):
        raise ValueError(f'keep must be "weekly", "every N weeks" (N at least 1) or "summary", got {text!r}')
    if m.group(1):
        return 1
    if m.group(2):
        return None
    return int(m.group(3))


def parse_outcome(text: str) -> tuple[str, int | None]:
    """``"annual_revenue[-1]"`` -> ("annual_revenue", -1); ``"total_revenue"`` -> ("total_revenue", None)."""
    m = _OUTCOME.match(text.strip())
    if m is None:
        raise ValueError(
            f"outcome {text!r} must be a summary key, optionally with a year index (e.g. total_revenue, annual_revenue[-1])"
        )
    return m.group(1), None if m.group(2) is None else int(m.group(2))


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file (see ``docs/experiments.md``).

    Raises:
        ExperimentError: one line naming the field and what is allowed.

    """
    path = Path(path)
    try:
        data = read_toml(path, what="experiment file")
    except ScenarioError as exc:
        raise ExperimentError(str(exc)) from None
    return parse_experiment(data, where=str(path), folder=path.parent, default_name=path.stem)


def parse_experiment(
    data: dict[str, Any], where: str = "", folder: Path | None = None, default_name: str = "experiment"
) -> Experiment:
    """An Experiment from the TOML's top-level table.

    Args:
        data: the parsed TOML.
        where: the file name, appended to messages.
        folder: where relative scenario file paths start (default: the current directory).
        default_name: the name if the file gives none.

    """
    suffix = f" (in {where})" if where else ""

    def fail(message: str) -> ExperimentError:
        return ExperimentError(f"{message}{suffix}")

    data = dict(data)
    data.setdefault("name", default_name)
    _check_fields(data, Experiment.model_fields, "", fail)
    for section, model in (("design", Design), ("dask", DaskOptions)):
        if section in data:
            if not isinstance(data[section], dict):
                raise fail(f"{section} must be a table [{section}], got {_shown(data[section])}")
            _check_fields(data[section], model.model_fields, f"{section}.", fail)
    for section in ("set", "factors", "scenarios"):
        if section in data and not isinstance(data[section], dict):
            raise fail(f"{section} must be a table [{section}], got {_shown(data[section])}")
    for key, value in data.get("factors", {}).items():
        _check_factor_shape(key, value, fail)
    try:
        exp = Experiment.model_validate(data)
    except ValidationError as exc:
        raise fail(_pydantic_message(exc)) from None
    exp._source = where
    for check in (_check_keep_and_outcomes, _check_set, _check_design):
        check(exp, fail)
    exp._factors = [_factor(exp, key, spec, fail) for key, spec in exp.factors.items()]
    _check_cross(exp, fail)
    _check_size(exp, fail)
    _resolve_scenarios(exp, folder or Path.cwd(), where, fail)
    _check_against_horizon(exp, fail)
    return exp


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _check_fields(data: dict[str, Any], fields: dict[str, Any], prefix: str, fail: Any) -> None:
    """Unknown fields get a 'did you mean' and the list of fields."""
    for key in data:
        if key not in fields:
            close = difflib.get_close_matches(str(key), list(fields), n=2, cutoff=0.6)
            hint = f"; did you mean {' or '.join(repr(prefix + c) for c in close)}?" if close else ""
            where = f"[{prefix.rstrip('.')}]" if prefix else "an experiment file"
            raise fail(f"unknown field '{prefix}{key}'{hint} ({where} has: {', '.join(fields)})")


def _check_factor_shape(key: str, value: Any, fail: Any) -> None:
    """A factor is a non-empty list of single values or a table of low, high and optionally steps or step."""
    name = f"factors.{key}"
    if isinstance(value, list):
        if not value:
            raise fail(f"{name} is an empty list: give at least one value")
        for v in value:
            if isinstance(v, (list, dict)):
                raise fail(f"{name} must list single values, got a {'table' if isinstance(v, dict) else 'list'} inside")
        return
    if isinstance(value, dict):
        allowed = ("low", "high", "steps", "step")
        for k in value:
            if k not in allowed:
                raise fail(f"{name}.{k}: unknown field; a range has low, high and optionally steps or step")
        for k in ("low", "high"):
            if k not in value:
                raise fail(f"{name} needs {k} (a range is {{ low = ..., high = ... }})")
            if isinstance(value[k], bool) or not isinstance(value[k], (int, float)):
                raise fail(f"{name}.{k} must be a number, got {_shown(value[k])}")
            if not math.isfinite(value[k]):
                raise fail(f"{name}.{k} must be a finite number, got {value[k]}")
        return
    raise fail(f"{name} must be a list of values or a range {{ low = ..., high = ... }}, got {_shown(value)}")


_TYPE_WORDS = {
    "int_type": "an integer",
    "float_type": "a number",
    "string_type": "text",
    "bool_type": "true or false",
    "dict_type": "a table",
    "list_type": "a list",
}


def _pydantic_message(exc: ValidationError) -> str:
    """The first pydantic error as '<field>: <what is allowed>, got <value>'."""
    error = exc.errors(include_url=False)[0]
    parts = [str(p) for p in error.get("loc", ())]
    kept = [p for p in parts if p not in {"int", "float", "str", "bool", "Range"} and not p.startswith(("list[", "function-"))]
    loc = ".".join(kept) or "file"
    kind = error["type"]
    value = error.get("input")
    if kind in _TYPE_WORDS:
        words = "a number" if kind == "int_type" and "int" in parts else _TYPE_WORDS[kind]  # int | float union
        return f"{loc} must be {words}, got {_shown(value)}"
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        (op, bound), *_ = (error.get("ctx") or {}).items()
        words = {"gt": "greater than", "ge": "at least", "lt": "less than", "le": "at most"}[op]
        return f"{loc} must be {words} {bound}, got {_shown(value)}"
    if kind == "literal_error":
        return f"{loc} must be one of: {', '.join(DESIGNS)}, got {_shown(value)}"
    if kind == "missing":
        return f"{loc} is missing"
    return f"{loc}: {error['msg']}, got {_shown(value)}"


def _check_keep_and_outcomes(exp: Experiment, fail: Any) -> None:
    try:
        parse_keep(exp.keep)
    except ValueError as exc:
        raise fail(str(exc)) from None
    for text in exp.outcomes:
        try:
            parse_outcome(text)
        except ValueError as exc:
            raise fail(f"outcomes: {exc}") from None
    if exp.criterion:
        try:
            parse_outcome(exp.criterion)
        except ValueError as exc:
            raise fail(f"criterion: {exc}") from None


@functools.cache
def summary_outcomes(years: int) -> dict[str, bool]:
    """The numeric summary keys of a run of ``years`` years, each with whether it holds one value per year.

    Read off the summary of a tiny run (ten companies, one salesperson; a
    fraction of a second), so the list never drifts from what runs store.
    """
    from orgmodel.simulate import simulate

    summary = simulate(Scenario(years=years, market_size=10, salespeople=1), seed=0).summary
    out = {}
    for key, value in summary.items():
        if isinstance(value, list) and len(value) == years and all(isinstance(v, (int, float)) for v in value):
            out[key] = True
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = False
    return out


def horizon_years(exp: Experiment) -> int:
    """The shortest horizon, in years, of the runs the experiment makes."""
    if exp.years is not None:
        return exp.years
    default = Scenario.model_fields["years"].default
    return min(int(exp.scenarios[ref].get("years", default)) for ref in exp.scenario_refs())


def _check_against_horizon(exp: Experiment, fail: Any) -> None:
    """What to keep leaves something to store, and each outcome is a number every run has."""
    years = horizon_years(exp)
    weeks = years * 52
    every = exp.keep_every
    if every is not None and every > weeks:
        raise fail(
            f'keep = "{exp.keep}" keeps no week: the runs last {weeks} weeks ({years} years); '
            f'keep at most every {weeks} weeks, or "summary"'
        )
    if not exp.outcomes:
        return
    known = summary_outcomes(min(years, 2))  # a second year adds the growth key; more add nothing
    for text in exp.outcomes:
        key, index = parse_outcome(text)
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=2, cutoff=0.6)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            yearly = ", ".join(k for k, y in known.items() if y)
            per_run = ", ".join(k for k, y in known.items() if not y)
            raise fail(f"outcomes: {text!r} is not a numeric summary key{hint} (yearly: {yearly}; per run: {per_run})")
        if known[key] and index is None:
            raise fail(f"outcomes: {text!r} has one value per year: name the year, e.g. '{key}[-1]' (the last)")
        if not known[key] and index is not None:
            raise fail(f"outcomes: {text!r}: {key} is one number per run and takes no year index; write '{key}'")
        if index is not None and not -years <= index < years:
            raise fail(
                f"outcomes: {text!r} is beyond the horizon: the runs last {years} years, "
                f"so a year index is between 0 and {years - 1} (or -{years} to -1 from the end)"
            )


def _check_set(exp: Experiment, fail: Any) -> None:
    """``[set]`` keys are scenario keys with single values; a key is either set or varied, not both."""
    for key in exp.set:
        if key not in Scenario.model_fields:
            raise fail(_unknown_key(f"set.{key}", key))
        if key in ("interventions", "years"):
            hint = "the experiment's top-level `years`" if key == "years" else "a scenario file or [scenarios.NAME] table"
            raise fail(f"set.{key}: set it in {hint}")
        if key in exp.factors:
            raise fail(f"{key} is both in [set] and in [factors]: a key is either fixed or varied")
        exp.set[key] = _level(key, exp.set[key], f"set.{key}", key_type(key), fail, single=True)


def _unknown_key(field: str, key: str) -> str:
    close = difflib.get_close_matches(key, list(Scenario.model_fields), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"{field}: unknown scenario key {key!r}{hint} (all keys: {KEYS_HINT})"


def _check_design(exp: Experiment, fail: Any) -> None:
    """Each design's required settings are given and the others are not."""
    design = exp.design
    kind = design.kind
    for setting, kinds in DESIGN_SETTINGS.items():
        if getattr(design, setting) is not None and kind not in kinds:
            raise fail(f"design.{setting} applies to {' and '.join(kinds)} designs only, not to design.kind = {kind!r}")
    if kind in ("monte_carlo", "latin_hypercube", "sobol") and design.samples is None:
        raise fail(f"design.samples is missing: a {kind} design needs the number of samples")
    if kind == "sobol" and design.samples is not None and design.samples & (design.samples - 1):
        raise fail(f"design.samples must be a power of 2 for a sobol design (e.g. 64, 128, 256), got {design.samples}")
    if kind == "morris" and design.trajectories is None:
        raise fail("design.trajectories is missing: a morris design needs the number of trajectories (e.g. 10)")
    if kind != "full_factorial" and not exp.factors:
        raise fail(f"a {kind} design needs at least one factor in [factors]")
    if design.skip_invalid and kind in BOUNDS_ONLY:
        raise fail(f"design.skip_invalid cannot be used with a {kind} design: its analysis needs every point")


def max_runs() -> int:
    """The most runs an experiment may plan: ``ORGMODEL_MAX_RUNS`` if set, else :data:`MAX_RUNS`."""
    text = os.environ.get(MAX_RUNS_ENV, "").strip()
    if not text:
        return MAX_RUNS
    if not re.fullmatch(r"[0-9]+", text, re.ASCII) or int(text) < 1:
        raise ExperimentError(f"{MAX_RUNS_ENV} must be a whole number of runs (at least 1), got {text!r}")
    return int(text)


def _count(n: int) -> str:
    return f"{n:,}" if n < 10**15 else f"{n:.3g}".replace("e+", "e")


def _check_size(exp: Experiment, fail: Any) -> None:
    """Refuse, before a single point is made, an experiment with more runs than allowed."""
    points = designs.size(exp)
    runs = points * exp.replications
    limit = max_runs()
    if runs > limit:
        what = {
            "full_factorial": "fewer factors or values per factor",
            "morris": "fewer trajectories or factors",
        }.get(exp.design.kind, "fewer samples")
        raise fail(
            f"the experiment would make {_count(runs)} runs ({_count(points)} design points x {exp.replications} "
            f"replications), more than the limit of {_count(limit)}; use {what} or replications, "
            f"or raise the limit with {MAX_RUNS_ENV}=N"
        )


def _factor(exp: Experiment, key: str, spec: list[Any] | Range, fail: Any) -> Factor:
    """Validate one factor against the Scenario schema and the design; return its normalised form."""
    name = f"factors.{key}"
    kind_name = exp.design.kind
    if key == SCENARIO_FACTOR:
        if not isinstance(spec, list):
            raise fail(f"{name} must be a list of scenario names or files, not a range")
        if kind_name in BOUNDS_ONLY:
            raise fail(f"{name} is categorical: a {kind_name} design needs numeric bounds for every factor")
        if not all(isinstance(v, str) for v in spec):
            raise fail(f"{name} must list scenario names or files (text)")
        _no_duplicates(name, spec, fail)
        return Factor(key, str, values=tuple(spec))
    if key not in Scenario.model_fields:
        raise fail(_unknown_key(name, key))
    if key in NOT_FACTORS:
        hint = "set the horizon with the top-level `years`" if key == "years" else "it is not a single value a run can vary"
        raise fail(f"{name}: {key!r} cannot be a factor ({hint})")
    kind = key_type(key)
    if isinstance(spec, list):
        if kind_name in BOUNDS_ONLY:
            what = "categorical" if kind in (str, bool) else "a list of values"
            raise fail(
                f"{name} is {what}: a {kind_name} design samples every factor between numeric bounds, "
                f"give {name} = {{ low = ..., high = ... }}"
            )
        values = tuple(_level(key, v, name, kind, fail) for v in spec)
        _no_duplicates(name, list(values), fail)
        return Factor(key, kind, values=values)
    if kind not in (int, float):
        words = "true or false" if kind is bool else "text"
        raise fail(f"{name} is {words}: give a list of values, not low and high")
    low, high = _bound(key, spec.low, name, "low", kind, fail), _bound(key, spec.high, name, "high", kind, fail)
    if low > high:
        raise fail(f"{name} is an empty range: low ({_num(low)}) is above high ({_num(high)})")
    if kind_name == "full_factorial":
        return Factor(key, kind, values=_range_levels(name, low, high, spec, kind, fail))
    if spec.steps is not None or spec.step is not None:
        raise fail(f"{name}: steps and step apply to full_factorial designs; a {kind_name} design samples between low and high")
    if low == high:
        raise fail(f"{name} is an empty range: low and high are both {_num(low)}; a {kind_name} design needs low < high")
    return Factor(key, kind, low=low, high=high)


def _check_cross(exp: Experiment, fail: Any) -> None:
    """``design.cross`` names list factors, each once, and leaves at least one factor to sample (issue #16)."""
    crossed = exp.design.cross
    if crossed is None:
        return
    if not crossed:
        raise fail("design.cross is empty: name the list factors every sampled point runs under, or leave it out")
    factors = {f.name: f for f in exp.factor_list}
    _no_duplicates("design.cross", list(crossed), fail)
    for name in crossed:
        if name not in factors:
            raise fail(f"design.cross names {name!r}, which is not in [factors] (factors: {', '.join(factors)})")
        if factors[name].values is None:
            raise fail(f"design.cross names {name!r}, a range: only list factors can be crossed")
    if len(crossed) == len(factors):
        raise fail("design.cross names every factor: leave at least one to sample, or use a full_factorial design")


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def _no_duplicates(name: str, values: list[Any], fail: Any) -> None:
    seen: list[Any] = []
    for v in values:
        if any(v == s and type(v) is type(s) for s in seen):
            raise fail(f"{name} lists {_shown(v)} twice")
        seen.append(v)


def _within(key: str, x: float) -> bool:
    lo, lo_strict, hi, hi_strict = key_bounds(key)
    if lo is not None and (x < lo or (lo_strict and x == lo)):
        return False
    return not (hi is not None and (x > hi or (hi_strict and x == hi)))


def _level(key: str, value: Any, name: str, kind: type, fail: Any, single: bool = False) -> Any:
    """One value (listed, or ``single`` in [set]) of the key's type and within its bounds."""
    ok = {
        bool: isinstance(value, bool),
        int: isinstance(value, int) and not isinstance(value, bool),
        float: isinstance(value, (int, float)) and not isinstance(value, bool),
        str: isinstance(value, str),
    }[kind]
    if not ok:
        if single:
            words = {bool: "true or false", int: "an integer", float: "a number", str: "text"}[kind]
            raise fail(f"{name} must be {words} (the key's type), got {_shown(value)}")
        words = {bool: "true or false", int: "integers", float: "numbers", str: "text"}[kind]
        raise fail(f"{name} must list {words} (the key's type), got {_shown(value)}")
    if kind is float:
        value = float(value)
        if not math.isfinite(value):
            raise fail(f"{name} must list finite numbers, got {value}")
    if kind in (int, float) and not _within(key, value):
        raise fail(f"{name}: {_shown(value)} is outside the key's range ({allowed_range(key)})")
    if key in ("structure", "incentive"):
        from orgmodel.policies import incentives, structures

        registry = structures if key == "structure" else incentives
        try:
            registry.check_name(value)
        except ValueError as exc:
            raise fail(f"{name}: {exc}") from None
    return value


def _bound(key: str, value: float, name: str, which: str, kind: type, fail: Any) -> float:
    if kind is int and not float(value).is_integer():
        raise fail(f"{name}.{which} must be an integer ({key} is an integer key), got {value}")
    if not _within(key, value):
        raise fail(f"{name}.{which} ({_num(value)}) is outside the key's range ({allowed_range(key)})")
    return int(value) if kind is int else float(value)


def _range_levels(name: str, low: float, high: float, spec: Range, kind: type, fail: Any) -> tuple[Any, ...]:
    """The values of a range in a full factorial: ``steps`` evenly spaced values or every ``step``, both ends included."""
    if spec.steps is not None and spec.step is not None:
        raise fail(f"{name}: give steps or step, not both")
    if spec.steps is None and spec.step is None:
        if low == high:
            return (low,)
        raise fail(
            f"{name}: a full_factorial design needs the values of a range: add steps = N (how many values) "
            "or step = D (the spacing), or list the values"
        )
    if spec.steps is not None:
        n = spec.steps
        if n > MAX_RANGE_VALUES:
            raise fail(f"{name}.steps must be at most {MAX_RANGE_VALUES:,} values, got {n:,}")
        if n == 1 and low != high:
            raise fail(f"{name}.steps must be at least 2 for a range from {_num(low)} to {_num(high)}, got 1")
        raw = [low + (high - low) * i / max(n - 1, 1) for i in range(n)]
    else:
        step = float(spec.step)  # type: ignore[arg-type]
        if kind is int and not step.is_integer():
            raise fail(f"{name}.step must be an integer for an integer key, got {spec.step}")
        n = math.floor((high - low) / step + 1e-9) + 1
        if n > MAX_RANGE_VALUES:
            raise fail(f"{name}: step {spec.step} gives {n:,} values, more than {MAX_RANGE_VALUES:,}; use a larger step")
        raw = [low + i * step for i in range(n)]
    if kind is int:
        values = tuple(round(x) for x in raw)
        if len(set(values)) != len(values):
            raise fail(
                f"{name}: {n} steps between {_num(low)} and {_num(high)} repeat integers; use at most {int(high - low) + 1}"
            )
        return values
    return tuple(float(round(x, 12)) for x in raw)


# --- scenarios --------------------------------------------------------------------------------------------
def _resolve_scenarios(exp: Experiment, folder: Path, where: str, fail: Any) -> None:
    """Every scenario reference as its full keys in ``exp.scenarios`` (inline tables, built-ins, then files)."""
    from orgmodel.scenario import builtin

    resolved: dict[str, dict[str, Any]] = {}
    suffix = f" of {where}" if where else ""
    for ref, table in exp.scenarios.items():
        values = dict(table)
        values.setdefault("name", ref)
        origin = dict.fromkeys(values, f" (in [scenarios.{ref}]{suffix})")
        try:
            resolved[ref] = _full(validate(values, origin))
        except ScenarioError as exc:
            raise ExperimentError(str(exc)) from None
    for i, ref in enumerate(exp.scenario_refs()):
        if ref in resolved:
            continue
        field = "scenario" if SCENARIO_FACTOR not in exp.factors else f"factors.scenario[{i}]"
        if ref in builtin.names():
            resolved[ref] = _full(load_scenario(ref))
            continue
        path = Path(ref)
        if not (ref.endswith(".toml") or "/" in ref or "\\" in ref):
            raise fail(
                f"{field}: unknown scenario {ref!r}: not a [scenarios.{ref}] table, a built-in "
                f"({', '.join(builtin.names())}) or a .toml file"
            )
        if not path.is_absolute():
            path = folder / path
        try:
            resolved[ref] = _full(load_scenario(path))
        except ScenarioError as exc:
            raise fail(f"{field}: {exc}") from None
    exp.scenarios = resolved


def _full(scenario: Scenario) -> dict[str, Any]:
    """Every key of a scenario (unset optional keys left out, as TOML has no null)."""
    return {k: v for k, v in scenario.model_dump().items() if v is not None}


__all__ = [
    "NOT_FACTORS",
    "SCENARIO_FACTOR",
    "DaskOptions",
    "Design",
    "Experiment",
    "ExperimentError",
    "Factor",
    "Range",
    "load_experiment",
    "max_runs",
    "parse_experiment",
    "parse_keep",
    "parse_outcome",
]
