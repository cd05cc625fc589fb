"""Staffing: hiring and requisitions, who gets which client, handovers and people leaving.

People are hired at once (at set-up, or "recruited in advance") or through a
requisition that fills after the hiring delay. Clients move between people
by :meth:`Staffing.hand_over`, at a cost: joint visits, and relationships and
client knowledge that only partly carry over. When someone leaves, their
clients go to the least loaded colleague who does their job, their deals end
and their cross-sell projects are dropped.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np

from orgmodel.model.clients import ClientCompany, Stage
from orgmodel.model.desk import DeskAgent, OrderDesk
from orgmodel.model.staff import AccountManager, Staff

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel

_ROW = attrgetter("row")
_UNIQUE_ID = attrgetter("unique_id")


class Staffing:
    """Hiring, requisitions, handovers and departures, with the state they keep.

    Args:
        model: the model; this lives as ``model.staffing``.

    """

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model
        self.awaiting_handover: list[ClientCompany] = []
        self.open_requisitions = 0
        self.open_salesperson_requisitions = 0
        self.withdrawn_salesperson_requisitions = 0  # requisitions a headcount cut withdrew (issue #12)
        self.requisition_teams: list[Hashable | None] = []  # the team each open requisition is for, oldest first
        self.handovers = 0
        self.leaving: set[int] = set()  # people an intervention is letting go: they receive no clients
        self.former_staff: list[int] = []  # people who left: their relationships decay until pruned
        #: during a group's departures, everyone whose clients changed, in order, once per change (None
        #: otherwise): what a ranking reused for the group's next leaver reads again (:meth:`WorkRanking.refresh`)
        self.changed_portfolios: list[Staff] | None = None
        #: during a group's departures, the rankings made so far, by the leavers' role and team (see :meth:`_leaver_ranking`)
        self._group_rankings: dict[tuple[str, Hashable | None], WorkRanking] | None = None
        #: during a group's departures, who may receive a leaver's clients, by role and team (see :meth:`_receivers_for`)
        self._group_receivers: dict[tuple[str, Hashable | None], list[Staff]] | None = None
        #: within :meth:`handing_over_together`: the (giver, client, receiver) handovers whose relationships
        #: carry over together at the end, and the clients among them (None otherwise)
        self._together: list[tuple[Staff, ClientCompany, Staff]] | None = None
        self._together_clients: set[int] = set()

    # --- hiring -------------------------------------------------------------------------------------
    def skills(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Hunting and service skills (one distribution for both, per the essay; hunting wider when talent is scarce)."""
        model = self.model
        cfg = model.cfg
        mean = model.recruiting.skill_mean()  # the labour market's during the run (new_hire_skill_ratio, issue #12)
        mu = np.log(mean) - cfg.skill_sd**2 / 2.0
        sd_h = cfg.hunting_skill_sd if cfg.scarce_hunting_talent else cfg.skill_sd
        hunting = model.rng.lognormal(np.log(mean) - sd_h**2 / 2.0, sd_h, n)
        service = model.rng.lognormal(mu, cfg.skill_sd, n) if cfg.same_skill_distribution else np.full(n, mean)
        return hunting, service

    def hire(self, cls: type[Staff], n: int, keeps_clients: bool, ramp_up_weeks: int) -> list[Staff]:
        """Add ``n`` people of class ``cls`` now (from the labour market's pool during the run, if talent is scarce)."""
        if n <= 0:
            return []
        model = self.model
        if model.hiring_pool is not None and model.time > 0:  # hired during the run, from the labour market
            hunting, service = model.hiring_pool.take(n, by_hunting=cls.hunts)
        else:
            hunting, service = self.skills(n)
        # skills as Python floats: a numpy scalar makes every product with it (hours x skill, productivity,
        # a deal's hours) a numpy scalar operation, several times dearer, with the same IEEE result
        hunting, service = np.asarray(hunting).tolist(), np.asarray(service).tolist()
        people = list(cls.create_agents(model, n, hunting, service, keeps_clients, ramp_up_weeks))
        model.recruiting.on_hire(people)
        model.network.add_people((p.unique_id for p in people), role=cls.role)
        if model.skills is not None and cls is not DeskAgent:
            model.skills.enrol(people)
        if model.recorder is not None:
            model.recorder.hired(people)
        return people

    def open_desk(self) -> OrderDesk:
        """Set up an order desk (no staff yet): from now on orders' work goes to its queue."""
        self.model.desk = OrderDesk(self.model)
        return self.model.desk

    # --- requisitions ------------------------------------------------------------------------------
    def request_account_manager(self, team: Hashable | None = None) -> None:
        """Open a requisition: an account manager (for ``team``, if the structure has teams) starts after the hiring delay."""
        model = self.model
        if not model.response.allows_hire(model.cfg.base_salary):  # a fixed budget path may have no room
            return
        self.open_requisitions += 1
        self.requisition_teams.append(team)
        model.calendar.schedule(self._account_manager_arrives, model.cfg.hiring_delay_weeks)

    def request_salespeople(self, n: int) -> None:
        """Open ``n`` requisitions: each salesperson starts after the hiring delay and ramps up.

        The same delay and ramp-up as account managers (7.11, 7.13); the new
        salesperson keeps clients if the structure in force on arrival says so.
        """
        model = self.model
        for _ in range(n):
            self.open_salesperson_requisitions += 1
            model.schedule_event(self._salesperson_arrives, after=model.cfg.hiring_delay_weeks)

    def _salesperson_arrives(self) -> None:
        if self.withdrawn_salesperson_requisitions > 0:  # this one was withdrawn (counted off when withdrawn)
            self.withdrawn_salesperson_requisitions -= 1
            return
        model = self.model
        self.open_salesperson_requisitions -= 1
        for person in model.hire_salespeople(1, model.structure.salespeople_keep_clients(), model.cfg.ramp_up_weeks):
            person.hired_week = math.ceil(model.time)

    def requisitions_for(self, team: Hashable | None) -> int:
        """Open requisitions for ``team`` (all of them for None)."""
        return self.open_requisitions if team is None else self.requisition_teams.count(team)

    def _account_manager_arrives(self) -> None:
        model = self.model
        self.open_requisitions -= 1
        team = self.requisition_teams.pop(0) if self.requisition_teams else None  # the oldest requisition is filled
        if not model.structure.hands_over:  # the structure changed meanwhile: the requisition was withdrawn
            return
        for person in model.hire_account_managers(1, ramp_up_weeks=model.cfg.ramp_up_weeks):
            person.team = team
        model.structure.monthly()

    # --- who gets a client -------------------------------------------------------------------------
    def least_loaded_account_manager(self, team: Hashable | None = None) -> Staff | None:
        """The account manager (of ``team``, if given) with the lightest service load, if any.

        Ranked by the smoothed load plus a thousandth per client, then the id.
        Asked for every client handed over, so it is one plain pass over the
        account managers keeping the best so far: no list, no tuple per
        manager, no numpy call (each costs more than a few dozen additions;
        the float sums are the same). A tie goes to the lower id whatever the
        order of the scan.
        """
        agents = self.model.agents_by_type.get(AccountManager)
        if not agents:
            return None
        leaving = self.leaving
        best: Staff | None = None
        best_key = math.inf
        for m in agents:
            if (team is not None and m.team != team) or (leaving and m.unique_id in leaving):
                continue
            key = m.load + len(m.portfolio) * 1e-3
            if key < best_key or best is None or (key == best_key and m.unique_id < best.unique_id):
                best, best_key = m, key
        return best

    def least_loaded(self, people: list[Staff]) -> Staff | None:
        """Whoever of ``people`` has the least standard client work (service plus implementation support).

        Unlike the smoothed ``load`` this counts a client the moment it is
        handed over, so a restructuring spreads clients evenly.
        """
        return self.ranking(people).least_loaded()

    def _work_bounds(self, people: list[Staff]) -> list[float]:
        """:meth:`_work_bound_array` as a list of floats."""
        return self._work_bound_array(people).tolist()

    def _work_bound_array(self, people: list[Staff]) -> np.ndarray:
        """A lower bound of each one's standard work (:meth:`_standard_work`), from the clients' columns at once.

        Each client a person owns counts the smaller of its weekly service and
        the implementation support hours, whichever stage it is in (its term
        in the count is one of the two), summed per owner in one ``bincount``
        over the owners' column: no walk of the portfolios. The sum is then
        lowered by far more than the rounding of either sum (a billionth of
        the terms' magnitude), so it stays below the counted work.

        The owned clients are picked by their positions (``flatnonzero``,
        then ``take``), not by a boolean mask of each column: the same
        values in the same order, at a hundred thousand companies a quarter
        of the time. With no negative term (hours never are) the sum of
        magnitudes is the sum itself, the very same additions: one
        ``bincount`` fewer.
        """
        table = self.model.clients
        owner = table.owner_row
        owned = np.flatnonzero(owner >= 0)
        rows = owner.take(owned)
        least = np.minimum(table.weekly_service.take(owned), self.model.cfg.implementation_hours)
        size = len(table.staff)
        sums = np.bincount(rows, weights=least, minlength=size)
        magnitude = sums if not least.size or least.min() >= 0.0 else np.bincount(rows, weights=np.abs(least), minlength=size)
        slack = magnitude * 1e-9
        at = np.fromiter(map(_ROW, people), dtype=np.int64, count=len(people))
        return sums[at] - slack[at]

    def _standard_work(self, p: Staff) -> tuple[float, int]:
        """What :meth:`least_loaded` ranks by: standard client work, then the id (so ties go one way)."""
        return self._standard_works([p])[0]

    def _standard_works(self, people: list[Staff]) -> list[tuple[float, int]]:
        """:meth:`_standard_work` of each of ``people`` (a ranking's first count covers every candidate).

        Each client's row is read straight from the column (the float
        ``c.weekly_service`` reads, without a descriptor call per client:
        a group of leavers counts all their colleagues' clients), into a
        list, not a generator: ``sum`` adds the very same terms in the same
        order, without resuming a frame per client. Stages are compared by
        identity (they are always :class:`Stage` members).
        """
        support_hours = self.model.cfg.implementation_hours
        serial = Stage.SERIAL
        weekly = self.model.clients.weekly_service.item
        return [(sum([weekly(c.uid) if c.stage is serial else support_hours for c in p.portfolio]), p.unique_id) for p in people]

    def hand_over(self, company: ClientCompany, receiver: Staff) -> None:
        """Move a client to another person: relationships and knowledge only partly carry over."""
        model = self.model
        giver = company.owner
        cfg = model.cfg
        if giver is receiver:
            return
        changed = self.changed_portfolios
        if changed is not None:
            changed += (giver, receiver) if giver is not None else (receiver,)
        if giver is not None:
            giver.portfolio.remove(company)
            together = self._together
            if together is None:
                model.relations.carry_over(giver, [(company, receiver)])
            else:  # carried over with the others (handing_over_together)
                if company.uid in self._together_clients:  # moved twice: the first carries over first
                    self._carry_together()
                self._together.append((giver, company, receiver))
                self._together_clients.add(company.uid)
            giver.handover_due += cfg.handover_hours
            if company.project is not None and company.project in giver.projects:
                giver.projects.remove(company.project)
                company.project = None
                if model.recorder is not None:
                    model.recorder.cross_sell_closed(company, won=False)
        receiver.portfolio.append(company)
        receiver.handover_due += cfg.handover_hours
        company.owner = receiver
        company.knowledge *= cfg.handover_knowledge_carryover
        model.relations.met(company)  # its coverage is refreshed with the week's contacts
        self.handovers += 1

    @contextmanager
    def handing_over_together(self) -> Iterator[None]:
        """Handovers inside carry their relationships over together, when the block ends (a leaver's, a restructuring's).

        A client handed over on its own reads the giver's relationships with
        its buying centre and sets the receiver's (a few numpy calls, tens of
        microseconds); a restructuring hands over thousands. Carried over
        together (:meth:`RelationshipNetwork.carry_strengths`), the strengths
        are those of one handover after another, provided nothing inside the
        block reads relationships: each person is in one buying centre, so
        different clients' rows are disjoint (a client moved twice carries
        its first move over first). Nested blocks carry over with the
        outermost; nothing is carried over if the block raises.
        """
        if self._together is not None:
            yield
            return
        self._together = []
        try:
            yield
            self._carry_together()
        finally:
            self._together = None
            self._together_clients = set()

    def _carry_together(self) -> None:
        """Carry over the relationships of the handovers gathered so far (see :meth:`handing_over_together`)."""
        moves = self._together
        if not moves:
            return
        model = self.model
        each = [model.relations.rows_of(company) for _, company, _ in moves]
        sizes = [r.size for r in each]
        givers = np.repeat(np.fromiter((g.unique_id for g, _, _ in moves), np.int64, len(moves)), sizes)
        receivers = np.repeat(np.fromiter((r.unique_id for _, _, r in moves), np.int64, len(moves)), sizes)
        rows = np.concatenate(each)
        model.network.carry_strengths(givers, receivers, rows, model.cfg.handover_relationship_carryover, model.time)
        self._together = []
        self._together_clients = set()

    def ranking(self, people: list[Staff]) -> WorkRanking:
        """``people`` (but those being let go) ranked as :meth:`least_loaded` ranks them, for many clients in a row."""
        return WorkRanking(self, [p for p in people if p.unique_id not in self.leaving])

    def portfolio_changed(self, person: Staff | None) -> None:
        """``person``'s clients changed other than by a handover (a client followed a leaver): noted during a group."""
        if self.changed_portfolios is not None and person is not None:
            self.changed_portfolios.append(person)

    def _receivers_for(self, person: Staff) -> list[Staff]:
        """Who may receive a leaver's clients (see :meth:`let_go`), the same for a group's leavers of one role and team.

        In a group (:meth:`let_go_group`) everyone leaving is left out, so the
        colleagues depend only on the leaver's role and team: found once
        for each, not by scanning the whole force again for every leaver.
        """
        found = self._group_receivers
        key = (person.role, person.team)
        if found is not None and key in found:
            return found[key]
        leaving = self.leaving
        staff = self.model.staff
        # those who keep clients picked in the one pass over the force (the others only if none does)
        keepers = [p for p in staff if p.keeps_clients and p is not person and p.unique_id not in leaving]
        if not keepers:
            others = [p for p in staff if p is not person and p.unique_id not in leaving]
            keepers = [p for p in others if p.role == person.role] or others
        team = person.team
        keepers = (
            [p for p in keepers if p.role == person.role and p.team == team]
            or [p for p in keepers if team is not None and p.team == team]
            or [p for p in keepers if p.role == person.role]
            or keepers
        )
        if found is not None:
            found[key] = keepers
        return keepers

    def _leaver_ranking(self, person: Staff) -> WorkRanking:
        """The ranking of who may receive ``person``'s clients: in a group, the one an earlier leaver's had, brought up to date.

        The leavers of a group usually hand to the same colleagues (in a
        full-cycle force, every salesperson who stays): in a group the
        colleagues depend only on the leaver's role and team
        (:meth:`_receivers_for`), so the ranking made for the first leaver of
        a role and team is kept, with the work of those whose clients changed
        since counted again (:meth:`WorkRanking.refresh`), rather than a new
        heap of every colleague for each leaver (or a look at every colleague
        to find which ranking is theirs).
        """
        rankings = self._group_rankings
        if rankings is None:
            return WorkRanking(self, self._receivers_for(person))  # they leave out those being let go already
        key = (person.role, person.team)
        ranking = rankings.get(key)
        if ranking is None:
            ranking = rankings[key] = WorkRanking(self, self._receivers_for(person))
        else:
            ranking.refresh()
        return ranking

    # --- people leaving ----------------------------------------------------------------------------
    def who_leaves(self, people: list[Staff], n: int) -> list[Staff]:
        """The ``n`` people a cut lets go: the weakest at their role's job, the most recently hired on a tie."""

        def skill(p: Staff) -> float:
            return p.hunting_skill if p.hunts else p.service_skill

        return sorted(people, key=lambda p: (skill(p), -p.unique_id))[:n]

    def let_go_group(self, people: list[Staff], reasons: list[str] | None = None) -> None:
        """Let several people go at once: none of them receives another leaver's clients.

        ``reasons``: why each leaves (see :meth:`let_go`); all ``let_go`` if not given.
        """
        self.leaving = {p.unique_id for p in people}
        self.changed_portfolios = []  # whose clients change, for the rankings reused from leaver to leaver
        self._group_rankings = {}
        self._group_receivers = {}
        for i, person in enumerate(people):
            self.let_go(person, reasons[i] if reasons is not None else "let_go")
        self.changed_portfolios = None
        self._group_rankings = None
        self._group_receivers = None
        self.leaving = set()

    def let_go(self, person: Staff, reason: str = "let_go") -> None:
        """A person leaves: clients to colleagues (at handover cost), deals lost, projects dropped.

        Each client goes to the least loaded remaining colleague who keeps
        clients and does the leaver's job: in the same role and team (pod or
        segment) if there is one, else in the same team, else in the same
        role, else anyone who keeps clients. So a pod's clients stay in the
        pod and a key account stays with key-account managers. If nobody
        keeps clients, a colleague in the same role takes them, and they
        wait for an account manager like any client awaiting handover. Open
        deals end with the leaver (the relationships were theirs), but the
        prospects did not say no, so anyone may approach them again at once.
        The leaver's relationships stay in the network and decay; they are
        pruned at year ends like everyone's. Clients the leaver won are
        credited to their owner from now on (``originator`` is cleared).
        The departure is recorded with its ``reason`` (``let_go``, or why they
        quit, :mod:`orgmodel.model.turnover`), and the clients who relied on
        the leaver may follow them first (:mod:`orgmodel.model.loyalty`).
        The leaver's relationships carry over to the receivers once every
        client is handed over, in one batch (nothing in between reads them).
        """
        model = self.model
        model.turnover.on_leave(person, reason)  # clients who follow the leaver leave their owners' portfolios here
        for deal in list(person.deals):  # the prospect did not say no: colleagues may approach it at once
            model.pipeline.lose_deal(deal)
            deal.company.available_from = int(model.time)
        if model.recorder is not None:
            model.recorder.left(person)
        for project in person.projects:
            project.company.project = None
        person.projects.clear()
        awaiting = self.awaiting_handover
        ranking = self._leaver_ranking(person) if person.portfolio else None
        with self.handing_over_together():  # nothing below reads relationships until they are carried over
            for company in list(person.portfolio):
                receiver = ranking.least_loaded() if ranking is not None else None
                if receiver is None:  # nobody left at all; the schema keeps at least one salesperson
                    raise RuntimeError("the last client-facing person cannot leave")
                model.hand_over(company, receiver)
                ranking.moved(person, receiver)
                if receiver.keeps_clients and company in awaiting:
                    awaiting.remove(company)
                elif (
                    not receiver.keeps_clients
                    and company.stage is Stage.SERIAL
                    and model.structure.hands_over
                    and company not in awaiting
                ):
                    awaiting.append(company)
        for company in person.originated:
            if company.originator is person:
                company.originator = None
        self.former_staff.append(person.unique_id)
        person.remove()


