"""Designs and seeds: point counts, bounds, coverage, seeds distinct and reproducible, and the SALib analyses."""

from __future__ import annotations

import math

import numpy as np
import pytest

from orgmodel.experiments import Plan, parse_experiment
from orgmodel.experiments.designs import morris, sobol
from orgmodel.experiments.seeds import design_seed, run_seed


def _exp(design: dict, factors: dict, **top):
    return parse_experiment({"name": "t", "years": 2, "design": design, "factors": factors, **top})


BOUNDED = {
    "spoiledness": {"low": 0.4, "high": 0.9},
    "salespeople": {"low": 3, "high": 8},
    "churn_base": {"low": 0.02, "high": 0.1},
}


def _check_bounds(plan: Plan) -> None:
    for p in plan.points:
        assert 0.4 <= p["spoiledness"] <= 0.9
        assert 0.02 <= p["churn_base"] <= 0.1
        assert isinstance(p["salespeople"], int) and 3 <= p["salespeople"] <= 8


def test_full_factorial_is_every_combination_in_order():
    exp = _exp(
        {},
        {
            "structure": ["full_cycle", "hunter_farmer"],
            "spoiledness": {"low": 0.2, "high": 0.8, "steps": 3},
            "salespeople": [3, 5],
        },
    )
    plan = Plan(exp)
    assert plan.n_points == 2 * 3 * 2
    assert plan.points[0] == {"structure": "full_cycle", "spoiledness": 0.2, "salespeople": 3}
    assert plan.points[1] == {"structure": "full_cycle", "spoiledness": 0.2, "salespeople": 5}  # last factor fastest
    assert plan.points[-1] == {"structure": "hunter_farmer", "spoiledness": 0.8, "salespeople": 5}
    assert len({tuple(p.values()) for p in plan.points}) == plan.n_points
    assert [p["spoiledness"] for p in plan.points[:6:2]] == [0.2, 0.5, 0.8]


def test_no_factors_is_one_point_of_the_base_scenario():
    plan = Plan(parse_experiment({"name": "t", "scenario": "hunter_farmer", "replications": 3}))
    assert plan.n_points == 1 and plan.n_runs == 3
    assert plan.labels == ["hunter_farmer"]
    assert plan.task(2).scenario["structure"] == "hunter_farmer"


def test_monte_carlo_samples_within_bounds_and_levels():
    exp = _exp({"kind": "monte_carlo", "samples": 200}, {**BOUNDED, "structure": ["full_cycle", "hunter_farmer"]})
    plan = Plan(exp)
    assert plan.n_points == 200
    _check_bounds(plan)
    share = np.mean([p["structure"] == "hunter_farmer" for p in plan.points])
    assert 0.35 < share < 0.65
    assert len({p["spoiledness"] for p in plan.points}) == 200


def test_latin_hypercube_puts_one_point_in_every_stratum():
    n = 40
    plan = Plan(_exp({"kind": "latin_hypercube", "samples": n}, BOUNDED))
    assert plan.n_points == n
    _check_bounds(plan)
    for key, (lo, hi) in {"spoiledness": (0.4, 0.9), "churn_base": (0.02, 0.1)}.items():
        strata = sorted(math.floor((p[key] - lo) / (hi - lo) * n) for p in plan.points)
        assert strata == list(range(n)), key
    assert len({p["salespeople"] for p in plan.points}) == 6  # every integer from 3 to 8 is hit


def test_sobol_point_count_and_bounds():
    exp = _exp({"kind": "sobol", "samples": 16}, BOUNDED)
    plan = Plan(exp)
    assert plan.n_points == 16 * (3 + 2)
    _check_bounds(plan)
    second = Plan(_exp({"kind": "sobol", "samples": 16, "second_order": True}, BOUNDED))
    assert second.n_points == 16 * (2 * 3 + 2)


def test_morris_point_count_bounds_and_grid():
    plan = Plan(_exp({"kind": "morris", "trajectories": 6, "levels": 4}, BOUNDED))
    assert plan.n_points == 6 * (3 + 1)
    _check_bounds(plan)
    grid = {round(0.4 + 0.5 * k / 3, 9) for k in range(4)}
    assert {round(p["spoiledness"], 9) for p in plan.points} <= grid


