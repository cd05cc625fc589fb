"""Generated bad inputs: every one is a valid run or one ``error:`` line naming a key, exit 2, nothing touched.

Hypothesis drives ``orgmodel run`` with generated ``--set`` values (wrong types, odd
digit forms, values at and beyond the bounds, text) and the experiment file loader
with generated files (fields of the wrong type or shape, unknown keys, bytes that are
not TOML). It asserts the promise every input error keeps: exit code 2 and one line
that names the key, or a valid run; never a traceback, never a changed output folder.
Runs are tiny (one year, twenty companies) so that the valid ones stay fast.
"""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from orgmodel.cli import app
from orgmodel.experiments.spec import Experiment, ExperimentError, load_experiment, parse_experiment
from orgmodel.scenario.files import ScenarioError, key_type
from orgmodel.scenario.schema import Scenario

runner = CliRunner()
#: a tiny run, so that a generated value that is valid makes a quick run
TINY = {"years": "1", "market_size": "20", "salespeople": "1"}
#: keys that decide the size of a run: generated values would make slow runs, so they stay tiny
SIZE_KEYS = ("years", "market_size", "salespeople", "account_managers", "service_desk_staff", "interventions")
KEYS = [k for k in Scenario.model_fields if k not in SIZE_KEYS]

EXAMPLES = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

odd_numbers = st.sampled_from(
    ["0x10", "1_000", "٣", "５", "1e400", "-1e400", "nan", "inf", "-0", "1.", ".5", "+3", "1e-320", "1/2", "", " ", "0b1"]
)
numbers = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=-2, max_value=2).map(lambda x: f"{x:.3f}"),
)
texts = st.text(alphabet=string.ascii_letters + string.digits + " _-.=:/'\"[]{}#\\", max_size=12)
values = st.one_of(odd_numbers, numbers, texts, st.sampled_from(["true", "false", "yes", "maybe", "none", "unset"]))


@given(key=st.one_of(st.sampled_from(KEYS), st.sampled_from(SIZE_KEYS[:3]), texts), value=values)
@settings(EXAMPLES, max_examples=30)  # a valid value makes a real run with its figure (about a second)
def test_run_with_a_generated_value_runs_or_names_the_key(tmp_path_factory, key, value):
    out = tmp_path_factory.mktemp("out")
    (out / "summary.json").write_text("an earlier run", encoding="utf-8")
    args = ["run"]
    for k, v in TINY.items():
        args += ["--set", f"{k}={v}"]
    args += ["--set", f"{key}={value}", "--out", str(out)]
    result = runner.invoke(app, args)
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        assert (out / "summary.json").read_text(encoding="utf-8") != "an earlier run"
        return
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    named = " ".join(f"{key}={value}".partition("=")[0].split())  # what --set reads as the key, as one line shows it
    assert named in lines[0] or repr(named)[1:-1] in lines[0] or "--set expects KEY=VALUE" in lines[0], lines[0]
    assert sorted(p.name for p in out.iterdir()) == ["summary.json"]
    assert (out / "summary.json").read_text(encoding="utf-8") == "an earlier run"


# --- experiment files -------------------------------------------------------------------------------------------
FIELDS = [k for k in Experiment.model_fields if k != "scenarios"]
scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)
plain = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(texts, inner, max_size=3)), max_leaves=6
)
factor_values = st.one_of(
    st.lists(scalars, max_size=4),
    st.fixed_dictionaries(
        {"low": st.one_of(st.integers(-5, 10**6), st.floats()), "high": st.one_of(st.integers(-5, 10**6), st.floats())},
        optional={"steps": st.integers(-2, 10**7), "step": st.one_of(st.integers(-2, 100), st.floats())},
    ),
    scalars,
)
design = st.fixed_dictionaries(
    {"kind": st.sampled_from(["full_factorial", "monte_carlo", "latin_hypercube", "sobol", "morris", "other"])},
    optional={
        "samples": st.integers(-2, 10**10),
        "trajectories": st.integers(-2, 10**9),
        "levels": st.integers(-2, 10**10),
        "second_order": st.booleans(),
        "skip_invalid": st.one_of(st.booleans(), scalars),
    },
)
experiments = st.fixed_dictionaries(
    {"name": st.just("generated")},
    optional={
        "years": st.one_of(st.integers(-2, 100), scalars),
        "replications": st.one_of(st.integers(-2, 10**9), scalars),
        "seed": st.one_of(st.integers(-2, 2**70), scalars),
        "keep": st.one_of(st.sampled_from(["weekly", "summary", "every 0 weeks", "every 5000 weeks", "every 4 weeks"]), scalars),
        "outcomes": st.lists(
            st.sampled_from(["total_revenue", "annual_revenue", "annual_revenue[-1]", "annual_revenue[60]", "nope", "x[1"]),
            max_size=2,
        ),
        "set": st.dictionaries(st.one_of(st.sampled_from(KEYS), texts), scalars, max_size=2),
        "factors": st.dictionaries(st.one_of(st.sampled_from(KEYS), texts), factor_values, max_size=3),
        "design": st.one_of(design, scalars),
        "extra": plain,
    },
)


@given(data=experiments)
@EXAMPLES
def test_experiment_loader_accepts_or_names_the_field(data):
    try:
        parse_experiment(data, where="generated.toml")
    except ExperimentError as exc:
        message = str(exc)
        assert "\n" not in message and message.strip() == message
        assert "generated.toml" in message
        assert "Traceback" not in message and "validation error" not in message
        named = [k for k in (*data, *data.get("factors", {}), *data.get("set", {}), "design") if str(k) and str(k) in message]
        assert named or "every design point is invalid" in message or "runs" in message, message
    except ScenarioError as exc:  # a scenario problem surfaces as an ExperimentError; a bare one is a leak
        raise AssertionError(f"ScenarioError escaped the experiment loader: {exc}") from exc


@given(text=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass"))))
@EXAMPLES
def test_experiment_file_of_any_bytes_is_read_or_refused_in_one_line(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("exp") / "any.toml"
    path.write_bytes(text)
    try:
        load_experiment(path)
    except ExperimentError as exc:
        message = str(exc)
        assert "\n" not in message and "any.toml" in message, message


def test_toml_values_of_every_key_type_are_generated():
    """The generated --set values cover every key type the schema has (a new type needs new strategies)."""
    assert {key_type(k) for k in Scenario.model_fields if k != "interventions"} <= {bool, int, float, str}
