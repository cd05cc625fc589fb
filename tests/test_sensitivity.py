"""Sensitivity indices of a stored experiment: the design's SALib analysis on the point means, seeded by the experiment."""

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import morris as salib_morris
from SALib.analyze import sobol as salib_sobol

from orgmodel.analysis.outcomes import final_revenue
from orgmodel.experiments import load_results
from orgmodel.experiments.designs.common import RESAMPLES
from orgmodel.experiments.seeds import analysis_seed

NAMES = ["churn_base", "spoiledness"]
BOUNDS = [[0.02, 0.1], [0.3, 0.9]]


def _final_revenue_by_point(runs: pd.DataFrame) -> np.ndarray:
    last = runs["annual_revenue"].map(lambda v: v[-1])
    return last.groupby(runs["point"]).mean().sort_index().to_numpy()


def test_morris_of_a_known_linear_function_of_the_stored_factors(morris_results):
    """y = 3 churn_base - 2 spoiledness: every elementary effect is the slope times the factor's range."""
    results = load_results(morris_results)
    runs = results.runs
    y = pd.Series(3.0 * runs["churn_base"] - 2.0 * runs["spoiledness"], index=runs["run_id"])
    table = results.sensitivity(y)
    assert list(table.index) == NAMES
    assert table["mu_star"].to_numpy() == pytest.approx([3.0 * 0.08, 2.0 * 0.6])
    assert table["mu"].to_numpy() == pytest.approx([3.0 * 0.08, -2.0 * 0.6])
    assert table["sigma"].to_numpy() == pytest.approx([0.0, 0.0], abs=1e-12)


def test_sobol_indices_average_replicates_in_sample_order(sobol_results):
    results = load_results(sobol_results)
    assert (results.runs.groupby("point").size() == 2).all()
    y = _final_revenue_by_point(results.ok)
    problem = {"num_vars": 2, "names": NAMES, "bounds": BOUNDS}
    seed = analysis_seed(results.experiment.seed)
    expected = salib_sobol.analyze(problem, y, calc_second_order=False, num_resamples=RESAMPLES, seed=seed)
    outcome = final_revenue(2)
    indices = results.sensitivity(outcome.per_run(results.runs))
    assert list(indices.index) == NAMES
    for column in ("S1", "S1_conf", "ST", "ST_conf"):
        assert indices[column].to_numpy() == pytest.approx(np.asarray(expected[column]))
    assert results.sensitivity(outcome.per_run(results.runs)).equals(indices)  # the bootstrap is seeded


def test_morris_indices_of_the_stored_runs_match_salib(morris_results):
    """The stored factor values are the design's sample: SALib on them gives the same indices."""
    results = load_results(morris_results)
    runs = results.ok.sort_values("point")
    x = runs[NAMES].to_numpy(dtype=float)
    y = runs["annual_revenue"].map(lambda v: v[-1]).to_numpy(dtype=float)
    problem = {"num_vars": 2, "names": NAMES, "bounds": BOUNDS}
    seed = analysis_seed(results.experiment.seed)
    expected = salib_morris.analyze(problem, x, y, num_resamples=RESAMPLES, num_levels=4, seed=seed)
    indices = results.sensitivity(final_revenue(2).per_run(results.runs))
    for column in ("mu", "mu_star", "mu_star_conf", "sigma"):
        assert indices[column].to_numpy() == pytest.approx(np.asarray(expected[column]))


def test_a_point_without_successful_runs_is_reported(sobol_results):
    results = load_results(sobol_results)
    runs = results.runs.copy()
    runs.loc[runs["point"] == 3, "status"] = "error"
    results.runs = runs
    with pytest.raises(ValueError, match="1 of the 8 outputs are missing"):
        results.sensitivity(final_revenue(2).per_run(runs))


def test_only_sobol_and_morris_designs_have_indices(grid_results):
    results = load_results(grid_results)
    with pytest.raises(ValueError, match="has a full_factorial design; sensitivity indices need sobol or morris"):
        results.sensitivity("total_revenue")
