"""Crossed sampling designs (issue #16): every sampled world runs under every arm, with one seed per world."""

from __future__ import annotations

import pytest

from orgmodel.experiments import ExperimentError, Plan, parse_experiment

WORLD = {"spoiledness": {"low": 0.4, "high": 0.9}, "churn_base": {"low": 0.02, "high": 0.1}}
ARMS = ["status_quo", "hunter_farmer", "new_client_bonus"]


def _exp(kind: str = "latin_hypercube", crn: bool = True, **design):
    return parse_experiment(
        {
            "name": "t",
            "years": 1,
            "seed": 5,
            "replications": 2,
            "common_random_numbers": crn,
            "design": {"kind": kind, "samples": 4, "cross": ["scenario"], **design},
            "factors": {"scenario": ARMS, **WORLD},
        }
    )


@pytest.mark.parametrize("kind", ["latin_hypercube", "monte_carlo"])
def test_each_world_runs_under_every_arm_with_one_seed(kind):
    from orgmodel.experiments import designs

    exp = _exp(kind)
    plan = Plan(exp)
    assert plan.n_points == 4 * len(ARMS) == designs.size(exp) and plan.n_runs == 2 * 4 * len(ARMS)
    assert sorted(set(plan.labels)) == sorted(f"scenario={a}" for a in ARMS)
    tasks = list(plan.tasks(range(plan.n_runs)))
    by_world: dict[tuple, list] = {}
    for t in tasks:
        world = (t.values["spoiledness"], t.values["churn_base"], t.replicate)
        by_world.setdefault(world, []).append(t)
    assert len(by_world) == 2 * 4  # 4 sampled worlds x 2 replicates
    for runs in by_world.values():
        assert sorted(t.values["scenario"] for t in runs) == sorted(ARMS)
        assert len({t.seed for t in runs}) == 1, "the arms of one world and replicate share a seed"
    assert len({runs[0].seed for runs in by_world.values()}) == 2 * 4, "different worlds and replicates get their own seed"


def test_the_sampled_worlds_are_a_latin_hypercube_of_the_other_factors():
    plan = Plan(_exp())
    worlds = sorted({p["spoiledness"] for p in plan.points})
    assert len(worlds) == 4
    # one world in each quarter of the range
    assert [int((x - 0.4) / 0.5 * 4) for x in worlds] == [0, 1, 2, 3]


def test_without_common_random_numbers_every_run_has_its_own_seed():
    plan = Plan(_exp(crn=False))
    assert len({t.seed for t in plan.tasks(range(plan.n_runs))}) == plan.n_runs


@pytest.mark.parametrize(
    ("cross", "factors", "words"),
    [
        (["structure"], {"scenario": ARMS, **WORLD}, "not in [factors]"),
        (["spoiledness"], {"scenario": ARMS, **WORLD}, "only list factors"),
        (["scenario"], {"scenario": ARMS}, "every factor"),
        ([], {"scenario": ARMS, **WORLD}, "empty"),
    ],
)
def test_a_wrong_cross_is_one_clear_error(cross, factors, words):
    data = {"name": "t", "design": {"kind": "latin_hypercube", "samples": 3, "cross": cross}, "factors": factors}
    with pytest.raises(ExperimentError, match=r"design\.cross") as err:
        parse_experiment(data)
    assert words in str(err.value)


def test_cross_applies_to_sampling_designs_only():
    data = {"name": "t", "design": {"cross": ["scenario"]}, "factors": {"scenario": ARMS}}
    with pytest.raises(ExperimentError, match=r"design\.cross applies to monte_carlo and latin_hypercube"):
        parse_experiment(data)


def test_samples_override_replaces_the_files_samples(tmp_path):
    from orgmodel.experiments.commands import _with_overrides

    file = tmp_path / "e.toml"
    file.write_text(
        'name = "e"\nyears = 1\n[design]\nkind = "latin_hypercube"\nsamples = 50\ncross = ["scenario"]\n'
        '[factors]\nscenario = ["status_quo", "hunter_farmer"]\nspoiledness = { low = 0.4, high = 0.9 }\n'
    )
    exp = _with_overrides(file, None, [], samples=3)
    assert exp.design.samples == 3
    assert Plan(exp).n_runs == 3 * 2


def test_a_crossed_experiment_runs_and_pairs_its_arms_world_by_world(tmp_path):
    from orgmodel.analysis.cases import cases
    from orgmodel.experiments import load_results, run_experiment

    exp = parse_experiment(
        {
            "name": "t",
            "years": 2,
            "seed": 9,
            "common_random_numbers": True,
            "set": {"salespeople": 3, "market_size": 120},
            "design": {"kind": "latin_hypercube", "samples": 3, "cross": ["scenario"]},
            "factors": {"scenario": ["status_quo", "hunter_farmer"], "spoiledness": {"low": 0.4, "high": 0.9}},
        }
    )
    report = run_experiment(exp, tmp_path / "store", workers=1)
    assert report.stored == 6
    results = load_results(tmp_path / "store")
    assert results.arms == ["scenario=status_quo", "scenario=hunter_farmer"]
    c = cases(results, "hunter_farmer.total_revenue != status_quo.total_revenue")
    assert c.n == 3 and c.left_out == 0
    runs = results.runs.set_index("run_id")
    for _, ids in c.worlds.iterrows():
        sq, hf = runs.loc[int(ids["status_quo"])], runs.loc[int(ids["hunter_farmer"])]
        assert sq["seed"] == hf["seed"] and sq["spoiledness"] == hf["spoiledness"]
        assert (sq["structure"], hf["structure"]) == ("full_cycle", "hunter_farmer")
