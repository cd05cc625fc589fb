"""Statistics of arm comparisons against cases computed by hand, and the coverage of their intervals."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from orgmodel.analysis.compare import (
    compare_arms,
    holm,
    mann_whitney,
    mean_interval,
    ratio_interval,
    superiority,
    welch,
)

A = [1.0, 2.0, 3.0, 4.0]
B = [2.0, 4.0, 6.0, 8.0, 10.0]


def test_welch_matches_hand_computation():
    # means 2.5 and 6; variances of the means 5/12 and 2, so t = -3.5 / sqrt(29/12)
    # Welch-Satterthwaite df = (29/12)^2 / ((5/12)^2 / 3 + 2^2 / 4) = 2523/457
    res = welch(A, B)
    se, df = math.sqrt(29 / 12), 2523 / 457
    assert res.statistic == pytest.approx(-3.5 / se, rel=1e-12)
    assert res.df == pytest.approx(df, rel=1e-12)
    assert res.p == pytest.approx(2 * stats.t.sf(3.5 / se, df), rel=1e-9)
    half = stats.t.ppf(0.975, df) * se
    assert (res.diff.estimate, res.diff.low, res.diff.high) == pytest.approx((-3.5, -3.5 - half, -3.5 + half))


def test_welch_undefined_cases():
    one = welch([1.0], B)
    assert one.diff.estimate == pytest.approx(-5.0) and math.isnan(one.diff.low) and math.isnan(one.p)
    flat = welch([3.0, 3.0], [2.0, 2.0, 2.0])
    assert (flat.diff.estimate, flat.diff.low, flat.diff.high) == (1.0, 1.0, 1.0) and math.isnan(flat.p)


def test_mean_interval_is_students_t():
    x = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0]
    half = stats.t.ppf(0.975, 5) * np.std(x, ddof=1) / math.sqrt(6)
    ci = mean_interval(x)
    assert (ci.estimate, ci.low, ci.high) == pytest.approx((23 / 6, 23 / 6 - half, 23 / 6 + half))
    one = mean_interval([2.5])
    assert one.estimate == 2.5 and math.isnan(one.low) and math.isnan(one.high)
    assert mean_interval([2.0, 2.0]) == mean_interval([2.0, 2.0, 2.0]) == type(one)(2.0, 2.0, 2.0)
    assert math.isnan(mean_interval([float("nan")]).estimate)


def test_superiority_counts_pairs():
    # 1 < 2, 2, 4 (0); 2 = 2, 2 (half each), < 4; 3 > 2, 2, < 4: (0 + 1 + 2) / 9
    assert superiority([1, 2, 3], [2, 2, 4]) == pytest.approx(3 / 9)
    assert superiority([5, 6], [1, 2, 3]) == 1.0
    assert superiority([1, 2, 3], [5, 6]) == 0.0


def test_mann_whitney_exact_small_case():
    # no overlap between two groups of three: U = 0, exact two-sided p = 2 / C(6, 3) = 0.1
    u, p = mann_whitney([1, 2, 3], [4, 5, 6])
    assert u == 0.0
    assert p == pytest.approx(0.1)


def test_holm_adjustment_by_hand():
    # sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04 -> running max 0.06 for the last
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    adjusted = holm([0.01, float("nan"), 0.04])
    assert adjusted[0] == pytest.approx(0.02) and math.isnan(adjusted[1]) and adjusted[2] == pytest.approx(0.04)
    assert holm([0.6, 0.7]) == pytest.approx([1.0, 1.0])
    assert holm([]).size == 0


def test_ratio_interval_is_seeded_and_degenerate_cases_are_exact():
    rng = np.random.default_rng(11)
    a, b = rng.normal(30.0, 3.0, 8), rng.normal(10.0, 1.0, 8)
    ratio = ratio_interval(a, b, rng=5)
    assert ratio == ratio_interval(a, b, rng=5)
    assert ratio.estimate == pytest.approx(a.mean() / b.mean())
    assert 2.0 < ratio.low < ratio.estimate < ratio.high < 4.5
    assert ratio_interval([2.0, 2.0, 2.0], [1.0, 1.0, 1.0]) == type(ratio)(2.0, 2.0, 2.0)
    assert math.isnan(ratio_interval([1.0, 2.0], [0.0, 0.0]).estimate)


def test_intervals_at_six_runs_keep_their_coverage():
    """At n = 6 per arm the 95% intervals cover the true mean and difference about 95% of the time.

    A percentile bootstrap covers only about 88% here (too narrow for the
    sample); the test draws 600 samples from known distributions and needs
    at least 92% (the binomial sd of the estimate is under 1 point).
    """
    rng = np.random.default_rng(2026)
    trials = 600
    covered_mean = covered_diff = 0
    for _ in range(trials):
        a = rng.normal(47.8, 2.0, 6)  # like a year-10 revenue in millions over 6 seeds
        b = rng.gamma(8.0, 5.0, 6)  # skewed, mean 40
        ci = mean_interval(a)
        covered_mean += ci.low <= 47.8 <= ci.high
        d = welch(a, b).diff
        covered_diff += d.low <= 7.8 <= d.high
    assert 0.92 <= covered_mean / trials <= 0.98
    assert 0.92 <= covered_diff / trials <= 0.99
    # the percentile bootstrap's shortfall, so the test can tell the estimators apart
    low, high = np.percentile(
        rng.normal(47.8, 2.0, (trials, 6))[:, rng.integers(0, 6, (1000, 6))].mean(axis=2), [2.5, 97.5], axis=1
    )
    assert np.mean((low <= 47.8) & (high >= 47.8)) < 0.91


def test_compare_arms_table():
    values = pd.Series(A + B + [7.0, 8.0, 9.0, 10.0])
    arms = pd.Series(["sq"] * 4 + ["hf"] * 5 + ["desk"] * 4)
    table = compare_arms(values, arms)
    assert table["arm"].tolist() == ["sq", "hf", "desk"]
    assert table["reference"].tolist() == [True, False, False]
    assert table["n"].tolist() == [4, 5, 4]
    assert table["mean"].tolist() == pytest.approx([2.5, 6.0, 8.5])
    ref = table.iloc[0]
    assert math.isnan(ref["p"]) and math.isnan(ref["diff"]) and math.isnan(ref["p_holm"])
    hf = table.iloc[1]
    assert hf["statistic"] == pytest.approx(3.5 / math.sqrt(29 / 12))
    assert hf["df"] == pytest.approx(2523 / 457)
    assert hf["diff"] == pytest.approx(3.5) and hf["ratio"] == pytest.approx(2.4)
    assert hf["superiority"] == pytest.approx(superiority(B, A))
    assert table["p_holm"].tolist()[1:] == pytest.approx(holm(table["p"].to_numpy()[1:]))
    assert (table["p_holm"].iloc[1:] >= table["p"].iloc[1:]).all()
    assert (table["ci_low"] <= table["mean"]).all() and (table["mean"] <= table["ci_high"]).all()


def test_compare_arms_options_and_errors():
    values = pd.Series(A + B)
    arms = pd.Series(["sq"] * 4 + ["hf"] * 5)
    table = compare_arms(values, arms, reference="hf", test="mannwhitney")
    assert table.loc[table["reference"], "arm"].item() == "hf"
    sq = table[table["arm"] == "sq"].iloc[0]
    assert sq["test"] == "mannwhitney"
    assert sq["p"] == pytest.approx(stats.mannwhitneyu(A, B).pvalue)
    assert compare_arms(values, arms, seed=1).equals(compare_arms(values, arms, seed=1))
    with pytest.raises(ValueError, match="reference arm 'x'"):
        compare_arms(values, arms, reference="x")
    with pytest.raises(ValueError, match="test must be one of"):
        compare_arms(values, arms, test="anova")


def test_common_random_numbers_pair_replicates():
    # the arms share each replicate's chance events (a common level), so pairing removes it
    level = np.array([10.0, 14.0, 8.0, 12.0, 11.0])
    values = pd.Series(np.concatenate([level, np.add(level, [1.1, 0.9, 1.0, 1.2, 0.8])]))
    arms = pd.Series(["sq"] * 5 + ["hf"] * 5)
    replicate = pd.Series(list(range(5)) * 2)
    unpaired = compare_arms(values, arms).iloc[1]
    table = compare_arms(values, arms, pairs=replicate).iloc[1]
    res = stats.ttest_rel(values[5:].to_numpy(), values[:5].to_numpy())
    assert table["test"] == "paired_t" and table["df"] == 4
    assert table["p"] == pytest.approx(res.pvalue) and table["statistic"] == pytest.approx(res.statistic)
    assert table["diff"] == pytest.approx(1.0)
    assert 0.7 < table["diff_low"] < 1.0 < table["diff_high"] < 1.3  # unpaired, the shared level swamps it
    assert unpaired["diff_low"] < 0 < unpaired["diff_high"]
    assert table["ratio_low"] < table["ratio"] < table["ratio_high"]
    shuffled = compare_arms(values, arms, pairs=pd.Series([4, 3, 2, 1, 0, 4, 3, 2, 1, 0])).iloc[1]
    assert shuffled["diff"] == pytest.approx(table["diff"]) and shuffled["p"] == pytest.approx(table["p"])
