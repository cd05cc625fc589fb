"""The outcomes a report compares arms on, read from the runs table of a results store.

Each outcome turns the run summaries (scalars and yearly lists) into one
number per run, and knows how to say that number to a client: its label,
unit and format. Keeping this in one place means tables, figures and the
plain-words findings always describe an outcome the same way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Outcome:
    """One number per run, with the words and unit to report it.

    Attributes:
        key: short identifier (used in file names and tables).
        label: what it is, in words ("year-10 revenue").
        unit: the unit of the scaled value ("millions per year").
        kind: "money", "count", "share", "rate" or "number" (how to format it).
        extract: raw value per run from the runs table.
        currency: the currency money is named in ("EUR"; "" leaves it unnamed, as before there was a key for it).

    """

    key: str
    label: str
    unit: str
    kind: str
    extract: Callable[[pd.DataFrame], pd.Series]
    currency: str = ""

    def in_currency(self, currency: str) -> Outcome:
        """The same outcome with money named in ``currency`` (in its values and its unit)."""
        if self.kind != "money" or not currency:
            return self
        return replace(self, currency=currency, unit=self.unit.replace("millions", f"millions {currency}", 1))

    @property
    def _money(self) -> str:
        return f" M {self.currency}" if self.currency else " M"

    @property
    def scale(self) -> float:
        """Divisor from the raw value to the shown one (money in millions, shares and rates in percent)."""
        return {"money": 1e6, "share": 0.01, "rate": 0.01}.get(self.kind, 1.0)

    @property
    def has_ratio(self) -> bool:
        """Whether "x times the reference" means something: not for rates and shares.

        A growth rate of +11.8% against +1.0% is not "12 times" the growth, and
        a rate can be negative; such outcomes are compared by their difference.
        """
        return self.kind in ("money", "count", "number")

    def values(self, runs: pd.DataFrame) -> pd.Series:
        """Raw values, one per run (NaN where a run lacks them)."""
        return self.extract(runs).astype(float)

    def per_run(self, runs: pd.DataFrame) -> pd.Series:
        """Raw values by run id, the form :meth:`orgmodel.experiments.Results.sensitivity` takes."""
        return pd.Series(self.values(runs).to_numpy(), index=pd.Index(runs["run_id"], name="run_id"), name=self.key)

    def scaled(self, runs: pd.DataFrame) -> pd.Series:
        """Values in the shown unit."""
        return self.values(runs) / self.scale

    @property
    def axis_label(self) -> str:
        """Label with its unit, for axes and column heads."""
        return f"{self.label[0].upper()}{self.label[1:]} ({self.unit})"

    def format(self, raw: float) -> str:
        """A raw value as a client reads it: "12.3 M", "45", "37%", "+4.2% a year"."""
        if raw is None or not math.isfinite(raw):
            return "n/a"
        if self.kind == "money":
            return (f"{raw / 1e6:,.3g}" if abs(raw) < 1e9 else f"{raw / 1e6:,.0f}") + self._money
        if self.kind == "count":
            return f"{raw:,.0f}" if abs(raw) >= 100 else f"{raw:,.1f}"
        if self.kind == "share":
            return f"{raw:.0%}"
        if self.kind == "rate":
            return f"{raw:+.1%} a year"
        return f"{raw:,.3g}"

    def plain(self, raw: float, signed: bool = False) -> str:
        """A raw value in the shown unit without the unit, for table cells whose head names it.

        A signed share or rate is a difference between two percentages, so it
        is in percentage points, as the findings say it.
        """
        if raw is None or not math.isfinite(raw):
            return "n/a"
        sign = "+" if signed else ""
        if self.kind in ("share", "rate"):
            if signed:
                return f"{raw * 100:+.1f} points"
            return f"{raw * 100:.1f}%" if self.kind == "rate" else f"{raw:.0%}"
        value = raw / self.scale  # money and counts
        return f"{value:{sign},.3g}" if abs(value) < 1000 else f"{value:{sign},.0f}"

    def format_size(self, raw: float) -> str:
        """The size of a change, without sign ("3.8 M", "12.5", "57.3 points")."""
        if raw is None or not math.isfinite(raw):
            return "n/a"
        return self.format_difference(raw).lstrip("+-")

    def format_difference(self, raw: float) -> str:
        """A difference between arms in the outcome's unit ("+3.1 M", "-12", "+8 points")."""
        if raw is None or not math.isfinite(raw):
            return "n/a"
        if self.kind == "money":
            return f"{raw / 1e6:+,.3g}" + self._money
        if self.kind == "count":
            return f"{raw:+,.0f}" if abs(raw) >= 100 else f"{raw:+,.1f}"
        if self.kind == "number":
            return f"{raw:+,.3g}"
        return f"{raw * 100:+.1f} points"


def _is_list(value: object) -> bool:
    return isinstance(value, list | tuple | np.ndarray)


def _year(column: str, year: int) -> Callable[[pd.DataFrame], pd.Series]:
    def extract(runs: pd.DataFrame) -> pd.Series:
        if column not in runs:
            return pd.Series(np.nan, index=runs.index)
        return runs[column].map(lambda v: float(v[year - 1]) if _is_list(v) and len(v) >= year else np.nan)

    return extract


