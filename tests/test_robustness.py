"""Robustness of the claims (issue #16): plausible ranges, the shipped experiment, shares, regret and satisficing.

Shares and regret are checked against a direct count over the runs of a
synthetic store (orgmodel.experiments.synthetic), whose outcomes are a known
function of the factors and the seed.
"""

from __future__ import annotations

from html import unescape
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from orgmodel.analysis.regret import outcome_by_world, regret_table
from orgmodel.analysis.robustness import CLAIMS, Claim, claim_markdown, claim_sentences, claim_shares, share_interval
from orgmodel.cli import app
from orgmodel.experiments import Plan, load_experiment, load_results, parse_experiment
from orgmodel.experiments.synthetic import write_synthetic_store
from orgmodel.scenario.paramtable import assumption_mark
from orgmodel.scenario.plausible import NOT_VARIED, RANGES
from orgmodel.scenario.schema import Scenario

ROBUSTNESS = Path(__file__).resolve().parents[1] / "experiments" / "robustness.toml"
ARMS = [
    "status_quo",
    "hunter_farmer",
    "hunter_farmer_fixed_headcount",
    "new_client_bonus",
    "status_quo_replace_low_performers",
]


# --- plausible ranges and the shipped experiment -----------------------------------------------------------------
def test_every_assumed_key_has_a_plausible_range_or_a_reason_to_hold_it():
    assumed = {k for k, (_, _, source) in Scenario.field_sources().items() if assumption_mark(source)}
    assert not set(RANGES) & set(NOT_VARIED)
    assert assumed == set(RANGES) | set(NOT_VARIED), assumed ^ (set(RANGES) | set(NOT_VARIED))


def test_plausible_ranges_hold_the_default_and_fit_the_schema():
    for key, r in RANGES.items():
        default = Scenario.model_fields[key].default
        assert r.low < r.high, key
        assert r.low <= default <= r.high, (key, default, r)
        Scenario(**{key: r.low})
        Scenario(**{key: r.high})


def test_the_shipped_experiment_samples_exactly_the_plausible_ranges():
    exp = load_experiment(ROBUSTNESS)
    factors = {f.name: f for f in exp.factor_list}
    assert exp.design.kind == "latin_hypercube" and exp.design.cross == ["scenario"]
    assert exp.common_random_numbers
    assert list(factors["scenario"].values) == ARMS
    sampled = {k: (f.low, f.high) for k, f in factors.items() if k != "scenario"}
    assert sampled == {k: (float(r.low), float(r.high)) for k, r in RANGES.items()}


def test_the_shipped_experiment_has_at_least_1000_runs_and_every_claims_arm():
    plan = Plan(load_experiment(ROBUSTNESS))
    assert plan.n_runs >= 1000
    needed = {arm for claim in CLAIMS for arm in _arms(claim)}
    assert needed <= set(ARMS)


def _arms(claim: Claim) -> list[str]:
    from orgmodel.analysis.where import parse

    return parse(claim.where).arms


# --- shares against a direct count ------------------------------------------------------------------------------
def _summary(values: dict, seed: int) -> dict:
    """Revenue per arm from two factors and the seed, so each claim holds in a known part of the worlds."""
    s, c = values["spoiledness"], values["churn_base"]
    noise = (seed % 997) / 997
    base = 10 + 5 * noise
    factor = {
        "status_quo": 1.0,
        "hunter_farmer": 1.2 + 2 * s,
        "hunter_farmer_fixed_headcount": 0.5 + 10 * c,
        "new_client_bonus": 0.9 + s / 2,
        "status_quo_replace_low_performers": 1.05 + c,
    }[values["scenario"]]
    revenue = base * factor
    growth = 0.01 + 0.1 * c if values["scenario"].startswith("status_quo") else 0.02 + 0.05 * s
    return {
        "annual_revenue": [revenue / 3, revenue],
        "revenue_growth_last_3_years": growth,
        "annual_contribution": [1.0, revenue / 4],
    }


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    exp = parse_experiment(
        {
            "name": "robust",
            "years": 2,
            "seed": 4,
            "common_random_numbers": True,
            "design": {"kind": "latin_hypercube", "samples": 150, "cross": ["scenario"]},
            "factors": {
                "scenario": ARMS,
                "spoiledness": {"low": 0.3, "high": 0.9},
                "churn_base": {"low": 0.02, "high": 0.12},
            },
        }
    )
    folder = write_synthetic_store(exp, tmp_path_factory.mktemp("robust") / "store", _summary)
    return load_results(folder)


