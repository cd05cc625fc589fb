"""Sensitivity indices from a results store agree with SALib run on the same numbers by hand."""

import dataclasses

import numpy as np
import pytest
from conftest import SENSITIVITY_PROBLEM
from SALib.analyze import morris, sobol

from orgmodel.analysis.outcomes import final_revenue
from orgmodel.analysis.results import read_results
from orgmodel.analysis.sensitivity import RESAMPLES, SensitivityError, sensitivity_indices


def _final_revenue_by_point(runs):
    last = runs["annual_revenue"].map(lambda v: v[-1])
    return last.groupby(runs["point"]).mean().sort_index().to_numpy()


def test_sobol_indices_average_replicates_in_sample_order(sobol_results):
    results = read_results(sobol_results)
    assert (results.runs.groupby("point").size() == 2).all()
    y = _final_revenue_by_point(results.ok)
    expected = sobol.analyze(SENSITIVITY_PROBLEM, y, calc_second_order=False, num_resamples=RESAMPLES, seed=1)
    indices = sensitivity_indices(results, final_revenue(2), seed=0)
    assert list(indices.index) == SENSITIVITY_PROBLEM["names"]
    for column in ("S1", "S1_conf", "ST", "ST_conf"):
        assert indices[column].to_numpy() == pytest.approx(np.asarray(expected[column]))
    assert sensitivity_indices(results, final_revenue(2), seed=0).equals(indices)


def test_sobol_second_order_is_inferred_from_the_sample_size(sobol_results):
    results = read_results(sobol_results)
    stated = sensitivity_indices(results, final_revenue(2))
    experiment = {**results.experiment, "design": {"kind": "sobol"}}
    inferred = sensitivity_indices(dataclasses.replace(results, experiment=experiment), final_revenue(2))
    assert inferred.equals(stated)


def test_morris_indices_match_salib(morris_results):
    results = read_results(morris_results)
    runs = results.ok.sort_values("point")
    x = runs[SENSITIVITY_PROBLEM["names"]].to_numpy(dtype=float)
    y = runs["annual_revenue"].map(lambda v: v[-1]).to_numpy(dtype=float)
    expected = morris.analyze(SENSITIVITY_PROBLEM, x, y, num_resamples=RESAMPLES, num_levels=4, seed=1)
    indices = sensitivity_indices(results, final_revenue(2))
    for column in ("mu", "mu_star", "mu_star_conf", "sigma"):
        assert indices[column].to_numpy() == pytest.approx(np.asarray(expected[column]))


def test_a_point_without_successful_runs_is_reported(sobol_results):
    results = read_results(sobol_results)
    runs = results.runs.copy()
    runs.loc[runs["point"] == 3, "status"] = "error"
    with pytest.raises(SensitivityError, match="1 of 8 design points have no successful run"):
        sensitivity_indices(dataclasses.replace(results, runs=runs), final_revenue(2))
    with pytest.raises(SensitivityError, match="design points 3 are missing"):
        sensitivity_indices(dataclasses.replace(results, runs=results.runs[results.runs["point"] != 3]), final_revenue(2))


def test_only_sobol_and_morris_designs_have_indices(grid_results):
    with pytest.raises(SensitivityError, match="not 'full_factorial'"):
        sensitivity_indices(read_results(grid_results), final_revenue(3))