def _total(column: str) -> Callable[[pd.DataFrame], pd.Series]:
    def extract(runs: pd.DataFrame) -> pd.Series:
        if column not in runs:
            return pd.Series(np.nan, index=runs.index)
        return runs[column].map(lambda v: float(np.sum(v)) if _is_list(v) and len(v) else np.nan)

    return extract


def _scalar(column: str) -> Callable[[pd.DataFrame], pd.Series]:
    def extract(runs: pd.DataFrame) -> pd.Series:
        return runs[column] if column in runs else pd.Series(np.nan, index=runs.index)

    return extract


def final_revenue(years: int) -> Outcome:
    """Revenue in the last year: where each arm ends up, the headline of a report."""
    return Outcome("revenue_final", f"year-{years} revenue", "millions per year", "money", _year("annual_revenue", years))


def standard_outcomes(years: int) -> list[Outcome]:
    """The outcomes every report compares, headline first."""
    outcomes = [
        final_revenue(years),
        Outcome("new_clients_total", f"new clients won over {years} years", "number", "count", _total("annual_new_clients")),
        Outcome(
            "contribution_total",
            f"contribution over {years} years (gross margin less cost of sales)",
            "millions",
            "money",
            _total("annual_contribution"),
        ),
        Outcome(
            "hunting_share_final",
            f"share of salespeople's hours spent hunting in year {years}",
            "%",
            "share",
            _year("annual_hunting_share", years),
        ),
    ]
    if years >= 2:
        first = max(1, years - 3)
        outcomes.insert(
            1,
            Outcome(
                "revenue_growth",
                f"revenue growth per year, years {first}-{years}",
                "% a year",
                "rate",
                _scalar("revenue_growth_last_3_years"),
            ),
        )
    return outcomes


OUTCOME_SPEC = re.compile(r"^\s*(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*(?:\[\s*(?P<index>-?\d+)\s*\])?\s*$")


def _kind(key: str) -> str:
    """How to read a summary key by its name: growth rates, shares, money, counts, or plain numbers."""
    if "growth" in key:
        return "rate"
    if "share" in key:
        return "share"
    if any(word in key for word in ("revenue", "cost", "contribution", "pay")):
        return "money"
    if any(word in key for word in ("clients", "handovers", "managers", "salespeople")):
        return "count"
    return "number"


def parse_outcome(spec: str, years: int) -> Outcome:
    """An outcome named as experiment files name them: a summary key, with a year index for yearly lists.

    ``"annual_revenue[-1]"`` is the last year's revenue (indices count from 0,
    negative ones from the end, as in Python); ``"total_revenue"`` a scalar.
    The outcomes every report shows keep their usual names and keys.

    Raises:
        ValueError: the text is not ``key`` or ``key[index]``, or the index is outside the years.

    """
    match = OUTCOME_SPEC.match(spec)
    if match is None:
        raise ValueError(f"outcome {spec!r} must be a summary key, optionally with a year index (e.g. annual_revenue[-1])")
    key, index = match.group("key"), match.group("index")
    standard = {o.key: o for o in standard_outcomes(years)}
    if index is None:
        if key == "revenue_growth_last_3_years" and "revenue_growth" in standard:
            return standard["revenue_growth"]
        kind = _kind(key)
        unit = {"money": "millions", "count": "number", "share": "%", "rate": "% a year"}.get(kind, "value")
        return Outcome(key, key.replace("_", " "), unit, kind, _scalar(key))
    year = int(index) + 1 if int(index) >= 0 else years + int(index) + 1
    if not 1 <= year <= years:
        raise ValueError(f"outcome {spec!r} points outside the {years} years simulated")
    if key == "annual_revenue":
        return (
            final_revenue(years)
            if year == years
            else Outcome(f"revenue_y{year}", f"year-{year} revenue", "millions per year", "money", _year(key, year))
        )
    kind = _kind(key)
    unit = {"money": "millions per year", "count": "number per year", "share": "%", "rate": "% a year"}.get(kind, "value")
    name = key.removeprefix("annual_").replace("_", " ")
    return Outcome(f"{key}_y{year}", f"{name} in year {year}", unit, kind, _year(key, year))


#: the outcome a report ranks arms by when the experiment names no criterion: what the organisation earns
DEFAULT_CRITERION = "contribution_total"


def criterion_outcome(spec: str | None, years: int) -> Outcome:
    """The outcome the report's answer ranks the arms by: the experiment's ``criterion``, else contribution over the horizon."""
    if spec:
        return parse_outcome(spec, years)
    return next(o for o in standard_outcomes(years) if o.key == DEFAULT_CRITERION)


def report_outcomes(specs: list[str] | None, years: int, criterion: str | None = None, currency: str = "") -> list[Outcome]:
    """The criterion first (the headline), then the experiment's own outcomes, then the standard ones not yet named.

    Args:
        specs: the experiment's ``outcomes``.
        years: the horizon.
        criterion: the experiment's ``criterion`` ("" or None: contribution over the horizon).
        currency: the scenario's currency, named in every money outcome.

    Raises:
        ValueError: an outcome or the criterion cannot be read or points outside the years.

    """
    named = [criterion_outcome(criterion, years)] + [parse_outcome(spec, years) for spec in specs or []]
    out: list[Outcome] = []
    for outcome in named + standard_outcomes(years):
        if outcome.key not in {o.key for o in out}:
            out.append(outcome.in_currency(currency))
    return out
