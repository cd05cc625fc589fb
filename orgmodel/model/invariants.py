"""The model's bookkeeping rules, checked on demand (tests call ``model.check_invariants()``).

Every hour of a person's week is accounted for and none is over budget; each
client has exactly one owner, who is still employed; nobody holds a deal or
project that is not theirs; desk work belongs to queued serial clients;
stages agree with deals; the revenue booked equals what clients ordered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orgmodel.model.clients import PIPELINE_STAGES, Stage

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel


def check_invariants(model: SalesOrgModel) -> None:
    """Raise AssertionError if the model's bookkeeping is inconsistent."""
    cap = model.cfg.available_hours
    owners: dict[int, int] = {}
    for p in model.staff:
        assert sum(p.hours) <= cap + 1e-6, f"{p} worked {sum(p.hours)} > {cap} hours"
        if p.hired_week < model.time:  # a week's hours are all accounted for, idle included
            assert sum(p.hours) >= cap - 1e-6, f"{p} accounted for {sum(p.hours)} of {cap} hours"
        assert all(h >= -1e-9 for h in p.hours), f"negative hours for {p}"
        for c in p.portfolio:
            owners[c.uid] = owners.get(c.uid, 0) + 1
            assert c.owner is p, f"{c} in {p}'s portfolio but owned by {c.owner}"
            assert c.stage in (Stage.IMPLEMENTATION, Stage.SERIAL), f"owned {c} not a client"
        for d in p.deals:
            assert d.owner is p and model.deals.get(d.id) is d
    assert all(v == 1 for v in owners.values()), "a client has more than one owner"
    current = {id(p) for p in model.staff}  # nobody refers to a person who left
    assert all(c.owner is not None for c in model.awaiting_handover), "a client awaiting handover has no owner"
    desk_cap = model.cfg.desk_available_hours
    for p in model.desk_agents:
        assert not p.portfolio and not p.deals and not p.projects, f"desk agent {p} holds clients or deals"
        assert all(h >= -1e-9 for h in p.hours), f"negative hours for {p}"
        assert sum(p.hours) <= desk_cap + 1e-6, f"{p} worked {sum(p.hours)} > {desk_cap} hours"
        if p.hired_week < model.time:
            assert sum(p.hours) >= desk_cap - 1e-6, f"{p} accounted for {sum(p.hours)} of {desk_cap} hours"
    queued = {id(c) for c in model.desk.queue} if model.desk is not None else set()
    in_deals = {d.company.uid: d.stage for d in model.deals.values()}
    assert len(in_deals) == len(model.deals), "a company is in two deals"
    clients = (Stage.IMPLEMENTATION, Stage.SERIAL)
    for c in model.companies:  # one pass over the market (tests check every week)
        assert c.owner is None or id(c.owner) in current, f"{c} owned by {c.owner}, who left"
        assert c.originator is None or id(c.originator) in current, f"{c} originated by {c.originator}, who left"
        if c.project is not None:
            assert c.project.owner is c.owner and c.project in c.owner.projects, f"{c}'s cross-sell project is orphaned"
        assert c.desk_backlog >= 0.0, f"{c} has negative desk work"
        if c.desk_backlog > 0.0:
            assert c.stage == Stage.SERIAL and id(c) in queued, f"{c} has desk work but is not a queued serial client"
        if c.stage in clients:
            assert owners.get(c.uid, 0) == 1, f"{c} has no owner"
        assert c.backlog >= 0.0 and c.annual_value >= 0.0
        if c.stage in PIPELINE_STAGES:
            assert in_deals.get(c.uid) == c.stage, f"{c} stage differs from its deal"
        else:
            assert c.uid not in in_deals
    assert abs(model.orders_total - sum(c.revenue_total for c in model.companies)) <= 1e-6 * max(1.0, model.orders_total)
