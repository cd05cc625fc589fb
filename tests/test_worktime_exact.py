"""The time-allocation rule's shortcuts give exactly what the rule written out plainly gives."""

from __future__ import annotations

import random

import numpy as np
import pytest

from orgmodel import SalesOrgModel
from orgmodel.model import worktime
from orgmodel.model.activities import (
    CROSS_SELL,
    DISCRETIONARY,
    IDLE,
    MAX_CROSS_SELL_PROJECTS,
    MAX_DEAL_HOURS_PER_WEEK,
    MAX_PROJECT_HOURS_PER_WEEK,
    N_ACTIVITIES,
    PIPELINE,
    PROSPECTING,
    RELATIONSHIP,
    RELATIONSHIP_CLIENTS_PER_WEEK,
    RELATIONSHIP_HOURS_PER_CLIENT,
)
from orgmodel.model.clients import Stage


def _water_fill_plain(hours: float, weights: list[float], cap: list[float]) -> tuple[list[float], float]:
    """Water-filling as first written: shares added to the plan, caps net of what is planned."""
    plan = [0.0] * len(weights)
    active = [i for i, w in enumerate(weights) if w > 0.0 and cap[i] > 0.0]
    remaining = hours
    while remaining > 1e-9 and active:
        total = sum(weights[i] for i in active)
        full = [i for i in active if remaining * weights[i] / total >= cap[i] - plan[i]]
        if not full:
            for i in active:
                plan[i] += remaining * weights[i] / total
            return plan, 0.0
        for i in full:
            remaining -= cap[i] - plan[i]
            plan[i] = cap[i]
            active.remove(i)
    return plan, max(remaining, 0.0)


def test_water_filling_matches_the_plain_rule_to_the_bit():
    """Also with numpy scalars among the weights (the week's values can be either), which ``sum()`` adds uncompensated."""
    rng = random.Random(7)
    for _ in range(4000):
        weights = [0.0] * N_ACTIVITIES
        cap = [0.0] * N_ACTIVITIES
        for i in DISCRETIONARY:
            weights[i] = rng.choice([0.0, rng.random() ** 3 * 10 ** rng.randint(-6, 6)])
            if rng.random() < 0.3:
                weights[i] = np.float64(weights[i])
            cap[i] = rng.choice([0.0, rng.uniform(0.0, 40.0), 3.0, 4.0])
        hours = rng.choice([rng.uniform(0.0, 45.0), sum(cap), 6.0])
        plan = [0.0] * N_ACTIVITIES
        left = worktime._water_fill(plan, hours, weights, cap)
        expected, expected_left = _water_fill_plain(hours, weights, cap)
        assert [repr(h) for h in [*plan, left]] == [repr(h) for h in [*expected, expected_left]]


def test_a_hunters_outlook_is_rebuilt_when_skill_or_settings_change():
    model = SalesOrgModel(rng=2, structure="full_cycle", salespeople=3, market_size=300, years=1)
    model.run_until(20)
    person = model.salespeople[0]
    kept = worktime.outlook_of(person)
    assert worktime.outlook_of(person) is kept  # same inputs: the same constants
    fresh = worktime.HuntingOutlook(person, person.hunting_skill * person.productivity)
    assert (fresh.stage_hours, fresh.stages, fresh.prospecting) == (kept.stage_hours, kept.stages, kept.prospecting)
    person.hunting_skill *= 1.5
    faster = worktime.outlook_of(person)
    assert faster.stage_hours[Stage.LEAD] < kept.stage_hours[Stage.LEAD]
    assert faster.prospecting > kept.prospecting  # a lead takes fewer hours to find and to work
    model.cfg = model.cfg.with_(hours_per_lead=model.cfg.hours_per_lead * 2)
    assert worktime.outlook_of(person).prospecting < faster.prospecting