def _direct(store) -> dict[str, np.ndarray]:
    """Each claim's truth per world, counted straight from the runs table (no expression language)."""
    runs = store.runs
    wide = {}
    for key in ("revenue", "growth", "contribution"):
        column = {"revenue": "annual_revenue", "growth": "revenue_growth_last_3_years", "contribution": "annual_contribution"}[
            key
        ]
        values = runs[column].map(lambda v: v[-1] if isinstance(v, (list, np.ndarray)) else v)
        wide[key] = runs.assign(v=values).pivot_table(index="seed", columns="scenario", values="v")
    rev, gro, con = wide["revenue"], wide["growth"], wide["contribution"]
    return {
        "status_quo_stalls": (gro["status_quo"] <= 0.03).to_numpy(),
        "split_grows": ((rev["hunter_farmer"] >= 1.5 * rev["status_quo"]) & (gro["hunter_farmer"] >= 0.05)).to_numpy(),
        "split_contributes_more": (con["hunter_farmer"] > con["status_quo"]).to_numpy(),
        "pay_alone_does_not_get_out": (rev["new_client_bonus"] <= 1.1 * rev["status_quo"]).to_numpy(),
        "fixed_headcount_split_is_worse": (rev["hunter_farmer_fixed_headcount"] < rev["status_quo"]).to_numpy(),
        "firing_does_not_cure": (rev["status_quo_replace_low_performers"] <= 1.1 * rev["status_quo"]).to_numpy(),
    }


def test_claim_shares_agree_with_a_direct_count(store):
    table = claim_shares(store).set_index("claim")
    direct = _direct(store)
    assert set(direct) == set(table.index)
    for claim, truth in direct.items():
        row = table.loc[claim]
        assert row["worlds"] == len(truth) == 150, claim
        assert row["holds"] == truth.sum(), claim
        assert row["low"] <= row["share"] <= row["high"], claim
    shares = table["share"]
    assert shares.min() > 0 and shares.max() <= 1 and shares.nunique() > 2  # the synthetic claims are not all-or-nothing


def test_wilson_interval_matches_the_formula():
    k, n, z = 31, 40, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert share_interval(k, n) == pytest.approx((centre - half, centre + half), abs=1e-9)
    assert share_interval(0, 10)[0] == 0


def test_a_claim_whose_arm_is_missing_is_reported_as_not_tested(store):
    table = claim_shares(store, (Claim("x", "Pods win", "pod.total_revenue > status_quo.total_revenue"),))
    assert table.loc[0, "worlds"] == 0 and "pod" in table.loc[0, "note"]
    assert "not tested" in claim_sentences(table)[0]
    assert "not tested" in claim_markdown(table)


# --- regret and satisficing ------------------------------------------------------------------------------------
def test_regret_and_satisficing_agree_with_a_direct_count(store):
    by_world = outcome_by_world(store, "annual_revenue[-1]")
    assert list(by_world.columns) == ARMS and len(by_world) == 150
    table = regret_table(by_world, target=20.0).set_index("arm")
    values = by_world.to_numpy()
    regret = values.max(axis=1, keepdims=True) - values
    for j, arm in enumerate(ARMS):
        assert table.loc[arm, "mean_regret"] == pytest.approx(regret[:, j].mean())
        assert table.loc[arm, "max_regret"] == pytest.approx(regret[:, j].max())
        assert table.loc[arm, "satisficing"] == pytest.approx(np.mean(values[:, j] >= 20.0))
    assert table["best_share"].sum() == pytest.approx(1.0)  # one best arm per world (no ties here)
    assert table.index[0] == "hunter_farmer"  # sorted by mean regret; the synthetic split is best everywhere


def test_lower_is_better_turns_regret_around(store):
    by_world = outcome_by_world(store, "annual_revenue[-1]")
    table = regret_table(by_world, target=12.0, higher_is_better=False).set_index("arm")
    values = by_world.to_numpy()
    j = ARMS.index("hunter_farmer")
    assert table.loc["hunter_farmer", "mean_regret"] == pytest.approx((values[:, j] - values.min(axis=1)).mean())
    assert table.loc["hunter_farmer", "satisficing"] == pytest.approx(np.mean(values[:, j] <= 12.0))


def test_robustness_command_prints_shares_and_writes_figures(store, tmp_path):
    out = tmp_path / "rob"
    result = CliRunner().invoke(app, ["robustness", str(store.folder), "--outcome", "annual_revenue[-1]", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "plausible worlds" in result.output and "hunter_farmer" in result.output
    for name in ("summary.html", "summary.md", "claims.csv", "regret.csv", "figures/claims.png", "figures/regret.png"):
        assert (out / name).is_file(), name
    bad = CliRunner().invoke(app, ["robustness", str(store.folder), "--outcome", "no_such_key"])
    assert bad.exit_code == 2 and bad.output.startswith("error: --outcome:") and len(bad.output.splitlines()) == 1
    bad = CliRunner().invoke(app, ["robustness", str(store.folder), "--target", "nan"])
    assert bad.exit_code == 2 and "--target must be a finite number" in bad.output


def test_the_summary_never_replaces_the_results_store(store):
    for out in (store.folder, store.folder.parent):
        result = CliRunner().invoke(app, ["robustness", str(store.folder), "--out", str(out), "--force"])
        assert result.exit_code == 2 and "results" in result.output
    assert (store.folder / "runs.parquet").is_file()


def test_the_report_of_a_crossed_store_says_how_robust_each_claim_is(store, tmp_path):
    import shutil

    from orgmodel.analysis.report import write_report
    from orgmodel.analysis.robustness import claim_sentences, claim_shares

    folder = tmp_path / "copy"
    shutil.copytree(store.folder, folder)
    write_report(folder, pdf=False)
    page = unescape((folder / "report.html").read_text())
    assert "How robust are the claims?" in page
    for sentence in claim_sentences(claim_shares(store)):  # the same shares as a direct count (test above)
        assert sentence in page