class WorkRanking:
    """People ranked by standard client work (as :meth:`Staffing.least_loaded` ranks), kept up to date as clients move.

    Handing a batch of clients one by one to whoever is least loaded (a
    leaver's clients, a restructuring's) asked :meth:`Staffing.least_loaded`
    for each client, which sums every candidate's portfolio: clients times
    candidates times portfolio size, the superlinear part of a large
    departure or restructuring. A handover changes only the giver's and the
    receiver's work, so a heap with their entries renewed gives the very
    same person for each client in O(log candidates). Keys are unique (the
    id breaks ties), so the top is the person ``min`` would pick.

    Counting every candidate's clients for a leaver who hands over a few
    dozen was most of a large force's departures (a thousand colleagues,
    thirty clients each, in nearly every week). So each candidate starts
    with a lower bound of their work from the clients' columns
    (:meth:`Staffing._work_bound_array`, one array pass, no portfolio walk),
    and is counted only when that bound is the least key: a counted key at
    the top is then below every other candidate's bound, hence below their
    work, and the person is the one ``min`` over counted work would pick.
    Most candidates are never counted, so their bounds are not a heap but
    one array sort (by bound, then id) walked in order, and only counted
    keys go into the heap: no tuple and no heap entry per candidate.

    A key stays valid while the candidate's clients change only by
    :meth:`moved` handovers. A group of leavers (:meth:`Staffing.let_go_group`)
    reuses its rankings from leaver to leaver; the portfolios that changed in
    between (other rankings' handovers, clients following a leaver) are in
    the group's log (:meth:`Staffing.portfolio_changed`), and :meth:`refresh`
    counts those candidates again: the work of reading it grows with the
    clients moved, not with the candidates.

    Args:
        staffing: whose :meth:`Staffing._standard_work` ranks.
        people: the candidates.

    """

    def __init__(self, staffing: Staffing, people: list[Staff]) -> None:
        self._staffing = staffing
        self._work = staffing._standard_work
        unique = list(dict.fromkeys(people))  # listed twice: one entry (two equal keys would compare the people)
        ids = list(map(_UNIQUE_ID, unique))
        bounds = staffing._work_bound_array(unique)
        self._people = unique
        self._ids = ids
        self._bounds = bounds.tolist()
        #: the candidates, by position, in the order of their bounds' keys (bound, id): what a heap of every
        #: bound would pop one after another; :attr:`_next` is the first not looked at yet
        self._order: list[int] = np.lexsort((np.array(ids, dtype=np.int64), bounds)).tolist()
        self._next = 0
        self._candidates = set(ids)
        #: the counted candidates' keys, (work, id), and a heap of them (an entry replaced by a later count is stale)
        self._keys: dict[int, tuple[float, int]] = {}
        self._counted: set[int] = set()
        self._heap: list[tuple[tuple[float, int], Staff]] = []
        log = staffing.changed_portfolios
        #: how far the group's log of changed portfolios has been read; where in it the bounds and each count were taken
        self._seen = self._born = len(log) if log is not None else 0
        self._taken: dict[int, int] = {}

    def refresh(self) -> None:
        """Count again the candidates whose clients changed since this ranking last looked (for a group's next leaver).

        Between two leavers of a group a colleague's clients change only by
        handovers and by clients following a leaver, both in the group's log
        (:meth:`Staffing.portfolio_changed`); a candidate whose key was taken
        after a change (a handover this ranking made) keeps it.
        """
        log = self._staffing.changed_portfolios
        if log is None or self._seen == len(log):
            return
        candidates, taken, born, now = self._candidates, self._taken, self._born, len(log)
        for at in range(self._seen, now):
            p = log[at]
            if p.unique_id in candidates and taken.get(p.unique_id, born) <= at:
                self._count(p)
        self._seen = now

    def _count(self, p: Staff) -> None:
        """Count ``p``'s work now and push it (the entry it replaces is skipped when it reaches the top)."""
        uid = p.unique_id
        key = self._keys[uid] = self._work(p)
        self._counted.add(uid)
        log = self._staffing.changed_portfolios
        self._taken[uid] = len(log) if log is not None else 0
        heapq.heappush(self._heap, (key, p))

    def least_loaded(self) -> Staff | None:
        """The candidate with the least standard client work now (the lowest id on a tie), if any.

        The least of the counted keys (the heap's valid top) and the bounds
        of those not counted (the first in :attr:`_order` not counted since):
        a bound below every counted key is counted and the look repeated.
        """
        heap, keys, counted = self._heap, self._keys, self._counted
        order, ids, bounds = self._order, self._ids, self._bounds
        at, end = self._next, len(order)
        while True:
            while heap and keys[heap[0][1].unique_id] is not heap[0][0]:  # from before the person's last count
                heapq.heappop(heap)
            while at < end and ids[order[at]] in counted:  # their bound was passed by a count
                at += 1
            if at < end:
                i = order[at]
                if not heap or (bounds[i], ids[i]) < heap[0][0]:  # a lower bound is the least: count the work
                    at += 1
                    self._count(self._people[i])
                    continue
            self._next = at
            return heap[0][1] if heap else None

    def moved(self, giver: Staff | None, receiver: Staff) -> None:
        """A client went from ``giver`` to ``receiver``: rank whichever of them is a candidate by their new work."""
        for p in (giver, receiver):
            if p is not None and p.unique_id in self._candidates:
                self._count(p)
