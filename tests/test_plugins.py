"""Plug-ins: a user's own structure or incentive scheme, in their own file, used by name in a scenario."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from orgmodel import Scenario, simulate
from orgmodel.model.turnover import NO_TURNOVER
from orgmodel.policies import incentives, responses, structures
from orgmodel.policies.registry import TRUST_ENV, UnknownPolicyError
from orgmodel.scenario.files import ScenarioError, load_scenario

CAP = 50.0
SMALL = {"years": 1, "market_size": 300, "salespeople": 3}

CAPPED = f'''
from orgmodel.policies.incentives import IncentiveScheme


class CappedCommission(IncentiveScheme):
    """Volume commission, but at most CAP a month."""

    name = "capped_commission_test"
    CAP = {CAP}

    def variable_pay(self, ledger, *args, **kwargs):
        return min(super().variable_pay(ledger, *args, **kwargs), self.CAP)


class NotAScheme:
    name = "not_a_scheme"


class Nameless(IncentiveScheme):
    pass
'''

FULL_CYCLE_VARIANT = """
from orgmodel.policies.structures.full_cycle import FullCycle


class MyFullCycle(FullCycle):
    name = "my_full_cycle_test"


class SameName(FullCycle):
    pass
"""


HIRE_ONE = """
from orgmodel.policies.responses import ManagementResponse


class HireOneAtWeek(ManagementResponse):
    \"\"\"Requisition one salesperson at WEEK: a user's own management response.\"\"\"

    name = "hire_one_test"
    WEEK = 10

    def start(self):
        self.at(self.WEEK, self.hire)

    def hire(self):
        self.model.request_salespeople(1)
        self.record(requested=1)
"""


@pytest.fixture(autouse=True)
def trusted(monkeypatch):
    """These tests load their own plug-ins: trust them (the tests without trust unset it)."""
    monkeypatch.setenv(TRUST_ENV, "1")


def _write(folder, name: str, text: str):
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def pay_file(tmp_path):
    return _write(tmp_path, "my_pay.py", CAPPED)


def _salespeople_pay(result):
    staff = result.staff
    return staff.loc[staff["role"] == staff["role"].iloc[0], "variable_pay"]


def test_incentive_from_a_file_changes_pay(pay_file):
    capped = simulate(Scenario(incentive=f"{pay_file}:CappedCommission", **SMALL), seed=1)
    pay = capped.staff["variable_pay"]
    assert pay.max() <= CAP + 1e-9
    assert (pay > 0).any()
    plain = simulate(Scenario(incentive="volume_commission", **SMALL), seed=1)
    assert (plain.staff["variable_pay"] > CAP).any()


def test_loading_a_file_twice_reuses_the_class(pay_file):
    ref = f"{pay_file}:CappedCommission"
    cls = incentives.get(ref)
    assert incentives.get(ref) is cls
    assert incentives.get("capped_commission_test") is cls
    assert ref not in incentives.names()  # plug-ins do not join the built-ins' list (nor the docs)
    assert "capped_commission_test" not in incentives.names()


def test_relative_path_from_the_current_directory(pay_file, monkeypatch):
    monkeypatch.chdir(pay_file.parent)
    sc = load_scenario(None, ["incentive=my_pay.py:CappedCommission", "years=1"])
    assert sc.incentive == "my_pay.py:CappedCommission"
    assert incentives.get(sc.incentive).name == "capped_commission_test"


def test_scenario_file_names_a_plugin(pay_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    toml = _write(tmp_path, "capped.toml", 'incentive = "my_pay.py:CappedCommission"\nyears = 1\n')
    assert load_scenario(str(toml)).incentive == "my_pay.py:CappedCommission"


def test_structure_from_a_file_runs(tmp_path):
    path = _write(tmp_path, "my_structure.py", FULL_CYCLE_VARIANT)
    result = simulate(Scenario(structure=f"{path}:MyFullCycle", **SMALL), seed=1)
    assert result.staff["person"].nunique() == 3
    assert result.summary["annual_revenue"][0] > 0
    assert structures.get("my_full_cycle_test").hands_over is False


def test_response_from_a_file_acts_through_the_models_hiring(tmp_path):
    path = _write(tmp_path, "my_response.py", HIRE_ONE)
    # nobody quits (issue #12's turnover): the headcount then moves only by the response's hire
    result = simulate(Scenario(management_response=f"{path}:HireOneAtWeek", **SMALL, **NO_TURNOVER), seed=1)
    heads = result.timeseries.set_index("week")["salespeople"]
    delay = result.scenario.hiring_delay_weeks
    assert set(heads.loc[: 10 + delay - 1]) == {3} and set(heads.loc[10 + delay :]) == {4}
    assert result.summary["response_actions"] == [{"week": 10, "response": "hire_one_test", "requested": 1}]
    assert responses.get("hire_one_test").__name__ == "HireOneAtWeek"
    assert "hire_one_test" not in responses.names()
    with pytest.raises(UnknownPolicyError, match="'HireOneAtWeek' must subclass Structure"):
        structures.get(f"{path}:HireOneAtWeek")
    with pytest.raises(ScenarioError, match="'MyFullCycle' must subclass ManagementResponse"):
        load_scenario(None, [f"management_response={_write(tmp_path, 'fc.py', FULL_CYCLE_VARIANT)}:MyFullCycle"])


def test_module_reference(tmp_path, monkeypatch):
    package = tmp_path / "mypolicies"
    package.mkdir()
    _write(package, "__init__.py", "")
    _write(package, "pay.py", CAPPED.replace("capped_commission_test", "capped_commission_module_test"))
    monkeypatch.syspath_prepend(str(tmp_path))
    cls = incentives.get("mypolicies.pay:CappedCommission")
    assert cls.name == "capped_commission_module_test"
    result = simulate(Scenario(incentive="mypolicies.pay:CappedCommission", **SMALL), seed=1)
    assert result.staff["variable_pay"].max() <= CAP + 1e-9


@pytest.mark.parametrize(
    ("ref", "words"),
    [
        ("stock_options", ["unknown incentive 'stock_options'", "volume_commission", "'file.py:Class' for your own"]),
        ("missing.py:X", ["incentive 'missing.py:X'", "file 'missing.py' not found", "path/to/file.py:ClassName"]),
        ("no_such_pkg.pay:X", ["no module named 'no_such_pkg.pay'", "package.module:ClassName"]),
        ("{pay}:Missing", ["has no class 'Missing'", "CappedCommission"]),
        ("{pay}:NotAScheme", ["'NotAScheme' must subclass IncentiveScheme"]),
        ("{pay}:Nameless", ["'Nameless' needs a 'name' attribute"]),
        ("{broken}:X", ["importing", "failed: NameError: name 'undefined_thing' is not defined"]),
        ("{syntax}:X", ["importing", "failed: SyntaxError"]),
    ],
)
def test_errors_say_what_was_asked_and_what_is_allowed(ref, words, pay_file, tmp_path):
    broken = _write(tmp_path, "broken.py", "x = undefined_thing\n")
    syntax = _write(tmp_path, "syntax.py", "def f(:\n")
    ref = ref.format(pay=pay_file, broken=broken, syntax=syntax)
    with pytest.raises(UnknownPolicyError) as caught:
        incentives.get(ref)
    message = str(caught.value)
    assert "\n" not in message.strip()
    for w in words:
        assert w in message, message
    with pytest.raises(ScenarioError) as through_files:  # the scenario passes the message through
        load_scenario(None, [f"incentive={ref}"])
    for w in words:
        assert w in str(through_files.value), str(through_files.value)


def test_structure_must_not_take_a_built_in_name(tmp_path):
    path = _write(tmp_path, "same.py", FULL_CYCLE_VARIANT)
    with pytest.raises(UnknownPolicyError, match="name 'full_cycle', which FullCycle already uses"):
        structures.get(f"{path}:SameName")
    assert structures.get("full_cycle").__name__ == "FullCycle"


def test_structure_reference_must_be_a_structure(pay_file):
    with pytest.raises(UnknownPolicyError, match="'CappedCommission' must subclass Structure"):
        structures.get(f"{pay_file}:CappedCommission")


def test_cli_reports_a_missing_plugin_in_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "orgmodel", "run", "--set", "incentive=missing.py:X", "--set", "years=1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: incentive 'missing.py:X': file 'missing.py' not found")


def test_cli_runs_a_plugin_from_a_file(pay_file, monkeypatch):
    monkeypatch.delenv(TRUST_ENV)  # the flag alone allows it
    out = pay_file.parent / "out"
    args = ["--trust-plugins", "run", "--set", "incentive=my_pay.py:CappedCommission", "--out", str(out)]
    args += ["--set", "years=1", "--set", "market_size=300", "--set", "salespeople=3"]
    done = subprocess.run(
        [sys.executable, "-m", "orgmodel", *args],
        capture_output=True,
        text=True,
        cwd=pay_file.parent,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "my_pay.py:CappedCommission" in done.stdout
    assert (out / "summary.json").is_file()


# --- plug-in code runs only when the user trusts it ----------------------------------------------------
MARKER = """
from pathlib import Path