def test_the_plan_ranks_the_weakest_clients_for_the_weeks_relationship_visits():
    model = SalesOrgModel(rng=3, structure="full_cycle", salespeople=3, market_size=300, years=1)
    model.run_until(40)
    person = max(model.salespeople, key=lambda p: len(p.portfolio))
    worktime.plan_discretionary(person, 20.0)
    week, ranking = person.relationship_ranking
    serial = [c for c in person.portfolio if c.stage == Stage.SERIAL]
    assert serial and week == model.time
    assert ranking == sorted(serial, key=lambda c: c.coverage)


def _plan_plain(staff, free: float) -> tuple[list[float], list, list]:
    """The week's plan by the documented formulas, call by call (no precomputed tables or written-out loops)."""
    plan = [0.0] * N_ACTIVITIES
    model = staff.model
    cfg = model.cfg
    ex = model.expectations
    week = int(model.time)
    value = [0.0] * N_ACTIVITIES
    cap = [0.0] * N_ACTIVITIES
    if staff.hunts and cfg.fixed_hunting_share is not None:
        role_default = ()
    elif staff.hunts:
        role_default = (PROSPECTING, PIPELINE)
        denominator = staff.hunting_skill * staff.productivity
        outlook = worktime.HuntingOutlook(staff, denominator)
        lead = worktime.stage_hours(staff, Stage.LEAD)
        chance, hours, weeks = worktime._deal_outlook(outlook, Stage.LEAD, lead, 0)
        # the values as Python floats (value_of_win gives numpy scalars): the plan shares hours by them, and sum()
        # adds Python floats compensated
        value[PROSPECTING] = float(
            chance * ex.value_of_win(staff.keeps_clients, weeks + 1) / (cfg.hours_per_lead / denominator + hours)
        )
        cap[PROSPECTING] = free
        worth = need_total = 0.0
        for deal in staff.deals:
            left = worktime.stage_hours(staff, deal.stage) - deal.hours
            if left <= 0.0:
                continue
            chance, hours, weeks = worktime._deal_outlook(outlook, deal.stage, left, week - deal.entered)
            need = min(left, MAX_DEAL_HOURS_PER_WEEK)
            worth += need * chance * ex.value_of_win(staff.keeps_clients, weeks) / hours
            need_total += need
        if need_total > 0.0:
            value[PIPELINE], cap[PIPELINE] = float(worth / need_total), need_total
    else:
        role_default = (CROSS_SELL, RELATIONSHIP)

    def cross_sell_value(company, left: float) -> float:
        chance = worktime.support(cfg, company.coverage) ** len(company.people)
        return chance * ex.value_of_owned(staff, company, company.lines[0] / 52.0, later=True) / max(left, 0.25)

    xs_cap = xs_value = 0.0
    for project in staff.projects:
        left = cfg.cross_sell_hours - project.hours
        if left > 0.0:
            xs_cap += min(left, MAX_PROJECT_HOURS_PER_WEEK)
            xs_value = max(xs_value, cross_sell_value(project.company, left))
    room = MAX_CROSS_SELL_PROJECTS - len(staff.projects)
    serial = [c for c in staff.portfolio if c.stage == Stage.SERIAL]
    candidates = [c for c in serial if c.lines and c.project is None and c.cross_sell_from <= week] if room > 0 else []
    values = [cross_sell_value(c, cfg.cross_sell_hours) for c in candidates]
    ranking = [c for _, c in sorted(zip(values, candidates, strict=True), key=lambda vc: vc[0], reverse=True)]
    if candidates:
        xs_cap += min(room, len(candidates)) * MAX_PROJECT_HOURS_PER_WEEK
        xs_value = max(xs_value, *values)
    value[CROSS_SELL], cap[CROSS_SELL] = xs_value, xs_cap
    weakest_first = sorted(serial, key=lambda c: c.coverage)
    if serial:
        weakest = weakest_first[0]
        gain = cfg.relationship_gain_per_hour * staff.service_skill / len(weakest.people)
        fewer_losses = cfg.churn_weak_relationship * gain * (1.0 - weakest.coverage) * ex.horizon / 52.0
        value[RELATIONSHIP] = fewer_losses * ex.value_of_owned(staff, weakest, weakest.annual_value / 52.0, later=False)
        cap[RELATIONSHIP] = min(len(serial), RELATIONSHIP_CLIENTS_PER_WEEK) * RELATIONSHIP_HOURS_PER_CLIENT
    weights = [v**cfg.allocation_sharpness if v > 0.0 else 0.0 for v in value]
    floor = 1e-6 * max(max(weights), 1e-300)
    for i in role_default:
        if weights[i] == 0.0:
            weights[i] = floor
    plan[IDLE] = worktime._water_fill(plan, free, weights, cap)
    return plan, ranking, weakest_first


