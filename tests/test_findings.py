"""Plain-words findings say what the numbers support: clear or not, ratio or difference, cautions."""

import pandas as pd
import pytest

from orgmodel.analysis import findings as say
from orgmodel.analysis.compare import compare_arms
from orgmodel.analysis.outcomes import Outcome, final_revenue

REVENUE = final_revenue(10)
CONTRIBUTION = Outcome("c", "contribution", "millions", "money", lambda runs: runs["c"])


def _table(groups: dict[str, list[float]]) -> pd.DataFrame:
    values = pd.Series([v for g in groups.values() for v in g])
    arms = pd.Series([a for a, g in groups.items() for _ in g])
    return compare_arms(values, arms)


def test_p_text():
    assert say.p_text(0.0004) == "p < 0.001"
    assert say.p_text(0.0123) == "p = 0.012"
    assert say.p_text(0.5) == "p = 0.50"
    assert say.p_text(float("nan")).startswith("no test")


def test_clear_difference_quotes_ratio_interval_holm_p_and_pairs_won():
    table = _table({"sq": [10e6, 11e6, 9e6, 10.5e6], "hf": [30e6, 31e6, 29e6, 30.5e6]})
    sq, hf = table.iloc[0], table.iloc[1]
    text = say.arm_sentence(hf, sq, REVENUE, {"hf": "hunter farmer"})
    assert text.startswith("Hunter farmer: year-10 revenue 30.1 M, 2.98× the reference's 10.1 M (95% CI ")
    assert "Welch t-test p < 0.001 after Holm correction" in text
    assert text.endswith("its runs beat the reference's in 100% of pairs.")


def test_overlapping_arms_are_not_called_different():
    table = _table({"sq": [10e6, 12e6, 9e6, 11e6], "alt": [10.5e6, 11.5e6, 9.5e6, 12e6]})
    text = say.arm_sentence(table.iloc[1], table.iloc[0], REVENUE, {})
    assert "not a clear difference" in text
    assert "pairs" not in text


def test_non_positive_reference_is_compared_by_difference_not_ratio():
    table = _table({"sq": [-2e6, -1e6, -1.5e6], "hf": [1e6, 2e6, 1.5e6]})
    text = say.arm_sentence(table.iloc[1], table.iloc[0], CONTRIBUTION, {})
    assert "+3 M against the reference's -1.5 M" in text
    assert "×" not in text.split(";")[0]


def test_growth_rates_are_compared_by_difference_in_points_not_ratio():
    growth = Outcome("g", "revenue growth", "% a year", "rate", lambda runs: runs["g"])
    table = _table({"sq": [0.01, 0.012, 0.008, 0.01], "hf": [0.12, 0.118, 0.122, 0.12]})
    assert table.iloc[1]["ratio"] > 10  # the ratio of means exists, but "12 times the growth" means nothing
    text = say.arm_sentence(table.iloc[1], table.iloc[0], growth, {})
    assert "+11.0 points against the reference's +1.0% a year" in text
    assert "×" not in text


def test_many_arms_are_counted_beyond_the_described_ones():
    groups = {"sq": [1.0, 1.1, 0.9, 1.0]}
    groups |= {f"up{i}": [5.0 + i, 5.1 + i, 4.9 + i, 5.0 + i] for i in range(say.MAX_ARM_SENTENCES + 2)}
    groups |= {"same": [1.0, 1.05, 0.95, 1.02]}
    lines = say.comparison_findings(_table(groups), REVENUE, {})
    assert lines[0].startswith("Highest year-10 revenue: up7")
    assert len(lines) == 1 + say.MAX_ARM_SENTENCES + 1
    assert lines[-1].startswith("Of the other 3 arms, 2 have clearly higher and 0 clearly lower")


def test_secondary_finding_when_the_reference_is_best():
    table = _table({"sq": [5.0, 5.1, 4.9], "alt": [1.0, 1.1, 0.9]})
    outcome = Outcome("n", "new clients", "number", "count", lambda r: r)
    text = say.secondary_finding(table, outcome, {"alt": "alternative"})
    assert text.startswith("Highest new clients: the reference arm (5.0); next, alternative, 1.0")
    assert "clear)" in text


