"""Shared fixtures: multi-seed runs of the default calibration, computed once per session."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import pytest

from orgmodel import Scenario, simulate
from orgmodel.analysis.summary import time_use
from orgmodel.policies.registry import TRUST_ENV

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


@pytest.fixture(scope="session", autouse=True)
def trusted_plugins():
    """The suite's plug-ins are its own code: trust them (tests of the refusal unset ORGMODEL_TRUST_PLUGINS)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(TRUST_ENV, "1")
        yield


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


# --- small real results folders for the analysis and report tests, written by the experiment runner ---

#: an incentive scheme that fails its runs in one cell of the grid, so reports have failed runs to show
CAPPED_FULL_CYCLE = """
from orgmodel.policies.incentives.volume_commission import VolumeCommission


class CappedFullCycle(VolumeCommission):
    name = "capped_full_cycle_test"

    def __init__(self, cfg):
        super().__init__(cfg)
        if cfg.structure == "full_cycle" and cfg.commission_rate > 0.04:
            raise RuntimeError("full cycle pays at most 4% commission in this test")
"""
SMALL = "[set]\nmarket_size = 300\nsalespeople = 5\n"
SENSITIVITY_FACTORS = "[factors]\nchurn_base = { low = 0.02, high = 0.1 }\nspoiledness = { low = 0.3, high = 0.9 }\n"


def run_stored(folder, name: str, text: str):
    """Write ``folder/NAME.toml``, run it with one worker into ``folder/results`` and return that folder."""
    from orgmodel.experiments import load_experiment, run_experiment

    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    run_experiment(load_experiment(path), folder / "results", workers=1)
    return folder / "results"


@pytest.fixture(scope="session")
def grid_results(tmp_path_factory):
    """Structure x commission rate, 3 replicates, 3 years, weekly rows kept; full_cycle at 5% fails every run."""
    folder = tmp_path_factory.mktemp("grid")
    (folder / "capped.py").write_text(CAPPED_FULL_CYCLE, encoding="utf-8")
    text = f"""
name = "grid_test"
question = "Which structure and commission rate grow revenue?"
years = 3
replications = 3
seed = 2024
keep = "weekly"
outcomes = ["annual_revenue[-1]", "total_revenue"]
{SMALL}incentive = "{folder / "capped.py"}:CappedFullCycle"
[factors]
structure = ["hunter_farmer", "full_cycle"]
commission_rate = [0.03, 0.05]
"""
    return run_stored(folder, "grid_test", text)


@pytest.fixture(scope="session")
def morris_results(tmp_path_factory):
    """A Morris design over two parameters: 4 trajectories of 3 points, one replicate each, 2 years."""
    text = f"""
name = "morris_test"
question = "Which of churn and spoiledness matters more for revenue?"
years = 2
seed = 3
{SMALL}[design]
kind = "morris"
trajectories = 4
levels = 4
{SENSITIVITY_FACTORS}"""
    return run_stored(tmp_path_factory.mktemp("morris"), "morris_test", text)


@pytest.fixture(scope="session")
def sobol_results(tmp_path_factory):
    """A Sobol design (2 base samples, no second order: 8 points), two replicates per point, 2 years."""
    text = f"""
name = "sobol_test"
question = "What drives revenue?"
years = 2
replications = 2
seed = 3
{SMALL}[design]
kind = "sobol"
samples = 2
{SENSITIVITY_FACTORS}"""
    return run_stored(tmp_path_factory.mktemp("sobol"), "sobol_test", text)
