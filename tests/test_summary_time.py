"""The summary carries each year's split of the salespeople's hours, for experiment stores."""

import math

import pytest

from orgmodel import simulate
from orgmodel.model.activities import ACTIVITIES

SIZES = {"market_size": 300, "salespeople": 5, "years": 3}


def test_annual_time_shares_match_the_staff_table():
    result = simulate(seed=4, structure="hunter_farmer", **SIZES)
    s = result.summary
    sales = result.staff[result.staff["role"] == "salesperson"]
    hours = sales.groupby("year")[[f"hours_{a}" for a in ACTIVITIES]].sum()
    for year in range(1, 4):
        total = hours.loc[year].sum()
        for activity in ACTIVITIES:
            assert s[f"annual_time_{activity}"][year - 1] == pytest.approx(hours.loc[year, f"hours_{activity}"] / total)
        assert sum(s[f"annual_time_{a}"][year - 1] for a in ACTIVITIES) == pytest.approx(1.0)
    # account managers' hours are not mixed in (they serve far more than hunters do)
    everyone = result.staff.groupby("year")["hours_servicing"].sum() / result.staff.groupby("year")[
        [f"hours_{a}" for a in ACTIVITIES]
    ].sum().sum(axis=1)
    assert (result.staff["role"] == "account_manager").any()
    assert s["annual_time_servicing"][-1] < everyone.loc[3]
    assert all(len(s[f"annual_time_{a}"]) == 3 for a in ACTIVITIES)


def test_existing_summary_keys_are_unchanged():
    s = simulate(seed=4, **SIZES).summary
    for key in ("annual_revenue", "annual_new_clients", "annual_hunting_share", "total_revenue", "revenue_growth_last_3_years"):
        assert key in s
    assert len(s["annual_revenue"]) == 3
    assert not any(math.isnan(x) for x in s["annual_time_prospecting"])