def test_the_plan_is_the_documented_rule_to_the_bit():
    """The plan's tables and written-out loops give exactly the formulas' values, for hunters and farmers alike."""
    checked = 0
    cases = (
        ("full_cycle", {}, {}),
        ("hunter_farmer", {"incentive": "split_commission"}, {}),  # owners who did not win, rates that change with time
        ("full_cycle", {}, {"fixed_hunting_share": 0.3}),
    )
    for structure, params, changes in cases:
        model = SalesOrgModel(rng=4, structure=structure, salespeople=4, market_size=400, years=2, **params)
        if changes:
            model.cfg = model.cfg.with_(**changes)
        for week in (15, 45, 90):
            model.run_until(week)
            for person in model.staff:
                for free in (0.0, 3.0, person.free, 30.0):
                    plan = worktime.plan_discretionary(person, free)
                    if free <= 1e-9:
                        assert plan == [0.0] * N_ACTIVITIES
                        continue
                    expected, ranking, weakest_first = _plan_plain(person, free)
                    assert plan == expected
                    assert [repr(h) for h in plan] == [repr(h) for h in expected]  # the same floats, not just equal
                    assert person.cross_sell_ranking == ranking
                    assert person.relationship_ranking == (int(model.time), weakest_first)
                    checked += 1
    assert checked > 100


@pytest.mark.parametrize("structure", ["full_cycle", "hunter_farmer"])
def test_the_weeks_plan_is_given_the_own_serial_clients_in_portfolio_order(monkeypatch, structure):
    """With no own client implementing as the week starts, the person's week gives the plan a copy of the portfolio
    (a portfolio holds implementing and serial clients only): it must be the list the plan would pick out itself."""
    given = []
    plan = worktime.plan_discretionary

    def planned(staff, free, week=None, serial=None):
        if serial is not None:
            assert serial == [c for c in staff.portfolio if c.stage is Stage.SERIAL] and serial is not staff.portfolio
        given.append(serial is not None)
        return plan(staff, free, week, serial)

    monkeypatch.setattr(worktime, "plan_discretionary", planned)
    model = SalesOrgModel(rng=3, structure=structure, salespeople=3, market_size=300, years=2)
    model.run_until(model.cfg.weeks)
    assert True in given and False in given


def test_the_weeks_hours_are_python_floats():
    """The plan's values, and so every hour planned, worked and logged, are Python floats, never numpy scalars.

    ``sum()`` adds Python floats compensated and numpy scalars not, so one numpy scalar among a plan's weights
    would change the week's arithmetic; and each operation with one is a numpy call.
    """
    model = SalesOrgModel(rng=6, structure="full_cycle", salespeople=5, market_size=500, years=2)
    seen = 0
    for week in (30, 60, 104):
        model.run_until(week)
        for person in model.staff:
            plan = worktime.plan_discretionary(person, person.free + 10.0)
            assert {type(h) for h in plan} == {float}
            assert {type(h) for h in person.hours} == {float}
            assert {type(d.hours) for d in person.deals} <= {float}
            seen += len(person.deals)
    assert seen > 0
