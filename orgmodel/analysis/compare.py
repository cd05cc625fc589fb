"""Comparisons between the arms of an experiment, with intervals that stay honest at a handful of runs.

An arm is one combination of factor values (one design point); its
replicates are runs that differ only in their seed. For one outcome,
:func:`compare_arms` gives each arm's mean with a 95% confidence interval and
compares every other arm with a reference arm (the status quo): the
difference of means with Welch's interval and test, the ratio of means with a
BCa bootstrap interval, p-values adjusted with Holm's method (a report that
tests many arms against the status quo would otherwise find "significant"
differences by chance), and the share of pairs of runs in which the arm beats
the reference, an effect size a reader understands without a textbook.

Why t-based intervals: experiments often run 5-10 replications per arm, and
a percentile bootstrap over 6 values is too narrow (it ignores that the
spread itself is estimated from 6 values) and misses the true mean far more
often than 5% of the time. Student's and Welch's intervals widen with the
t distribution and keep their coverage for roughly normal outcomes (run
totals over years are sums of many weekly events). The statistics come from
SciPy and statsmodels rather than being written out by hand.

The ratio's bootstrap draws from a generator seeded by the caller, so a
report built twice from the same results shows the same intervals.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

TESTS = ("welch", "mannwhitney")
CONFIDENCE = 0.95
N_BOOT = 4000
#: fewer replications per arm than this and the report says the intervals are wide and the claims tentative
FEW_REPLICATIONS = 10
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
    "df",
    "p",
    "p_holm",
    "superiority",
)

NAN = float("nan")


@dataclass(frozen=True)
class Interval:
    """A point estimate with its confidence interval."""

    estimate: float
    low: float
    high: float


def _clean(values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    return arr[np.isfinite(arr)]


def mean_interval(values: Sequence[float] | np.ndarray | pd.Series, level: float = CONFIDENCE) -> Interval:
    """Mean of ``values`` with Student's t interval (``scipy.stats.ttest_1samp``).

    Identical values give a zero-width interval (the runs agree exactly); a
    single value gives no interval (NaN ends: one run says nothing about the
    spread); no values give NaN. Non-finite values are ignored.
    """
    x = _clean(values)
    if x.size == 0:
        return Interval(NAN, NAN, NAN)
    mean = float(x.mean())
    if x.size == 1:
        return Interval(mean, NAN, NAN)
    if np.ptp(x) == 0:
        return Interval(mean, mean, mean)
    ci = stats.ttest_1samp(x, 0.0).confidence_interval(level)
    return Interval(mean, float(ci.low), float(ci.high))


@dataclass(frozen=True)
class Welch:
    """Welch's unequal-variance comparison of two groups: difference of means, its interval and the test."""

    diff: Interval
    statistic: float
    df: float
    p: float


def welch(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, level: float = CONFIDENCE) -> Welch:
    """Difference of means (a - b) with Welch's interval, t, degrees of freedom and two-sided p (SciPy).

    Both groups without spread give the exact difference and no test (NaN);
    a group with fewer than two values gives the difference only.
    """
    x, y = _clean(a), _clean(b)
    if x.size == 0 or y.size == 0:
        return Welch(Interval(NAN, NAN, NAN), NAN, NAN, NAN)
    diff = float(x.mean() - y.mean())
    if x.size < 2 or y.size < 2:
        return Welch(Interval(diff, NAN, NAN), NAN, NAN, NAN)
    if np.ptp(x) == 0 and np.ptp(y) == 0:
        return Welch(Interval(diff, diff, diff), NAN, NAN, NAN)
    res = stats.ttest_ind(x, y, equal_var=False)
    ci = res.confidence_interval(level)
    return Welch(Interval(diff, float(ci.low), float(ci.high)), float(res.statistic), float(res.df), float(res.pvalue))


def paired(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, level: float = CONFIDENCE) -> Welch:
    """Mean of the pairwise differences (a_i - b_i) with its t interval and the paired t-test (SciPy).

    For arms run with common random numbers: replicate i of every arm draws
    the same chance events, so the difference is estimated from the pairs,
    which removes the noise the arms share. Pairs with a missing value are
    dropped; the degrees of freedom are the number of pairs less one.
    """
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if x.size == 0:
        return Welch(Interval(NAN, NAN, NAN), NAN, NAN, NAN)
    d = x - y
    diff = float(d.mean())
    if x.size < 2:
        return Welch(Interval(diff, NAN, NAN), NAN, NAN, NAN)
    if np.ptp(d) == 0:
        return Welch(Interval(diff, diff, diff), NAN, NAN, NAN)
    res = stats.ttest_rel(x, y)
    ci = res.confidence_interval(level)
    return Welch(Interval(diff, float(ci.low), float(ci.high)), float(res.statistic), float(res.df), float(res.pvalue))