@pytest.mark.parametrize(
    "design",
    [
        {"kind": "monte_carlo", "samples": 12},
        {"kind": "latin_hypercube", "samples": 12},
        {"kind": "sobol", "samples": 4},
        {"kind": "morris", "trajectories": 3},
    ],
)
def test_designs_and_seeds_are_reproducible_and_follow_the_base_seed(design):
    a, b = (Plan(_exp(design, BOUNDED, seed=7, replications=2)) for _ in range(2))
    other = Plan(_exp(design, BOUNDED, seed=8, replications=2))
    assert a.points == b.points
    assert [a.task(i).seed for i in range(a.n_runs)] == [b.task(i).seed for i in range(b.n_runs)]
    assert a.points != other.points
    assert {a.task(i).seed for i in range(a.n_runs)}.isdisjoint(other.task(i).seed for i in range(other.n_runs))


def test_run_seeds_are_distinct_recorded_and_stable_when_replications_grow():
    exp = _exp({}, {"structure": ["full_cycle", "hunter_farmer"], "salespeople": [3, 4, 5]}, seed=3, replications=4)
    plan = Plan(exp)
    tasks = [plan.task(i) for i in range(plan.n_runs)]
    assert len({t.seed for t in tasks}) == plan.n_runs == 24
    assert all(0 <= t.seed < 2**63 for t in tasks)
    # run ids go replicate by replicate, point by point
    assert [(t.replicate, t.point) for t in tasks[:7]] == [(0, p) for p in range(6)] + [(1, 0)]
    assert tasks[7].seed == run_seed(3, 7)
    more = Plan(_exp({}, {"structure": ["full_cycle", "hunter_farmer"], "salespeople": [3, 4, 5]}, seed=3, replications=6))
    assert [more.task(i).seed for i in range(24)] == [t.seed for t in tasks]
    assert more.points == plan.points


def test_common_random_numbers_share_a_seed_within_a_replicate():
    exp = _exp({}, {"structure": ["full_cycle", "hunter_farmer"]}, replications=3, common_random_numbers=True)
    plan = Plan(exp)
    seeds = [[plan.task(r * 2 + p).seed for p in range(2)] for r in range(3)]
    assert all(row[0] == row[1] for row in seeds)
    assert len({row[0] for row in seeds}) == 3


def test_design_and_run_streams_are_separate():
    assert design_seed(1) != design_seed(2)
    assert run_seed(1, 0) != run_seed(1, 1) != run_seed(2, 1)
    assert design_seed(1) != run_seed(1, 0) >> 31


# --- the analysers on functions with known indices -----------------------------------------------------------
def _ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + 7.0 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_analysis_recovers_the_ishigami_indices():
    problem = {
        "num_vars": 3,
        "names": ["x1", "x2", "x3"],
        "bounds": [[-math.pi, math.pi]] * 3,
        "samples": 1024,
        "second_order": False,
        "seed": 1,
        "analysis_seed": 2,
    }
    x = sobol.sample(problem)
    assert x.shape == (1024 * 5, 3)
    table = sobol.analyse(problem, _ishigami(x))
    assert list(table.columns[:4]) == ["S1", "S1_conf", "ST", "ST_conf"]
    assert list(table.index) == ["x1", "x2", "x3"]
    # analytic values: S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244
    assert table.loc["x1", "S1"] == pytest.approx(0.314, abs=0.05)
    assert table.loc["x2", "S1"] == pytest.approx(0.442, abs=0.05)
    assert abs(table.loc["x3", "S1"]) < 0.05
    assert table.loc["x1", "ST"] == pytest.approx(0.558, abs=0.05)
    assert table.loc["x3", "ST"] == pytest.approx(0.244, abs=0.05)
    assert (table["S1_conf"] > 0).all()


def test_morris_analysis_ranks_a_linear_function():
    problem = {
        "num_vars": 3,
        "names": ["a", "b", "c"],
        "bounds": [[0, 1]] * 3,
        "trajectories": 20,
        "levels": 4,
        "seed": 3,
        "analysis_seed": 4,
    }
    x = morris.sample(problem)
    table = morris.analyse(problem, 10 * x[:, 0] + 1 * x[:, 1])
    assert list(table.columns[:3]) == ["mu_star", "mu_star_conf", "sigma"]
    assert table["mu_star"].to_numpy() == pytest.approx([10.0, 1.0, 0.0], abs=1e-9)
    assert table["sigma"].to_numpy() == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)


def test_analysers_refuse_missing_outputs():
    problem = {"num_vars": 1, "names": ["a"], "bounds": [[0, 1]], "trajectories": 2, "levels": 4, "seed": 1, "analysis_seed": 1}
    with pytest.raises(ValueError, match="needs 4 outputs"):
        morris.analyse(problem, [1.0, 2.0])
    with pytest.raises(ValueError, match="1 of the 4 outputs are missing"):
        morris.analyse(problem, [1.0, 2.0, float("nan"), 3.0])
