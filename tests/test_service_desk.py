"""The service_desk structure: an order desk with its own staff takes the order work off salespeople."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from orgmodel import SalesOrgModel, Scenario, simulate
from orgmodel.model.clients import Stage

SMALL = {"market_size": 600, "salespeople": 5, "years": 3}
DESK = {"structure": "service_desk", **SMALL}


def _service_hours(staff, role: str, years: tuple[int, ...] = (2, 3)) -> float:
    part = staff[(staff["role"] == role) & staff["year"].isin(years)]
    return float(part["hours_servicing"].sum())


def test_salespeople_service_less_and_the_desk_services_more_than_in_the_status_quo():
    status_quo = simulate(seed=1, **SMALL)
    desk = simulate(seed=1, **DESK)
    own_before = _service_hours(status_quo.staff, "salesperson")
    own_after = _service_hours(desk.staff, "salesperson")
    assert own_after < 0.6 * own_before
    assert _service_hours(status_quo.staff, "desk_agent") == 0.0
    assert _service_hours(desk.staff, "desk_agent") > own_before - own_after  # the desk does the work, at a desk's pace
    assert desk.summary["annual_hunting_share"][-1] > status_quo.summary["annual_hunting_share"][-1] + 0.05


def test_desk_hours_are_logged_by_activity_all_accounted_for_and_paid():
    result = simulate(seed=2, **DESK)
    desk = result.staff[result.staff["role"] == "desk_agent"]
    hours = desk[[c for c in desk.columns if c.startswith("hours_")]]
    assert set(hours.columns[(hours.sum() > 0).to_numpy()]) == {"hours_servicing", "hours_idle"}
    weekly = result.scenario.desk_available_hours
    per_person = desk.groupby("person")[list(hours.columns)].sum().sum(axis=1)
    initial = per_person.iloc[: result.scenario.service_desk_staff]
    assert initial.to_numpy() == pytest.approx(weekly * result.scenario.weeks)
    assert (desk["variable_pay"] == 0).all() and (desk["base_pay"] == result.scenario.desk_base_salary / 12).all()
    ts = result.timeseries
    assert ts["desk_agents"].iloc[0] == 2 and ts["desk_agents"].iloc[-1] >= 2
    people = ts["salespeople"] + ts["account_managers"]
    base = (people * result.scenario.base_salary + ts["desk_agents"] * result.scenario.desk_base_salary) / 52
    assert ts["base_pay"].to_numpy() == pytest.approx(base.to_numpy())  # the desk is in the cost of sales


def test_a_desk_that_does_not_know_the_kits_needs_more_hours_and_the_salesperson():
    model = SalesOrgModel(rng=4, **DESK)
    model.run_until(40)
    company = next(c for c in model.companies if c.stage == Stage.SERIAL)

    def an_order(knows: bool) -> tuple[float, float]:
        """(desk hours, salesperson's hours) one four-week order of the client creates."""
        model.cfg = model.cfg.with_(desk_knows_client_kits=knows)
        desk, own = company.desk_backlog, company.backlog
        model.desk.take_order(company, 4, problem=False)
        return company.desk_backlog - desk, company.backlog - own

    knows_desk, knows_own = an_order(True)
    blind_desk, blind_own = an_order(False)
    cfg = model.cfg
    shipment = cfg.shipment_hours_per_order / cfg.order_interval_weeks * 4
    spec = company.weekly_service * 4 - shipment
    assert knows_desk == pytest.approx(shipment + spec) and knows_own == 0.0
    assert blind_own == pytest.approx(cfg.desk_spec_input_share * spec)
    assert blind_desk == pytest.approx(shipment + (1 - cfg.desk_spec_input_share) * spec * (1 + cfg.knowledge_penalty))
    assert blind_desk > knows_desk


def test_not_knowing_the_kits_costs_the_desk_more_hours_per_client():
    def desk_hours_per_client_week(knows: bool) -> float:
        result = simulate(seed=3, desk_knows_client_kits=knows, **DESK)
        return _service_hours(result.staff, "desk_agent") / result.timeseries.loc[52:, "active_clients"].sum()

    assert desk_hours_per_client_week(False) > 1.15 * desk_hours_per_client_week(True)


def test_complaints_still_go_to_the_salesperson():
    model = SalesOrgModel(rng=5, **DESK, desk_knows_client_kits=True)  # the desk takes all of an order's work
    model.run_until(40)
    company = next(c for c in model.companies if c.stage == Stage.SERIAL)
    # work long left undone: the buyer's next order comes with a complaint
    own = company.backlog = 2.0 * model.cfg.backlog_complaint_weeks * company.weekly_service + 1.0
    desk, complaints, satisfaction = company.desk_backlog, model.complaints_week, company.satisfaction
    model.service.place_orders(np.array([company.uid]))
    assert company.desk_backlog > desk  # the order's work went to the desk
    assert company.backlog == own + model.cfg.complaint_hours  # the complaint to the salesperson
    assert model.complaints_week == complaints + 1
    assert company.satisfaction < satisfaction


def test_work_the_desk_cannot_do_waits_and_makes_buyers_complain():
    def complaints(staff: int) -> int:
        result = simulate(seed=6, service_desk_staff=staff, hire_service_desk_staff=False, **DESK)
        return int(result.timeseries["complaints"].sum()), float(result.timeseries["service_backlog_hours"].iloc[-1])

    short, backlog_short = complaints(1)
    ample, backlog_ample = complaints(6)
    assert backlog_short > 3 * backlog_ample
    assert short > 1.5 * ample


def test_the_desk_is_hired_as_it_fills_up():
    result = simulate(seed=1, service_desk_staff=1, **DESK)
    assert result.timeseries["desk_agents"].iloc[-1] > 1


def test_an_intervention_sets_the_desk_headcount_and_switching_away_closes_it():
    scenario = Scenario(
        **DESK,
        hire_service_desk_staff=False,
        interventions=[
            {"week": 50, "set": {"service_desk_staff": 4}},
            {"week": 100, "set": {"structure": "full_cycle"}},
        ],
    )
    model = SalesOrgModel(rng=1, scenario=scenario)
    model.run_until(49)
    assert len(model.desk_agents) == 2
    model.run_until(50)
    assert len(model.desk_agents) == 4
    model.run_until(99)
    owed = sum(c.desk_backlog + c.backlog for c in model.companies)
    model.run_for(1)
    assert model.desk is None and model.desk_agents == []
    assert all(c.desk_backlog == 0.0 for c in model.companies)
    assert sum(c.backlog for c in model.companies) > 0.5 * owed  # the desk's open work went back to the owners


def test_the_desk_needs_staff():
    with pytest.raises(ValidationError, match="service_desk_staff must be at least 1"):
        Scenario(structure="service_desk", service_desk_staff=0)
    assert Scenario(service_desk_staff=0).service_desk_staff == 0  # other structures have no desk
