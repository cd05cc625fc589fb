"""`crm describe` recovers known rates: the fixture tables (tests/crm_fixtures.py, test data only) are drawn
from chosen rates, and each estimate's 95% interval must contain the rate it was drawn from.

A 95% interval misses its truth one time in twenty, and with some thirty
intervals at fixed seeds a miss or two is expected of a correct estimator.
So each truth must fall inside its interval widened by a quarter of its width
on each side (about 99% for normal-shaped estimates): a biased estimator, or
an interval too narrow for its data, still fails.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from crm_fixtures import Truth, make_tables

from orgmodel.crm import load_export, write_export
from orgmodel.crm.estimate import Estimates, describe

TRUTH = Truth(activities_per_week={"call": 12.0, "email": 20.0, "meeting": 3.0})
#: many salespeople (attrition needs leavers), a steep fall of the win rate with the buying group's size
GROUPS = Truth(
    years=3.0,
    deals=2500,
    clients=50,
    salespeople=80,
    account_managers=0,
    win_by_group={1: 0.5, 2: 0.45, 3: 0.35, 4: 0.3, 5: 0.2, 6: 0.15},
    activities_per_week={"meeting": 0.5},
)


@pytest.fixture(scope="module")
def est(tmp_path_factory) -> Estimates:
    folder = tmp_path_factory.mktemp("truth")
    write_export(make_tables(TRUTH, seed=11), folder)
    return describe(load_export(folder))


@pytest.fixture(scope="module")
def groups(tmp_path_factory) -> Estimates:
    folder = tmp_path_factory.mktemp("groups")
    write_export(make_tables(GROUPS, seed=12), folder)
    return describe(load_export(folder))


def contains(est: Estimates, key: str, truth: float) -> None:
    e = est.get(key)
    assert e is not None, f"{key} not estimated: {[m for m in est.not_estimated if m.key.startswith(key)]}"
    slack = (e.high - e.low) / 4
    assert e.low - slack <= truth <= e.high + slack, (
        f"{key}: {truth} not in [{e.low:.4g}, {e.high:.4g}] (estimate {e.value:.4g}, n={e.n})"
    )
    assert e.n > 0


def test_win_rate_interval_contains_the_truth(est):
    contains(est, "win_rate", 0.3)
    e = est.get("win_rate")
    assert e.high - e.low < 0.1  # informative, not just wide
    contains(est, "win_rate.new_business", 0.3)
    contains(est, "win_rate.cross_sell", 0.3)


def test_stage_conversion_and_durations(est):
    # won deals pass all three stages, lost ones stop at a uniform stage: P(lost at a stage) = 0.7 / 3
    lost = (1 - TRUTH.win_rate) / 3
    contains(est, "stage_conversion.qualification", 1 - lost)
    contains(est, "stage_conversion.proposal", (1 - 2 * lost) / (1 - lost))
    contains(est, "stage_conversion.negotiation", TRUTH.win_rate / (1 - 2 * lost))
    # days in a stage: max(1, round(exponential)); the median of that is the first day with P(X <= d) >= 0.5
    for stage, mean in zip(("qualification", "proposal", "negotiation"), TRUTH.stage_days, strict=True):
        median = next(d for d in range(1, 400) if 1 - math.exp(-(d + 0.5) / mean) >= 0.5)
        contains(est, f"stage_days.{stage}", median)


def test_deal_sizes_and_cross_sell(est):
    contains(est, "deal_size_median", TRUTH.deal_median)
    contains(est, "deal_size_log_sd", TRUTH.deal_log_sd)
    for p, z in ((10, -1.2815515655446004), (90, 1.2815515655446004)):  # lognormal percentiles
        contains(est, f"deal_size_p{p}", TRUTH.deal_median * math.exp(z * TRUTH.deal_log_sd))
    contains(est, "deal_size_mean", TRUTH.deal_median * math.exp(TRUTH.deal_log_sd**2 / 2))
    contains(est, "cross_sell_share", TRUTH.cross_sell_share)


def test_orders_and_client_churn(est):
    contains(est, "orders_per_client_year", TRUTH.orders_per_year)
    contains(est, "order_value_median", TRUTH.order_median)
    contains(est, "client_churn_per_year", TRUTH.churn_per_year)
    contains(est, "order_interval_days", 365.25 / TRUTH.orders_per_year)


def test_activities_and_cases(est):
    for kind, rate in TRUTH.activities_per_week.items():
        contains(est, f"activities_per_week.salesperson.{kind}", rate)
    total = sum(TRUTH.activities_per_week.values())
    contains(est, "activity_mix.call", TRUTH.activities_per_week["call"] / total)
    contains(est, "cases_per_client_year", TRUTH.cases_per_client_year)
    contains(est, "complaint_share", TRUTH.complaint_share)
    contains(est, "complaints_per_client_year", TRUTH.cases_per_client_year * TRUTH.complaint_share)


def test_headcount_history(est):
    history = est.headcount
    assert history.index[-1] == est.window[1]
    assert history["salesperson"].iloc[0] == TRUTH.salespeople  # all hired before the window
    assert history["salesperson"].is_monotonic_decreasing  # nobody hired in the fixture, some leave
    assert est.get("headcount.salesperson").value == history["salesperson"].iloc[-1]


def test_win_rate_by_buying_group_size(groups):
    truth = GROUPS.win_by_group
    contains(groups, "win_rate.group_1", truth[1])
    contains(groups, "win_rate.group_2", truth[2])
    contains(groups, "win_rate.group_3_4", (truth[3] + truth[4]) / 2)
    contains(groups, "win_rate.group_5_plus", (truth[5] + truth[6]) / 2)
    contains(groups, "buying_group_mean", 3.5)  # one to six contact roles, uniformly
    assert groups.get("contact_coverage").value == 1.0
    one, many = groups.get("win_rate.group_1"), groups.get("win_rate.group_5_plus")
    assert one.low > many.high  # the data shows that bigger buying groups are won less often


def test_spread_of_win_rates_between_owners(est, tmp_path):
    e = est.get("win_rate.owner_sd")  # every fixture owner wins alike: no spread beyond chance
    assert e is not None and e.low == 0.0 and e.value < 0.05
    skilled = Truth(
        deals=3000, salespeople=30, clients=20, account_managers=0, owner_win_sd=0.1, activities_per_week={"call": 0.5}
    )
    write_export(make_tables(skilled, seed=16), tmp_path)
    spread = describe(load_export(tmp_path))
    contains(spread, "win_rate.owner_sd", 0.1)
    assert spread.get("win_rate.owner_sd").low > 0.03  # the data shows owners differ


def test_staff_attrition_and_tenure(groups):
    contains(groups, "staff_attrition_per_year", GROUPS.attrition_per_year)
    contains(groups, "tenure_years", -1 / math.log(1 - GROUPS.attrition_per_year))


def test_people_gone_before_the_window_are_not_counted(tmp_path):
    tables = make_tables(GROUPS, seed=12)
    gone = pd.DataFrame(
        {
            "staff_id": [f"G{i}" for i in range(200)],
            "role": "salesperson",
            "start_date": pd.Timestamp("2015-01-01"),
            "end_date": pd.Timestamp("2019-06-30"),
        }
    )
    tables["staff"] = pd.concat([tables["staff"], gone], ignore_index=True)
    write_export(tables, tmp_path)
    est = describe(load_export(tmp_path))
    contains(est, "staff_attrition_per_year", GROUPS.attrition_per_year)
    assert est.get("staff_attrition_per_year").n == GROUPS.salespeople


def test_missing_tables_are_said_and_revenue_falls_back_to_deals(tmp_path):
    tables = make_tables(Truth(years=1.5, deals=300, clients=30, salespeople=4, account_managers=1), seed=13)
    for name in ("orders", "cases", "activities", "stage_history", "contacts"):
        del tables[name]
    write_export(tables, tmp_path)
    est = describe(load_export(tmp_path))
    reasons = {m.key: m.reason for m in est.not_estimated}
    for key in ("client_churn_per_year", "cases_per_client_year", "activities_per_week", "stage_conversion", "win_rate.group"):
        assert key in reasons, key
    assert reasons["client_churn_per_year"] == "no orders table"
    revenue = est.get("revenue_per_year")
    assert revenue is not None and "won deals" in revenue.label
    won = tables["opportunities"].query("outcome == 'won'")["amount"].sum()
    assert revenue.value == pytest.approx(won / ((est.window[1] - est.window[0]).days / 365.25))


def test_kind_missing_is_inferred_and_said(tmp_path):
    tables = make_tables(Truth(years=2.0, deals=400, clients=60, salespeople=4, account_managers=1), seed=14)
    tables["opportunities"] = tables["opportunities"].drop(columns="kind")
    write_export(tables, tmp_path)
    export = load_export(tmp_path)
    assert any(p.kind == "column missing" and p.column == "kind" for p in export.problems)
    share = describe(export).get("cross_sell_share")
    assert share is not None and share.note.startswith("inferred")


def test_partly_filled_kind_counts_only_known_deals(tmp_path):
    tables = make_tables(Truth(years=2.0, deals=400, clients=60, salespeople=4, account_managers=1), seed=15)
    deals = tables["opportunities"]
    deals.loc[deals.index[::4], "kind"] = None
    write_export(tables, tmp_path)
    est = describe(load_export(tmp_path))
    won = deals[deals["outcome"] == "won"]
    share = est.get("cross_sell_share")
    assert share.n == won["kind"].notna().sum()
    assert share.value == pytest.approx((won["kind"] == "cross_sell").sum() / share.n)
    assert "without a kind" in share.note
    assert est.get("win_rate.new_business") is not None


def test_json_and_text_are_complete_and_deterministic(est, tmp_path):
    data = est.to_dict()
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text)["window"]["end"] == f"{est.window[1]:%Y-%m-%d}"
    keys = {e["key"] for e in data["estimates"]}
    assert {"win_rate", "client_churn_per_year", "cases_per_client_year", "deal_size_median"} <= keys
    for e in data["estimates"]:
        assert e["low"] <= e["value"] <= e["high"], e["key"]
    report = est.to_text()
    assert "Pipeline" in report and "95% intervals" in report and "Win rate" in report
    folder = tmp_path / "again"
    write_export(make_tables(TRUTH, seed=11), folder)
    assert describe(load_export(folder)).to_dict()["estimates"] == pd.Series(data["estimates"]).tolist()