def _ratio_of_means(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.mean(a, axis=axis) / np.mean(b, axis=axis)


def ratio_interval(
    arm: Sequence[float] | np.ndarray,
    reference: Sequence[float] | np.ndarray,
    level: float = CONFIDENCE,
    n_boot: int = N_BOOT,
    rng: np.random.Generator | int | None = 0,
    pairs: bool = False,
) -> Interval:
    """Ratio of means (arm / reference) with a BCa bootstrap interval (``scipy.stats.bootstrap``).

    The two groups are resampled independently (their runs are independent
    seeds), or together pair by pair with ``pairs`` (common random numbers:
    equal lengths, the i-th values drawn from the same seed); BCa corrects the percentile interval's bias and skew, which
    matter for a ratio. NaN when the reference mean is not positive ("x times
    the status quo" then means nothing); the interval is NaN with fewer than
    two runs in a group, and zero-width when no group has spread.
    """
    a, b = _clean(arm), _clean(reference)
    if a.size == 0 or b.size == 0 or b.mean() <= 0:
        return Interval(NAN, NAN, NAN)
    ratio = float(a.mean() / b.mean())
    if a.size < 2 or b.size < 2:
        return Interval(ratio, NAN, NAN)
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        return Interval(ratio, ratio, ratio)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # BCa warns (and returns NaN) when a resample is degenerate
        res = stats.bootstrap(
            (a, b),
            _ratio_of_means,
            n_resamples=n_boot,
            confidence_level=level,
            method="BCa",
            paired=pairs,
            vectorized=True,
            rng=np.random.default_rng(rng),
        )
    return Interval(ratio, float(res.confidence_interval.low), float(res.confidence_interval.high))


def mann_whitney(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> tuple[float, float]:
    """Two-sided Mann-Whitney U test: (U of the first group, p). NaN when a group is empty."""
    x, y = _clean(a), _clean(b)
    if x.size == 0 or y.size == 0:
        return NAN, NAN
    res = stats.mannwhitneyu(x, y, alternative="two-sided")
    return float(res.statistic), float(res.pvalue)


def superiority(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    """Share of pairs (one run of a, one of b) in which a's run is higher, ties counting half.

    The "probability of superiority" (McGraw & Wong 1992; the common-language
    effect size): 0.5 is no difference, 1.0 means every run of a beat every
    run of b. It equals U / (n_a n_b) of the Mann-Whitney test. NaN when a
    group is empty.
    """
    x, y = _clean(a), _clean(b)
    if x.size == 0 or y.size == 0:
        return NAN
    return float(stats.mannwhitneyu(x, y, alternative="two-sided").statistic / (x.size * y.size))


def holm(pvalues: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment of a family of p-values (statsmodels); NaNs stay NaN and do not count."""
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method="holm")[1]
    return out


def compare_arms(
    values: pd.Series,
    arms: pd.Series,
    reference: str | None = None,
    test: str = "welch",
    level: float = CONFIDENCE,
    n_boot: int = N_BOOT,
    seed: int = 0,
    pairs: pd.Series | None = None,
) -> pd.DataFrame:
    """One row per arm: mean with CI and, against the reference arm, contrast, test and effect size.

    Args:
        values: one outcome value per run.
        arms: the arm of each run (same index as ``values``); arms keep their
            order of first appearance, so pass runs sorted by design point.
        reference: the arm the others are compared with (default: the first).
        test: ``"welch"`` (Welch t-test) or ``"mannwhitney"`` (Mann-Whitney U).
        level: confidence level of the intervals.
        n_boot: bootstrap resamples of the ratio's interval.
        seed: seed of the bootstrap's random generator.
        pairs: with common random numbers, each run's replicate (same index as
            ``values``): differences, ratios and the t-test then pair replicate i
            of an arm with replicate i of the reference (replicates missing in
            either arm are left out of the pairs).

    Returns:
        Columns: arm, reference (bool), n, mean, ci_low, ci_high (Student's
        t), diff, diff_low, diff_high (Welch), ratio, ratio_low, ratio_high
        (BCa bootstrap), test, statistic, df, p, p_holm, superiority. The
        reference row has NaN in the comparison columns; ``p_holm`` adjusts
        over all the other arms.

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
    by_pair = None
    if pairs is not None:
        by_pair = pd.DataFrame({"v": values.to_numpy(dtype=float), "arm": arms.to_numpy(), "pair": pairs.to_numpy()})
        by_pair = by_pair.pivot_table(index="pair", columns="arm", values="v", aggfunc="first", dropna=False)
    rng = np.random.default_rng(seed)
    rows = []
    for arm in order:
        x = groups[arm]
        mean = mean_interval(x, level)
        row = {
            "arm": arm,
            "reference": arm == reference,
            "n": int(x.size),
            "mean": mean.estimate,
            "ci_low": mean.low,
            "ci_high": mean.high,
        }
        if arm != reference:
            used = test
            if by_pair is not None and arm in by_pair and reference in by_pair:
                both = by_pair[[arm, reference]].dropna()
                used = "paired_t" if test == "welch" else test
                contrast = paired(both[arm], both[reference], level)
                ratio = ratio_interval(both[arm].to_numpy(), both[reference].to_numpy(), level, n_boot, rng, pairs=True)
            else:
                contrast = welch(x, ref, level)
                ratio = ratio_interval(x, ref, level, n_boot, rng)
            if test == "welch":  # Welch's, or the paired t-test when runs are paired
                statistic, df, p = contrast.statistic, contrast.df, contrast.p
            else:
                (statistic, p), df = mann_whitney(x, ref), NAN
            row |= {
                "diff": contrast.diff.estimate,
                "diff_low": contrast.diff.low,
                "diff_high": contrast.diff.high,
                "ratio": ratio.estimate,
                "ratio_low": ratio.low,
                "ratio_high": ratio.high,
                "test": used,
                "statistic": statistic,
                "df": df,
                "p": p,
                "superiority": superiority(x, ref),
            }
        rows.append(row)
    table = pd.DataFrame(rows).reindex(columns=list(COLUMNS))
    table["p_holm"] = holm(table["p"].to_numpy())
    return table
