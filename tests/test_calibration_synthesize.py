"""The event recorder, synthetic exports and their flaws, the targets and the holdout cut (fast: small companies)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from orgmodel.calibration.direct import estimate_keys
from orgmodel.calibration.fit import default_fit_keys
from orgmodel.calibration.holdout import cut_export, tail_export
from orgmodel.calibration.targets import TARGETS, compute_targets, monthly_series
from orgmodel.cli import app
from orgmodel.crm import load_export, write_export
from orgmodel.crm.synthesize import Flaws, synthesize
from orgmodel.model.model import SalesOrgModel
from orgmodel.scenario.schema import Scenario
from orgmodel.simulate import simulate

SMALL = Scenario(salespeople=4, market_size=300)


@pytest.fixture(scope="module")
def export():
    return synthesize(SMALL, seed=5, years=2, history_years=1)


def test_recorder_is_off_by_default_and_changes_nothing():
    assert SalesOrgModel(rng=1, scenario=SMALL.with_(years=1)).recorder is None
    plain = simulate(SMALL.with_(years=2), seed=3).timeseries
    model = SalesOrgModel(rng=3, scenario=SMALL.with_(years=2), record_events=True)
    model.run_until(104)
    recorded = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    pd.testing.assert_frame_equal(plain, recorded)
    rec = model.recorder
    # the record agrees with the model's own tallies
    assert sum(o[2] for o in rec.orders) == pytest.approx(plain["revenue"].sum())
    won = sum(1 for o in rec.opportunities.values() if o.kind == "new_business" and o.outcome == "won")
    assert won == plain["deals_won"].sum()
    assert sum(1 for c in rec.cases if c[2] == "complaint") == plain["complaints"].sum()
    person_weeks = plain[["salespeople", "account_managers", "desk_agents"]].sum().sum()
    assert len(rec.hours) == person_weeks  # one row per person employed each week (leavers and vacancies included)


def test_export_is_censored_at_its_end_and_truncated_at_its_start(export):
    first, last = export.window
    opps = export.tables["opportunities"]
    assert (opps["created_date"] >= first).all() and (opps["created_date"] <= last).all()
    assert opps.loc[opps["outcome"] == "open", "close_date"].isna().all()
    closed = opps[opps["outcome"] != "open"]
    assert closed["close_date"].notna().all() and (closed["close_date"] <= last + pd.Timedelta(days=4)).all()
    assert (closed["close_date"] >= closed["created_date"]).all()
    assert (opps["outcome"] == "open").any(), "a live pipeline has open deals at the export date"
    for table, col in (("orders", "order_date"), ("cases", "opened_date"), ("activities", "date")):
        dates = export.tables[table][col]
        assert (dates >= first).all() and (dates <= last + pd.Timedelta(days=4)).all()
    assert set(export.tables["staff"]["role"]) == {"salesperson"}


def test_round_trip_through_the_import_gives_the_same_targets(export, tmp_path):
    write_export(export.tables, tmp_path / "exp")
    loaded = load_export(tmp_path / "exp")
    assert not [p for p in loaded.problems if p.action == "refuse"]
    direct = compute_targets(export.tables, export.window)
    again = compute_targets(loaded.tables, loaded.window)
    for name in TARGETS:
        if math.isfinite(direct[name]):
            assert again[name] == pytest.approx(direct[name], rel=0.02), name


def test_targets_reflect_the_company():
    """A company with more cross-sell potential and a service-heavier client base shows it in the targets."""
    low = compute_targets(*_tw(synthesize(SMALL.with_(cross_sell_lines_mean=0.0), seed=2, years=2, history_years=1)))
    high = compute_targets(*_tw(synthesize(SMALL.with_(cross_sell_lines_mean=5.0), seed=2, years=2, history_years=1)))
    assert low["cross_sells_per_client_year"] == 0.0
    assert high["cross_sells_per_client_year"] > 0.3
    assert high["revenue_per_client_year"] > low["revenue_per_client_year"]
    assert low["lines_per_order"] == 1.0 and high["lines_per_order"] > 1.3
    spoiled = compute_targets(*_tw(synthesize(SMALL.with_(spoiledness=1.0), seed=2, years=2, history_years=1)))
    easy = compute_targets(*_tw(synthesize(SMALL.with_(spoiledness=0.1), seed=2, years=2, history_years=1)))
    assert spoiled["activity_share_email"] > easy["activity_share_email"]  # servicing is logged as e-mail
    assert spoiled["email_hours_per_order"] > 2 * easy["email_hours_per_order"]
    slow = compute_targets(*_tw(synthesize(SMALL.with_(hours_per_lead=10.0), seed=2, years=2, history_years=1)))
    assert slow["call_hours_per_deal"] > 1.5 * easy["call_hours_per_deal"]  # prospecting effort per lead


def test_cross_sell_line_value_is_read_off_the_amounts(export):
    """Cross-sell amount over the same account's first-sale amount: the key itself, no fit needed."""
    rich = synthesize(SMALL.with_(cross_sell_line_value=2.5, cross_sell_lines_mean=4.0), seed=5, years=2, history_years=1)
    values = []
    for exp, truth in ((export, 1.2), (rich, 2.5)):
        est, _missing = estimate_keys(exp.tables, exp.window)
        line = est["cross_sell_line_value"]
        assert line.interval[0] <= truth <= line.interval[1], (truth, line)
        values.append(line.value)
    assert values[1] > 1.5 * values[0]
    without_kind = {**export.tables, "opportunities": export.tables["opportunities"].assign(kind=pd.NA)}
    est, missing = estimate_keys(without_kind, export.window)
    assert "cross_sell_line_value" not in est and "kind" in missing["cross_sell_line_value"]
    # what the data shows is not fitted again; of a product only one factor is fitted
    assert "cross_sell_line_value" not in default_fit_keys({"cross_sell_line_value"})
    assert "spec_hours_per_line" not in default_fit_keys(set()) and "spoiledness" in default_fit_keys(set())


