"""The costs of growth and change (issue #12): people quit, clients follow them, hiring and managing cost money.

Statistical checks use the default calibration with few seeds; each compares
counts whose expected difference is several times their noise, so they fail
if a mechanism is missing or wired the wrong way round.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from orgmodel.model.clients import Stage
from orgmodel.model.model import SalesOrgModel
from orgmodel.model.turnover import NO_TURNOVER
from orgmodel.scenario.files import load_scenario
from orgmodel.scenario.schema import WEEKS_PER_YEAR, Intervention, Scenario
from orgmodel.simulate import simulate

SEEDS = (1, 2, 3)
QUITS = ("other", "pay", "overload")


def _salesperson_quits(model: SalesOrgModel, first: int, last: int, reasons: tuple[str, ...] = QUITS) -> int:
    return sum(
        1
        for d in model.turnover.departures
        if d["role"] == "salesperson" and d["reason"] in reasons and first <= d["week"] <= last
    )


def test_status_quo_turnover_of_salespeople_matches_the_base_rate():
    """Quits for other reasons run at the base rate; overload and pay shortfall add little in the status quo."""
    other = every = 0
    person_years = 0.0
    base = Scenario().voluntary_turnover_salespeople
    for seed in SEEDS:
        model = SalesOrgModel(rng=seed, scenario=load_scenario("status_quo"))
        model.run_for(model.cfg.weeks)
        other += _salesperson_quits(model, 1, model.cfg.weeks, reasons=("other",))
        every += _salesperson_quits(model, 1, model.cfg.weeks)
        person_years += model.datacollector.get_model_vars_dataframe()["salespeople"].sum() / WEEKS_PER_YEAR
    noise = math.sqrt(base * person_years) / person_years  # Poisson standard error at the base rate
    assert abs(other / person_years - base) <= 3 * noise, (other / person_years, base, noise)
    assert base - 3 * noise <= every / person_years <= base + 0.1, (every / person_years, base)


def _restructure(pay_guarantee_weeks: int) -> Scenario:
    """The year-5 restructure (7 years), with or without a pay guarantee granted with it."""
    scenario = load_scenario("status_quo_restructured_year5")
    iv = scenario.interventions[0]
    changes = {**iv.set, "pay_guarantee_weeks": pay_guarantee_weeks}
    return scenario.with_(years=7, interventions=[Intervention(week=iv.week, set=changes, note=iv.note)])


def test_restructure_that_cuts_variable_pay_raises_turnover_and_a_pay_guarantee_dampens_it():
    window = (209, 312)  # the two years after the switch
    counts: dict[str, list[int]] = {"status_quo": [], "restructure": [], "guarantee": []}
    pay_quits: dict[str, int] = {"restructure": 0, "guarantee": 0}
    scenarios = {
        "status_quo": load_scenario("status_quo").with_(years=7),
        "restructure": _restructure(0),
        "guarantee": _restructure(52),
    }
    for seed in SEEDS:
        for arm, scenario in scenarios.items():
            model = SalesOrgModel(rng=seed, scenario=scenario)
            model.run_for(model.cfg.weeks)
            counts[arm].append(_salesperson_quits(model, *window))
            if arm in pay_quits:
                pay_quits[arm] += _salesperson_quits(model, *window, reasons=("pay",))
            if arm == "guarantee":
                assert model.datacollector.get_model_vars_dataframe()["transition_pay"].sum() > 0
    totals = {arm: sum(c) for arm, c in counts.items()}
    assert totals["restructure"] > 1.3 * totals["status_quo"], counts
    assert totals["guarantee"] < totals["restructure"], counts
    assert pay_quits["restructure"] > pay_quits["guarantee"], pay_quits


class _LossLog(SalesOrgModel):
    """Records the week each client is lost."""

    def lose_client(self, company):
        self.losses.setdefault(company.uid, []).append(math.ceil(self.time))
        super().lose_client(company)


def _lost_within(model: _LossLog, uid: int, week: int, weeks: int) -> bool:
    return any(week <= w <= week + weeks for w in model.losses.get(uid, ()))


def test_clients_of_a_leaver_churn_more_than_clients_of_people_who_stay():
    horizon = 26
    exposed: list[bool] = []
    others: list[bool] = []
    for seed in (1, 2):
        model = _LossLog(rng=seed, scenario=load_scenario("status_quo").with_(years=6))
        model.losses = {}
        snapshots: list[tuple[int, set[int]]] = []
        departures = 0
        while model.running:
            clients = {c.uid for c in model.companies if c.stage == Stage.SERIAL}
            model.run_for(1)
            if len(model.turnover.departures) > departures:
                departures = len(model.turnover.departures)
                snapshots.append((math.ceil(model.time), clients))
        relied = {(week, uid) for week, uid, _ in model.loyalty.exposed}
        last = model.cfg.weeks - horizon
        for week, clients in snapshots:
            if week > last:
                continue
            for uid in clients:
                lost = _lost_within(model, uid, week, horizon)
                (exposed if (week, uid) in relied else others).append(lost)
    assert len(exposed) >= 50, len(exposed)
    assert np.mean(exposed) > 2 * np.mean(others), (np.mean(exposed), np.mean(others))


def test_recruiting_and_managers_are_in_the_cost_of_sales():
    result = simulate(load_scenario("status_quo").with_(salespeople=10, market_size=1500, years=4), seed=2)
    ts = result.timeseries
    cfg = result.scenario
    assert ts["hires"].sum() > 0 and ts["people_left"].sum() > 0
    per_hire = cfg.recruiting_cost_per_hire + cfg.recruiting_manager_hours_per_hire * cfg.sales_manager_salary / (
        52.0 * cfg.hours_per_week
    )
    assert ts["recruiting_cost"].sum() == pytest.approx(ts["hires"].sum() * per_hire)
    staff = ts["salespeople"] + ts["account_managers"]
    assert (ts["managers"] == np.ceil(staff / cfg.span_of_control)).all()
    assert ts["manager_pay"].sum() == pytest.approx(ts["managers"].sum() * cfg.sales_manager_salary / WEEKS_PER_YEAR)
    pay = ts["base_pay"] + ts["variable_pay"] + ts["manager_pay"] + ts["recruiting_cost"]
    assert np.allclose(ts["cost_of_sales"], pay)
    summary = result.summary
    assert sum(summary["annual_recruiting_cost"]) == pytest.approx(ts["recruiting_cost"].sum())
    assert summary["managers_end_of_year"][-1] == ts["managers"].iloc[-1]
    assert sum(summary["annual_people_left"]) == ts["people_left"].sum()
    assert sum(summary["annual_left_other"]) > 0 and summary["people_left_total"] == sum(summary["annual_people_left"])


def test_a_growing_force_needs_more_managers():
    scenario = load_scenario("status_quo").with_(management_response="hire_on_revenue", years=5, **NO_TURNOVER)
    ts = simulate(scenario, seed=1).timeseries
    assert ts["salespeople"].iloc[-1] > 2 * ts["salespeople"].iloc[0]
    assert ts["managers"].iloc[-1] > ts["managers"].iloc[0]
    assert ts["recruiting_cost"].sum() > 0


def test_who_left_when_and_why_is_in_the_staff_table():
    result = simulate(load_scenario("status_quo").with_(salespeople=10, market_size=1500, years=4), seed=3)
    staff = result.staff
    leavers = staff[staff["left_week"] > 0]
    assert len(leavers) == sum(result.summary["annual_people_left"]) > 0
    assert set(leavers["left_reason"]) <= {"other", "pay", "overload", "let_go"}
    assert (leavers["variable_pay"] == 0).all()
    for person, week in zip(leavers["person"], leavers["left_week"], strict=True):  # nothing after the last row
        rows = staff[staff["person"] == person]
        assert rows["month"].max() == rows.loc[rows["left_week"] == week, "month"].iloc[0]


@pytest.mark.parametrize("in_advance", [False, True])
def test_intervention_hires_wait_for_the_hiring_delay_unless_recruited_in_advance(in_advance):
    iv = Intervention(week=53, set={"salespeople": 15, "recruited_in_advance": in_advance})
    scenario = Scenario(salespeople=10, market_size=1500, years=2, interventions=[iv], **NO_TURNOVER)
    ts = simulate(scenario, seed=1).timeseries.set_index("week")
    delay = scenario.hiring_delay_weeks
    assert ts.loc[53, "salespeople"] == (15 if in_advance else 10)
    assert ts.loc[53 + delay, "salespeople"] == 15
    assert ts.loc[53 + delay, "hires"] == (0 if in_advance else 5)


def test_new_hires_come_from_the_labour_market():
    scenario = Scenario(salespeople=10, market_size=1500, years=5, new_hire_skill_ratio=2.0)
    model = SalesOrgModel(rng=4, scenario=scenario)
    model.run_for(model.cfg.weeks)
    staff = model.datacollector.get_table_dataframe("staff")
    first = staff[staff["month"] == 0]["person"].unique()
    skill = staff.groupby("person")["hunting_skill"].first()
    initial, hired = skill[skill.index.isin(first)], skill[~skill.index.isin(first)]
    assert len(hired) >= 5
    assert hired.mean() > 1.5 * initial.mean()


def test_handover_bonus_pays_for_the_clients_handed_over():
    scenario = load_scenario("status_quo_restructured_year5").with_(years=5, **NO_TURNOVER)
    iv = scenario.interventions[0]
    bonus = Scenario(
        **{
            **scenario.model_dump(exclude={"interventions"}),
            "interventions": [Intervention(week=iv.week, set={**iv.set, "handover_bonus": 1000.0})],
        }
    )
    model = SalesOrgModel(rng=2, scenario=bonus)
    model.run_for(model.cfg.weeks)
    handed = model.interventions_applied[0]["handovers"]
    ts = model.datacollector.get_model_vars_dataframe()
    assert handed > 0
    assert ts["transition_pay"].sum() == pytest.approx(1000.0 * handed)


def test_a_headcount_cut_withdraws_the_requisitions_on_their_way_first():
    scenario = Scenario(salespeople=6, market_size=600, years=1, **NO_TURNOVER)
    model = SalesOrgModel(rng=1, scenario=scenario)
    model.run_for(10)
    model.request_salespeople(2)  # two replacements on their way
    model.schedule_intervention(Intervention(week=12, set={"salespeople": 7}))
    model.run_for(1 + scenario.hiring_delay_weeks + 1)
    assert len(model.salespeople) == 7 and model.open_salesperson_requisitions == 0
    assert model.interventions_applied[0]["left"] == {} and model.interventions_applied[0]["requested"] == {}


def test_a_leavers_followers_are_the_buying_clients_whose_buyer_relies_on_them_most():
    """The search of every client's buyer finds what the leaver's list of people met gives: serial, relying, by uid."""
    model = SalesOrgModel(rng=2, structure="hunter_farmer", salespeople=6, account_managers=3, market_size=1500, years=2)
    model.run_until(90)
    network, week = model.network, model.time
    by_buyer = {c.people[0]: c for c in model.companies}
    found = 0
    for person in model.staff:
        known = network.people_known_by(person.unique_id)
        serial = sorted([c for c in map(by_buyer.get, known) if c is not None and c.stage == Stage.SERIAL], key=lambda c: c.uid)
        rows = network.rows(np.array([c.people[0] for c in serial], dtype=np.int64))
        mine = network.strengths_at(person.unique_id, rows, week)
        best = network.best_strengths_at(rows, week)
        expected = [c for c, m, b in zip(serial, mine, best, strict=True) if m > 0.0 and m >= b - 1e-12]
        assert model.loyalty._relying(person.unique_id) == expected
        found += len(expected)
    assert found >= 10  # hunters and account managers both hold buying clients' strongest ties
    assert model.loyalty._relying(10**9) == []  # someone who met nobody


def test_the_last_salesperson_stays_however_high_the_quit_rate():
    """Quits are drawn for everyone; the salespeople are counted only when one quits, and the last one stays."""
    model = SalesOrgModel(
        rng=4, salespeople=3, market_size=200, years=6, voluntary_turnover_salespeople=1.0, replace_leavers=False
    )
    turnover_close = model.turnover.close_week
    stayed = []  # weeks the last salesperson drew a quit (a draw below their rate) and stayed

    def close_week() -> None:
        real, drawn = model.random.random, []

        def spy() -> float:
            drawn.append(real())
            return drawn[-1]

        model.random.random = spy  # the week's quit draws, one a person (nobody else is client-facing)
        try:
            turnover_close()
        finally:
            del model.random.random
        if len(model.salespeople) == 1 and drawn and drawn[0] * WEEKS_PER_YEAR < 1.0:
            stayed.append(model.time)

    model.turnover.close_week = close_week
    model.run_until(model.cfg.weeks)
    assert len(model.salespeople) == 1
    assert sum(d["role"] == "salesperson" for d in model.turnover.departures) == 2
    assert stayed
