"""Comparisons between the arms of an experiment, with the statistics a client can trust.

An arm is one combination of factor values (one design point); its
replicates are runs that differ only in their seed. For one outcome,
:func:`compare_arms` gives each arm's mean with a bootstrap 95% confidence
interval and compares every other arm with a reference arm (the status quo):
the difference and the ratio of means with bootstrap intervals, a Welch
t-test (or Mann-Whitney U), Hedges' g and Cliff's delta, and p-values
adjusted with Holm's method, because a report that tests many arms against
the status quo would otherwise find "significant" differences by chance.

Bootstraps draw from a numpy Generator seeded by the caller, so a report
built twice from the same results shows the same intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

TESTS = ("welch", "mannwhitney")
CONFIDENCE = 0.95
N_BOOT = 4000
COLUMNS = (
    "arm",
    "reference",
    "n",
    "mean",
    "ci_low",
    "ci_high",
    "diff",
    "diff_low",
    "diff_high",
    "ratio",
    "ratio_low",
    "ratio_high",
    "test",
    "statistic",
    "p",
    "p_holm",
    "hedges_g",
    "cliffs_delta",
)


@dataclass(frozen=True)
class Interval:
    """A point estimate with its confidence interval."""

    estimate: float
    low: float
    high: float


def _clean(values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    return arr[np.isfinite(arr)]


def _percentile_interval(draws: np.ndarray, level: float) -> tuple[float, float]:
    draws = draws[np.isfinite(draws)]
    if draws.size == 0:
        return float("nan"), float("nan")
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(draws, [tail, 100.0 - tail])
    return float(low), float(high)


def _resampled_means(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Means of ``n_boot`` resamples (with replacement) of ``values``."""
    idx = rng.integers(0, values.size, size=(n_boot, values.size))
    return values[idx].mean(axis=1)


def bootstrap_mean(
    values: Sequence[float] | np.ndarray,
    level: float = CONFIDENCE,
    n_boot: int = N_BOOT,
    rng: np.random.Generator | int | None = 0,
) -> Interval:
    """Mean of ``values`` with a percentile bootstrap interval.

    A single value (or identical values) gives a zero-width interval; no
    values give NaN. Non-finite values are ignored.
    """
    x = _clean(values)
    if x.size == 0:
        return Interval(float("nan"), float("nan"), float("nan"))
    low, high = _percentile_interval(_resampled_means(x, n_boot, np.random.default_rng(rng)), level)
    return Interval(float(x.mean()), low, high)


def bootstrap_contrast(
    arm: Sequence[float] | np.ndarray,
    reference: Sequence[float] | np.ndarray,
    level: float = CONFIDENCE,
    n_boot: int = N_BOOT,
    rng: np.random.Generator | int | None = 0,
) -> tuple[Interval, Interval]:
    """Difference (arm - reference) and ratio (arm / reference) of means, each with a bootstrap interval.

    The two groups are resampled independently (their runs are independent
    seeds). The ratio is NaN when the reference mean is not positive, since
    "x times the status quo" then means nothing.
    """
    a, b = _clean(arm), _clean(reference)
    nan = Interval(float("nan"), float("nan"), float("nan"))
    if a.size == 0 or b.size == 0:
        return nan, nan
    gen = np.random.default_rng(rng)
    ma, mb = _resampled_means(a, n_boot, gen), _resampled_means(b, n_boot, gen)
    diff = Interval(float(a.mean() - b.mean()), *_percentile_interval(ma - mb, level))
    if b.mean() <= 0:
        return diff, nan
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(mb > 0, ma / mb, np.nan)
    return diff, Interval(float(a.mean() / b.mean()), *_percentile_interval(ratios, level))


