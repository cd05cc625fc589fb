"""The report's opening: the best arm on the criterion, by how much, how sure, and its price, from the numbers."""

import pandas as pd

from orgmodel.analysis.compare import compare_arms
from orgmodel.analysis.outcomes import Outcome
from orgmodel.analysis.verdict import opening, trade_off

CONTRIBUTION = Outcome(
    "c", "contribution over 10 years (gross margin less cost of sales)", "millions", "money", lambda r: r, "EUR"
)
LABELS = {"sq": "status quo", "hf": "hunter/farmer", "desk": "order desk"}


def _tables(groups: dict[str, list[float]]) -> dict[str, pd.DataFrame]:
    values = pd.Series([v for g in groups.values() for v in g])
    arms = pd.Series([a for a, g in groups.items() for _ in g])
    return {"c": compare_arms(values, arms)}


def test_best_arm_by_how_much_how_sure_and_its_price():
    tables = _tables({"sq": [86e6, 88e6, 84e6, 87e6], "hf": [180e6, 186e6, 184e6, 183e6], "desk": [120e6, 126e6, 123e6, 124e6]})
    costs = {
        "staff_added": pd.Series({"sq": 0.0, "hf": 80.0, "desk": 10.0}),
        "cost_of_sales": pd.Series({"sq": 20e6, "hf": 54e6, "desk": 30e6}),
        "first_year": pd.Series({"sq": 1.2e6, "hf": 0.7e6, "desk": 1.1e6}),
    }
    lines = opening(tables, CONTRIBUTION, costs, LABELS, 10, "EUR")
    assert len(lines) == 4
    assert lines[0].startswith(
        "Hunter/farmer does best on contribution over 10 years: 183 M EUR against 86.2 M EUR for status quo, "
        "+97 M EUR (95% interval +"
    )
    assert lines[0].endswith("2.12× the reference.")
    assert (
        lines[1] == "The difference is clear: its 95% interval lies above zero; its runs beat the reference's in 100% of pairs."
    )
    assert lines[2] == "Next comes order desk (123 M EUR, +37 M EUR against status quo)."
    assert lines[3] == (
        "The price: 80 more account managers or order-desk staff by year 10 (80 against 0), a cost of sales 170% higher "
        "over 10 years and a weaker first year (contribution -0.5 M EUR in year 1)."
    )


def test_no_winner_and_an_unsettled_difference_are_said_so():
    tables = _tables({"sq": [100e6, 110e6, 90e6], "hf": [98e6, 112e6, 85e6]})
    lines = opening(tables, CONTRIBUTION, {}, LABELS, 10)
    assert lines[0].startswith(
        "No alternative beats status quo on contribution over 10 years (100 M EUR): the closest, hunter/farmer"
    )
    assert lines[1].startswith("The runs do not settle whether it is worse")
    assert "(each arm ran 3 times; more replications would narrow it)" in lines[1]


def test_a_free_improvement_has_no_price():
    costs = {"staff_added": pd.Series({"sq": 0.0, "hf": 0.0}), "cost_of_sales": pd.Series({"sq": 20e6, "hf": 19e6})}
    assert trade_off(costs, "hf", "sq", 10) == ""
