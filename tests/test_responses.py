"""Management responses do what they say: fixed headcount, hire on revenue, replace low performers, push harder."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from orgmodel import SalesOrgModel, Scenario, simulate
from orgmodel.model.clients import Stage
from orgmodel.model.model import month_of
from orgmodel.model.turnover import NO_TURNOVER
from orgmodel.policies import responses
from orgmodel.policies.incentives import get as get_scheme
from orgmodel.policies.incentives.base import MonthLedger
from orgmodel.scenario.builtin import load_builtin

SMALL = {"market_size": 600, "salespeople": 5, "years": 3, **NO_TURNOVER}
DELAY = 12  # the default hiring_delay_weeks


def _scenario(**changes) -> Scenario:
    return Scenario(**{**SMALL, **changes})


def _model(seed: int = 1, **changes) -> SalesOrgModel:
    return SalesOrgModel(rng=seed, scenario=_scenario(**changes))


def _run_checking(model: SalesOrgModel, until: int | None = None) -> None:
    while model.time < (until if until is not None else model.cfg.weeks):
        model.run_for(1)
        model.check_invariants()


def _headcount(model: SalesOrgModel) -> pd.Series:
    ts = model.datacollector.get_model_vars_dataframe()
    return pd.Series(ts["salespeople"].to_numpy(), index=ts["week"].to_numpy())


def test_the_five_responses_are_registered():
    assert responses.names() == [
        "fixed_budget_path",
        "fixed_headcount",
        "hire_on_revenue",
        "push_harder",
        "replace_low_performers",
    ]
    assert Scenario().management_response == "fixed_headcount"
    assert all(responses.get(n).summary for n in responses.names())


# --- fixed_headcount ---------------------------------------------------------------------------------------------
def test_fixed_headcount_keeps_the_team_as_it_is():
    model = _model(seed=2)
    _run_checking(model)
    assert set(_headcount(model)) == {SMALL["salespeople"]}
    assert model.response.actions == [] and model.open_salesperson_requisitions == 0
    people = model.datacollector.get_table_dataframe("staff")["person"]
    assert people.nunique() == SMALL["salespeople"]


# --- hire_on_revenue ---------------------------------------------------------------------------------------------
def test_hire_on_revenue_hires_what_last_years_revenue_pays_for_after_the_delay():
    model = _model(seed=1, years=4, management_response="hire_on_revenue")
    _run_checking(model)
    cfg = model.cfg
    ts = model.datacollector.get_model_vars_dataframe().set_index("week")
    heads = ts["salespeople"]
    actions = model.response.actions
    assert actions, "revenue grew but nobody was hired"
    first = actions[0]["week"]
    assert first > 52  # a year of revenue first
    assert set(heads.loc[: first + DELAY - 1]) == {SMALL["salespeople"]}  # nobody before the first hires arrive
    arrivals = heads.diff().fillna(0)
    for action in actions:
        week, n = action["week"], action["requested"]
        # the budget follows the last 52 weeks' revenue (reviews every 13 weeks: exactly 52 weeks back)
        revenue = ts.loc[week - 52 : week - 1, "revenue"].sum()
        assert action["revenue_last_year"] == pytest.approx(revenue)
        assert action["budget"] == pytest.approx(cfg.revenue_budget_share * revenue)
        assert n == math.floor((action["budget"] - action["cost"]) / cfg.base_salary) >= 1
        if week + DELAY <= cfg.weeks:
            assert arrivals.loc[week + DELAY] == n  # they start after the hiring delay, not before
    assert heads.iloc[-1] == SMALL["salespeople"] + sum(a["requested"] for a in actions if a["week"] + DELAY <= cfg.weeks)
    hires = [p for p in model.salespeople if p.hired_week > 0]
    assert hires and all(p.ramp_up_weeks == cfg.ramp_up_weeks for p in hires)
    assert {p.hired_week for p in hires} <= {a["week"] + DELAY for a in actions}
    newest = max(hires, key=lambda p: p.hired_week)
    if newest.hired_week > cfg.weeks - cfg.ramp_up_weeks:
        assert newest.productivity < 1.0  # still ramping up


def test_hire_on_revenue_hires_more_with_a_bigger_budget():
    def hired(share: float) -> int:
        result = simulate(_scenario(years=4, management_response="hire_on_revenue", revenue_budget_share=share), seed=3)
        return sum(a["requested"] for a in result.summary["response_actions"])

    assert hired(0.02) == 0 < hired(0.10) < hired(0.20)


# --- replace_low_performers -------------------------------------------------------------------------------------------
def _new_clients_in_year(staff: pd.DataFrame, year: int) -> pd.Series:
    rows = staff[(staff["year"] == year) & (staff["role"] == "salesperson")]
    months = rows.groupby("person")["month"].nunique()
    whole_year = months[months == 12].index  # in post the whole year
    return rows[rows["person"].isin(whole_year)].groupby("person")["new_clients"].sum()


def test_replace_low_performers_fires_the_bottom_share_by_new_clients_and_replaces_them():
    model = _model(seed=4, salespeople=6, management_response="replace_low_performers", low_performer_share=0.34)
    for year_end in (52, 104):
        _run_checking(model, until=year_end)
        before = {p.unique_id: p for p in model.salespeople}
        books = {pid: list(p.portfolio) for pid, p in before.items()}
        handovers = model.handovers
        _run_checking(model, until=year_end + 1)
        action = model.response.actions[-1]
        assert action["week"] == year_end + 1
        gone = action["let_go"]
        assert len(gone) == 2 == action["requested"]  # round(0.34 x 6)
        assert sorted(set(before) - {p.unique_id for p in model.salespeople}) == sorted(gone)
        # the bottom of the year's ranking by new clients, as the staff table reports them
        won = _new_clients_in_year(model.datacollector.get_table_dataframe("staff"), year_end // 52)
        assert sorted(won[gone]) == sorted(action["new_clients_of_leavers"])
        assert won[gone].max() <= won.drop(gone).min()
        # their clients changed owner through the handover (joint visits owed by both sides)
        moved = [c for pid in gone for c in books[pid] if c.stage in (Stage.IMPLEMENTATION, Stage.SERIAL)]
        assert moved, "the leavers had no clients to hand over"
        assert all(c.owner is not None and c.owner.unique_id not in gone for c in moved)
        assert model.handovers - handovers == action["handovers"] >= len(moved)
        # nothing refers to them any more; their deals ended
        assert all(before[pid].model is model and before[pid] not in model.agents for pid in gone)
        assert all(d.owner.unique_id not in gone for d in model.deals.values())
        assert all(c.originator is None or c.originator.unique_id not in gone for c in model.companies)
        # the replacements arrive after the hiring delay and ramp up
        assert len(model.salespeople) == 4
        _run_checking(model, until=year_end + 1 + DELAY)
        new = [p for p in model.salespeople if p.hired_week == year_end + 1 + DELAY]
        assert len(new) == 2 and len(model.salespeople) == 6
        assert all(p.portfolio == [] and p.ramp_up_weeks == model.cfg.ramp_up_weeks and p.productivity < 1.0 for p in new)
    staff = model.datacollector.get_table_dataframe("staff")
    month = month_of(53)
    assert staff.loc[staff["month"] == month, "hours_handover"].sum() > 0  # the handover hours are in the books
    assert staff.loc[staff["month"] < month, "hours_handover"].sum() == 0


def test_people_hired_during_a_year_are_not_ranked_until_they_had_a_full_year():
    model = _model(seed=5, salespeople=4, years=4, management_response="replace_low_performers", low_performer_share=0.5)
    _run_checking(model, until=104)
    first_hires = {p.unique_id for p in model.salespeople if p.hired_week == 53 + DELAY}
    assert len(first_hires) == 2
    _run_checking(model)
    reviews = model.response.actions
    assert [a["week"] for a in reviews] == [53, 105, 157]
    ranked = [len(a["let_go"]) + len(a["new_clients_of_others"]) for a in reviews]
    assert ranked == [4, 2, 2]  # in years 2 and 3 only the two who had the whole year are ranked
    assert all(len(a["let_go"]) == 2 for a in reviews)  # round(0.5 x 4) each year
    assert not first_hires & set(reviews[1]["let_go"])  # hired in year 2, not ranked at its end ...
    assert first_hires == set(reviews[2]["let_go"])  # ... but at the end of year 3


# --- push_harder ----------------------------------------------------------------------------------------------------
PUSH = {"incentive": "quota_bonus", "initial_quota": 150_000.0, "push_harder_week": 60, "years": 2}


def test_push_harder_raises_quotas_at_the_week_and_changes_pay_not_work():
    plain = simulate(_scenario(**PUSH), seed=6, keep_model=True)
    pushed = simulate(_scenario(**PUSH, management_response="push_harder", push_harder_hiring_share=0.0), seed=6, keep_model=True)
    assert pushed.model.scheme.target_factor == pytest.approx(1.2)
    assert pushed.summary["response_actions"] == [
        {"week": 60, "response": "push_harder", "scheme": "quota_bonus", "target_factor": 1.2, "requested": 0}
    ]
    pd.testing.assert_frame_equal(
        plain.timeseries.drop(columns=["variable_pay", "cost_of_sales"]),
        pushed.timeseries.drop(columns=["variable_pay", "cost_of_sales"]),
    )
    switch = month_of(60)
    pay = {k: r.staff.groupby("month")["variable_pay"].sum() for k, r in (("plain", plain), ("pushed", pushed))}
    assert pay["plain"].loc[: switch - 1].equals(pay["pushed"].loc[: switch - 1])  # same pay before the push
    assert pay["pushed"].loc[switch:].sum() < pay["plain"].loc[switch:].sum()  # higher quotas pay less after it
    # the rule's quotas and the sales against them are the same; the quota in force is 1.2 x the rule's
    rule = {p: (st.quota, st.sales) for p, st in plain.model.scheme.years.items()}
    assert {p: (st.quota, st.sales) for p, st in pushed.model.scheme.years.items()} == rule


def test_push_harder_adds_salespeople_after_the_delay():
    model = _model(seed=7, management_response="push_harder", push_harder_week=60, push_harder_hiring_share=0.4)
    _run_checking(model)
    heads = _headcount(model)
    assert set(heads.loc[: 60 + DELAY - 1]) == {5}
    assert set(heads.loc[60 + DELAY :]) == {7}  # round(0.4 x 5) started in week 72 and stayed
    assert model.response.actions[0]["requested"] == 2


@pytest.mark.parametrize("scheme", ["quota_bonus", "growth_bonus"])
def test_raised_targets_pay_less_for_the_same_sales(scheme):
    cfg = Scenario(incentive=scheme, initial_quota=100.0, quota_bonus=10.0, quota_accelerator_rate=0.1, growth_bonus_share=0.5)

    def december_pay(factor: float) -> float:
        pay = get_scheme(scheme)(cfg)
        pay.variable_pay(MonthLedger(credited_revenue=100.0, month=11))  # last year: 100
        pay.raise_targets(factor)
        return pay.variable_pay(MonthLedger(credited_revenue=110.0, month=23))  # this year: 110

    if scheme == "quota_bonus":  # quota 100 (ratchet 0.5 of quota 100 and sales 100): bonus + 10 above
        assert december_pay(1.0) == pytest.approx(10.0 + 0.1 * 10.0)
        assert december_pay(1.2) == 0.0  # 110 is below the raised quota of 120
    else:  # growth 10 over last year pays half of it; over 1.2 x last year there is none
        assert december_pay(1.0) == pytest.approx(0.01 * 110.0 + 0.5 * 10.0)
        assert december_pay(1.2) == pytest.approx(0.01 * 110.0)


def test_mixed_scheme_raises_its_components_targets():
    scheme = get_scheme("mixed")(Scenario(mixed_components="quota_bonus:0.5,volume_commission:0.5"))
    scheme.raise_targets(1.5)
    assert [s.target_factor for s, _ in scheme.components] == [1.5, 1.5]


# --- switching and errors ----------------------------------------------------------------------------------------------
def test_an_intervention_can_switch_the_response():
    switch = [
        {"week": 60, "set": {"management_response": "replace_low_performers", "low_performer_share": 0.2}},
        {"week": 120, "set": {"management_response": "fixed_headcount"}},
    ]
    model = SalesOrgModel(rng=8, scenario=_scenario(years=4, interventions=switch))
    _run_checking(model)
    assert model.response.name == "fixed_headcount"
    (record,) = [r for r in model.interventions_applied if r["week"] == 60]
    assert record["changes"]["management_response"] == ["fixed_headcount", "replace_low_performers"]
    assert model.datacollector.get_model_vars_dataframe()["salespeople"].min() == 4  # one let go at week 105, then replaced
    assert model.datacollector.get_model_vars_dataframe()["salespeople"].iloc[-1] == 5


def test_the_previous_response_stops_reviewing_after_a_switch():
    switch = [{"week": 60, "set": {"management_response": "fixed_headcount"}}]
    model = SalesOrgModel(
        rng=8,
        scenario=_scenario(management_response="replace_low_performers", low_performer_share=0.2, interventions=switch),
    )
    old = model.response
    _run_checking(model)
    assert [a["week"] for a in old.actions] == [53]  # the week-105 review never ran
    assert model.response is not old and model.response.actions == []


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        (
            {"management_response": "fire_everyone"},
            ["unknown management_response 'fire_everyone'", "fixed_headcount, hire_on_revenue"],
        ),
        (
            {"management_response": "push_harder", "years": 3},
            ["push_harder_week (209) is beyond the horizon", "between 1 and 156"],
        ),
        ({"management_response": "hire_on_revenue", "base_salary": 0.0}, ["base_salary must be above 0"]),
        ({"low_performer_share": 0.9}, ["low_performer_share"]),
    ],
)
def test_bad_response_settings_are_rejected(changes, words):
    with pytest.raises(ValueError) as caught:
        Scenario(**changes)
    for w in words:
        assert w in str(caught.value)


def test_builtin_replace_low_performers_scenario():
    # nobody quits (issue #12's turnover), so all five are in post at the first review: round(0.1 x 5) = 1 goes
    sc = load_builtin("status_quo_replace_low_performers", {"market_size": 500, "salespeople": 5, "years": 2, **NO_TURNOVER})
    assert (sc.structure, sc.incentive, sc.management_response) == ("full_cycle", "volume_commission", "replace_low_performers")
    result = simulate(sc, seed=1)
    (action,) = result.summary["response_actions"]
    assert action["week"] == 53 and len(action["let_go"]) == 1  # round(0.1 x 5)