Path(__file__).with_name("ran.txt").write_text("the plug-in ran")
"""


@pytest.mark.parametrize("key", ["structure", "incentive", "management_response"])
def test_untrusted_plugin_is_refused_without_running_it(tmp_path, monkeypatch, key):
    monkeypatch.delenv(TRUST_ENV)
    path = _write(tmp_path, f"evil_{key}.py", MARKER)
    toml = _write(tmp_path, "shared.toml", f'{key} = "{path}:Anything"\n')
    with pytest.raises(ScenarioError) as caught:
        load_scenario(str(toml))
    message = str(caught.value)
    assert f"{key.replace('management_', '')}" in message and "plug-in code" in message
    assert "--trust-plugins" in message and TRUST_ENV in message
    assert not (tmp_path / "ran.txt").exists()
    with pytest.raises(ValueError, match="trust"):
        Scenario(**{key: "os.path:Anything"})  # an importable module is code too


def test_untrusted_plugin_in_an_experiment_file_is_refused(tmp_path, monkeypatch):
    from orgmodel.experiments.spec import ExperimentError, load_experiment

    monkeypatch.delenv(TRUST_ENV)
    path = _write(tmp_path, "evil.py", MARKER)
    toml = _write(tmp_path, "exp.toml", f'name = "x"\n[factors]\nincentive = ["volume_commission", "{path}:X"]\n')
    with pytest.raises(ExperimentError, match="--trust-plugins"):
        load_experiment(toml)
    assert not (tmp_path / "ran.txt").exists()


def test_cli_refuses_an_untrusted_plugin_in_one_line(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from orgmodel.cli import app

    monkeypatch.delenv(TRUST_ENV)
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "shared_pay.py", MARKER)
    result = CliRunner().invoke(app, ["run", "--set", "incentive=shared_pay.py:Capped", "--set", "years=1"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: incentive 'shared_pay.py:Capped'"), result.stderr
    assert "--trust-plugins" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared_pay.py"]  # no output, and the code did not run
