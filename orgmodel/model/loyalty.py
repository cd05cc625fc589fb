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
        #: each company's buyer (person id), by uid, read from the clients' table on first use
        self._buyers: np.ndarray | None = None

    def _relying(self, staff_id: int) -> list[ClientCompany]:
        """The serial clients whose buyer's strongest supplier tie is ``staff_id``'s, by uid.

        Read from the network's columns for every client's buyer at once (one
        :meth:`~orgmodel.model.network.RelationshipNetwork.ties_among`), not
        from the leaver's list of people met: a list by staff member would
        have to take in every relationship made since the last leaver (a
        large force makes thousands a week), which cost several times this
        search of a few thousand rows. Every serial client has an
        owner (its row of ``owner_row`` is the owner's, -1 for none; see
        :func:`~orgmodel.model.invariants.check_invariants`), so the owned ones are
        searched; a buyer the leaver has no tie with reads 0 and relies on
        nobody, and the stage is compared last (by identity: stages are
        always members), on the few who rely on the leaver.
        """
        model = self.model
        network = model.network
        table = model.clients
        buyers = self._buyers
        if buyers is None:
            buyers = self._buyers = table.people.take(table.people_start)
        network.flush()  # first: a contact booked may give a buyer met for the first time a row
        owned = np.flatnonzero(table.owner_row >= 0)  # ascending: by uid
        rows = network.row_of.take(buyers.take(owned), mode="clip")  # beyond the table: its last entry, -1
        met = rows >= 0  # a buyer without a row has no tie with anyone
        if not met.all():
            owned, rows = owned[met], rows[met]
        week = model.time
        tied, mine = network.ties_among(staff_id, rows, week)
        if mine.size and mine.min() <= 0.0:  # a tie at strength 0 is none
            tied, mine = tied[mine > 0.0], mine[mine > 0.0]
        if not tied.size:
            return []
        best = network.best_strengths_at(rows.take(tied), week)
        relies = owned.take(tied)[mine >= best - 1e-12].tolist()
        companies = model.companies
        serial = Stage.SERIAL  # only buying clients can follow
        return [c for c in map(companies.__getitem__, relies) if c.stage is serial]

    def on_leave(self, person: Staff) -> int:
        """A person is leaving: their clients follow or are unsettled. Returns how many followed."""
        model = self.model
        cfg = model.cfg
        week = math.ceil(model.time)
        sid = person.unique_id
        rnd = model.random.random
        followed = 0
        for company in self._relying(sid):
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
