"""A new hire's ramp-up factor: ``Staff.productivity`` is a plain attribute, and it must never go stale.

It is set as each week starts rather than worked out at every read (it is
read for every deal and client every week). These tests check it against the
ramp-up rule, worked out from the clock at the moment of each read, wherever
the week reads it: everyone's planning, the week's servicing and the order
desk's work.
"""

from __future__ import annotations

import pytest

from orgmodel import SalesOrgModel
from orgmodel.model import servicing, worktime
from orgmodel.model.desk import OrderDesk
from orgmodel.model.staff import Staff


def _rule(person: Staff) -> float:
    """The ramp-up rule at the clock as it reads now: 0.5 on day one, rising linearly to 1 after ``ramp_up_weeks``."""
    if person.ramp_up_weeks <= 0:
        return 1.0
    tenure = person.model.time - person.hired_week
    return 1.0 if tenure >= person.ramp_up_weeks else 0.5 + 0.5 * tenure / person.ramp_up_weeks


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Staff, float, float]]:
    """Every read of the factor by the week's work: (person, the attribute, the rule at that moment)."""
    seen: list[tuple[Staff, float, float]] = []
    plan, serve, work = worktime.plan_discretionary, servicing.serve, OrderDesk.work

    def planned(staff, free, *args):
        seen.append((staff, staff.productivity, _rule(staff)))
        return plan(staff, free, *args)

    def served(model, people, free, rows, server):
        seen.extend((p, p.productivity, _rule(p)) for p in people)
        return serve(model, people, free, rows, server)

    def worked(desk, agent, free):
        seen.append((agent, agent.productivity, _rule(agent)))
        return work(desk, agent, free)

    monkeypatch.setattr(worktime, "plan_discretionary", planned)
    monkeypatch.setattr(servicing, "serve", served)
    monkeypatch.setattr(OrderDesk, "work", worked)
    return seen


def test_a_hire_reads_the_ramp_up_rule_at_every_week_of_the_ramp_up(reads):
    """Hires at the start and mid-run (one starting the week after, as an intervention's hires do): the factor the
    week reads is the rule's, to the bit, every week, and so is the attribute between weeks; then 1 for good."""
    model = SalesOrgModel(rng=2, structure="full_cycle", salespeople=3, market_size=300, years=1)
    assert all(p.ramped_up and p.productivity == 1.0 for p in model.staff)
    first = model.hire_salespeople(1, True, ramp_up_weeks=8)[0]
    assert not first.ramped_up and first.productivity == _rule(first) == 0.5
    model.run_until(20)
    later = model.hire_salespeople(1, True, ramp_up_weeks=5)[0]
    later.hired_week = 21  # starts next week (the factor is set as the week starts)
    manager = model.hire_account_managers(1, ramp_up_weeks=13)[0]
    factors = []
    for week in range(21, 40):
        model.run_until(week)
        for person in (first, later, manager):
            assert repr(person.productivity) == repr(_rule(person))  # between weeks too
        factors.append(later.productivity)
    assert factors[:6] == pytest.approx([0.5, 0.6, 0.7, 0.8, 0.9, 1.0]) and set(factors[5:]) == {1.0}
    assert later.ramped_up and first.ramped_up and manager.ramped_up
    ramping = [(p, got, rule) for p, got, rule in reads if p in (first, later, manager)]
    assert len({rule for _, _, rule in ramping}) > 10  # read at many different points of the ramp-up
    assert all(repr(got) == repr(rule) for _, got, rule in reads)


def test_desk_agents_read_the_ramp_up_rule_at_the_desk(reads):
    """Desk agents' weeks have no begin_week: the desk's own week sets their factor."""
    model = SalesOrgModel(rng=4, structure="service_desk", market_size=600, salespeople=5, years=1)
    model.run_until(10)
    hires = model.desk.hire(2, 6)
    model.run_until(20)
    desk = [(p, got, rule) for p, got, rule in reads if p in hires]
    assert len({rule for _, _, rule in desk}) == 6  # every week of their ramp-up (hired as week 10 closed), then 1
    assert all(p.ramped_up and p.productivity == 1.0 for p in hires)
    assert all(repr(got) == repr(rule) for _, got, rule in reads)
