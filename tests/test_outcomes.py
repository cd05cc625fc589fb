"""Outcomes named as experiment files name them, and the order a report shows them in."""

import pandas as pd
import pytest

from orgmodel.analysis.outcomes import parse_outcome, report_outcomes

RUNS = pd.DataFrame(
    {
        "annual_revenue": [[1e6, 2e6, 4e6], [1e6, 3e6, 5e6]],
        "annual_new_clients": [[10.0, 8.0, 6.0], [12.0, 9.0, 3.0]],
        "total_revenue": [7e6, 9e6],
        "handovers": [3, 5],
    }
)


def test_year_indices_count_like_python():
    last = parse_outcome("annual_revenue[-1]", 3)
    assert last.key == "revenue_final" and last.label == "year-3 revenue"
    assert last.values(RUNS).tolist() == [4e6, 5e6]
    first = parse_outcome("annual_revenue[0]", 3)
    assert first.label == "year-1 revenue" and first.values(RUNS).tolist() == [1e6, 1e6]
    clients = parse_outcome("annual_new_clients[ 1 ]", 3)
    assert clients.label == "new clients in year 2" and clients.kind == "count"
    assert clients.values(RUNS).tolist() == [8.0, 9.0]


def test_scalars_get_a_kind_from_their_name():
    total = parse_outcome("total_revenue", 3)
    assert (total.kind, total.unit, total.format(7e6)) == ("money", "millions", "7 M")
    assert parse_outcome("handovers", 3).kind == "count"
    assert parse_outcome("revenue_growth_last_3_years", 3).key == "revenue_growth"
    assert parse_outcome("cross_sell_multiplier_all", 3).format(2.8355) == "2.84"


@pytest.mark.parametrize("spec", ["annual_revenue[3]", "annual_revenue[-4]", "annual revenue", "x[1.5]"])
def test_bad_outcomes_are_refused(spec):
    with pytest.raises(ValueError, match="outcome"):
        parse_outcome(spec, 3)


def test_report_shows_the_criterion_then_named_outcomes_then_the_standard_ones_once():
    keys = [o.key for o in report_outcomes(["total_revenue", "annual_revenue[-1]"], 3)]
    assert keys[:3] == ["contribution_total", "total_revenue", "revenue_final"]  # the default criterion leads
    assert keys.count("revenue_final") == 1 and keys.count("contribution_total") == 1
    assert "new_clients_total" in keys and "hunting_share_final" in keys
    assert [o.key for o in report_outcomes(["total_revenue"], 3, criterion="annual_revenue[-1]")][:2] == [
        "revenue_final",
        "total_revenue",
    ]
    named = [o.key for o in report_outcomes(["annual_revenue[-1]"], 3, criterion="annual_revenue[-1]")]
    assert named.count("revenue_final") == 1


def test_currency_names_money_in_values_differences_and_units():
    euros = [o for o in report_outcomes(None, 3, currency="EUR") if o.kind == "money"]
    assert euros and all("millions EUR" in o.unit for o in euros)
    total = parse_outcome("total_revenue", 3).in_currency("EUR")
    assert (total.format(7e6), total.format_difference(-2.5e6)) == ("7 M EUR", "-2.5 M EUR")
    clients = parse_outcome("handovers", 3)
    assert clients.in_currency("EUR") is clients  # counts have no currency


def test_differences_of_rates_are_in_points_in_tables_and_text():
    growth = parse_outcome("revenue_growth_last_3_years", 3)
    assert growth.plain(0.561, signed=True) == "+56.1 points" == growth.format_difference(0.561)
    assert growth.plain(0.561) == "56.1%"
