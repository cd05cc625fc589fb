"""The ranking of who receives clients: its bounds walked in sorted order give what a scan of counted work gives."""

from __future__ import annotations

import random

import pytest

from orgmodel import SalesOrgModel, Scenario
from orgmodel.model.staffing import WorkRanking
from orgmodel.model.turnover import NO_TURNOVER

SMALL = {"market_size": 1500, "salespeople": 12, "years": 2, **NO_TURNOVER}


@pytest.mark.parametrize("structure", ["full_cycle", "hunter_farmer"])
def test_the_ranking_picks_the_least_loaded_after_every_handover(structure: str) -> None:
    """Random handovers among a ranking's candidates: after each, its choice is the scan's (ties to the lowest id).

    Clients also go to and come from people outside the ranking, and a
    candidate listed twice is one candidate; the counted candidates are
    those whose bound reached the top or whose clients moved.
    """
    model = SalesOrgModel(rng=9, scenario=Scenario(**SMALL, structure=structure))
    model.run_until(70)
    staffing = model.staffing
    people = model.staff
    draw = random.Random(3)
    candidates = people[: len(people) // 2 + 1]
    ranking = WorkRanking(staffing, candidates + candidates[:2])
    assert len(ranking._order) == len(candidates)
    for _ in range(60):
        chosen = ranking.least_loaded()
        assert chosen is min(candidates, key=staffing._standard_work)
        giver = draw.choice([p for p in people if p.portfolio])
        receiver = draw.choice(people)
        company = draw.choice(giver.portfolio)
        if receiver is giver:
            continue
        staffing.hand_over(company, receiver)
        ranking.moved(giver, receiver)
    assert ranking._counted  # the counted path was taken


def test_ties_go_to_the_lowest_id_bounds_and_counts_alike() -> None:
    """Candidates without clients (bound and work 0) are chosen lowest id first, whatever the order they are listed in."""
    model = SalesOrgModel(rng=2, **SMALL)
    staffing = model.staffing
    new = staffing.hire(type(model.staff[0]), 3, True, 0)
    assert all(not p.portfolio for p in new)
    listed = [*reversed(new), *reversed(model.staff[:4])]
    ranking = WorkRanking(staffing, listed)
    first = ranking.least_loaded()
    assert first is min(listed, key=lambda p: p.unique_id)  # nobody has clients yet: all tie at 0
    ranking.moved(None, first)  # counted again (still no clients): still the lowest id
    assert ranking.least_loaded() is first