def welch_t(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> tuple[float, float, float]:
    """Welch's unequal-variance t-test: (t, degrees of freedom, two-sided p).

    NaN when either group has fewer than two values or both have no spread.
    """
    x, y = _clean(a), _clean(b)
    if x.size < 2 or y.size < 2:
        return float("nan"), float("nan"), float("nan")
    vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    if vx + vy == 0:
        return float("nan"), float("nan"), float("nan")
    res = stats.ttest_ind(x, y, equal_var=False)
    df = (vx + vy) ** 2 / (vx**2 / (x.size - 1) + vy**2 / (y.size - 1))
    return float(res.statistic), float(df), float(res.pvalue)


def mann_whitney(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> tuple[float, float]:
    """Two-sided Mann-Whitney U test: (U of the first group, p). NaN when a group is empty."""
    x, y = _clean(a), _clean(b)
    if x.size == 0 or y.size == 0:
        return float("nan"), float("nan")
    res = stats.mannwhitneyu(x, y, alternative="two-sided")
    return float(res.statistic), float(res.pvalue)


def hedges_g(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    """Standardised mean difference (a - b) over the pooled SD, corrected for small samples.

    Cohen's d times J = 1 - 3 / (4 (n_a + n_b) - 9) (Hedges 1981). NaN when
    the pooled SD is zero or a group has fewer than two values.
    """
    x, y = _clean(a), _clean(b)
    na, nb = x.size, y.size
    if na < 2 or nb < 2:
        return float("nan")
    pooled = np.sqrt(((na - 1) * x.var(ddof=1) + (nb - 1) * y.var(ddof=1)) / (na + nb - 2))
    if pooled == 0:
        return float("nan")
    return float((x.mean() - y.mean()) / pooled * (1.0 - 3.0 / (4.0 * (na + nb) - 9.0)))


def cliffs_delta(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    """P(a > b) - P(a < b) over all pairs: -1 (every a below every b) to 1 (every a above)."""
    x, y = _clean(a), _clean(b)
    if x.size == 0 or y.size == 0:
        return float("nan")
    signs = np.sign(x[:, None] - y[None, :])
    return float(signs.mean())


def holm(pvalues: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment of a family of p-values (NaNs stay NaN and do not count).

    The k-th smallest of m p-values is multiplied by (m - k + 1), the running
    maximum is taken so the order is kept, and the result is capped at 1.
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    scaled = p[order] * (m - np.arange(m))
    out[order] = np.minimum(np.maximum.accumulate(scaled), 1.0)
    return out


def compare_arms(
    values: pd.Series,
    arms: pd.Series,
    reference: str | None = None,
    test: str = "welch",
    level: float = CONFIDENCE,
    n_boot: int = N_BOOT,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per arm: mean with CI and, against the reference arm, contrast, test, effect sizes.

    Args:
        values: one outcome value per run.
        arms: the arm of each run (same index as ``values``); arms keep their
            order of first appearance, so pass runs sorted by design point.
        reference: the arm the others are compared with (default: the first).
        test: ``"welch"`` (Welch t-test) or ``"mannwhitney"`` (Mann-Whitney U).
        level: confidence level of the bootstrap intervals.
        n_boot: bootstrap resamples.
        seed: seed of the bootstrap's random generator.

    Returns:
        Columns: arm, reference (bool), n, mean, ci_low, ci_high, diff,
        diff_low, diff_high, ratio, ratio_low, ratio_high, test, statistic, p,
        p_holm, hedges_g, cliffs_delta. The reference row has NaN in the
        comparison columns; ``p_holm`` adjusts over all the other arms.

    """
    if test not in TESTS:
        raise ValueError(f"test must be one of {', '.join(TESTS)}, not {test!r}")
    order = list(dict.fromkeys(arms.tolist()))
    if not order:
        raise ValueError("no runs to compare")
    reference = order[0] if reference is None else reference
    if reference not in order:
        raise ValueError(f"reference arm {reference!r} is not among the arms: {', '.join(map(str, order))}")
    groups = {arm: _clean(values[arms == arm]) for arm in order}
    ref = groups[reference]
    rng = np.random.default_rng(seed)
    rows = []
    for arm in order:
        x = groups[arm]
        mean = bootstrap_mean(x, level, n_boot, rng)
        row = {
            "arm": arm,
            "reference": arm == reference,
            "n": int(x.size),
            "mean": mean.estimate,
            "ci_low": mean.low,
            "ci_high": mean.high,
        }
        if arm != reference:
            diff, ratio = bootstrap_contrast(x, ref, level, n_boot, rng)
            statistic, p = welch_t(x, ref)[::2] if test == "welch" else mann_whitney(x, ref)
            row |= {
                "diff": diff.estimate,
                "diff_low": diff.low,
                "diff_high": diff.high,
                "ratio": ratio.estimate,
                "ratio_low": ratio.low,
                "ratio_high": ratio.high,
                "test": test,
                "statistic": statistic,
                "p": p,
                "hedges_g": hedges_g(x, ref),
                "cliffs_delta": cliffs_delta(x, ref),
            }
        rows.append(row)
    table = pd.DataFrame(rows).reindex(columns=list(COLUMNS))
    table["p_holm"] = holm(table["p"].to_numpy())
    return table
