"""Servicing: specifying orders, chasing shipments, settling problems and complaints, for many clients at once.

Each week every client-facing person works off the service their own clients
are owed, after what cannot wait (handover visits, implementation support)
and before the hours they are free to choose. The work is shared over a
person's clients in proportion to what each is owed in real hours (standard
hours stretched by missing client knowledge, shortened by skill); what does
not fit stays in the clients' backlogs, and their buyers notice when they
order next. Servicing also teaches the client's specifics and keeps up
relationships: half the hours with the buyer, half with one of the
engineers or managers who use the kit.

The arithmetic is the same for everyone, so the week's servicing of every
portfolio is one array operation over the clients' columns
(:mod:`orgmodel.model.client_columns`), grouped by who serves them, instead of
a Python loop per person and client. Everyone serves their own clients at
the same point of the week, so in structures that share service work (pods)
colleagues help with what is left after everyone's own servicing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from orgmodel.model import fragmentation
from orgmodel.model.activities import SERVICING

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel
    from orgmodel.model.staff import Staff

LOAD_SMOOTHING = 0.1  # a person's load follows the week's demand with this weight (about ten weeks' memory)
LOAD_CAP = 3.0  # a backlog counts in the load up to three weeks' hours


def serve(
    model: SalesOrgModel, people: Sequence[Staff], free: np.ndarray, rows: np.ndarray, server: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``people[server[i]]`` works on the open service of client ``rows[i]``, each person with up to ``free`` hours.

    Args:
        model: the model (its client columns, network and random numbers).
        people: who serves.
        free: hours each of ``people`` can spend.
        rows: the clients served (company uids, distinct), each with a backlog.
        server: for each client, the index in ``people`` of who serves it.

    Returns:
        (demand, spent): per person, the real hours their clients were owed
        and the hours spent on them.

    """
    cfg = model.cfg
    table = model.clients
    n = len(people)
    skill = np.array([p.service_skill for p in people])
    rate = skill * np.array([p.productivity for p in people])
    backlog = table.backlog[rows]
    knowledge = table.knowledge[rows]
    real = backlog * ((1.0 + cfg.knowledge_penalty * (1.0 - knowledge)) / rate[server])
    demand = np.bincount(server, weights=real, minlength=n)
    share = np.minimum(1.0, free / np.where(demand > 0.0, demand, 1.0))
    share[demand <= 0.0] = 0.0
    by_client = share[server]
    hours = real * by_client
    left = backlog - backlog * by_client
    table.backlog[rows] = np.where(left >= 1e-9, left, 0.0)
    served = hours > 0.0
    learned = 1.0 - (1.0 - knowledge) * np.exp(-hours / cfg.knowledge_learning_hours)
    table.knowledge[rows] = np.where(served, learned, knowledge)
    if served.any():
        _meet(model, people, rows[served], server[served], 0.5 * hours[served] * skill[server[served]])
    return demand, demand * share


def _meet(model: SalesOrgModel, people: Sequence[Staff], rows: np.ndarray, server: np.ndarray, half: np.ndarray) -> None:
    """Book the week's service contacts: ``half`` the skill-weighted hours with the buyer, half with another member.

    The other member is one of the engineers or managers who use the kit,
    drawn at random (the buyer again in a buying centre of one).
    """
    table = model.clients
    start = table.people_start[rows]
    size = table.people_size[rows]
    pick = (table.contact_rng.random(rows.size) * (size - 1)).astype(np.int64)  # 0 .. size - 2 among the others
    other = table.people[np.where(size > 1, start + 1 + pick, start)]
    ids = np.array([p.unique_id for p in people], dtype=np.int64)[server]
    met = np.column_stack((table.people[start], other)).ravel()
    model.network.book(np.repeat(ids, 2).tolist(), met.tolist(), np.repeat(half, 2).tolist(), model.time)


def serve_portfolios(model: SalesOrgModel, people: Sequence[Staff]) -> None:
    """Everyone in ``people`` works off their own clients' open service with their ``free`` hours.

    Reads and updates each person's ``free`` hours, logs the hours as
    servicing and updates their smoothed ``load`` (the week's demand, up to
    three weeks' hours, as a share of a week's hours), which hiring and
    handovers read. Under ``fragmented_weeks`` it also counts, for each
    hunter, the clients with work waiting as the week starts (each interrupts
    the week: :mod:`orgmodel.model.fragmentation`).
    """
    if not people:
        return
    table = model.clients
    index = np.full(len(table.staff), -1, dtype=np.int64)
    index[[p.row for p in people]] = np.arange(len(people))
    owing = np.flatnonzero(table.backlog > 0.0)
    owner = table.owner_row[owing]
    server = np.where(owner >= 0, index[owner], -1)
    mine = server >= 0
    rows, server = owing[mine], server[mine]
    if model.cfg.fragmented_weeks:
        for person, n in zip(people, fragmentation.count_interruptions(people, server), strict=True):
            person.waiting = n
    free = np.array([max(p.free, 0.0) for p in people])
    demand, spent = serve(model, people, free, rows, server)
    cap = model.cfg.available_hours
    for person, owed, hours in zip(people, demand.tolist(), spent.tolist(), strict=True):
        person.load += LOAD_SMOOTHING * (min(owed, LOAD_CAP * cap) / cap - person.load)
        person.free -= hours
        person.log(SERVICING, hours)
