"""The time-allocation rule's shortcuts give exactly what the rule written out plainly gives."""

from __future__ import annotations

import random

from orgmodel import SalesOrgModel
from orgmodel.model import worktime
from orgmodel.model.activities import DISCRETIONARY, N_ACTIVITIES
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
    rng = random.Random(7)
    for _ in range(3000):
        weights = [0.0] * N_ACTIVITIES
        cap = [0.0] * N_ACTIVITIES
        for i in DISCRETIONARY:
            weights[i] = rng.choice([0.0, rng.random() ** 3 * 10 ** rng.randint(-6, 6)])
            cap[i] = rng.choice([0.0, rng.uniform(0.0, 40.0), 3.0, 4.0])
        hours = rng.choice([rng.uniform(0.0, 45.0), sum(cap), 6.0])
        plan = [0.0] * N_ACTIVITIES
        left = worktime._water_fill(plan, hours, weights, cap)
        assert (plan, left) == _water_fill_plain(hours, weights, cap)


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
