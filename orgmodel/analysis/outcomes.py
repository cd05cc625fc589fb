"""The outcomes a report compares arms on, read from the runs table of a results store.

Each outcome turns the run summaries (scalars and yearly lists) into one
number per run, and knows how to say that number to a client: its label,
unit and format. Keeping this in one place means tables, figures and the
plain-words findings always describe an outcome the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Outcome:
    """One number per run, with the words and unit to report it.

    Attributes:
        key: short identifier (used in file names and tables).
        label: what it is, in words ("year-10 revenue").
        unit: the unit of the scaled value ("millions per year").
        kind: "money", "count", "share" or "rate" (how to format it).
        extract: raw value per run from the runs table.

    """

    key: str
    label: str
    unit: str
    kind: str
    extract: Callable[[pd.DataFrame], pd.Series]

    @property
    def scale(self) -> float:
        """Divisor from the raw value to the shown one (money in millions, shares and rates in percent)."""
        return {"money": 1e6, "share": 0.01, "rate": 0.01}.get(self.kind, 1.0)

    def values(self, runs: pd.DataFrame) -> pd.Series:
        """Raw values, one per run (NaN where a run lacks them)."""
        return self.extract(runs).astype(float)

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
            return f"{raw / 1e6:,.3g} M" if abs(raw) < 1e9 else f"{raw / 1e6:,.0f} M"
        if self.kind == "count":
            return f"{raw:,.0f}" if abs(raw) >= 100 else f"{raw:,.1f}"
        if self.kind == "share":
            return f"{raw:.0%}"
        return f"{raw:+.1%} a year"

    def plain(self, raw: float, signed: bool = False) -> str:
        """A raw value in the shown unit without the unit, for table cells whose head names it."""
        if raw is None or not math.isfinite(raw):
            return "n/a"
        sign = "+" if signed else ""
        if self.kind in ("share", "rate"):
            return f"{raw * 100:{sign}.1f}%" if self.kind == "rate" or signed else f"{raw:.0%}"
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
            return f"{raw / 1e6:+,.3g} M"
        if self.kind == "count":
            return f"{raw:+,.1f}"
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
