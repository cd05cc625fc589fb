"""Fragmented weeks: service requests arriving through the week cost selling time.

Issue #18, switch ``fragmented_weeks`` (off by default). A salesperson who
keeps clients does not get their service work in one block: each client with
work waiting (an order to specify, a shipment to chase, a problem, a
complaint) interrupts the week, and getting back into a proposal or a
prospect's research after an interruption takes time (interrupted work is
done at a cost in time and stress, Mark, Gudith & Klocke 2008). Each such
client costs ``switch_cost_hours`` of the hours planned for prospecting and
pipeline work (never more than those hours); the lost hours are booked as
servicing, the work that caused them. Someone with no clients waiting (a
hunter in a split structure, whose clients went to account managers) has an
unfragmented week and loses nothing; account managers do no pipeline work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from orgmodel.model.activities import PIPELINE, PROSPECTING, SERVICING

if TYPE_CHECKING:
    from orgmodel.model.staff import Staff


def count_interruptions(people: Sequence[Staff], server: np.ndarray) -> list[int]:
    """Each person's interruptions this week: their clients with service work waiting; 0 for non-hunters.

    Args:
        people: who serves (the week's servicing, :func:`orgmodel.model.servicing.serve_portfolios`).
        server: for each client with work waiting, the index in ``people`` of its owner.

    """
    waiting = np.bincount(server, minlength=len(people)).tolist()
    return [n if person.hunts else 0 for person, n in zip(people, waiting, strict=True)]


def lose_selling_hours(person: Staff, plan: list[float], n: int) -> float:
    """Take the switching cost of ``n`` interruptions out of the planned selling hours; returns the hours lost.

    Prospecting and pipeline hours shrink in proportion; the lost hours are
    logged as servicing.
    """
    selling = plan[PROSPECTING] + plan[PIPELINE]
    if n <= 0 or selling <= 0.0:
        return 0.0
    lost = min(selling, n * person.model.cfg.switch_cost_hours)
    keep = 1.0 - lost / selling
    plan[PROSPECTING] *= keep
    plan[PIPELINE] *= keep
    person.log(SERVICING, lost)
    return lost


__all__ = ["count_interruptions", "lose_selling_hours"]
