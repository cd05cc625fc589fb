"""What the model must show on its default calibration (issue #2, claims 1-8).

Each claim is checked over ten seeds. These are the model's own outputs: no
parameter is set per claim.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from orgmodel.analysis.summary import growth


def _yearly(runs: list[dict], key: str) -> np.ndarray:
    return np.array([r["summary"][key] for r in runs], dtype=float)


def test_1_early_growth(claim_runs):
    revenue = _yearly(claim_runs["status_quo"], "annual_revenue")
    ratio = revenue[:, 2] / revenue[:, 0]
    assert (ratio >= 1.5).all(), ratio


def test_2_then_stagnation(claim_runs):
    revenue = _yearly(claim_runs["status_quo"], "annual_revenue")
    g = np.array([growth(list(r), 7, 10) for r in revenue])
    assert g.mean() <= 0.03, g


def test_3_new_clients_fall_to_half_of_best_year(claim_runs):
    new = _yearly(claim_runs["status_quo"], "annual_new_clients")
    ratio = new[:, 7:10].mean(axis=1) / new.max(axis=1)
    assert ratio.mean() <= 0.5, ratio


def test_4_hunting_share_falls_while_skills_do_not_change(claim_runs):
    runs = claim_runs["status_quo"]
    hunting = _yearly(runs, "annual_hunting_share").mean(axis=0)
    assert hunting[0] >= 0.5, hunting
    # issue #12: about 4.5 salespeople a year quit and their replacements start with small books and
    # hunt, so the mature share is 0.18-0.19 rather than the 0.12 of a force nobody leaves (was <= 0.15)
    # the mature share: years 8-10 together (each year's ten-seed mean alone moves by about 0.01 between
    # random streams, so a bar on every year would test the stream, not the claim)
    assert hunting[7:].mean() <= 0.20, hunting
    assert all(r["skills_constant"] for r in runs)


def test_5_mature_week_resembles_time_use_studies(claim_runs):
    # IPG / Proudfoot: prospecting 6-10% of time; problems, expediting and service a large share
    weeks = pd.concat([pd.DataFrame(r["time_use"]).loc[8:10] for r in claim_runs["status_quo"]]).mean()
    assert weeks["prospecting"] < 0.10, weeks
    assert weeks["servicing"] >= 0.5, weeks
    assert weeks["prospecting"] + weeks["pipeline"] < weeks["servicing"] / 3, weeks


def test_5a_pay_rewards_the_drift(claim_runs):
    runs = claim_runs["status_quo"]
    pay = _yearly(runs, "salesperson_variable_pay_per_head").mean(axis=0)
    new = _yearly(runs, "annual_new_clients").mean(axis=0)
    assert (pay[7:10] >= pay[2]).all(), pay
    assert new[7:10].mean() < new[2], new


def test_5b_cross_sell_carries_the_middle_years_then_levels_off(claim_runs):
    runs = claim_runs["status_quo"]
    multiplier = np.array([r["summary"]["cross_sell_multiplier_developed"] for r in runs])
    assert np.nanmean(multiplier) >= 2.5, multiplier  # 'several times the first sale'
    xs = _yearly(runs, "annual_cross_sell_revenue").mean(axis=0)
    early = growth(list(xs), 2, 4)
    late = growth(list(xs), 8, 10)
    assert early >= 0.3, xs
    assert late <= 0.05, xs
    revenue = _yearly(runs, "annual_revenue").mean(axis=0)
    assert xs[4] / revenue[4] >= 0.4, (xs, revenue)  # year 5: cross-sell is a large part of revenue


def test_6_split_grows_past_the_status_quo(claim_runs):
    sq = _yearly(claim_runs["status_quo"], "annual_revenue")[:, 9]
    hf_runs = _yearly(claim_runs["hunter_farmer"], "annual_revenue")
    hf = hf_runs[:, 9]
    assert hf.mean() >= 1.5 * sq.mean(), (hf.mean(), sq.mean())
    assert stats.ttest_ind(hf, sq, equal_var=False, alternative="greater").pvalue < 0.01
    g = np.array([growth(list(r), 7, 10) for r in hf_runs])
    assert g.mean() >= 0.05, g


def test_7_split_keeps_winning_new_clients(claim_runs):
    new = _yearly(claim_runs["hunter_farmer"], "annual_new_clients")
    ratio = new[:, 7:10].mean(axis=1) / new.max(axis=1)
    assert ratio.mean() >= 0.7, ratio


def test_8_split_contributes_more_after_paying_everyone(claim_runs):
    sq = _yearly(claim_runs["status_quo"], "annual_contribution")[:, 9]
    hf = _yearly(claim_runs["hunter_farmer"], "annual_contribution")[:, 9]
    assert hf.mean() > sq.mean(), (hf, sq)
    assert stats.ttest_ind(hf, sq, equal_var=False, alternative="greater").pvalue < 0.01


def test_the_market_is_not_what_stops_the_status_quo(claim_runs):
    share = np.array([r["summary"]["market_share_of_companies"] for r in claim_runs["status_quo"]])
    assert share.max() < 0.25, share
