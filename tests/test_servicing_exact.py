"""The week's servicing, with its per-person part in plain Python, gives exactly what the all-array rule gives."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from orgmodel import SalesOrgModel
from orgmodel.model import servicing


def _serve_arrays(model, people, free, rows, server):
    """The servicing rule as first written, every step an array operation; returns (demand, spent, contacts)."""
    cfg = model.cfg
    table = model.clients
    skill = np.array([p.service_skill for p in people])
    rate = skill * np.array([p.productivity for p in people])
    backlog = table.backlog[rows]
    knowledge = table.knowledge[rows]
    real = backlog * ((1.0 + cfg.knowledge_penalty * (1.0 - knowledge)) / rate[server])
    demand = np.bincount(server, weights=real, minlength=len(people))
    share = np.minimum(1.0, np.asarray(free) / np.where(demand > 0.0, demand, 1.0))
    share[demand <= 0.0] = 0.0
    hours = real * share[server]
    left = backlog - backlog * share[server]
    table.backlog[rows] = np.where(left >= 1e-9, left, 0.0)
    served = hours > 0.0
    learned = 1.0 - (1.0 - knowledge) * np.exp(-hours / cfg.knowledge_learning_hours)
    table.knowledge[rows] = np.where(served, learned, knowledge)
    contacts = []
    if served.any():
        rows, server, half = rows[served], server[served], 0.5 * hours[served] * skill[server[served]]
        start, size = table.people_start[rows], table.people_size[rows]
        pick = (table.contact_rng.random(rows.size) * (size - 1)).astype(np.int64)
        other = table.people[np.where(size > 1, start + 1 + pick, start)]
        ids = np.array([p.unique_id for p in people])[server]
        for sid, buyer, member, h in zip(ids.tolist(), table.people[start].tolist(), other.tolist(), half.tolist(), strict=True):
            contacts += [(sid, buyer, h), (sid, member, h)]
    return demand.tolist(), (demand * share).tolist(), contacts


@pytest.mark.parametrize("case", ["everyone", "one_without_time", "nobody_owed"])
def test_servicing_matches_the_all_array_rule_to_the_bit(case):
    model = SalesOrgModel(rng=4, salespeople=4, market_size=300, years=1)
    model.run_until(30)
    people = model.salespeople
    table = model.clients
    rows = np.flatnonzero((table.backlog > 0.0) & (table.owner_row >= 0))
    server = np.array([people.index(table.staff[r]) for r in table.owner_row[rows].tolist()], dtype=np.int64)
    assert rows.size > 5 and np.unique(server).size > 1
    free = [(8.0, 0.5, 30.0, 2.0)[i % 4] for i in range(len(people))]  # some with time for all, some not
    if case == "one_without_time":
        free[int(server[0])] = 0.0
    if case == "nobody_owed":
        rows, server = rows[:0], server[:0]
    twin = copy.deepcopy(table)  # the same columns and the same generator state, for the reference rule
    model_twin = copy.copy(model)
    model_twin.clients = twin
    expected = _serve_arrays(model_twin, people, free, rows, server)
    booked = model.network.pending
    demand, spent = servicing.serve(model, people, free, rows, server)
    network = model.network
    staff, people, hours = network.booked()
    contacts = list(zip(staff[booked:], people[booked:], hours[booked:], strict=True))
    assert (demand, spent, contacts) == expected
    assert table.backlog.tobytes() == twin.backlog.tobytes()
    assert table.knowledge.tobytes() == twin.knowledge.tobytes()
