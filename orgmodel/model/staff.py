"""Supplier staff: salespeople and account managers.

Both are the same kind of person (the essay: the competences are the same)
in different roles. Each week a person first does what cannot wait (joint
handover visits, implementation support, the service work their clients'
orders created), then splits the rest by the time-allocation rule in
:mod:`orgmodel.model.worktime`, which is where the incentive scheme acts.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent

from orgmodel.model import fragmentation, servicing, worktime
from orgmodel.model.activities import (
    CROSS_SELL,
    HANDOVER,
    IDLE,
    IMPLEMENTATION,
    MAX_CROSS_SELL_PROJECTS,
    MAX_DEAL_HOURS_PER_WEEK,
    MAX_PROJECT_HOURS_PER_WEEK,
    N_ACTIVITIES,
    PIPELINE,
    PROSPECTING,
    RELATIONSHIP,
    RELATIONSHIP_HOURS_PER_CLIENT,
    SERVICING,
)
from orgmodel.model.clients import ClientCompany, Stage
from orgmodel.model.pipeline import KNOWLEDGE_FROM_SALE, CrossSell, Deal
from orgmodel.policies.incentives.base import MonthLedger

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel


#: sort keys of the week's loops (C-level getters; ``reverse=True`` keeps ties in list order, as a negated key did)
_STAGE = attrgetter("stage")
_COVERAGE = attrgetter("coverage")
_UID = attrgetter("uid")
#: the stages the week's loops compare with (a module constant: reading a member off the enum class costs twice as much)
_IMPLEMENTATION, _SERIAL = Stage.IMPLEMENTATION, Stage.SERIAL


class Staff(Agent):
    """A client-facing employee with an hour budget, two skills and clients.

    Args:
        model: the model.
        hunting_skill: multiplies prospecting and deal-work productivity.
        service_skill: multiplies servicing productivity.
        keeps_clients: whether clients this person wins stay with them.
        ramp_up_weeks: weeks until a new hire works at full productivity
            (0 for people already in post at the start).

    """

    role = "staff"
    hunts = False

    def __init__(
        self,
        model: SalesOrgModel,
        hunting_skill: float,
        service_skill: float,
        keeps_clients: bool = True,
        ramp_up_weeks: int = 0,
    ) -> None:
        super().__init__(model)
        self.hunting_skill = hunting_skill
        self.service_skill = service_skill
        self.keeps_clients = keeps_clients
        self.hired_week = int(model.time)
        self.ramp_up_weeks = ramp_up_weeks
        #: ramp-up factor for new hires (0.5 on day one, 1 after ``ramp_up_weeks``): a plain attribute, read for
        #: every deal and client every week, kept at the ramp-up rule's value for the clock while below 1
        #: (:meth:`update_productivity`); 1 from the start without a ramp-up
        self.productivity = 1.0
        if ramp_up_weeks > 0:
            self.update_productivity(model.time)
        self.portfolio: list[ClientCompany] = []
        self.deals: list[Deal] = []
        self.projects: list[CrossSell] = []
        self.hours = [0.0] * N_ACTIVITIES
        self.month = MonthLedger(hours=[0.0] * N_ACTIVITIES)
        self.handover_due = 0.0
        self.clients_won = 0  # new clients (first serial orders) this person originated, ever
        self.prospect_progress = 0.0
        self.load = 0.0
        self.team: Hashable | None = None  # segment or pod, in structures that group people
        self.originated: list[ClientCompany] = []  # clients this person won (some since lost or re-won by others)
        #: hours each pipeline stage needs from this person this week (set as the week starts; see worktime)
        self.stage_hours_now: tuple[float, ...] = ()
        self.row = model.clients.register(self)  # owners are stored by row in the clients' columns
        self.free = 0.0  # hours left in the week, after what cannot wait (see begin_week)
        self.hunting = 0.0  # hours reserved for hunting this week (fixed_hunting_share only)
        self.waiting = 0  # clients interrupting this week (fragmented_weeks only)
        #: own clients in implementation, in portfolio order, or None when they may have changed: a client moving
        #: into or out of implementation (Market.set_stage) or changing hands while implementing (the owner's
        #: setter) drops it, and the next week's start rebuilds it (begin_week). Most people's clients stay as
        #: they are for weeks, and rebuilding it reads every own client's stage: at 100,000 companies a trip to
        #: memory for each. Portfolios change only with the owner (ClientCompany.owner), so the setter sees them all
        self.implementing: list[ClientCompany] | None = []
        #: own clients a cross-sell project could start with this week, best first (set by the week's plan)
        self.cross_sell_ranking: list[ClientCompany] = []
        #: the week and the own serial clients, least covered first (set by the week's plan; see build_relationships)
        self.relationship_ranking: tuple[int, list[ClientCompany]] | None = None
        #: the constants of the person's pipeline outlook (:func:`orgmodel.model.worktime.outlook_of`)
        self.hunting_outlook: worktime.HuntingOutlook | None = None

    # --- the week -------------------------------------------------------------------
    def step(self) -> None:
        """One working week of this person alone (the model runs everyone's weeks together, in the same parts)."""
        self.begin_week()
        servicing.serve_portfolios(self.model, [self])
        self.finish_week()

    def begin_week(self, available: float | None = None) -> None:
        """The start of the week: what cannot wait (handover visits, implementation support), and hunting reserved.

        What is left (``free``) goes to the person's own clients' service
        work first, which the model does for everyone at once
        (:func:`orgmodel.model.servicing.serve_portfolios`), then to
        :meth:`finish_week`. ``available``: ``cfg.available_hours``, if the
        caller has it (the model works it out once for everyone's week).
        """
        if self.productivity < 1.0:  # ramping up: the week's factor, before anything reads it (outlook_of, below)
            self.update_productivity(self.model.time)
        self.hours = [0.0] * N_ACTIVITIES
        self.stage_hours_now = worktime.outlook_of(self).stage_hours  # worktime.stage_hours_table, without the call
        self.cross_sell_ranking = []
        self.waiting = 0  # clients interrupting the week (fragmented weeks: set with the week's servicing)
        cfg = self.model.cfg
        free = cfg.available_hours if available is None else available
        if self.handover_due > 0.0:  # (none owed: no hours, nothing logged)
            free -= self.join_handovers(free)
        implementing = self.implementing
        if implementing is None:  # own clients moved into or out of implementation, or changed hands while in it
            implementing = self.implementing = [c for c in self.portfolio if c.stage is _IMPLEMENTATION]
        if implementing:  # most weeks: none
            free -= self.support_implementations(free, implementing)
        # only under a fixed hunting share (else none: reserved_hunting_hours' answer without the call)
        self.hunting = 0.0 if cfg.fixed_hunting_share is None else worktime.reserved_hunting_hours(self, free)
        self.free = free - self.hunting

    def finish_week(self, now: float | None = None) -> None:
        """After servicing, the rest of this person's week (:func:`finish_weeks` for one person).

        ``now``: ``model.time``, if the caller has read it (the clock is a
        Mesa observable).
        """
        finish_weeks([self], self.model.time if now is None else now)

    def plan_week(self, now: float) -> list[float]:
        """The week's plan: colleagues' work first (pods), then the free hours split by the time-allocation rule.

        The first part of :func:`finish_weeks`. ``now``: ``model.time``.
        """
        free = self.free
        structure = self.model.structure
        if structure.shares_service:  # (else none: the default's 0 hours, without the call)
            free -= structure.shared_service(self, free)
        # with no own client implementing, all are serial (a portfolio holds no others): the plan's list is a copy
        # (the plan picks them out itself when the list was dropped since the week started, as it never is now)
        implementing = self.implementing
        serial = None if implementing is None or implementing else self.portfolio.copy()
        plan = worktime.plan_discretionary(self, free, int(now), serial)
        if self.hunting > 0.0:
            plan[PROSPECTING], plan[PIPELINE] = worktime.split_hunting(self, self.hunting)
        if self.waiting:
            fragmentation.lose_selling_hours(self, plan, self.waiting)
        return plan

    # --- helpers ----------------------------------------------------------------------
    def update_productivity(self, now: float) -> None:
        """Set ``productivity`` to the ramp-up rule's factor at the clock ``now`` (``model.time``).

        0.5 on day one, rising linearly to 1 after ``ramp_up_weeks`` of tenure;
        from then on (:attr:`ramped_up`) nothing updates it again. The
        factor changes only with the clock, and everything that reads it does
        so during a week (at the week's clock) or between weeks (the clock
        still at the last week), so it is updated as each week starts
        (:meth:`begin_week`, and a desk agent's week) rather than worked out
        at every read: with turnover (issue #12) most people are hires, and it
        is read for every deal and client every week. (Hiring code that sets a
        hire's ``hired_week`` after construction does so before their first
        week, which starts with this update.)
        """
        tenure = now - self.hired_week
        self.productivity = 1.0 if tenure >= self.ramp_up_weeks else 0.5 + 0.5 * tenure / self.ramp_up_weeks

    @property
    def ramped_up(self) -> bool:
        """At full productivity: from the start without a ramp-up, else from the week tenure reaches ``ramp_up_weeks``.

        Read off ``productivity`` (below 1 exactly while ramping up) rather
        than kept as a flag of its own: a person's attributes stay below the
        30 that CPython 3.12 keeps inline for a class's instances (beyond,
        every attribute read of every person goes through a dict).
        """
        return self.productivity >= 1.0

    def log(self, activity: int, hours: float) -> None:
        """Record hours spent on an activity this week."""
        if hours > 0.0:
            self.hours[activity] += hours

    def _log_spent(self, activity: int, planned: float, spent: float) -> None:
        """Record ``spent`` of the ``planned`` hours on an activity, the rest as idle (no work could absorb it)."""
        hours = self.hours
        if spent > 0.0:
            hours[activity] += spent
        idle = planned - spent
        if idle > 0.0:
            hours[IDLE] += idle

    def service_multiplier(self, company: ClientCompany) -> float:
        """Real hours per standard hour of service for this client.

        Without client knowledge (who knows what is in "kit A") service takes
        up to ``1 + knowledge_penalty`` times as long.
        """
        penalty = self.model.cfg.knowledge_penalty * (1.0 - company.knowledge)
        return (1.0 + penalty) / (self.service_skill * self.productivity)

    # --- what cannot wait -----------------------------------------------------------------
    def join_handovers(self, free: float) -> float:
        """Joint visits for clients changing hands."""
        spent = min(self.handover_due, free)
        self.handover_due -= spent
        self.log(HANDOVER, spent)
        return spent

    def support_implementations(self, free: float, implementing: list[ClientCompany] | None = None) -> float:
        """Weekly support for own clients in implementation (it also teaches their specifics).

        ``implementing``: those clients, in portfolio order, if the caller has
        picked them out (:meth:`begin_week` keeps them for the week's plan).
        """
        if implementing is None:
            implementing = [c for c in self.portfolio if c.stage is _IMPLEMENTATION]
        if not implementing:
            return 0.0
        cfg = self.model.cfg
        need = cfg.implementation_hours
        learn = 1.0 / cfg.knowledge_learning_hours
        spent = 0.0
        for company in implementing:
            h = free - spent  # min(need, free - spent), without the call
            if not h < need:
                h = need
            if h <= 0.0:
                break
            spent += h
            company.support_hours += h
            company.knowledge = 1.0 - (1.0 - company.knowledge) * math.exp(-h * learn)
        if spent > 0.0:  # self.log(IMPLEMENTATION, spent), written out
            self.hours[IMPLEMENTATION] += spent
        return spent

    def serve(self, clients: list[ClientCompany], free: float) -> tuple[float, float]:
        """Work off the backlog of ``clients`` with up to ``free`` hours; returns (real hours owed, hours spent).

        The arithmetic of everyone's own servicing
        (:func:`orgmodel.model.servicing.serve`), for one person and any
        clients (a pod colleague's, say).
        """
        table = self.model.clients
        rows = np.fromiter(map(_UID, clients), dtype=np.int64, count=len(clients))
        rows = rows[table.backlog[rows] > 0.0]
        demand, spent = servicing.serve(self.model, [self], np.array([free]), rows, np.zeros(rows.size, dtype=np.int64))
        self.log(SERVICING, float(spent[0]))
        return float(demand[0]), float(spent[0])

    # --- hunting ------------------------------------------------------------------------------
    def prospect(self, hours: float, week: float | None = None) -> None:
        """Research, calls and first meetings: open new leads.

        ``week``: ``model.time``, if read already (:meth:`finish_week` reads it
        once for all its parts: the clock is a Mesa observable).
        """
        if hours <= 0.0:
            return
        self.hours[PROSPECTING] += hours
        model = self.model
        progress = self.prospect_progress + hours * self.hunting_skill * self.productivity / model.cfg.hours_per_lead
        if week is None:
            week = model.time
        while progress >= 1.0:
            progress -= 1.0
            company = model.market.find_prospect(week)
            if company is None:
                progress = 0.0
                break
            self.deals.append(model.pipeline.open_deal(company, self, week))
        self.prospect_progress = progress

    def work_pipeline(self, hours: float, week: float | None = None) -> list[Deal]:
        """Advance deals, closest to closing first; deals whose work is done await the client (part of :meth:`finish_week`).

        Returns the deals gone stale (:meth:`drop_stale_deals`), found on the
        pass over the deals that looks for those whose work is done: nothing
        later in the person's week works on a deal or changes one, so they are
        the very deals a pass at the end of the week would find. ``week``:
        ``model.time``, if read already (as by :meth:`finish_week`).
        """
        deals = self.deals
        if not deals:
            self.log(IDLE, hours)  # planned hours no deal could absorb
            return []
        model = self.model
        if week is None:
            week = model.time
        needs = self.stage_hours_now
        if hours > 0.0:
            spent = 0.0
            for deal in sorted(deals, key=_STAGE, reverse=True):
                room = hours - spent
                if room <= 0.0:  # the week's pipeline hours are spent
                    break
                need = needs[deal.stage] - deal.hours  # worktime.deal_hours_left, written out (every deal, every week)
                if need <= 0.0:
                    continue
                h = need if need < MAX_DEAL_HOURS_PER_WEEK else MAX_DEAL_HOURS_PER_WEEK
                if room < h:
                    h = room
                deal.hours += h
                deal.last_worked = week
                spent += h
            self._log_spent(PIPELINE, hours, spent)
        pipeline = model.pipeline
        min_weeks = pipeline.stage_min_weeks
        cutoff = week - model.cfg.stale_weeks
        stale = []
        for deal in deals:
            # the stage's work and weeks are in: the client answers after everyone's week
            if deal.hours + 1e-9 >= needs[deal.stage] and week - deal.entered >= min_weeks[deal.stage]:
                pipeline.queue(deal, week)
            # no work for stale_weeks, and it still needs some (worktime.deal_hours_left > 0, written out)
            if deal.last_worked < cutoff and needs[deal.stage] - deal.hours > 0.0:
                stale.append(deal)
        return stale

    def drop_stale_deals(self, stale: list[Deal], week: float | None = None) -> None:
        """The ``stale`` deals (still needing work, none for ``stale_weeks``: see :meth:`work_pipeline`) die.

        Last in :meth:`finish_week`, after the rest of the week's work.
        ``week``: ``model.time``, if read already (as by :meth:`finish_week`).
        """
        model = self.model
        if week is None:
            week = model.time
        for deal in stale:
            model.pipeline.lose_deal(deal, week)

    # --- farming ----------------------------------------------------------------------------------
    def develop_cross_sells(self, hours: float, week: float | None = None) -> None:
        """Work on cross-sell projects, starting new ones with the best candidates.

        Projects whose work is done go to the client's decision whether or not
        the person has cross-sell hours this week. ``week``: ``model.time``,
        if read already (as by :meth:`finish_week`).
        """
        model = self.model
        projects = self.projects
        if hours > 0.0 and len(projects) < MAX_CROSS_SELL_PROJECTS:
            for best in self.cross_sell_ranking:  # this week's candidates, best first (worktime.plan_discretionary)
                projects.append(model.cross_selling.start(best, self))
                if len(projects) >= MAX_CROSS_SELL_PROJECTS:
                    break
        if not projects:
            if hours > 0.0:  # planned hours no project could absorb: self.log(IDLE, hours), written out
                self.hours[IDLE] += hours
            return
        work = model.cfg.cross_sell_hours
        ready, ask = model.cross_selling.ready, model.cross_selling.ask
        if week is None:
            week = model.time
        spent = 0.0
        for project in projects:
            h = work - project.hours
            if h > MAX_PROJECT_HOURS_PER_WEEK:
                h = MAX_PROJECT_HOURS_PER_WEEK
            room = hours - spent
            if room < h:
                h = room
            if h > 1e-12:
                project.hours += h
                spent += h
            if ready(project, week):  # the work and the weeks are in: the buying centre decides after everyone's week
                ask(project, week)
        self._log_spent(CROSS_SELL, hours, spent)

    def build_relationships(self, hours: float, week: float | None = None) -> None:
        """Meet the wider buying centre of the clients whose coverage is weakest (part of :meth:`finish_week`).

        ``week``: ``model.time``, if read already (as by :meth:`finish_week`).
        """
        if hours <= 0.0:
            return
        model = self.model
        if week is None:
            week = model.time
        ranking = self.relationship_ranking
        if ranking is not None and ranking[0] == week:
            clients = ranking[1]  # ranked by this week's plan (worktime.plan_discretionary)
        else:
            clients = [c for c in self.portfolio if c.stage is _SERIAL]
            clients.sort(key=_COVERAGE)
        if not clients:
            self.log(IDLE, hours)
            return
        visits = math.ceil(hours / RELATIONSHIP_HOURS_PER_CLIENT)  # at least one client, at most all (no max/min calls)
        if visits < 1:
            visits = 1
        chosen = clients[:visits] if visits < len(clients) else clients
        per_client = hours / len(chosen)
        skill = self.service_skill
        stale = model.relations.stale  # relations.met(company), written out
        for company in chosen:
            stale[company.uid] = company  # its coverage is refreshed with the week's contacts
        if model.relations.as_groups:  # a large market: each visit one ledger entry, spread over its members at flush
            # (the same doubles as member by member: tests/test_network_columns.py)
            each = [per_client / len(company.people) * skill for company in chosen]
            model.network.book_groups(self.unique_id, [company.uid for company in chosen], each, 1.0, week)
        else:
            people: list[int] = []  # the week's visits, booked in one call: whom, and hours x skill
            met_hours: list[float] = []
            for company in chosen:
                n = len(company.people)
                people.extend(company.people)
                met_hours.extend([per_client / n * skill] * n)
            model.network.book([self.unique_id] * len(people), people, met_hours, week)
        self.hours[RELATIONSHIP] += hours

    # --- pay --------------------------------------------------------------------------------------------
    def close_month(self) -> MonthLedger:
        """Hand over this month's ledger and start a new one."""
        ledger = self.month
        self.month = MonthLedger(hours=[0.0] * N_ACTIVITIES)
        return ledger


def finish_weeks(people: Sequence[Staff], now: float) -> None:
    """After servicing, the rest of everyone's week, by parts: each part done by everyone before the next.

    The parts, each in ``people``'s order (the week's order): the plans
    (:meth:`Staff.plan_week`), prospecting, pipeline work, cross-sell
    projects, then relationship building with the idle hours logged and the
    stale deals dropped. This is the same week as each person doing all the
    parts in turn, because what a part reads is changed by nobody else's
    later parts:

    - a plan reads the person's own deals, projects and clients (changed by
      their own week, or after everyone's week) and, in pods, the colleagues'
      backlogs, which only the plans' shared service changes;
    - prospecting is the only part that draws random numbers or reads who is
      free in the market, and it runs in the week's order, so it draws the
      same numbers and finds the same companies. (A stale deal's company is
      free again only after ``reapproach_weeks``; with 0, it is free for next
      week's prospecting, where before it was free for the prospecting of
      people later in the same week);
    - each contact a person books, with one client's person, comes from that
      person's own parts, in the same order, so the network adds the same
      hours in the same order.

    ``tests/test_week_parts.py`` runs both ways. Done by parts, each part can
    be done for everyone at once, as servicing is
    (:func:`orgmodel.model.servicing.serve_portfolios`).
    """
    weeks = [(person, person.plan_week(now)) for person in people]
    for person, plan in weeks:
        person.prospect(plan[PROSPECTING], now)
    stale = [person.work_pipeline(plan[PIPELINE], now) for person, plan in weeks]
    for person, plan in weeks:
        person.develop_cross_sells(plan[CROSS_SELL], now)
    for (person, plan), dropped in zip(weeks, stale, strict=True):
        person.build_relationships(plan[RELATIONSHIP], now)
        idle = plan[IDLE]
        if idle > 0.0:  # person.log(IDLE, idle), written out
            person.hours[IDLE] += idle
        if dropped:
            person.drop_stale_deals(dropped, now)


class Salesperson(Staff):
    """Hunts new clients; in full-cycle structures also keeps and services them."""

    role = "salesperson"
    hunts = True


class AccountManager(Staff):
    """Services and grows clients handed over to them; does not prospect."""

    role = "account_manager"
    hunts = False


__all__ = ["KNOWLEDGE_FROM_SALE", "AccountManager", "Salesperson", "Staff"]
