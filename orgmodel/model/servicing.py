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
    model: SalesOrgModel, people: Sequence[Staff], free: Sequence[float], rows: np.ndarray, server: np.ndarray
) -> tuple[list[float], list[float]]:
    """``people[server[i]]`` works on the open service of client ``rows[i]``, each person with up to ``free`` hours.

    The clients' part is array operations over their rows; the people's
    part (a few dozen shares) is plain Python, where numpy's fixed cost per
    call would be most of the work; both do the same arithmetic.

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
    n = len(people)
    if not rows.size:  # nobody is owed anything: nothing to share out
        return [0.0] * n, [0.0] * n
    cfg = model.cfg
    table = model.clients
    skills = [p.service_skill for p in people]
    rate = np.array([p.service_skill * p.productivity for p in people])
    backlog = table.backlog[rows]
    knowledge = table.knowledge[rows]
    unknown = 1.0 - knowledge  # the client's specifics still to learn (stretches the work, shrinks as it is done)
    real = backlog * ((1.0 + cfg.knowledge_penalty * unknown) / rate[server])
    demand = np.bincount(server, weights=real, minlength=n).tolist()
    # min(1.0, free / owed) per person, without the calls
    share = [(r if (r := f / owed) < 1.0 else 1.0) if owed > 0.0 else 0.0 for f, owed in zip(free, demand, strict=True)]
    by_client = np.array(share)[server]
    hours = real * by_client
    left = backlog - backlog * by_client
    table.backlog[rows] = np.where(left >= 1e-9, left, 0.0)
    learned = 1.0 - unknown * np.exp(hours / -cfg.knowledge_learning_hours)  # = -hours / ...: one array op fewer
    served = hours > 0.0
    if served.all():  # the usual week: everyone had hours for their clients
        table.knowledge[rows] = learned
        _meet(model, people, rows, server, 0.5 * hours * np.array(skills)[server])
    else:
        table.knowledge[rows] = np.where(served, learned, knowledge)
        if served.any():
            _meet(model, people, rows[served], server[served], 0.5 * hours[served] * np.array(skills)[server[served]])
    return demand, [owed * part for owed, part in zip(demand, share, strict=True)]


def _meet(model: SalesOrgModel, people: Sequence[Staff], rows: np.ndarray, server: np.ndarray, half: np.ndarray) -> None:
    """Book the week's service contacts: ``half`` the skill-weighted hours with the buyer, half with another member.

    The other member is one of the engineers or managers who use the kit,
    drawn at random (the buyer again in a buying centre of one).
    """
    table = model.clients
    start = table.people_start[rows]
    span = table.people_size[rows] - 1  # the others in the buying centre
    pick = (table.contact_rng.random(rows.size) * span).astype(np.int64)  # 0 .. span - 1 among the others
    met = np.empty(2 * rows.size, dtype=np.int64)  # the buyer, then the other, client by client
    met[0::2] = start
    met[1::2] = start + np.minimum(pick + 1, span)  # the buyer (+0) in a buying centre of one
    ids = np.array([p.unique_id for p in people], dtype=np.int64)[server]
    model.network.book(ids.repeat(2), table.people[met], half.repeat(2), model.time)


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
    # each staff row's position in ``people`` (-1: not serving now); the extra last entry is nobody's (owner -1)
    index = np.full(len(table.staff) + 1, -1, dtype=np.int64)
    index[[p.row for p in people]] = np.arange(len(people))
    rows = (table.backlog > 0.0).nonzero()[0]  # flatnonzero without its wrappers
    server = index[table.owner_row[rows]]
    mine = server >= 0
    if not mine.all():
        rows, server = rows[mine], server[mine]
    if model.cfg.fragmented_weeks:
        for person, n in zip(people, fragmentation.count_interruptions(people, server), strict=True):
            person.waiting = n
    # max(free, 0.0) per person, without the calls
    demand, spent = serve(model, people, [0.0 if (f := p.free) < 0.0 else f for p in people], rows, server)
    cap = model.cfg.available_hours
    most = LOAD_CAP * cap
    for person, owed, hours in zip(people, demand, spent, strict=True):
        person.load += LOAD_SMOOTHING * ((most if most < owed else owed) / cap - person.load)  # min(owed, most)
        person.free -= hours
        if hours > 0.0:  # person.log(SERVICING, hours), written out (every person, every week)
            person.hours[SERVICING] += hours
