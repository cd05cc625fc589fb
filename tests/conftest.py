"""Shared fixtures: multi-seed runs of the default calibration, computed once per session."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import pytest

from orgmodel import Scenario, simulate
from orgmodel.analysis.summary import time_use

#: the essay's status quo and the split the issue compares it with
ARMS = {
    "status_quo": {},
    "hunter_farmer": {"structure": "hunter_farmer", "incentive": "split_commission", "account_managers": 2},
}
SEEDS = range(10)  # claim 6 asks for at least 10 seeds


def run_arm(arm: str, seed: int) -> dict:
    """One default-calibration run, reduced to what the claim tests read."""
    result = simulate(Scenario(**ARMS[arm]), seed=seed)
    staff = result.staff
    skills = staff.groupby("person")[["hunting_skill", "service_skill"]].nunique()
    return {
        "summary": result.summary,
        "time_use": time_use(staff).to_dict(),
        "skills_constant": bool((skills == 1).all().all()),
    }


@pytest.fixture(scope="session")
def claim_runs() -> dict[str, list[dict]]:
    """Ten seeds of each arm, run in parallel on the machine's cores."""
    jobs = [(arm, seed) for arm in ARMS for seed in SEEDS]
    workers = min(len(jobs), os.cpu_count() or 1)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(run_arm, *zip(*jobs, strict=True)))
    out: dict[str, list[dict]] = {arm: [] for arm in ARMS}
    for (arm, _), res in zip(jobs, results, strict=True):
        out[arm].append(res)
    return out


# --- small real results folders for the analysis and report tests (see results_store.py) ---

GRID = {"structure": ["full_cycle", "hunter_farmer"], "incentive": ["volume_commission", "split_commission"]}
SENSITIVITY_PROBLEM = {"num_vars": 2, "names": ["churn_base", "spoiledness"], "bounds": [[0.02, 0.1], [0.3, 0.9]]}
SENSITIVITY_FACTORS = {"churn_base": {"low": 0.02, "high": 0.1}, "spoiledness": {"low": 0.3, "high": 0.9}}


@pytest.fixture(scope="session")
def grid_results(tmp_path_factory):
    """Structure x incentive, 3 replicates, 3 years, weekly rows kept; full_cycle + split_commission fails validation."""
    from results_store import factorial_points, write_results

    return write_results(
        tmp_path_factory.mktemp("grid") / "results",
        factorial_points(GRID),
        name="grid_test",
        question="Which structure and incentive grow revenue?",
        design={"kind": "full_factorial"},
        factors=GRID,
        replications=3,
        years=3,
        outcomes=["annual_revenue[-1]", "total_revenue"],
        source="experiments/grid_test.toml",
    )


@pytest.fixture(scope="session")
def morris_results(tmp_path_factory):
    """A Morris design over two parameters: 4 trajectories of 3 points, one replicate each, 2 years."""
    from results_store import write_results
    from SALib.sample import morris

    x = morris.sample(SENSITIVITY_PROBLEM, 4, num_levels=4, seed=3)
    return write_results(
        tmp_path_factory.mktemp("morris") / "results",
        [dict(zip(SENSITIVITY_PROBLEM["names"], map(float, row), strict=True)) for row in x],
        name="morris_test",
        question="Which of churn and spoiledness matters more for revenue?",
        design={"kind": "morris", "trajectories": 4, "levels": 4},
        factors=SENSITIVITY_FACTORS,
        replications=1,
        years=2,
        keep="summaries",
    )


@pytest.fixture(scope="session")
def sobol_results(tmp_path_factory):
    """A Sobol design (2 base samples, no second order: 8 points), two replicates per point, 2 years."""
    from results_store import write_results
    from SALib.sample import sobol

    x = sobol.sample(SENSITIVITY_PROBLEM, 2, calc_second_order=False, seed=3)
    return write_results(
        tmp_path_factory.mktemp("sobol") / "results",
        [dict(zip(SENSITIVITY_PROBLEM["names"], map(float, row), strict=True)) for row in x],
        name="sobol_test",
        question="What drives revenue?",
        design={"kind": "sobol", "samples": 2, "second_order": False},
        factors=SENSITIVITY_FACTORS,
        replications=2,
        years=2,
        keep="summaries",
    )
