"""Interventions over time: scheduled switches of structure, incentive, headcount and parameters."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from orgmodel import SalesOrgModel, Scenario, simulate
from orgmodel.model.clients import Stage
from orgmodel.model.model import month_of
from orgmodel.scenario.files import ScenarioError, dump_scenario_toml, load_scenario

SMALL = {"market_size": 800, "salespeople": 5, "years": 3}
WEEK = 80


def _model(interventions: list[dict], seed: int = 1, **changes) -> SalesOrgModel:
    return SalesOrgModel(rng=seed, scenario=Scenario(**{**SMALL, **changes}, interventions=interventions))


def _run_checking(model: SalesOrgModel) -> None:
    for _ in range(model.cfg.weeks):
        model.run_for(1)
        model.check_invariants()


def test_restructuring_hands_serial_clients_to_account_managers():
    model = _model([{"week": WEEK, "set": {"structure": "hunter_farmer", "incentive": "split_commission"}}])
    model.run_until(WEEK - 1)
    assert model.account_managers == []
    serial = [c for p in model.salespeople for c in p.portfolio if c.stage == Stage.SERIAL]
    assert len(serial) > 10
    model.run_for(1)
    assert model.structure.name == "hunter_farmer" and model.scheme.name == "split_commission"
    assert model.account_managers
    assert all(c.owner.role == "account_manager" for c in serial if c.stage == Stage.SERIAL)
    assert all(not p.keeps_clients for p in model.salespeople)
    model.run_until(model.cfg.weeks)
    staff = model.datacollector.get_table_dataframe("staff")
    switch = month_of(WEEK)
    assert staff.loc[staff["month"] < switch, "hours_handover"].sum() == 0.0
    assert staff.loc[staff["month"] >= switch, "hours_handover"].sum() > 0.0
    (record,) = model.interventions_applied
    assert record["week"] == WEEK
    assert record["changes"]["structure"] == ["full_cycle", "hunter_farmer"]
    assert record["handovers"] >= len(serial) - 5  # a few may have churned in the switch week's reviews


CASES = {
    "parameter": ({}, [{"week": 60, "set": {"spoiledness": 0.3, "relationship_half_life_weeks": 13.0}}]),
    "incentive": ({}, [{"week": 60, "set": {"incentive": "quota_bonus"}}]),
    "to_hunter_farmer": ({}, [{"week": 60, "set": {"structure": "hunter_farmer", "incentive": "split_commission"}}]),
    "to_full_cycle": (
        {"structure": "hunter_farmer", "incentive": "split_commission", "account_managers": 1},
        [{"week": 60, "set": {"structure": "full_cycle", "incentive": "volume_commission"}}],
    ),
    "add_people": ({}, [{"week": 60, "set": {"salespeople": 8}}]),
    "remove_people": ({}, [{"week": 60, "set": {"salespeople": 3}}]),
    "split_headcount": (
        {"structure": "hunter_farmer", "incentive": "split_commission", "account_managers": 2},
        [{"week": 50, "set": {"account_managers": 4}}, {"week": 100, "set": {"salespeople": 3, "account_managers": 1}}],
    ),
    "round_trip": (
        {},
        [
            {"week": 40, "set": {"structure": "hunter_farmer", "incentive": "split_commission"}},
            {"week": 100, "set": {"structure": "full_cycle", "incentive": "volume_commission", "salespeople": 4}},
        ],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_invariants_hold_under_each_kind_of_intervention(case):
    changes, interventions = CASES[case]
    model = _model(interventions, **changes)
    _run_checking(model)
    assert len(model.interventions_applied) == len(interventions)
    ts = model.datacollector.get_model_vars_dataframe()
    assert ts["revenue"].sum() == pytest.approx(model.orders_total)
    assert ts["cost_of_sales"].sum() == pytest.approx(
        model.base_pay_total + model.variable_pay_total + model.recruiting_cost_total + model.manager_pay_total
    )


def test_headcount_changes_hire_and_let_go():
    # nobody quits meanwhile, and the new people were recruited ahead of the week (issue #12: else after the delay)
    model = _model(
        [{"week": 60, "set": {"salespeople": 3}}, {"week": 120, "set": {"salespeople": 6, "recruited_in_advance": True}}],
        voluntary_turnover_salespeople=0.0,
        turnover_overload_effect=0.0,
        turnover_pay_shortfall_effect=0.0,
    )
    model.run_until(59)
    before = model.salespeople
    model.run_for(1)
    after = model.salespeople
    assert len(after) == 3
    gone = [p for p in before if p not in after]
    assert len(gone) == 2 and all(p.hunting_skill <= min(q.hunting_skill for q in after) for p in gone)
    for company in model.companies:  # nothing refers to the people who left
        assert company.owner not in gone and company.originator not in gone
    assert all(d.owner not in gone for d in model.deals.values())
    assert all(model.network.graph.has_node(p.unique_id) for p in gone)  # their relationships decay in place
    model.run_until(120)
    assert len(model.salespeople) == 6
    new = [p for p in model.salespeople if p.hired_week == 120]
    assert len(new) == 3 and all(p.ramp_up_weeks == model.cfg.ramp_up_weeks for p in new)


def test_switching_back_to_full_cycle_returns_clients_to_salespeople():
    model = _model(
        [{"week": 60, "set": {"structure": "full_cycle", "incentive": "volume_commission"}}],
        structure="hunter_farmer",
        incentive="split_commission",
        account_managers=1,
    )
    model.run_until(60)
    assert model.account_managers == [] and model.awaiting_handover == []
    assert model.cfg.account_managers == 0
    assert all(p.keeps_clients for p in model.salespeople)
    owned = [c for c in model.companies if c.stage in (Stage.IMPLEMENTATION, Stage.SERIAL)]
    assert owned and all(c.owner.role == "salesperson" for c in owned)


def _service_hours_per_client(ts, weeks: range, hours: float) -> float:
    rows = ts.iloc[weeks.start - 1 : weeks.stop - 1]
    people = rows["salespeople"] + rows["account_managers"]
    return float((rows["service_share"] * people * hours / rows["active_clients"]).mean())


def test_spoiledness_cut_lowers_service_hours_per_client_after_the_week():
    plain = simulate(Scenario(**SMALL), seed=2, keep_model=True)
    cut = simulate(Scenario(**SMALL, interventions=[{"week": WEEK, "set": {"spoiledness": 0.3}}]), seed=2, keep_model=True)
    hours = plain.scenario.available_hours
    before = range(1, WEEK)
    assert plain.timeseries.iloc[: WEEK - 1].equals(cut.timeseries.iloc[: WEEK - 1])  # same run until the change
    after = range(WEEK + 4, WEEK + 30)
    assert _service_hours_per_client(cut.timeseries, after, hours) < 0.8 * _service_hours_per_client(
        plain.timeseries, after, hours
    )
    assert _service_hours_per_client(cut.timeseries, before, hours) == _service_hours_per_client(plain.timeseries, before, hours)
    serial = [c for c in cut.model.companies if c.stage == Stage.SERIAL]
    assert serial and all(c.weekly_service == pytest.approx(_need(cut.model, c)) for c in serial)
    assert cut.summary["interventions"][0]["changes"] == {"spoiledness": [0.67, 0.3]}


def _need(model, c) -> float:
    cfg = model.cfg
    per_order = (
        cfg.spec_hours_per_line * c.n_lines**cfg.line_scale_exponent * cfg.spoiledness * c.size**cfg.service_size_exponent
        + cfg.shipment_hours_per_order
    )
    return per_order / cfg.order_interval_weeks


@pytest.mark.parametrize(
    ("intervention", "match"),
    [
        ({"week": 157, "set": {"spoiledness": 0.3}}, r"interventions\[0\]\.week .*between 1 and 156"),
        ({"week": 0, "set": {"spoiledness": 0.3}}, r"interventions\.0\.week"),
        ({"week": 10, "set": {"spoilednes": 0.3}}, r"interventions\[0\]\.set\.spoilednes.*did you mean 'spoiledness'"),
        ({"week": 10, "set": {"market_size": 300}}, r"interventions\[0\]\.set\.market_size: cannot change"),
        ({"week": 10, "set": {"years": 2}}, r"interventions\[0\]\.set\.years: cannot change"),
        ({"week": 10, "set": {"incentive": "split_commission"}}, r"interventions\[0\]\.set\.incentive: .*hunter_farmer"),
        ({"week": 10, "set": {"spoiledness": 2.0}}, r"interventions\[0\]\.set\.spoiledness: .*between 0 and 1"),
        ({"week": 10, "set": {}}, r"interventions\[0\]\.set is empty"),
        ({"week": 10, "set": {"spoiledness": 0.3}, "when": 3}, r"interventions\.0\.when"),
    ],
)
def test_bad_interventions_are_rejected_naming_the_field(intervention, match):
    with pytest.raises(ValidationError, match=match):
        Scenario(**SMALL, interventions=[intervention])


def test_interventions_are_checked_cumulatively():
    ok = [
        {"week": 30, "set": {"structure": "hunter_farmer"}},
        {"week": 60, "set": {"incentive": "split_commission"}},
    ]
    Scenario(**SMALL, interventions=ok)
    Scenario(**SMALL, interventions=list(reversed(ok)))  # checked in week order, not list order
    with pytest.raises(ValidationError, match=r"interventions\[1\]\.set\.structure: incentive 'split_commission'"):
        Scenario(
            **SMALL,
            structure="hunter_farmer",
            incentive="split_commission",
            interventions=[{"week": 5, "set": {"spoiledness": 0.5}}, {"week": 20, "set": {"structure": "full_cycle"}}],
        )


TOML = """
name = "restructured"
years = 3
market_size = 800
salespeople = 5

