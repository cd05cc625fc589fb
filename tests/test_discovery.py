"""Scenario discovery (issue #16): the --where grammar, paired cases, and known answers for PRIM, CART and feature scores.

The known-answer stores are written by orgmodel.experiments.synthetic: the
runs of a real crossed Latin-hypercube plan, whose outcomes are a known
function of the factors, so the right answer is known in advance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from orgmodel.analysis.cases import cases
from orgmodel.analysis.discovery import cart, choose_box, feature_scores, prim
from orgmodel.analysis.where import Term, WhereError, parse
from orgmodel.cli import app
from orgmodel.experiments import load_results, parse_experiment
from orgmodel.experiments.synthetic import write_synthetic_store

pytest.importorskip("ema_workbench", reason="the [discovery] extra is installed by make install")

BOX = {"spoiledness": (0.6, 0.9), "churn_base": (0.02, 0.05)}  # the known box: spoiledness >= 0.6, churn_base <= 0.05


def _experiment(samples: int, seed: int = 11):
    return parse_experiment(
        {
            "name": "synthetic",
            "years": 2,
            "seed": seed,
            "common_random_numbers": True,
            "design": {"kind": "latin_hypercube", "samples": samples, "cross": ["scenario"]},
            "factors": {
                "scenario": ["status_quo", "hunter_farmer"],
                "spoiledness": {"low": 0.3, "high": 0.9},
                "churn_base": {"low": 0.02, "high": 0.12},
                "problem_rate": {"low": 0.05, "high": 0.3},
                "lead_qualify_rate": {"low": 0.3, "high": 0.6},
            },
        }
    )


def _inside(values: dict) -> bool:
    return values["spoiledness"] >= BOX["spoiledness"][0] and values["churn_base"] <= BOX["churn_base"][1]


def _summary(values: dict, seed: int) -> dict:
    """The split loses to the status quo exactly inside the box; revenue also carries seed noise shared by the arms."""
    noise = (seed % 1000) / 1000
    base = 10.0 + noise
    split = base - 1.0 if _inside(values) else base + 1.0
    revenue = split if values["scenario"] == "hunter_farmer" else base
    return {"annual_revenue": [revenue / 2, revenue], "total_revenue": 1.5 * revenue}


@pytest.fixture(scope="module")
def box_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic") / "store"
    return load_results(write_synthetic_store(_experiment(600), folder, _summary))


# --- grammar -------------------------------------------------------------------------------------------------
def test_an_expression_reads_arms_outcomes_and_years():
    w = parse("hunter_farmer.annual_revenue[-1] < 0.9 * status_quo.annual_revenue[-1] and spoiledness > 0.5")
    assert w.paired
    assert w.terms == (
        Term("hunter_farmer", "annual_revenue", -1),
        Term("status_quo", "annual_revenue", -1),
        Term(None, "spoiledness"),
    )
    assert w.arms == ["hunter_farmer", "status_quo"]


def test_evaluation_matches_numpy():
    w = parse("not (a.x - b.x > 2 or abs(a.x) <= 1) and 0 < b.x < 5")
    a, b = np.array([0.0, 3.0, 6.0, 2.0, -4.0]), np.array([1.0, 0.5, 4.0, 1.5, 3.0])
    got = w.evaluate({Term("a", "x"): a, Term("b", "x"): b})
    expected = ~((a - b > 2) | (np.abs(a) <= 1)) & (b > 0) & (b < 5)
    assert got.tolist() == expected.tolist()


def test_backticks_quote_arm_names_that_are_not_python_names():
    w = parse("`structure=pod, incentive=team_bonus`.total_revenue > 1")
    assert w.terms == (Term("structure=pod, incentive=team_bonus", "total_revenue"),)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "open('x').read() > 1",
        "a.b.c > 1",
        "total_revenue",
        "total_revenue > 1 if True else False",
        "[x for x in y] == 1",
        "total_revenue[1:2] > 0",
        "total_revenue ** 2 > 1",
        "lambda: 1",
        "a.x < 'text'",
        "",
        "total_revenue > ",
        "`unclosed.total_revenue > 1",
    ],
)
def test_anything_outside_the_grammar_is_refused(text):
    with pytest.raises(WhereError, match=r"--where|abs|arithmetic|constants|condition|compare|index|allowed|backtick"):
        parse(text)


# --- cases over a store ----------------------------------------------------------------------------------------
def test_paired_cases_are_worlds_with_one_run_per_arm(box_store):
    c = cases(box_store, "hunter_farmer.total_revenue < status_quo.total_revenue")
    assert c.unit == "world" and c.n == 600 and c.left_out == 0
    assert list(c.x.columns) == ["spoiledness", "churn_base", "problem_rate", "lead_qualify_rate"]
    runs = box_store.runs.set_index("run_id")
    for world in range(0, 600, 97):
        ids = c.worlds.loc[world]
        sq, hf = runs.loc[int(ids["status_quo"])], runs.loc[int(ids["hunter_farmer"])]
        assert sq["seed"] == hf["seed"] and sq["spoiledness"] == hf["spoiledness"]
        assert c.x.loc[world, "spoiledness"] == sq["spoiledness"]
    # the condition is exactly the known box, world by world
    inside = (c.x["spoiledness"] >= 0.6) & (c.x["churn_base"] <= 0.05)
    assert (c.y == inside.to_numpy()).all()


def test_unpaired_cases_are_runs_with_the_arm_as_an_input(box_store):
    c = cases(box_store, 'total_revenue > 16 and scenario == "hunter_farmer"')
    assert c.unit == "run" and c.n == 1200
    assert "arm" in c.x.columns
    runs = box_store.runs
    direct = (runs["total_revenue"] > 16) & (runs["scenario"] == "hunter_farmer")
    assert c.hits == int(direct.sum()) > 0


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("pod.total_revenue < status_quo.total_revenue", "no arm 'pod'"),
        ("hunter_farmer.no_such_key < 1", "not a summary key"),
        ("hunter_farmer.total_revenue < total_revenue", "has no arm"),
        ("arm > 1", "is text"),
        ("hunter_farmer.annual_revenue > 1", "is a yearly list .2 years.: pick a year, e.g. annual_revenue.-1."),
        ("hunter_farmer.annual_revenue[2] > 1", "has 2 years, so the index must be from -2 to 1"),
    ],
)
def test_a_condition_the_store_cannot_answer_is_one_clear_error(box_store, text, words):
    with pytest.raises(WhereError, match=words):
        cases(box_store, text)


# --- known answers ---------------------------------------------------------------------------------------------
def test_prim_finds_the_known_box(box_store):
    found = prim(cases(box_store, "hunter_farmer.total_revenue < status_quo.total_revenue"))
    limits = {lim.name: lim for lim in found.limits}
    assert set(limits) == {"spoiledness", "churn_base"}, [lim.words for lim in found.limits]
    assert limits["spoiledness"].low == pytest.approx(0.6, abs=0.03)
    assert limits["churn_base"].high == pytest.approx(0.05, abs=0.005)
    assert found.density >= 0.95 and found.coverage >= 0.9
    assert all(lim.qp < 0.05 for lim in found.limits)
    assert "Where spoiledness at least 0.5" in " ".join(found.words("world"))


def test_cart_has_a_pure_leaf_on_the_box(box_store):
    tree = cart(cases(box_store, "hunter_farmer.total_revenue < status_quo.total_revenue"))
    top = tree.leaves.iloc[0]
    assert top["density"] >= 0.95 and top["coverage"] >= 0.9
    assert "spoiledness at least" in top["limits"] and "churn_base at most" in top["limits"]
    assert "spoiledness" in tree.rules


def test_feature_scoring_ranks_the_known_driver_first():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.random((400, 4)), columns=["a", "b", "driver", "c"])
    from orgmodel.analysis.cases import Cases

    c = Cases(parse("a.x > 0"), x, (x["driver"] > 0.5).to_numpy(), None, 0)
    scores = feature_scores(c, seed=1, trees=50)
    assert scores.index[0] == "driver"
    assert scores.iloc[0] > 3 * scores.iloc[1]


def test_choose_box_takes_the_best_balance_of_coverage_and_density():
    t = pd.DataFrame({"coverage": [1.0, 0.9, 0.5, 0.1], "density": [0.2, 0.7, 0.95, 1.0]})
    assert choose_box(t) == 1  # F1: 0.33, 0.79, 0.66, 0.18


def test_choose_box_passes_over_boxes_whose_limits_could_be_chance():
    t = pd.DataFrame({"coverage": [1.0, 0.9, 0.5, 0.1], "density": [0.2, 0.7, 0.95, 1.0]})
    qp = [{}, {"a": [0.2, -1]}, {"a": [0.01, -1], "b": [-1, 0.001]}, {"a": [0.01, -1]}]
    assert choose_box(t, qp) == 2
    assert choose_box(t, [{}, {"a": [0.3, -1]}, {"a": [0.3, 0.2]}, {"b": [0.5, -1]}]) == 0  # only the whole space is clear


def test_with_few_worlds_and_no_real_box_prim_reports_none():
    rng = np.random.default_rng(5)
    x = pd.DataFrame(rng.random((40, 30)), columns=[f"x{i}" for i in range(30)])
    from orgmodel.analysis.cases import Cases

    c = Cases(parse("a.x > 0"), x, rng.random(40) < 0.4, None, 0)
    found = prim(c)
    assert found.limits == [] and found.chosen == 0
    assert "no box" in found.words("world")[0]


def test_prim_prunes_the_limits_peeling_cut_by_chance():
    """Two real limits among 40 inputs and 300 cases: peeling also cuts noise inputs; pruning gives them back."""
    rng = np.random.default_rng(7)
    x = pd.DataFrame(rng.random((300, 40)), columns=[f"x{i}" for i in range(40)])
    from orgmodel.analysis.cases import Cases

    c = Cases(parse("a.x > 0"), x, ((x["x3"] >= 0.7) & (x["x8"] <= 0.4)).to_numpy(), None, 0)
    unpruned = prim(c, prune=0)
    assert {lim.name for lim in unpruned.limits} != {"x3", "x8"}  # without pruning the box is not found
    found = prim(c)
    limits = {lim.name: lim for lim in found.limits}
    assert set(limits) == {"x3", "x8"}, [lim.words for lim in found.limits]
    assert limits["x3"].low == pytest.approx(0.7, abs=0.03) and limits["x8"].high == pytest.approx(0.4, abs=0.03)
    assert found.density >= 0.9 and found.coverage >= 0.9
    assert found.trajectory.loc[found.chosen, "pruned_from"] >= 0
    assert "given back (pruned)" in " ".join(found.words("case"))


# --- the command -----------------------------------------------------------------------------------------------
def test_discover_prints_the_box_and_writes_its_figures(box_store, tmp_path):
    out = tmp_path / "disc"
    where = "hunter_farmer.total_revenue < status_quo.total_revenue"
    result = CliRunner().invoke(app, ["discover", str(box_store.folder), "--where", where, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "spoiledness at least" in result.output and "churn_base at most" in result.output
    for name in ("summary.html", "summary.md", "figures/peeling_trajectory.png", "figures/box_limits.png", "figures/tree.png"):
        assert (out / name).is_file(), name
    again = CliRunner().invoke(app, ["discover", str(box_store.folder), "--where", where, "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    assert (out / "summary.html").is_file()


def test_discover_rejects_a_bad_condition_in_one_line(box_store, tmp_path):
    result = CliRunner().invoke(app, ["discover", str(box_store.folder), "--where", "import os", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith("error: --where")
    assert not (tmp_path / "x").exists()


def test_without_ema_workbench_the_command_says_how_to_install_it(box_store, monkeypatch, tmp_path):
    import sys

    for name in [m for m in sys.modules if m == "ema_workbench" or m.startswith("ema_workbench.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "ema_workbench", None)  # import ema_workbench now raises ImportError
    where = "hunter_farmer.total_revenue < status_quo.total_revenue"
    result = CliRunner().invoke(app, ["discover", str(box_store.folder), "--where", where, "--out", str(tmp_path / "d")])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "pip install 'orgmodel[discovery]'" in result.output
    assert not (tmp_path / "d").exists()


def test_arms_without_common_seeds_cannot_be_paired(tmp_path):
    exp = parse_experiment(
        {"name": "unpaired", "years": 2, "seed": 1, "replications": 3, "factors": {"scenario": ["status_quo", "hunter_farmer"]}}
    )
    store = load_results(write_synthetic_store(exp, tmp_path / "s", _summary_flat))
    c = cases(store, "hunter_farmer.total_revenue < status_quo.total_revenue")
    assert c.n == 0 and c.left_out == 6  # every run has its own seed: no world holds both arms
    from orgmodel.analysis.discovery import DiscoveryError

    with pytest.raises(DiscoveryError, match="common_random_numbers"):
        prim(c)


def _summary_flat(values: dict, seed: int) -> dict:
    return {"annual_revenue": [1.0, 2.0], "total_revenue": 3.0}
