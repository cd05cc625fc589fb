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

from typing import TYPE_CHECKING

from orgmodel.model.activities import PIPELINE, PROSPECTING, SERVICING

if TYPE_CHECKING:
    from orgmodel.model.staff import Staff


def interruptions(person: Staff) -> int:
    """Clients with service work waiting at the start of the week (each interrupts it); 0 for non-hunters."""
    if not person.hunts:
        return 0
    return sum(1 for c in person.portfolio if c.backlog > 0.0)


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


__all__ = ["interruptions", "lose_selling_hours"]
