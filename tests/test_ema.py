"""The EMA Workbench adapter (issue #16): uncertainties, levers and outcomes from the schema; perform_experiments runs it."""

from __future__ import annotations

import numpy as np
import pytest

from orgmodel.scenario.plausible import RANGES

ema = pytest.importorskip("ema_workbench", reason="the [discovery] extra is installed by make install")

from orgmodel.ema import ema_model, outcome_names, run_orgmodel  # noqa: E402
from orgmodel.experiments.seeds import run_seed  # noqa: E402
from orgmodel.scenario.files import load_scenario  # noqa: E402
from orgmodel.simulate import simulate  # noqa: E402

TINY = {"years": 2, "salespeople": 3, "market_size": 100}
WORLD = {"spoiledness": (0.4, 0.9), "hiring_delay_weeks": (6, 26)}


def test_the_default_model_has_every_plausible_range_and_the_built_in_arms():
    from orgmodel.scenario import builtin

    model = ema_model()
    names = [u.name for u in model.uncertainties]
    assert names == list(RANGES)
    kinds = {u.name: type(u).__name__ for u in model.uncertainties}
    assert kinds["hiring_delay_weeks"] == "IntegerParameter"
    assert kinds["churn_dissatisfied"] == "RealParameter"
    (lever,) = model.levers
    assert lever.name == "arm" and list(lever.categories.keys()) == list(builtin.names())
    assert [o.name for o in model.outcomes] == outcome_names()


def test_run_orgmodel_reports_the_summary_of_the_same_run():
    out = run_orgmodel("hunter_farmer", seed=4, spoiledness=0.5, hiring_delay_weeks=8.0, **TINY)
    summary = simulate(load_scenario("hunter_farmer").with_(spoiledness=0.5, hiring_delay_weeks=8, **TINY), seed=4).summary
    assert out["total_revenue"] == summary["total_revenue"]
    assert out["annual_revenue_last_year"] == summary["annual_revenue"][-1]
    assert out["account_managers_end_of_year_last_year"] == summary["account_managers_end_of_year"][-1]


def test_perform_experiments_runs_a_small_sample():
    model = ema_model(uncertainties=WORLD, levers=["status_quo", "hunter_farmer"], constants=TINY, seed=2)
    experiments, outcomes = ema.perform_experiments(
        model, scenarios=3, policies=2, uncertainty_sampling_kwargs={"rng": 1}, lever_sampling_kwargs={"rng": 1}
    )
    assert len(experiments) == 6
    assert set(experiments["arm"]) == {"status_quo", "hunter_farmer"}
    assert experiments["hiring_delay_weeks"].between(6, 26).all()
    assert set(outcomes) == set(outcome_names())
    revenue = outcomes["total_revenue"]
    assert revenue.shape == (6,) and np.isfinite(revenue).all() and (revenue > 0).all()
    # the first experiment again, by hand: same arm, same values, the model's seed
    row = experiments.iloc[0]
    again = run_orgmodel(row["arm"], seed=2, spoiledness=row["spoiledness"], hiring_delay_weeks=row["hiring_delay_weeks"], **TINY)
    assert again["total_revenue"] == revenue[0]


def test_a_replicator_model_reports_the_mean_over_its_seeds():
    model = ema_model(uncertainties=WORLD, levers=["status_quo", "hunter_farmer"], constants=TINY, replications=2, seed=7)
    experiments, outcomes = ema.perform_experiments(
        model, scenarios=1, policies=1, uncertainty_sampling_kwargs={"rng": 3}, lever_sampling_kwargs={"rng": 3}
    )
    row = experiments.iloc[0]
    runs = [
        run_orgmodel(
            row["arm"], seed=run_seed(7, i), spoiledness=row["spoiledness"], hiring_delay_weeks=row["hiring_delay_weeks"], **TINY
        )
        for i in range(2)
    ]
    assert runs[0]["total_revenue"] != runs[1]["total_revenue"]
    assert outcomes["total_revenue"][0] == pytest.approx(np.mean([r["total_revenue"] for r in runs]))


def test_a_key_that_is_not_numeric_is_refused():
    from orgmodel.analysis.discovery import DiscoveryError

    with pytest.raises(DiscoveryError, match="structure"):
        ema_model(uncertainties={"structure": (0, 1)})
    with pytest.raises(DiscoveryError, match="not a scenario key"):
        ema_model(uncertainties={"no_such_key": (0, 1)})


def test_a_default_uncertainty_made_a_lever_or_a_constant_is_no_longer_uncertain():
    from orgmodel.analysis.discovery import DiscoveryError

    model = ema_model(levers={"handover_hours": (2, 8)}, constants={**TINY, "hours_per_week": 45.0})
    names = {u.name for u in model.uncertainties}
    assert names == set(RANGES) - {"handover_hours", "hours_per_week"}
    assert [lever.name for lever in model.levers] == ["handover_hours"]
    with pytest.raises(DiscoveryError, match="handover_hours: a key is an uncertainty, a lever or a constant"):
        ema_model(uncertainties={"handover_hours": (2, 8)}, levers={"handover_hours": (2, 8)})
