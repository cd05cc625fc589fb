"""The handover made explicit: when it happens, who receives the client, and what a scenario may ask for."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from pydantic import ValidationError

from orgmodel import SalesOrgModel, Scenario
from orgmodel.model.turnover import NO_TURNOVER

SMALL = {"market_size": 600, "salespeople": 5, "years": 3, **NO_TURNOVER}  # nobody quits: handovers only
SPLIT = {"structure": "hunter_farmer", "incentive": "split_commission", "account_managers": 2, **SMALL}


def _handover_delays(model: SalesOrgModel, monkeypatch) -> list[float]:
    """Run the model; weeks of serial buying before each handover from a hunter to an account manager."""
    delays: list[float] = []
    original = SalesOrgModel.hand_over

    def spy(self, company, receiver):
        if company.owner is not None and company.owner.hunts and not receiver.hunts:
            delays.append(self.time - company.serial_week)
        original(self, company, receiver)

    monkeypatch.setattr(SalesOrgModel, "hand_over", spy)
    model.run_until(model.cfg.weeks)
    return delays


def test_after_implementation_hands_over_when_serial_buying_starts(monkeypatch):
    delays = _handover_delays(SalesOrgModel(rng=1, **SPLIT), monkeypatch)
    assert len(delays) > 30
    on_time = sum(1 for d in delays if d == 0)
    assert on_time >= 0.8 * len(delays)  # the rest waited in the queue for an account manager
    assert max(delays) < 20


def test_after_serial_weeks_hands_over_after_exactly_that_many_weeks(monkeypatch):
    model = SalesOrgModel(rng=1, handover_timing="after_serial_weeks", handover_after_weeks=20, **SPLIT)
    delays = _handover_delays(model, monkeypatch)
    assert len(delays) > 30
    assert min(delays) >= 20
    assert sum(1 for d in delays if d == 20) >= 0.8 * len(delays)
    # meanwhile the hunter serviced the client: hunters log service hours, which they never do after implementation
    staff = model.datacollector.get_table_dataframe("staff")
    assert staff.loc[staff["role"] == "salesperson", "hours_servicing"].sum() > 100


def test_a_client_that_leaves_before_its_handover_is_not_handed_over():
    model = SalesOrgModel(rng=2, handover_timing="after_serial_weeks", handover_after_weeks=40, **SPLIT)
    model.run_until(60)
    waiting = [c for p in model.salespeople for c in p.portfolio if c.handover_event is not None]
    assert waiting
    company = waiting[0]
    model.lose_client(company)
    assert company.handover_event is None  # cancelled with its orders and reviews
    model.run_until(110)
    assert company.owner is None or company.times_won > 1


def test_carryover_keys_set_what_the_receiver_starts_with():
    model = SalesOrgModel(rng=3, handover_relationship_carryover=0.5, handover_knowledge_carryover=0.25, **SPLIT)
    model.run_until(40)
    hunter = next(p for p in model.salespeople if p.portfolio)
    company = hunter.portfolio[0]
    manager = model.account_managers[0]
    before = {m.unique_id: model.network.strength(hunter.unique_id, m.unique_id, model.time) for m in company.members}
    knowledge, due = company.knowledge, manager.handover_due
    model.hand_over(company, manager)
    for uid, s in before.items():
        assert model.network.strength(manager.unique_id, uid, model.time) >= 0.5 * s - 1e-12
    assert company.knowledge == pytest.approx(0.25 * knowledge)
    assert manager.handover_due == due + model.cfg.handover_hours


def test_a_leavers_clients_carry_over_together_as_one_after_another():
    """Relationships carried over for many clients at once (a leaver's) are those of one handover after another."""
    model = SalesOrgModel(rng=3, **SMALL)
    model.run_until(60)
    giver = max(model.staff, key=lambda p: len(p.portfolio))
    receivers = [p for p in model.staff if p is not giver][:2]
    moves = [(c, receivers[i % 2]) for i, c in enumerate(giver.portfolio)]  # each receiver gets several clients
    assert len(moves) >= 4
    network, week, share = model.network, model.time, model.cfg.handover_relationship_carryover
    network.flush()
    one_by_one = copy.deepcopy(network)
    for company, receiver in moves:
        rows = model.relations.rows_of(company)
        values = share * one_by_one.strengths_at(giver.unique_id, rows, week)
        one_by_one.set_strengths(receiver.unique_id, rows, values, week)
    before = network.number_of_relationships()
    model.relations.carry_over(giver, moves)
    assert network.number_of_relationships() > before  # the receivers met new people through the giver
    for column in ("staff", "s", "t", "used", "top"):
        assert np.array_equal(getattr(network, column), getattr(one_by_one, column))
    assert network.known_by == one_by_one.known_by


def test_by_segment_receivers_only_get_their_segment():
    model = SalesOrgModel(rng=1, handover_receiver="by_segment", client_segments=3, **{**SPLIT, "account_managers": 3})
    model.run_until(model.cfg.weeks)
    bands = model.structure.bands
    managers = model.account_managers
    assert {m.team for m in managers} == {0, 1, 2}
    held = [(m, c) for m in managers for c in m.portfolio]
    assert len(held) > 30
    assert all(bands.of(c) == m.team for m, c in held)
    assert {bands.of(c) for _, c in held} == {0, 1, 2}


def test_size_bands_split_the_market_in_equal_shares():
    model = SalesOrgModel(rng=1, handover_receiver="by_segment", client_segments=4, **{**SPLIT, "account_managers": 4})
    counts = [0] * 4
    for c in model.companies:
        counts[model.structure.bands.of(c)] += 1
    assert all(abs(n - len(model.companies) / 4) <= 1 for n in counts)
    small = [c.size for c in model.companies if model.structure.bands.of(c) == 0]
    large = [c.size for c in model.companies if model.structure.bands.of(c) == 3]
    assert max(small) < min(large)


def test_least_loaded_receiver_ignores_segments():
    model = SalesOrgModel(rng=1, **SPLIT)
    model.run_until(80)
    assert all(m.team is None for m in model.account_managers)
    assert model.structure.teams() == [None]


BAD = {
    "timing value": (
        {"handover_timing": "never", **SPLIT},
        "handover_timing must be one of: after_implementation, after_serial_weeks",
    ),
    "receiver value": ({"handover_receiver": "random", **SPLIT}, "handover_receiver must be one of: least_loaded, by_segment"),
    "timing without handover": ({"handover_timing": "after_serial_weeks"}, "structure 'full_cycle' never does"),
    "segment without handover": ({"handover_receiver": "by_segment"}, "structure 'full_cycle' has none"),
    "segment in pods": (
        {"handover_receiver": "by_segment", "structure": "pod", "account_managers": 2},
        "structure 'pod' has none",
    ),
    "segments without account managers": (
        {**SPLIT, "handover_receiver": "by_segment", "hire_account_managers": False, "account_managers": 2},
        "account_managers (2) must be at least client_segments (3)",
    ),
    "weeks out of range": ({**SPLIT, "handover_after_weeks": 0}, "greater than or equal to 1"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_handover_keys_are_validated_with_a_clear_message(case):
    values, message = BAD[case]
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Scenario(**values)


def test_segments_with_enough_account_managers_need_no_hiring():
    sc = Scenario(**{**SPLIT, "handover_receiver": "by_segment", "hire_account_managers": False, "account_managers": 3})
    assert sc.client_segments == 3
