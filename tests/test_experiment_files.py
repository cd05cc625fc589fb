"""Experiment files: the shipped ones are valid, and every mistake is one line with exit code 2."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orgmodel.cli import app
from orgmodel.experiments import ExperimentError, Plan, load_experiment
from orgmodel.experiments.resolved import dump_experiment_toml
from orgmodel.experiments.spec import parse_experiment
from orgmodel.scenario.files import read_toml

SHIPPED = sorted((Path(__file__).resolve().parent.parent / "experiments").glob("*.toml"))
runner = CliRunner()

GOOD = """
name = "tiny"
scenario = "status_quo"
years = 2
replications = 2
seed = 5
keep = "every 4 weeks"

[set]
market_size = 300
salespeople = 4

[factors]
structure = ["full_cycle", "hunter_farmer"]
spoiledness = { low = 0.5, high = 0.8, steps = 4 }
"""


def _write(folder: Path, text: str, name: str = "exp.toml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- the shipped experiments ------------------------------------------------------------------------------
def test_every_shipped_experiment_is_valid_and_states_its_question():
    names = {p.stem for p in SHIPPED}
    assert {"essay", "structures_x_incentives", "handover", "management_response", "sensitivity"} <= names
    for path in SHIPPED:
        exp = load_experiment(path)
        plan = Plan(exp)
        assert plan.n_runs >= 2, path.name
        assert exp.question, f"{path.name} has no question"
        header = path.read_text(encoding="utf-8").splitlines()[0]
        assert header.startswith("# Question:"), f"{path.name} must open with a comment stating its question"
        assert exp.years == 10, path.name


def test_shipped_experiments_match_what_they_promise():
    essay = Plan(load_experiment(SHIPPED[[p.stem for p in SHIPPED].index("essay")]))
    assert essay.experiment.replications >= 20
    assert {"status_quo", "hunter_farmer"} <= {p["scenario"] for p in essay.points}
    matrix = Plan(load_experiment(next(p for p in SHIPPED if p.stem == "structures_x_incentives")))
    cells = {(p["structure"], p["incentive"]) for p in matrix.points}
    assert ("full_cycle", "split_commission") not in cells  # rejected by the model, left out
    assert ("hunter_farmer", "split_commission") in cells and ("full_cycle", "volume_commission") in cells
    left_out = {arm for arm, _ in matrix.left_out}  # split pay where nobody takes clients over
    assert left_out == {"structure=full_cycle, incentive=split_commission", "structure=service_desk, incentive=split_commission"}
    sensitivity = load_experiment(next(p for p in SHIPPED if p.stem == "sensitivity"))
    assert sensitivity.design.kind in ("sobol", "morris")
    assert {"annual_revenue[-1]", "revenue_growth_last_3_years"} <= set(sensitivity.outcomes)


def test_resolved_file_reads_back_to_the_same_experiment(tmp_path):
    for path in [*SHIPPED, _write(tmp_path, GOOD)]:
        exp = load_experiment(path)
        again = parse_experiment(read_toml(_write(tmp_path, dump_experiment_toml(exp), "resolved.toml")), folder=tmp_path)
        assert again.identity() == exp.identity(), path.name
        assert Plan(again).points == Plan(exp).points


def test_ranges_lists_and_scenario_tables(tmp_path):
    exp = load_experiment(
        _write(
            tmp_path,
            """
            scenario = "mine"
            [scenarios.mine]
            salespeople = 5
            market_size = 300
            [factors]
            spoiledness = { low = 0.2, high = 0.8, step = 0.2 }
            account_managers = [1, 2]
            structure = ["hunter_farmer"]
            """,
        )
    )
    assert exp.name == "exp"  # named after the file
    assert [f.values for f in exp.factor_list] == [(0.2, 0.4, 0.6, 0.8), (1, 2), ("hunter_farmer",)]
    plan = Plan(exp)
    assert plan.n_points == 8
    assert plan.task(0).scenario["salespeople"] == 5 and plan.task(0).scenario["name"] == "mine"
    assert plan.labels[0] == "spoiledness=0.2, account_managers=1, structure=hunter_farmer"


# --- mistakes: one line, exit code 2 -------------------------------------------------------------------------
BAD = {
    "unknown field": ("replication = 3", "unknown field 'replication'; did you mean 'replications'"),
    "unknown factor": (
        "[factors]\nspoildness = [0.5]",
        "factors.spoildness: unknown scenario key 'spoildness'; did you mean 'spoiledness'",
    ),
    "empty range": ("[factors]\nspoiledness = { low = 0.8, high = 0.2, steps = 3 }", "factors.spoiledness is an empty range"),
    "empty list": ("[factors]\nstructure = []", "factors.structure is an empty list"),
    "range without steps": (
        "[factors]\nspoiledness = { low = 0.2, high = 0.8 }",
        "factors.spoiledness: a full_factorial design needs",
    ),
    "outside the key's range": (
        "[factors]\nspoiledness = [0.5, 1.5]",
        "factors.spoiledness: 1.5 is outside the key's range (between 0 and 1)",
    ),
    "wrong type": ("[factors]\nsalespeople = [4.5]", "factors.salespeople must list integers"),
    "text key with bounds": ("[factors]\nstructure = { low = 0, high = 1 }", "factors.structure is text: give a list of values"),
    "unknown structure": ("[factors]\nstructure = ['full_cycle', 'nope']", "factors.structure: unknown structure 'nope'"),
    "duplicate value": ("[factors]\nsalespeople = [4, 4]", "factors.salespeople lists 4 twice"),
    "years as factor": ("[factors]\nyears = [1, 2]", "factors.years: 'years' cannot be a factor"),
    "both set and varied": (
        "[set]\nsalespeople = 4\n[factors]\nsalespeople = [4, 5]",
        "salespeople is both in [set] and in [factors]",
    ),
    "unknown set key": ("[set]\nmarket = 4", "set.market: unknown scenario key 'market'"),
    "set value of the wrong type": ('[set]\nsalespeople = "x"', "set.salespeople must be an integer (the key's type), got 'x'"),
    "set value out of range": ("[set]\nsalespeople = 0", "set.salespeople: 0 is outside the key's range (between 1 and 5000)"),
    "bad keep": ('keep = "monthly"', 'keep must be "weekly", "every N weeks"'),
    "bad outcome": ('outcomes = ["revenue[year 3]"]', "outcome 'revenue[year 3]' must be a summary key"),
    "negative replications": ("replications = 0", "replications must be at least 1, got 0"),
    "replications as text": ('replications = "ten"', "replications must be an integer, got 'ten'"),
    "unknown design": ('[design]\nkind = "taguchi"', "design.kind must be one of: full_factorial, monte_carlo"),
    "unknown design field": (
        '[design]\nkind = "sobol"\nsample = 8',
        "unknown field 'design.sample'; did you mean 'design.samples'",
    ),
    "sobol without samples": (
        '[design]\nkind = "sobol"\n[factors]\nspoiledness = { low = 0.2, high = 0.8 }',
        "design.samples is missing",
    ),
    "sobol samples not a power of 2": (
        '[design]\nkind = "sobol"\nsamples = 10\n[factors]\nspoiledness = { low = 0.2, high = 0.8 }',
        "design.samples must be a power of 2",
    ),
    "sobol with a list": (
        '[design]\nkind = "sobol"\nsamples = 8\n[factors]\nspoiledness = [0.2, 0.8]',
        "factors.spoiledness is a list of values: a sobol design samples every factor between numeric bounds",
    ),
    "categorical in morris": (
        '[design]\nkind = "morris"\ntrajectories = 4\n[factors]\nstructure = ["full_cycle", "hunter_farmer"]',
        "factors.structure is categorical: a morris design samples every factor between numeric bounds",
    ),
    "setting of another design": (
        '[design]\nkind = "sobol"\nsamples = 8\nlevels = 4\n[factors]\nspoiledness = { low = 0.2, high = 0.8 }',
        "design.levels applies to morris designs only",
    ),
    "zero-width bounds": (
        '[design]\nkind = "latin_hypercube"\nsamples = 8\n[factors]\nspoiledness = { low = 0.5, high = 0.5 }',
        "factors.spoiledness is an empty range: low and high are both 0.5",
    ),
    "sampling design without factors": (
        '[design]\nkind = "monte_carlo"\nsamples = 4',
        "a monte_carlo design needs at least one factor",
    ),
    "bad criterion": ('criterion = "annual revenue"', "criterion: outcome 'annual revenue' must be a summary key"),
    "unknown scenario": ('scenario = "status_kwo"', "scenario: unknown scenario 'status_kwo'"),
    "missing scenario file": ('scenario = "nowhere.toml"', "scenario: scenario file"),
    "bad inline scenario": (
        'scenario = "mine"\n[scenarios.mine]\nsalespeople = -1',
        "key 'salespeople' must be between 1 and 5000",
    ),
    "invalid point": (
        '[factors]\nstructure = ["full_cycle", "hunter_farmer"]\nincentive = ["split_commission"]',
        "design point 0 (structure=full_cycle, incentive=split_commission): incentive 'split_commission' pays whoever",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_experiment_file_is_one_error_line_with_exit_2(tmp_path, case):
    body, expected = BAD[case]
    path = _write(tmp_path, 'name = "bad"\nyears = 2\n' + body + "\n")
    with pytest.raises(ExperimentError) as info:
        Plan(load_experiment(path))
    assert expected in str(info.value)
    result = runner.invoke(app, ["experiment", "run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert expected in lines[0]
    assert str(path) in lines[0]
    assert not (tmp_path / "out").exists()  # nothing written


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "does not exist"), ("name = [", "is not valid TOML"), ("[design]\n[design]", "is not valid TOML")],
)
def test_unreadable_experiment_files(tmp_path, content, expected):
    path = tmp_path / "x.toml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["experiment", "check", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: experiment file '{path}'") and expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_check_shows_the_design_without_running(tmp_path):
    path = _write(tmp_path, GOOD)
    result = runner.invoke(app, ["experiment", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert "8 points x 2 replications = 16 runs" in " ".join(result.stdout.split())
    assert "structure=hunter_farmer, spoiledness=0.8" in result.stdout
    assert not (tmp_path / "out").exists()


def test_skip_invalid_leaves_out_and_lists_rejected_points(tmp_path):
    path = _write(
        tmp_path,
        """
        [factors]
        structure = ["full_cycle", "hunter_farmer"]
        incentive = ["volume_commission", "split_commission"]
        [design]
        skip_invalid = true
        """,
    )
    plan = Plan(load_experiment(path))
    assert plan.n_points == 3
    assert [label for label, _ in plan.left_out] == ["structure=full_cycle, incentive=split_commission"]
    assert "never hands clients over" in plan.left_out[0][1]


def test_docs_describe_every_field_and_design():
    from orgmodel.experiments.designs import DESIGNS
    from orgmodel.experiments.spec import DaskOptions, Design, Experiment

    text = (Path(__file__).resolve().parent.parent / "docs" / "experiments.md").read_text(encoding="utf-8")
    for model in (Experiment, Design, DaskOptions):
        for field in model.model_fields:
            assert f"`{field}`" in text or f"[{field}]" in text, f"docs/experiments.md does not describe {field}"
    for kind in DESIGNS:
        assert f"`{kind}`" in text, kind
    for path in SHIPPED:
        assert f"`{path.name}`" in text, path.name


# --- the size of a plan is checked before it is made ----------------------------------------------------------
TEN_FACTORS = ["spoiledness", "problem_rate", "complaint_rate", "churn_base", "churn_dissatisfied"]
TEN_FACTORS += ["gross_margin", "commission_rate", "quota_ratchet", "growth_bonus_share", "team_bonus_rate"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "[factors]\n" + "\n".join(f"{k} = {{ low = 0, high = 1, steps = 1000 }}" for k in TEN_FACTORS),
            "the experiment would make 1e30 runs (1e30 design points x 1 replications), more than the limit of 10,000,000",
        ),
        (
            "replications = 5\n[design]\nkind = 'monte_carlo'\nsamples = 3000000\n[factors]\nspoiledness = { low = 0, high = 1 }",
            "would make 15,000,000 runs (3,000,000 design points x 5 replications)",
        ),
        (
            "[design]\nkind = 'sobol'\nsamples = 1073741824\n[factors]\nspoiledness = { low = 0, high = 1 }",
            "would make 3,221,225,472 runs",
        ),
        (
            "[design]\nkind = 'morris'\ntrajectories = 10\nlevels = 1000000000\n[factors]\nspoiledness = { low = 0, high = 1 }",
            "design.levels must be at most 1000, got 1000000000",
        ),
        ("[factors]\nspoiledness = { low = 0, high = 1, steps = 1000000000 }", "steps must be at most 100,000 values"),
    ],
)
def test_a_plan_too_large_is_refused_at_once_with_its_size(tmp_path, text, words):
    with pytest.raises(ExperimentError) as info:
        load_experiment(_write(tmp_path, "name = 'big'\n" + text))
    message = str(info.value)
    assert words in message
    if "would make" in message:
        assert "raise the limit with ORGMODEL_MAX_RUNS=N" in message


def test_the_run_limit_can_be_raised_or_lowered(tmp_path, monkeypatch):
    path = _write(tmp_path, GOOD)  # 2 x 4 points x 2 replications
    monkeypatch.setenv("ORGMODEL_MAX_RUNS", "15")
    with pytest.raises(ExperimentError, match=r"would make 16 runs .* more than the limit of 15"):
        load_experiment(path)
    monkeypatch.setenv("ORGMODEL_MAX_RUNS", "16")
    assert Plan(load_experiment(path), progress=lambda *_: None).n_runs == 16
    monkeypatch.setenv("ORGMODEL_MAX_RUNS", "lots")
    with pytest.raises(ExperimentError, match="ORGMODEL_MAX_RUNS must be a whole number"):
        load_experiment(path)


def test_the_counted_size_is_the_size_made(tmp_path):
    from orgmodel.experiments import designs

    for kind, settings in [
        ("sobol", "samples = 8\nsecond_order = true"),
        ("morris", "trajectories = 3"),
        ("latin_hypercube", "samples = 5"),
    ]:
        text = f"name = 'n'\n[design]\nkind = '{kind}'\n{settings}\n[factors]\nspoiledness = {{ low = 0, high = 1 }}\n"
        text += "problem_rate = { low = 0, high = 0.5 }\n"
        exp = load_experiment(_write(tmp_path, text))
        assert designs.size(exp) == len(designs.points(exp)), kind
    exp = load_experiment(_write(tmp_path, GOOD))
    assert designs.size(exp) == len(designs.points(exp)) == 8


def test_a_large_plan_reports_progress(tmp_path, capsys, monkeypatch):
    from orgmodel.experiments import plan as plan_module

    monkeypatch.setattr(plan_module, "QUIET_POINTS", 4)
    monkeypatch.setattr(plan_module, "PROGRESS_EVERY", 2)
    seen = []
    Plan(load_experiment(_write(tmp_path, GOOD)), progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 8) and seen[-1] == (8, 8)
    Plan(load_experiment(_write(tmp_path, GOOD)))
    assert "Preparing the plan: checked 8 of 8 design points" in capsys.readouterr().err


# --- outcomes and keep are checked against what runs store -----------------------------------------------------
@pytest.mark.parametrize(
    ("line", "words"),
    [
        ('outcomes = ["total_revenu"]', "outcomes: 'total_revenu' is not a numeric summary key; did you mean 'total_revenue'"),
        ('outcomes = ["structure"]', "outcomes: 'structure' is not a numeric summary key"),
        ('outcomes = ["annual_revenue"]', "has one value per year: name the year, e.g. 'annual_revenue[-1]'"),
        ('outcomes = ["total_revenue[0]"]', "total_revenue is one number per run and takes no year index"),
        ('outcomes = ["annual_revenue[2]"]', "is beyond the horizon: the runs last 2 years, so a year index is between 0 and 1"),
        ('outcomes = ["annual_revenue[-3]"]', "is beyond the horizon"),
        ('keep = "every 105 weeks"', 'keep = "every 105 weeks" keeps no week: the runs last 104 weeks (2 years)'),
    ],
)
def test_outcomes_that_cannot_exist_and_keep_that_keeps_nothing_are_refused(tmp_path, line, words):
    text = GOOD.replace('keep = "every 4 weeks"', line if line.startswith("keep") else 'keep = "summary"\n' + line)
    with pytest.raises(ExperimentError) as info:
        load_experiment(_write(tmp_path, text))
    assert words in str(info.value)


def test_outcomes_within_the_horizon_are_accepted(tmp_path):
    outcomes = '["annual_revenue[-2]", "annual_revenue[1]", "total_revenue", "revenue_growth_last_3_years"]'
    text = GOOD.replace('keep = "every 4 weeks"', f'keep = "every 104 weeks"\noutcomes = {outcomes}')
    assert load_experiment(_write(tmp_path, text)).keep_every == 104
