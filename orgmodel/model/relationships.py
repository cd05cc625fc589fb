"""Relationships with buying centres: contact booked with its people, coverage, and their backing.

The network (:mod:`orgmodel.model.network`) stores who knows whom; this module
is what the sales work does with it: hours spent with a client's buying centre
(the decision maker counts double), how well the supplier covers that buying
centre, and whether every member backs a purchase. Handovers carry part of the
giver's relationships over to the receiver.

The week's contacts are booked during people's weeks and applied together;
coverage is then computed for every client whose buying centre was met, and
for every client reviewing its supplier this week, and every buying centre asked for a
decision, in one array operation (:meth:`BuyingCentreRelations.settle`).
A client's stored ``coverage`` is what people plan with: it is refreshed in
the week someone invests in the buying centre and at every supplier review.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np

from orgmodel.model.clients import Stage

if TYPE_CHECKING:
    from collections.abc import Sequence

    from orgmodel.model.clients import ClientCompany
    from orgmodel.model.model import SalesOrgModel
    from orgmodel.model.staff import Staff


_UID = attrgetter("uid")
#: companies (met, reviewing or asked) up to which :meth:`BuyingCentreRelations.settle` reads and sums their buying
#: centres in Python lists: the close of a week usually refreshes one to three clients met since the week settled,
#: where the array path's twenty-odd numpy calls cost more than the arithmetic; beyond, the array path (the week's
#: settling, some forty companies at the reference size). Counted: 6 saves the most instructions (3-8 about as much)
_FEW = 6
#: companies from which a contact with a whole buying centre is booked as one entry of the network's ledger
#: (:meth:`RelationshipNetwork.book_group`), not member by member. Measured: with 30,000 and 100,000 companies the
#: members' Python numbers (ids far apart in memory, hours), booked, converted and released, cost more than the
#: array steps that spread the entries (-135 M instructions at 200 / 30,000 / 3 years; 9.4 -> 8.6 s CPU at 1,000 /
#: 100,000 / 3 years, three pairs); with 3,000 those thirty-odd numpy calls a week cost more (+66 M of a reference run)
_GROUPS_APART = 10_000


class BuyingCentreRelations:
    """The supplier's relationships with each client's buying centre.

    Args:
        model: the model; this lives as ``model.relations`` and works on ``model.network``.

    """

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model
        #: clients whose buying centre was met since their coverage was last computed (uid -> company)
        self.stale: dict[int, ClientCompany] = {}
        # every buying centre's people as columns (built on first use; buying centres never change):
        # network rows of the people, company by company; whether each decides; each company's first index
        self._rows: np.ndarray | None = None
        self._deciders = np.zeros(0, dtype=bool)
        self._start = np.zeros(0, dtype=np.int64)
        self._size = np.zeros(0, dtype=np.int64)
        #: each company's first network row, when every buying centre's rows follow on from the one before
        #: (as the model seats them, before anyone is met); None if they do not
        self._first: list[int] | None = None
        self.coverage_week = np.zeros(0)  # per company: the week its stored coverage was computed
        # each person's weight in coverage and each company's sum of them, for this decision maker's weight
        self._weight = np.zeros(0)
        self._weight_sum = np.zeros(0)
        self._weights_for: float | None = None
        #: (decision maker's weight, who decides) -> that weight, the members' weights in a contact and their sum;
        #: and each company's (by uid, laid out by :meth:`seat`), found without hashing who decides (a tuple) for
        #: each contact: at a hundred thousand companies also one read fewer far apart in memory
        self._spread: dict[tuple[float, tuple[bool, ...]], tuple[float, list[float], float]] = {}
        self._spread_of: list[tuple[float, list[float], float] | None] = []
        #: contacts with a buying centre booked as one entry of the network's ledger (a large market, :data:`_GROUPS_APART`)
        self.as_groups = False
        #: decision maker's weight -> who decides -> the members' weights in coverage and their sum, added in order
        #: from 0.0 as ``bincount`` adds them (``sum`` of floats compensates, so it may differ in the last digit)
        self._cover: dict[float, dict[tuple[bool, ...], tuple[list[float], float]]] = {}

    def seat(self) -> None:
        """Lay out every buying centre's people in columns (once: after the market is built)."""
        market = self.model.market
        companies = market.companies
        # the market's layout of the buying centres (each company's people and deciders, in market order)
        people, sizes = market.member_ids, market.member_counts
        self._rows = rows = self.model.network.rows(people, distinct=True)  # each person is in one buying centre
        self._first = None
        if rows.size and np.array_equal(rows, np.arange(rows[0], rows[0] + rows.size)):
            self._first = (market.member_start + rows[0]).tolist()
        self._deciders = market.member_decides
        self._size = sizes
        self._start = market.member_start
        self.coverage_week = np.full(len(companies), -1.0)
        self._weights_for = None  # the weights follow the layout
        self._spread_of = [None] * len(companies)
        self.as_groups = len(companies) >= _GROUPS_APART
        if self.as_groups:
            self.model.network.set_groups(rows, self._start, sizes, self._deciders)  # a contact with a buying centre

    # --- contact ---------------------------------------------------------------------------------------
    def book_contact(
        self,
        staff: Staff,
        company: ClientCompany,
        hours: float,
        everyone: bool,
        skill: float,
        refresh: bool = True,
        week: float | None = None,
    ) -> None:
        """Spread hours of contact over the buying centre (the decision maker counts double).

        ``refresh``: the client's ``coverage`` is refreshed with the week's
        contacts (a prospect's is read only once it buys, and
        :meth:`ClientService.begin_serial` refreshes it then, so the
        pipeline's stages skip it). ``week``: ``model.time``, if the caller
        has read it (the clock is a Mesa observable, dearer to read than a
        plain attribute, and the week's work books thousands of contacts).
        """
        model = self.model
        if week is None:
            week = model.time
        sid = staff.unique_id
        if not everyone:
            model.network.invest(sid, company.people[0], hours, week, skill)
            return
        if hours <= 0.0:
            return
        w_dm = model.cfg.decision_maker_weight
        spread = self._spread_of[company.uid]
        if spread is None or spread[0] is not w_dm:
            spread = self._spread.get((w_dm, company.deciders))
            if spread is None:  # buying centres share a few shapes: worked out once each
                weights = [w_dm if dm else 1.0 for dm in company.deciders]
                spread = self._spread[w_dm, company.deciders] = (w_dm, weights, sum(weights))
            self._spread_of[company.uid] = spread
        _, weights, total = spread
        per_weight = hours * skill / total
        if self.as_groups:
            # one entry for the buying centre (its layout given to the network by seat): each member's hours
            # are w_dm * per_weight for a decision maker, 1.0 * per_weight for the others, as below
            model.network.book_group(sid, company.uid, per_weight, w_dm, week)
        else:
            people = company.people
            model.network.book([sid] * len(people), people, [w * per_weight for w in weights], week)
        if refresh:
            self.stale[company.uid] = company

    def met(self, company: ClientCompany) -> None:
        """Contacts with ``company``'s buying centre were booked: refresh its coverage with the week's."""
        self.stale[company.uid] = company

    # --- coverage --------------------------------------------------------------------------------------
    def _members(self, uids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For the buying centres of ``uids``: indices into the people columns, each one's company, each company's end."""
        if self._rows is None:
            self.seat()
        sizes = self._size[uids]
        ends = sizes.cumsum()  # the array methods: np.cumsum and np.repeat only forward to them, in Python
        index = np.arange(int(ends[-1]) if ends.size else 0) + (self._start[uids] - (ends - sizes)).repeat(sizes)
        return index, np.arange(uids.size).repeat(sizes), ends

    def _weights(self) -> tuple[np.ndarray, np.ndarray]:
        """Each person's weight in coverage (the decision maker's is ``decision_maker_weight``), and each company's sum.

        Worked out again only when the weight changes (an intervention); the
        sums are added member by member in order, as a sum over a few
        companies' members adds them.
        """
        w_dm = self.model.cfg.decision_maker_weight
        if w_dm != self._weights_for:
            if self._rows is None:
                self.seat()
            self._weight = np.where(self._deciders, w_dm, 1.0)
            owner = np.repeat(np.arange(self._size.size), self._size)
            self._weight_sum = np.bincount(owner, weights=self._weight, minlength=self._size.size)
            self._weights_for = w_dm
        return self._weight, self._weight_sum

    def coverage_of(self, uids: np.ndarray) -> np.ndarray:
        """Coverage of each company in ``uids`` now: the weighted mean of its members' best strengths."""
        index, owner, _ = self._members(uids)
        best = self.model.network.best_strengths_at(self._rows[index], self.model.time)
        weight, total = self._weights()
        return np.bincount(owner, weights=weight.take(index) * best, minlength=uids.size) / total.take(uids)

    def coverage(self, company: ClientCompany) -> float:
        """How well the supplier covers the buying centre (weighted mean of best strengths), now."""
        return float(self.coverage_of(np.asarray([company.uid], dtype=np.int64))[0])

    def _store(self, companies: Sequence[ClientCompany], values: Sequence[float], uids: np.ndarray | None = None) -> None:
        """Store this week's coverage of ``companies`` (``uids``: their uids, if at hand)."""
        for company, value in zip(companies, values, strict=True):
            company.coverage = value
        if companies:
            if uids is None:
                uids = np.fromiter(map(_UID, companies), dtype=np.int64, count=len(companies))
            self.coverage_week[uids] = self.model.time

    def refresh(self) -> None:
        """Apply the booked contacts and store the coverage of every client whose buying centre was met."""
        self.settle()

    def settle(self, asked: Sequence[ClientCompany] = (), reviews: bool = False) -> list[list[float]]:
        """Apply the booked contacts; store the coverage of the clients met; read the buying centres ``asked``.

        One read of the network for all of them: the clients whose buying
        centre was met since their coverage was stored, with ``reviews`` the
        clients reviewing their supplier now (their coverage with the week's
        relationships), and the buying centres asked for a decision, whose
        members' best strengths are returned (one list per company). The
        reviews due are read from the buyers' ``next_review`` column, as
        :meth:`ClientService.review_suppliers` reads them.
        """
        model = self.model
        week = model.time  # a Mesa observable: read once
        model.network.flush()
        stored = list(self.stale.values())
        self.stale.clear()
        if reviews:
            due = (model.clients.next_review == round(week)).nonzero()[0].tolist()  # flatnonzero without its wrappers
            if due:
                companies, serial = model.market.companies, Stage.SERIAL  # the member looked up once, not per client
                stored += [c for c in map(companies.__getitem__, due) if c.stage is serial]
        if not stored and not asked:
            return []
        if self._first is not None and len(stored) + len(asked) <= _FEW:
            return self._settle_few(stored, asked, week)
        companies = [*stored, *asked]
        uids = np.fromiter(map(_UID, companies), dtype=np.int64, count=len(companies))
        index, owner, ends = self._members(uids)
        best = model.network.best_strengths_at(self._rows[index], week)
        n = len(stored)
        cut = ends.item(n - 1) if n else 0  # the stored companies' members come first
        if n:
            weight, total = self._weights()
            num = np.bincount(owner[:cut], weights=weight.take(index[:cut]) * best[:cut], minlength=n)
            self._store(stored, (num / total.take(uids[:n])).tolist(), uids[:n])
        out = []
        flat = best[cut:].tolist()
        at = 0
        for company in asked:
            k = len(company.people)
            out.append(flat[at : at + k])
            at += k
        return out

    def _settle_few(self, stored: list[ClientCompany], asked: Sequence[ClientCompany], week: float) -> list[list[float]]:
        """:meth:`settle` for a few companies (the contacts applied): their members read and summed in Python lists.

        The very doubles of the array path: the best strengths are the same
        numpy operations (:meth:`RelationshipNetwork.best_strengths_at`) on
        the same rows, and each coverage adds its members' products in order
        from 0.0 and divides by the weights added in order from 0.0, as
        ``bincount`` adds them. Needs the buying centres' rows contiguous
        (``_first``): each company's are then a range, with no look-up.
        """
        first = self._first
        rows: list[int] = []
        for company in stored:
            start = first[company.uid]
            rows += range(start, start + len(company.people))
        cut = len(rows)  # the stored companies' members come first
        for company in asked:
            start = first[company.uid]
            rows += range(start, start + len(company.people))
        network = self.model.network
        best = np.exp(network.top.take(rows) - network.decay * week).tolist()
        if stored:
            w_dm = self.model.cfg.decision_maker_weight
            shapes = self._cover.get(w_dm)
            if shapes is None:
                shapes = self._cover[w_dm] = {}
            values = []
            members = iter(best[:cut])
            for company in stored:
                shape = shapes.get(company.deciders)
                if shape is None:  # buying centres share a few shapes: worked out once each
                    weights = [float(w_dm) if dm else 1.0 for dm in company.deciders]
                    total = 0.0
                    for w in weights:
                        total += w
                    shape = shapes[company.deciders] = (weights, total)
                weights, total = shape
                num = 0.0
                for w, b in zip(weights, members, strict=False):  # the weights asked first: this company's members only
                    num += w * b
                # a zero sum (a lone decision maker weighted 0) divides as the array path does: nan, not an error
                values.append(num / total if total else float(np.float64(num) / total))
            self._store(stored, values)
        out = []
        at = cut
        for company in asked:
            k = len(company.people)
            out.append(best[at : at + k])
            at += k
        return out

    def coverage_for_reviews(self, companies: Sequence[ClientCompany], uids: np.ndarray) -> list[float]:
        """The clients' coverage now, as their reviews see it (computed with the week's where it was).

        ``uids``: the companies' uids. Most were stored as the week settled
        (:meth:`settle`); a client met since is stored with the other
        clients met (:meth:`refresh`), and the rest are computed now, each
        from its own buying centre, so the values are those of one client
        at a time.
        """
        stale = self.stale
        if stale and any(c.uid in stale for c in companies):  # met since: stored with the other clients met
            self.refresh()
        if self._rows is None:
            self.seat()
        missing = (self.coverage_week[uids] != self.model.time).nonzero()[0]  # flatnonzero without its wrappers
        if missing.size:
            fresh = [companies[i] for i in missing.tolist()]
            self._store(fresh, self.coverage_of(uids[missing]).tolist(), uids[missing])
        return [c.coverage for c in companies]

    # --- backing ---------------------------------------------------------------------------------------
    def best_strengths(self, companies: Sequence[ClientCompany]) -> list[list[float]]:
        """Each member's best supplier relationship now, for each of ``companies`` (one array read).

        Applies the booked contacts first (and stores the coverage of the clients met meanwhile).
        """
        return self.settle(companies)

    def buying_centre_agrees(self, company: ClientCompany, best: Sequence[float] | None = None) -> bool:
        """Every member must back the purchase (CEB: bigger groups buy less often).

        ``best``: the members' best strengths, if read already (the week's
        decisions read them all at once, :meth:`best_strengths`).
        """
        if best is None:
            best = self.best_strengths([company])[0]
        if len(best) != len(company.members):
            raise ValueError(f"{len(best)} strengths for {len(company.members)} members")
        # each member's ClientPerson.backs, its rule and draw, with the scenario read once for the buying centre
        # (thousands of decisions a run, each member a method call and its look-ups of the model, scenario and
        # random source); a loop, not all() over a generator: each a generator made and resumed
        cfg = self.model.cfg
        low = cfg.support_at_no_relationship
        span = cfg.support_at_full_relationship - low
        draw = self.model.random.random
        for strength in best:  # noqa: SIM110
            if not draw() < low + span * strength:
                return False
        return True

    def carry_over(self, giver: Staff, moves: Sequence[tuple[ClientCompany, Staff]]) -> None:
        """Handovers from ``giver``: each receiver starts with part of the giver's relationships with its client's buying centre.

        ``moves``: (client, receiver) pairs, in the order they were handed
        over. A leaver's clients go to a few colleagues (each usually gets
        several), so the giver's relationships with all the buying centres
        are read at once and each receiver's are set at once, instead of a
        read and a write per client. The strengths are the same as one
        handover after another: each person is in one buying centre, so the
        clients' rows are disjoint, the giver's are only read, and every
        value is computed element by element.
        """
        model = self.model
        network = model.network
        week = model.time
        share = model.cfg.handover_relationship_carryover
        each = [self.rows_of(company) for company, _ in moves]
        if len(each) == 1:
            rows = each[0]
            network.set_strengths(moves[0][1].unique_id, rows, share * network.strengths_at(giver.unique_id, rows, week), week)
            return
        rows = np.concatenate(each)
        values = share * network.strengths_at(giver.unique_id, rows, week)
        ends = np.cumsum([r.size for r in each]).tolist()
        spans: dict[int, list[np.ndarray]] = {}  # receiver id -> positions in ``rows`` of their clients' people
        for (_, receiver), end, r in zip(moves, ends, each, strict=True):
            spans.setdefault(receiver.unique_id, []).append(np.arange(end - r.size, end))
        for sid, parts in spans.items():
            at = parts[0] if len(parts) == 1 else np.concatenate(parts)
            network.set_strengths(sid, rows[at], values[at], week)

    def rows_of(self, company: ClientCompany) -> np.ndarray:
        """The network rows of the company's buying centre, buyer first."""
        if self._rows is None:
            self.seat()
        start = int(self._start[company.uid])
        return self._rows[start : start + int(self._size[company.uid])]