[[interventions]]
week = 80
note = "split the roles"

[interventions.set]
structure = "hunter_farmer"
incentive = "split_commission"

[[interventions]]
week = 120
[interventions.set]
spoiledness = 0.4
salespeople = 6
"""


def test_scenario_file_with_interventions_round_trips(tmp_path):
    path = tmp_path / "restructured.toml"
    path.write_text(TOML)
    sc = load_scenario(path)
    assert [iv.week for iv in sc.interventions] == [80, 120]
    assert sc.interventions[0].note == "split the roles"
    assert sc.interventions[1].set == {"spoiledness": 0.4, "salespeople": 6}
    resolved = tmp_path / "scenario.toml"
    resolved.write_text(dump_scenario_toml(sc, seed=3))
    assert load_scenario(resolved) == sc


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('[[interventions]]\nweek = 10\n[interventions.set]\nspoiledness = "x"\n', r"interventions\[0\]\.set\.spoiledness"),
        ("[[interventions]]\nweek = 10\nwhen = 3\n[interventions.set]\nspoiledness = 0.3\n", r"interventions\[0\]\.when"),
        ("[[interventions]]\nweek = 10\n[interventions.set.more]\na = 1\n", r"interventions\[0\]\.set\.more"),
        ("interventions = 3\n", r"\[\[interventions\]\] tables"),
        ("[other]\na = 1\n", r"unexpected table \[other\]"),
    ],
)
def test_bad_intervention_tables_give_one_clear_error(tmp_path, text, match):
    path = tmp_path / "bad.toml"
    path.write_text("years = 3\n" + text)
    with pytest.raises(ScenarioError, match=match):
        load_scenario(path)


def test_interventions_cannot_be_set_on_the_command_line():
    with pytest.raises(ScenarioError, match="scenario file"):
        load_scenario(None, ["interventions=3"])


def test_same_seed_same_results_with_interventions():
    sc = Scenario(**SMALL, interventions=CASES["round_trip"][1])
    a = simulate(sc, seed=5)
    b = simulate(sc, seed=5)
    assert a.timeseries.equals(b.timeseries)
    assert a.staff.equals(b.staff)
    assert a.summary["interventions"] == b.summary["interventions"]
    assert a.scenario == sc  # the result names the scenario as given, interventions included


def test_builtin_restructured_scenario():
    sc = load_scenario("status_quo_restructured_year5")
    assert (sc.structure, sc.incentive) == ("full_cycle", "volume_commission")
    (iv,) = sc.interventions
    assert iv.week == 209 and iv.set["structure"] == "hunter_farmer" and iv.set["incentive"] == "split_commission"
    small = sc.model_copy(update={"market_size": 600, "salespeople": 4})
    result = simulate(Scenario.model_validate(small.model_dump()), seed=1)
    (record,) = result.summary["interventions"]
    assert record["week"] == 209 and record["account_managers_after"] >= 1
    assert result.summary["account_managers_end_of_year"][3] == 0 < result.summary["account_managers_end_of_year"][4]
