"""How robust are the README's claims: the share of the plausible worlds in which each one holds.

Each claim the README makes about the default calibration is written here as
a ``--where`` condition over paired arms (:mod:`orgmodel.analysis.where`),
with the same thresholds as ``tests/test_claims.py`` where that file checks
it. Over a store such as ``experiments/robustness.toml`` (every assumed
parameter sampled from its plausible range, every world run under every arm
with one seed), :func:`claim_shares` counts the worlds where each claim
holds and gives a 95% Wilson score interval for the share (binomial, one
world = one trial). The report can call :func:`claim_shares` and
:func:`claim_sentences`; ``orgmodel robustness DIR`` prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from orgmodel.analysis.cases import cases
from orgmodel.analysis.where import WhereError, parse

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from orgmodel.experiments.results import Results

#: confidence level of the intervals
LEVEL = 0.95


@dataclass(frozen=True)
class Claim:
    """A claim of the README as a condition over one world's paired arms.

    Attributes:
        name: a short identifier.
        text: the claim in the README's words, with the threshold that makes it testable.
        where: the condition (``--where`` grammar).

    """

    name: str
    text: str
    where: str


#: the README's claims, in its order
CLAIMS: tuple[Claim, ...] = (
    Claim(
        "status_quo_stalls",
        "The status quo stalls: revenue grows at most 3% a year over years 7-10",
        "status_quo.revenue_growth_last_3_years <= 0.03",
    ),
    Claim(
        "split_grows",
        "The split with account-manager hiring grows: year-10 revenue at least 1.5 times the status quo's, "
        "still growing at least 5% a year",
        "hunter_farmer.annual_revenue[-1] >= 1.5 * status_quo.annual_revenue[-1] "
        "and hunter_farmer.revenue_growth_last_3_years >= 0.05",
    ),
    Claim(
        "split_contributes_more",
        "The split contributes more after paying everyone: higher year-10 contribution than the status quo",
        "hunter_farmer.annual_contribution[-1] > status_quo.annual_contribution[-1]",
    ),
    Claim(
        "pay_alone_does_not_get_out",
        "Pay alone does not get out: with a new-client bonus, year-10 revenue is at most 10% above the status quo's",
        "new_client_bonus.annual_revenue[-1] <= 1.1 * status_quo.annual_revenue[-1]",
    ),
    Claim(
        "fixed_headcount_split_is_worse",
        "At a fixed headcount the split is worse: lower year-10 revenue than the status quo",
        "hunter_farmer_fixed_headcount.annual_revenue[-1] < status_quo.annual_revenue[-1]",
    ),
    Claim(
        "firing_does_not_cure",
        "Firing the low performers does not bring growth back: year-10 revenue at most 10% above the status quo's",
        "status_quo_replace_low_performers.annual_revenue[-1] <= 1.1 * status_quo.annual_revenue[-1]",
    ),
)


def share_interval(hits: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """The Wilson score interval of a share of ``hits`` in ``n`` (NaN, NaN for n = 0)."""
    if n == 0:
        return float("nan"), float("nan")
    ci = stats.binomtest(hits, n).proportion_ci(confidence_level=level, method="wilson")
    return float(ci.low), float(ci.high)


def claim_shares(results: Results, claims: tuple[Claim, ...] = CLAIMS) -> pd.DataFrame:
    """One row per claim: worlds where it holds, worlds counted, share and its 95% interval.

    A claim whose arms are not all in the store gets no numbers and a note
    saying which arm is missing. Worlds with a failed run of an arm the claim
    needs are left out of that claim (column ``left_out``).
    """
    rows = []
    for claim in claims:
        row: dict[str, object] = {"claim": claim.name, "text": claim.text, "where": claim.where}
        try:
            c = cases(results, parse(claim.where))
        except WhereError as exc:
            rows.append({**row, "holds": np.nan, "worlds": 0, "share": np.nan, "low": np.nan, "high": np.nan,
                         "left_out": 0, "note": str(exc)})  # fmt: skip
            continue
        low, high = share_interval(c.hits, c.n)
        share = c.hits / c.n if c.n else np.nan
        rows.append({**row, "holds": c.hits, "worlds": c.n, "share": share, "low": low, "high": high,
                     "left_out": c.left_out, "note": ""})  # fmt: skip
    return pd.DataFrame(rows)


def _interval(row: Any) -> str:
    """A tested claim's share and interval, e.g. ``78% (62%-88%)``."""
    return f"{row.share:.0%} ({row.low:.0%}-{row.high:.0%})"


def claim_sentences(table: pd.DataFrame) -> list[str]:
    """Each claim's share in one sentence: '... holds in 31 of 40 plausible worlds (78%, 95% interval 62%-88%).'."""
    return [
        f"{row.text}: holds in {int(row.holds)} of {int(row.worlds)} plausible worlds "
        f"({row.share:.0%}, {LEVEL:.0%} interval {row.low:.0%}-{row.high:.0%})."
        if row.worlds
        else f"{row.text}: not tested ({row.note})."
        for row in table.itertuples()
    ]


def claim_markdown(table: pd.DataFrame) -> str:
    """The table as Markdown: claim, worlds where it holds, share with its interval."""
    rows = [
        f"| {row.text} | {int(row.holds)} of {int(row.worlds)} worlds | {_interval(row)} |"
        if row.worlds
        else f"| {row.text} | not tested | |"
        for row in table.itertuples()
    ]
    return "\n".join(["| claim | holds in | share (95% interval) |", "|---|---|---|", *rows]) + "\n"


def claim_figure(table: pd.DataFrame) -> Figure:
    """Horizontal bars: the share of plausible worlds where each claim holds, with its 95% interval."""
    from matplotlib.figure import Figure

    shown = table[table["worlds"] > 0].iloc[::-1]
    fig = Figure(figsize=(8, 0.55 * len(shown) + 1.2), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(shown))
    share = shown["share"].to_numpy(float)
    err = np.vstack([share - shown["low"].to_numpy(float), shown["high"].to_numpy(float) - share])
    ax.barh(y, share, color="#4c72b0", alpha=0.8)
    ax.errorbar(share, y, xerr=err, fmt="none", ecolor="black", capsize=3)
    ax.set_yticks(y, [c.replace("_", " ") for c in shown["claim"]])
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"share of plausible worlds where the claim holds ({LEVEL:.0%} Wilson interval)")
    n = int(shown["worlds"].max()) if len(shown) else 0
    ax.set_title(f"How robust are the claims? ({n} sampled worlds)")
    return fig


__all__ = ["CLAIMS", "LEVEL", "Claim", "claim_figure", "claim_markdown", "claim_sentences", "claim_shares", "share_interval"]
