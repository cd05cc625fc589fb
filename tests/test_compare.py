"""Statistics of arm comparisons against cases computed by hand or by independent formulas."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from orgmodel.analysis.compare import (
    bootstrap_contrast,
    bootstrap_mean,
    cliffs_delta,
    compare_arms,
    hedges_g,
    holm,
    mann_whitney,
    welch_t,
)

A = [1.0, 2.0, 3.0, 4.0]
B = [2.0, 4.0, 6.0, 8.0, 10.0]


def test_welch_t_matches_hand_computation():
    # means 2.5 and 6; variances of the means 5/12 and 2, so t = -3.5 / sqrt(29/12)
    # Welch-Satterthwaite df = (29/12)^2 / ((5/12)^2 / 3 + 2^2 / 4) = 2523/457
    t, df, p = welch_t(A, B)
    assert t == pytest.approx(-3.5 / math.sqrt(29 / 12), rel=1e-12)
    assert df == pytest.approx(2523 / 457, rel=1e-12)
    assert p == pytest.approx(2 * stats.t.sf(3.5 / math.sqrt(29 / 12), 2523 / 457), rel=1e-9)


def test_welch_t_undefined_cases_are_nan():
    assert all(math.isnan(v) for v in welch_t([1.0], B))
    assert all(math.isnan(v) for v in welch_t([3.0, 3.0], [3.0, 3.0, 3.0]))


def test_hedges_g_matches_hand_computation():
    # pooled variance (3 * 5/3 + 4 * 10) / 7 = 45/7; J = 1 - 3 / (4 * 9 - 9) = 8/9
    assert hedges_g(A, B) == pytest.approx(-3.5 / math.sqrt(45 / 7) * 8 / 9, rel=1e-12)
    assert hedges_g(B, A) == pytest.approx(-hedges_g(A, B))


def test_cliffs_delta_counts_pairs():
    # 1 < 2, 2, 4 (-3); 2 = 2, 2 and < 4 (-1); 3 > 2, 2 and < 4 (+1): -3 / 9
    assert cliffs_delta([1, 2, 3], [2, 2, 4]) == pytest.approx(-1 / 3)
    assert cliffs_delta([5, 6], [1, 2, 3]) == 1.0
    assert cliffs_delta([1, 2, 3], [5, 6]) == -1.0


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


def test_bootstrap_mean_agrees_with_scipy_and_normal_theory():
    x = np.random.default_rng(7).normal(10.0, 2.0, size=60)
    ours = bootstrap_mean(x, n_boot=20000, rng=1)
    theirs = stats.bootstrap((x,), np.mean, method="percentile", n_resamples=20000, rng=np.random.default_rng(2))
    half = 1.96 * x.std(ddof=0) / math.sqrt(x.size)
    assert ours.estimate == pytest.approx(x.mean())
    assert ours.low == pytest.approx(theirs.confidence_interval.low, abs=0.05)
    assert ours.high == pytest.approx(theirs.confidence_interval.high, abs=0.05)
    assert ours.high - ours.low == pytest.approx(2 * half, rel=0.08)


def test_bootstrap_is_seeded_and_degenerate_cases_are_exact():
    x = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0]
    assert bootstrap_mean(x, rng=3) == bootstrap_mean(x, rng=3)
    assert bootstrap_mean(x, rng=3) != bootstrap_mean(x, rng=4)
    one = bootstrap_mean([2.5])
    assert (one.estimate, one.low, one.high) == (2.5, 2.5, 2.5)
    assert math.isnan(bootstrap_mean([float("nan")]).estimate)
    diff, ratio = bootstrap_contrast([2.0, 2.0, 2.0], [1.0, 1.0, 1.0])
    assert (diff.estimate, diff.low, diff.high) == (1.0, 1.0, 1.0)
    assert (ratio.estimate, ratio.low, ratio.high) == (2.0, 2.0, 2.0)
    _, no_ratio = bootstrap_contrast([1.0, 2.0], [0.0, 0.0])
    assert math.isnan(no_ratio.estimate)


def test_contrast_interval_covers_the_difference_of_well_separated_groups():
    rng = np.random.default_rng(11)
    a, b = rng.normal(30.0, 3.0, 25), rng.normal(10.0, 1.0, 25)
    diff, ratio = bootstrap_contrast(a, b, rng=5)
    assert diff.low < a.mean() - b.mean() < diff.high
    assert diff.low > 18.0 and diff.high < 22.5
    assert ratio.low < ratio.estimate < ratio.high
    assert ratio.estimate == pytest.approx(a.mean() / b.mean())


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
    assert hf["diff"] == pytest.approx(3.5) and hf["ratio"] == pytest.approx(2.4)
    assert hf["hedges_g"] == pytest.approx(3.5 / math.sqrt(45 / 7) * 8 / 9)
    assert hf["cliffs_delta"] == pytest.approx(cliffs_delta(B, A))
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
