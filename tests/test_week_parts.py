"""Everyone's week done by parts (each part by everyone before the next) is each person's week done in turn.

:func:`orgmodel.model.staff.finish_weeks` runs the plans, prospecting,
pipeline work, cross-sell projects and relationship building each for
everyone in the week's order before the next part; its docstring says why
that is the same week as each person doing all of them in turn. These runs
check it: the model as it runs, against the same model whose week calls
the parts one person at a time, must give the very same weekly table, staff
table and summary.
"""

from __future__ import annotations

import pytest

from orgmodel.model import model as model_module
from orgmodel.model import staff as staff_module
from orgmodel.model.activities import CROSS_SELL, IDLE, PIPELINE, PROSPECTING, RELATIONSHIP
from orgmodel.scenario.builtin import load_builtin
from orgmodel.simulate import simulate

SMALL = {"salespeople": 6, "market_size": 900, "years": 3}

CASES = {
    "status_quo": ("status_quo", {}),
    "pod": ("pod", {}),
    "hunter_farmer": ("hunter_farmer", {}),
    "fixed_hunting_share": ("hunter_farmer", {"fixed_hunting_share": 0.6}),
    "fragmented_weeks": ("status_quo", {"fragmented_weeks": True, "large_deals_need_hunters": True}),
    "reapproach_soon": ("status_quo", {"reapproach_weeks": 1, "stale_weeks": 2}),
}


def _one_at_a_time(people, now):
    """The week's parts for each person in turn (the order before the week was done by parts)."""
    for person in people:
        staff_module.finish_weeks([person], now)


def _tables(scenario, seed):
    run = simulate(scenario, seed=seed)
    return run.timeseries, run.staff, run.summary


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_week_by_parts_is_each_persons_week_in_turn(case, monkeypatch):
    builtin, changes = CASES[case]
    scenario = load_builtin(builtin).with_(**SMALL, **changes)
    by_parts = _tables(scenario, 5)
    monkeypatch.setattr(model_module, "finish_weeks", _one_at_a_time)
    in_turn = _tables(scenario, 5)
    assert by_parts[0].equals(in_turn[0])
    assert by_parts[1].equals(in_turn[1])
    assert by_parts[2] == in_turn[2]
    assert by_parts[0]["new_clients"].sum() > 0  # a week with selling in it, not an empty comparison


def test_the_check_sees_a_part_done_out_of_order(monkeypatch):
    """Prospecting in reverse order draws other companies: the comparison above would see it."""
    scenario = load_builtin("status_quo").with_(**SMALL)
    before = _tables(scenario, 5)[0]

    def prospect_in_reverse(people, now):
        plans = [(person, person.plan_week(now)) for person in people]
        for person, plan in reversed(plans):
            person.prospect(plan[PROSPECTING], now)
            plan[PROSPECTING] = 0.0
        for person, plan in plans:
            stale = person.work_pipeline(plan[PIPELINE], now)
            person.develop_cross_sells(plan[CROSS_SELL], now)
            person.build_relationships(plan[RELATIONSHIP], now)
            person.hours[IDLE] += plan[IDLE]
            if stale:
                person.drop_stale_deals(stale, now)

    monkeypatch.setattr(model_module, "finish_weeks", prospect_in_reverse)
    after = _tables(scenario, 5)[0]
    assert not before.equals(after)