def _tw(x):
    return x.tables, x.window


def test_flaws(export):
    missing = synthesize(SMALL, seed=5, years=2, history_years=1, flaws=Flaws(missing=("activities", "cases")))
    assert "activities" not in missing.tables and "cases" not in missing.tables
    targets = compute_targets(missing.tables, missing.window)
    assert math.isnan(targets["activity_share_call"]) and math.isnan(targets["complaints_per_client_year"])
    short = synthesize(SMALL, seed=5, years=2, history_years=1, flaws=Flaws(window_months=3))
    assert (short.window[1] - short.window[0]).days < 100
    assert math.isnan(compute_targets(short.tables, short.window)["client_loss_share"])
    stale = synthesize(SMALL, seed=5, years=2, history_years=1, flaws=Flaws(stale_open_share=0.8))
    share = (stale.tables["opportunities"]["outcome"] == "open").mean()
    assert share > (export.tables["opportunities"]["outcome"] == "open").mean() + 0.3
    noisy = synthesize(SMALL, seed=5, years=2, history_years=1, flaws=Flaws(amount_noise=0.5))
    a, b = noisy.tables["orders"]["amount"], export.tables["orders"]["amount"]
    assert len(a) == len(b) and not np.allclose(a.to_numpy(), b.to_numpy())
    assert np.std(np.log(a / b.to_numpy())) == pytest.approx(0.5, rel=0.2)
    thin = synthesize(SMALL, seed=5, years=2, history_years=1, flaws=Flaws(contact_fill=0.3))
    assert len(thin.tables["contacts"]) < 0.6 * len(export.tables["contacts"])
    with pytest.raises(ValueError, match="opportunities is required"):
        Flaws(missing=("opportunities",))


def test_cut_export_rewinds_to_a_date(export):
    cut = export.window[0] + pd.Timedelta(days=365)
    tables, window = cut_export(export.tables, export.window, cut)
    assert window == (export.window[0], cut)
    opps = tables["opportunities"]
    assert (opps["created_date"] <= cut).all()
    assert opps.loc[opps["close_date"].notna(), "close_date"].le(cut).all()
    later = export.tables["opportunities"]
    closed_later = later[(later["created_date"] <= cut) & (later["close_date"] > cut)]
    assert len(closed_later) > 0
    assert set(opps.loc[opps["opportunity_id"].isin(closed_later["opportunity_id"]), "outcome"]) == {"open"}
    tail, tail_window = tail_export(export.tables, export.window, cut)
    assert (tail["orders"]["order_date"] >= cut).all() and tail_window[1] == export.window[1]
    months = monthly_series(export.tables, export.window)
    assert months["revenue"].sum() == pytest.approx(export.tables["orders"]["amount"].sum())


def test_synthesize_command(tmp_path):
    runner = CliRunner()
    out = tmp_path / "exp"
    args = ["crm", "synthesize", "--out", str(out), "--years", "1", "--history-years", "1", "-s", "salespeople=3"]
    res = runner.invoke(app, [*args, "-s", "market_size=200", "--missing", "activities", "--amount-noise", "0.1"])
    assert res.exit_code == 0, res.output
    assert (out / "opportunities.csv").exists() and not (out / "activities.csv").exists()
    assert "salespeople = 3" in (out / "truth.toml").read_text()
    again = runner.invoke(app, [*args])
    assert again.exit_code == 2 and "already exists" in again.output
    bad = runner.invoke(app, ["crm", "synthesize", "--out", str(tmp_path / "x"), "--missing", "staff"])
    assert bad.exit_code == 2 and "staff is required" in bad.output
    assert not (tmp_path / "x").exists()
