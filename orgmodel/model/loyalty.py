"""Clients follow people: when the person a client relies on leaves, the client may go too.

A client relies on a leaver if the leaver holds the strongest tie to its
buyer (the person who places the orders), whoever owns the client now: a
hunter who handed a client over may still be the one its buyer trusts. Of
those clients, ``clients_follow_share`` follow the leaver to a competitor at
once; the others stay at a raised churn risk (``leaver_churn_extra`` a year)
for ``leaver_churn_weeks``, which their buyer's next reviews read. The
clients stay passive: they act on their own review events.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from orgmodel.model.clients import Stage

if TYPE_CHECKING:
    from orgmodel.model.clients import ClientCompany
    from orgmodel.model.model import SalesOrgModel
    from orgmodel.model.staff import Staff


class ClientLoyalty:
    """Which clients a leaver takes along or unsettles, and what that costs.

    Attributes:
        unsettled: client index -> last week of its raised churn risk.
        exposed: (week, client index, followed) for every client that relied on a leaver.
        lost_with_leaver: clients lost to a leaver this week (followed at once or churned while unsettled).
        lost_total: the same since the start.

    """

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model
        self.unsettled: dict[int, int] = {}
        self.exposed: list[tuple[int, int, bool]] = []
        self.lost_with_leaver = 0
        self.lost_total = 0  # since the start
        #: person id -> the company whose buyer they are (-1: not a buyer), built on first use; its last entry
        #: is -1, so that a look-up clipped to the end reads "not a buyer" for an id beyond the buyers'
        self._company_of: np.ndarray | None = None

    def _relying(self, companies: list[ClientCompany], staff_id: int) -> list[ClientCompany]:
        """Those of ``companies`` whose buyer's strongest supplier tie is ``staff_id``'s (one read of the buyers' ties)."""
        if not companies:
            return []
        network = self.model.network
        week = self.model.time
        buyers = network.rows(np.fromiter((c.people[0] for c in companies), dtype=np.int64, count=len(companies)))
        mine = network.strengths_at(staff_id, buyers, week)
        best = network.best_strengths_at(buyers, week)
        relies = (mine > 0.0) & (mine >= best - 1e-12)
        return [c for c, r in zip(companies, relies.tolist(), strict=True) if r]

    def _buying_clients_known_by(self, staff_id: int) -> list[ClientCompany]:
        """The serial clients whose buyer ``staff_id`` has a tie with, by uid: only they can rely on them.

        The leaver's ties are turned into companies with one look-up in a
        table of buyers (person id -> company), not a dictionary look-up per
        person met: a salesperson of some years has met thousands.
        """
        companies = self.model.companies
        if self._company_of is None:
            buyers = np.fromiter((c.people[0] for c in companies), dtype=np.int64, count=len(companies))
            self._company_of = np.full(int(buyers.max(initial=-1)) + 2, -1, dtype=np.int64)
            self._company_of[buyers] = np.arange(len(companies))  # a company's uid is its place in the market
        known = self.model.network.people_known_by(staff_id, by_row=False)  # sorted by company below
        at = np.take(self._company_of, np.fromiter(known, dtype=np.int64, count=len(known)), mode="clip")
        serial = Stage.SERIAL  # only buying clients can follow
        return [c for c in map(companies.__getitem__, np.sort(at[at >= 0]).tolist()) if c.stage == serial]

    def on_leave(self, person: Staff) -> int:
        """A person is leaving: their clients follow or are unsettled. Returns how many followed."""
        model = self.model
        cfg = model.cfg
        week = math.ceil(model.time)
        sid = person.unique_id
        rnd = model.random.random
        followed = 0
        for company in self._relying(self._buying_clients_known_by(sid), sid):
            follows = rnd() < cfg.clients_follow_share
            self.exposed.append((week, company.uid, follows))
            if follows:
                model.staffing.portfolio_changed(company.owner)  # a group's rankings count the owner again
                model.lose_client(company)  # counted in lost_with_leaver by on_lost
                followed += 1
            elif cfg.leaver_churn_weeks > 0:
                self.unsettled[company.uid] = week + cfg.leaver_churn_weeks
        return followed

    def extra_churn(self, company: ClientCompany) -> float:
        """Extra annual churn of a client unsettled by a leaver (0 once the period is over)."""
        until = self.unsettled.get(company.uid)
        if until is None:
            return 0.0
        if self.model.time > until:
            del self.unsettled[company.uid]
            return 0.0
        return self.model.cfg.leaver_churn_extra

    def on_lost(self, company: ClientCompany) -> None:
        """A client left: count it if a leaver took it along or unsettled it."""
        until = self.unsettled.pop(company.uid, None)
        if (until is not None and self.model.time <= until) or (
            self.exposed and self.exposed[-1][1] == company.uid and self.exposed[-1][2]  # following the leaver now
        ):
            self.lost_with_leaver += 1
            self.lost_total += 1
