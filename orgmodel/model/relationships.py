"""Relationships with buying centres: contact booked with its people, coverage, and their backing.

The network (:mod:`orgmodel.model.network`) stores who knows whom; this module
is what the sales work does with it: hours spent with a client's buying centre
(the decision maker counts double), how well the supplier covers that buying
centre, and whether every member backs a purchase. Handovers carry part of the
giver's relationships over to the receiver.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orgmodel.model.clients import ClientCompany
    from orgmodel.model.model import SalesOrgModel
    from orgmodel.model.network import Tie
    from orgmodel.model.staff import Staff


class BuyingCentreRelations:
    """The supplier's relationships with each client's buying centre.

    Args:
        model: the model; this lives as ``model.relations`` and works on ``model.network``.

    """

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model

    def book_contact(
        self, staff: Staff, company: ClientCompany, hours: float, everyone: bool, skill: float, refresh: bool = True
    ) -> None:
        """Spread hours of contact over the buying centre (the decision maker counts double).

        ``refresh``: update ``company.coverage`` (a prospect's is read only
        once it buys, and :meth:`ClientService.begin_serial` refreshes it then,
        so the pipeline's stages skip it).
        """
        model = self.model
        week = model.time
        sid = staff.unique_id
        if not everyone:
            model.network.invest(sid, company.people[0], hours, week, skill)
            return
        w_dm = model.cfg.decision_maker_weight
        weights = [w_dm if dm else 1.0 for dm in company.deciders]
        total = sum(weights)
        visits = [(pid, hours * w / total) for pid, w in zip(company.people, weights, strict=True)]
        model.network.invest_many(sid, visits, week, skill)
        if refresh:
            company.coverage = self.coverage(company)

    def buying_centre_agrees(self, company: ClientCompany) -> bool:
        """Every member must back the purchase (CEB: bigger groups buy less often)."""
        week = self.model.time
        best = self.model.network.best_strength
        return all(m.backs(best(m.unique_id, week)) for m in company.members)

    def coverage(self, company: ClientCompany) -> float:
        """How well the supplier covers the buying centre (weighted mean of best strengths).

        Clients keep the last value in ``company.coverage`` for people's
        planning; it is refreshed whenever someone invests in the buying centre
        and at every supplier review.
        """
        model = self.model
        week = model.time
        decay = model.network.decay
        ties = model.network.ties
        w_dm = model.cfg.decision_maker_weight
        num = den = 0.0
        nobody: dict[int, Tie] = {}
        exp = math.exp
        last_gap = fade = -1.0  # the last decay factor and its gap (a buying centre is mostly met together)
        for pid, dm in zip(company.people, company.deciders, strict=True):
            best = 0.0  # the member's best strength, as RelationshipNetwork.best_strength (inlined: hot path)
            for tie in ties.get(pid, nobody).values():
                s = tie.s
                if s <= best:  # decay only lowers it: it cannot beat the best (and exp is skipped)
                    continue
                t = tie.t
                if t != week:
                    gap = week - t
                    if gap != last_gap:
                        fade = exp(-decay * gap)
                        last_gap = gap
                    s *= fade
                if s > best:
                    best = s
            w = w_dm if dm else 1.0
            num += w * best
            den += w
        return num / den

    def carry_over(self, giver: Staff, receiver: Staff, company: ClientCompany) -> None:
        """A handover: the receiver starts with part of the giver's relationships with the buying centre."""
        model = self.model
        network = model.network
        week = model.time
        share = model.cfg.handover_relationship_carryover
        for pid in company.people:
            s = network.strength(giver.unique_id, pid, week)
            network.set_strength(receiver.unique_id, pid, share * s, week)