def test_sobol_finding_warns_about_wide_intervals_and_interactions():
    indices = pd.DataFrame(
        {"S1": [0.10, 0.05], "S1_conf": [0.02, 0.02], "ST": [0.60, 0.10], "ST_conf": [0.05, 0.40]},
        index=["churn_base", "spoiledness"],
    )
    text = say.sensitivity_finding(indices, REVENUE)
    assert text.startswith("Total Sobol indices for year-10 revenue, largest first: churn base 0.60")
    assert "For churn base the total index exceeds the first-order one" in text
    assert "Intervals reach ± 0.40" in text
    assert "order is not settled" not in text  # 0.60 - 0.05 > 0.10 + 0.40


def test_sobol_finding_says_when_estimates_fall_outside_zero_to_one():
    indices = pd.DataFrame(
        {"S1": [0.30, -0.20], "S1_conf": [0.1, 0.1], "ST": [1.30, 0.10], "ST_conf": [0.1, 0.1]}, index=["a", "b"]
    )
    assert "outside 0 to 1 (-0.20 to 1.30)" in say.sensitivity_finding(indices, REVENUE)
    indices["S1"], indices["ST"] = [0.30, -0.01], [0.90, 0.10]  # within sampling noise of the range
    assert "outside 0 to 1" not in say.sensitivity_finding(indices, REVENUE)


def test_morris_finding_ranks_and_flags_nonlinearity_and_overlap():
    indices = pd.DataFrame(
        {"mu": [1e6, -2e6], "mu_star": [3e6, 2.5e6], "mu_star_conf": [1e6, 1e6], "sigma": [1e6, 3e6]},
        index=["churn_base", "spoiledness"],
    )
    text = say.sensitivity_finding(indices, REVENUE)
    assert text.startswith("Morris μ* for year-10 revenue, largest first: churn base 3 M (± 1 M); spoiledness 2.5 M")
    assert "σ ≥ μ* for spoiledness:" in text
    assert "order is not settled" in text


def test_failure_finding():
    runs = pd.DataFrame(
        {
            "run_id": [0, 1, 2, 3],
            "arm": ["a", "b", "b", "a"],
            "status": ["ok", "error", "error", "ok"],
            "error": [None, "ValueError: boom\n  at line 3", "ValueError: again", None],
        }
    )
    text = say.failure_finding(runs, {"b": "arm B"})
    assert text == (
        "2 of 4 runs failed and are left out of every table and figure (failed runs per arm: arm B: 2). "
        "First error (run 1): ValueError: boom at line 3"
    )
    assert say.failure_finding(runs[runs["status"] == "ok"]) == "All 2 runs finished without error."


@pytest.mark.parametrize(
    ("kind", "raw", "shown"),
    [("money", 12_345_678.0, "12.3 M"), ("count", 88.75, "88.8"), ("share", 0.163, "16%"), ("rate", 0.0423, "+4.2% a year")],
)
def test_outcome_formats(kind, raw, shown):
    assert Outcome("k", "x", "u", kind, lambda r: r).format(raw) == shown


def test_time_use_never_says_zero_percent_of_servicing():
    years = pd.Index([1, 10])
    base = {"prospecting": [0.4, 0.35], "pipeline": [0.3, 0.3], "implementation": [0.1, 0.1], "cross_sell": [0.2, 0.25]}
    hunters = pd.DataFrame(base | {"servicing": [0.0, 0.0]}, index=years)
    assert say.time_use_finding(hunters, "hunter farmer").endswith(
        "in year 1 and 65% in year 10; they serviced no orders (others in the organisation did)."
    )
    little = pd.DataFrame(base | {"servicing": [0.003, 0.2]}, index=years)
    assert "servicing orders took under 1% of their hours in year 1 and 20% in year 10." in say.time_use_finding(little, "x")
