"""The Mesa model of a B2B sales organisation: the orchestrator of the week.

One step is one working week. Staff act every week (``shuffle_do``); the
client side acts on scheduled events (orders, reviews, the end of an
implementation); the week closes with a low-priority recurring event that
tallies hours, pays people at month ends and collects data. Scheduled
interventions (the scenario's ``interventions``) run half a week before the
week they name, so that week's work already happens under the change.

Each domain part lives in its own module with its state, and the model wires
them together:

==========================  ==========================================================
``model.market``            :mod:`~orgmodel.model.market`: companies, buying centres, stage counts
``model.relations``         :mod:`~orgmodel.model.relationships`: contact, coverage, backing
``model.pipeline``          :mod:`~orgmodel.model.pipeline`: deals from lead to won or lost
``model.cross_selling``     :mod:`~orgmodel.model.pipeline`: further product lines
``model.service``           :mod:`~orgmodel.model.service`: service need, orders, lost clients
``model.staffing``          :mod:`~orgmodel.model.staffing`: hiring, requisitions, handovers, leavers
``model.payroll``           :mod:`~orgmodel.model.payroll`: hours, pay, the staff table
``model.interventions``     :mod:`~orgmodel.model.interventions`: changes during the run
==========================  ==========================================================

The names policies, front ends and tests use (``model.hand_over``,
``model.request_salespeople``, ``model.deals``, ...) stay on the model as
thin delegations to those parts.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
from mesa import Model
from mesa.experimental.scenarios import Scenario as MesaScenario
from mesa.time import Priority, Schedule

from orgmodel.model import servicing
from orgmodel.model.calendar import Calendar
from orgmodel.model.client_columns import ClientColumns
from orgmodel.model.clients import ClientCompany, Stage
from orgmodel.model.desk import DeskAgent, OrderDesk
from orgmodel.model.gcpause import collector_paused, free_dropped_models
from orgmodel.model.hiring_pool import HiringPool
from orgmodel.model.interventions import Interventions, ScheduledIntervention
from orgmodel.model.invariants import check_invariants
from orgmodel.model.large_clients import LargeClientCare, LargeDeals
from orgmodel.model.loyalty import ClientLoyalty
from orgmodel.model.management import SalesManagement
from orgmodel.model.market import Market
from orgmodel.model.network import RelationshipNetwork
from orgmodel.model.payroll import STAFF_ROW, Payroll, month_of
from orgmodel.model.pipeline import CrossSell, CrossSelling, Deal, Pipeline
from orgmodel.model.records import EventRecorder
from orgmodel.model.recruiting import Recruiting
from orgmodel.model.relationships import BuyingCentreRelations
from orgmodel.model.service import SERVICE_KEYS, ClientService
from orgmodel.model.skills import SkillPractice
from orgmodel.model.staff import AccountManager, Salesperson, Staff, finish_weeks
from orgmodel.model.staffing import Staffing
from orgmodel.model.transition import TransitionPolicies
from orgmodel.model.turnover import Turnover
from orgmodel.model.weekly_record import WeeklyRecord
from orgmodel.model.worktime import Expectations, support
from orgmodel.policies import incentives, responses, structures
from orgmodel.scenario.schema import WEEKS_PER_YEAR, Intervention, Scenario

WEEKLY_COLUMNS = (
    "week",
    "year",
    "revenue",
    "cross_sell_revenue",
    "new_clients",
    "lost_clients",
    "active_clients",
    "implementing",
    "open_deals",
    "leads",
    "qualified",
    "proposals",
    "deals_won",
    "deals_lost",
    "cross_sells_won",
    "complaints",
    "hunting_share",
    "service_share",
    "salespeople",
    "account_managers",
    "desk_agents",
    "service_backlog_hours",
    "cost_of_sales",
    "base_pay",
    "variable_pay",
    # costs of growth and change (issue #12): in cost_of_sales are manager_pay, recruiting_cost and, within
    # variable_pay, transition_pay (pay guarantees and handover bonuses)
    "people_left",
    "clients_lost_with_leaver",
    "hires",
    "recruiting_cost",
    "managers",
    "manager_pay",
    "transition_pay",
)
# weekly columns whose model attribute has another name (the plain name is a property)
_ATTRIBUTE = {
    "salespeople": "salespeople_n",
    "account_managers": "account_managers_n",
    "desk_agents": "desk_agents_n",
    "complaints": "complaints_week",
}
STAFF_COLUMNS = STAFF_ROW  # the monthly staff table (s6exact: defined where the payroll writes its rows)

__all__ = [
    "SERVICE_KEYS",
    "STAFF_COLUMNS",
    "WEEKLY_COLUMNS",
    "SalesOrgModel",
    "ScheduledIntervention",
    "month_of",
]


class SalesOrgModel(Model):
    """A supplier's sales organisation and its market, week by week.

    Args:
        rng: seed or generator for all randomness (Mesa 3.5 convention).
        scenario: a :class:`Scenario`; keyword arguments override its keys,
            so Mesa's ``batch_run`` and ``SolaraViz`` can pass flat parameters.
            A Mesa scenario (what SolaraViz's Reset passes) counts as its keys.
        record_events: keep an :class:`EventRecorder` of what a CRM would log
            (``self.recorder``; off by default, for calibration's synthetic exports).
        **params: scenario keys.

    """

    def __new__(cls, *args: Any, **kwargs: Any) -> SalesOrgModel:
        """Free a model dropped since the last one was built (see :mod:`orgmodel.model.gcpause`).

        Here rather than in ``__init__``: collecting after this model exists
        would age it, and with it every model after it, out of reach.
        """
        free_dropped_models()
        return super().__new__(cls)

    @collector_paused()  # building the market allocates hundreds of thousands of objects, none in cycles
    def __init__(
        self,
        rng: Any = None,
        scenario: Scenario | MesaScenario | None = None,
        record_events: bool = False,
        **params: Any,
    ) -> None:
        if isinstance(scenario, MesaScenario):
            params = {**{k: v for k, v in scenario if k != "rng"}, **params}
            scenario = None
        super().__init__(rng=rng)
        # --- event record (calibration, issue #11): None unless asked for; every hook is one `is not None` check
        self.recorder: EventRecorder | None = EventRecorder(self) if record_events else None
        base = scenario.model_dump() if scenario is not None else {}
        self.cfg = Scenario.model_validate({**base, **params})
        cfg = self.cfg
        self.scheme = incentives.get(cfg.incentive)(cfg)
        self.desk: OrderDesk | None = None  # the order desk, in structures that have one
        self.structure = structures.get(cfg.structure)(self)
        self.calendar = Calendar(self)  # ends of implementations, new hires: one Mesa event per week
        self.network = RelationshipNetwork(cfg.relationship_half_life_weeks, cfg.relationship_gain_per_hour)
        self.skills: SkillPractice | None = None  # specialisation mechanisms (issue #18): None while off
        self.hiring_pool: HiringPool | None = None
        self.large_deals: LargeDeals | None = None
        self.large_client_care: LargeClientCare | None = None
        self.switch_mechanisms()
        # --- the domain parts, each with its state
        self.relations = BuyingCentreRelations(self)
        self.pipeline = Pipeline(self)
        self.cross_selling = CrossSelling(self)
        self.service = ClientService(self)
        self.staffing = Staffing(self)
        self.payroll = Payroll(self)
        self.interventions = Interventions(self)
        self._reset_week()
        self.revenue_total = 0.0
        self.orders_total = 0.0
        self.base_pay_total = 0.0
        self.variable_pay_total = 0.0
        self.recruiting_cost_total = 0.0
        self.manager_pay_total = 0.0

        self.market = market = Market(self)
        # the clients' service state, in columns (the buying centres' people as the market laid them out)
        self.clients = ClientColumns(market.companies, self.rng, (market.member_ids, market.member_start, market.member_counts))
        self.relations.seat()  # the buying centres' rows of the network, in market order
        # --- costs of growth and change (issue #12): hires, quits, clients following leavers, managers
        self.recruiting = Recruiting(self)
        self.turnover = Turnover(self)
        self.loyalty = ClientLoyalty(self)
        self.transition = TransitionPolicies(self)
        self.management = SalesManagement(self)
        self.structure.staff_up()
        self.expectations = Expectations(self)
        self.initial_cfg = cfg
        for iv in cfg.interventions:
            self.schedule_intervention(iv)
        self.response = responses.get(cfg.management_response)(self)
        self.response.start()

        # s6exact: Mesa's DataCollector, filled without deep copies of plain numbers (see weekly_record)
        self.datacollector = WeeklyRecord({c: _ATTRIBUTE.get(c, c) for c in WEEKLY_COLUMNS}, {"staff": STAFF_COLUMNS})
        self.schedule_recurring(self.close_week, Schedule(interval=1.0, start=1.0), priority=Priority.LOW)

    def switch_mechanisms(self) -> None:
        """Turn the specialisation mechanisms (issue #18) on or off as ``cfg`` says (at set-up and after interventions).

        A mechanism that is off is None and draws no random numbers. Skills
        turned on during the run start from everyone's current skills.
        """
        cfg = self.cfg
        if cfg.skills_move and self.skills is None:
            self.skills = SkillPractice(self)
            self.skills.enrol(self.staff)
        elif not cfg.skills_move:
            self.skills = None
        if cfg.scarce_hunting_talent and self.hiring_pool is None:
            self.hiring_pool = HiringPool(self)
        elif not cfg.scarce_hunting_talent:
            self.hiring_pool = None
        self.large_deals = LargeDeals(self) if cfg.large_deals_need_hunters else None
        self.large_client_care = LargeClientCare(self) if cfg.large_client_care else None

    # --- the week --------------------------------------------------------------------------------------
    def run_until(self, end_time: float) -> None:
        """Mesa's ``run_until``, with the cycle collector paused (see :mod:`orgmodel.model.gcpause`)."""
        with collector_paused():
            super().run_until(end_time)

    def run_for(self, duration: float) -> None:
        """Mesa's ``run_for``, with the cycle collector paused (see :mod:`orgmodel.model.gcpause`)."""
        with collector_paused():
            super().run_for(duration)

    def step(self) -> None:
        """Staff work their week; the clients answer what the week's work put to them; orders and events follow.

        Everyone's week has the same parts, done by everyone before the next
        (salespeople first, each group in a new random order every week):
        what cannot wait, then servicing their own clients (one array
        operation for all: :func:`orgmodel.model.servicing.serve_portfolios`),
        then the rest of the week. People's weeks book their contacts and
        queue the stages and projects whose work is done; then the week's
        contacts are applied at once and the buying centres decide
        (:meth:`settle_week`). The week's serial orders and supplier reviews
        come after the week's events, as the week closes (:meth:`close_week`).
        """
        groups = self.week_order()
        available = self.cfg.available_hours  # issue 13: worked out once for everyone's week (a property)
        everyone = [person for group in groups for person in group]  # the week's order, for each of its parts
        for person in everyone:
            person.begin_week(available)
        servicing.serve_portfolios(self, everyone)
        now = self.time  # issue 13: one read of the clock (a Mesa observable) for everyone's week
        finish_weeks(everyone, now)
        if DeskAgent in self.agents_by_type:
            self.agents_by_type[DeskAgent].shuffle_do("step")
        self.settle_week()

    def week_order(self) -> list[list[Staff]]:
        """The week's salespeople and account managers, each group in a new random order.

        The order and the draws are those of ``agents_by_type[cls].shuffle()``
        (a shuffle of the group's list with ``model.random``), without building
        a new weakly referenced ``AgentSet`` per group every week.
        ``random.shuffle`` is written out: position ``i`` (from the last down)
        swaps with ``j`` drawn below ``i + 1`` by the very ``getrandbits``
        calls of CPython's ``Random._randbelow_with_getrandbits`` (the same
        draws), without two Python-level calls per position.
        """
        getrandbits = self.random.getrandbits
        groups = []
        for cls in (Salesperson, AccountManager):
            if cls in self.agents_by_type:
                group = list(self.agents_by_type[cls])
                for i in range(len(group) - 1, 0, -1):
                    n = i + 1
                    bits = n.bit_length()
                    j = getrandbits(bits)
                    while j >= n:
                        j = getrandbits(bits)
                    group[i], group[j] = group[j], group[i]
                groups.append(group)
        return groups

    def settle_week(self) -> None:
        """The week's contacts applied, then the clients' answers to the deals and cross-sell projects put to them.

        One read of the network serves all of it: the coverage of the clients
        met this week and of those reviewing their supplier this week, and
        the buying centres asked for a decision.
        """
        deals = self.pipeline.asking()
        strengths = self.relations.settle([*deals, *self.cross_selling.asking()], reviews=True)
        self.pipeline.decide(strengths[: len(deals)])
        self.cross_selling.decide(strengths[len(deals) :])

    def _reset_week(self) -> None:
        self.revenue = 0.0
        self.cross_sell_revenue = 0.0
        self.new_clients = 0
        self.lost_clients = 0
        self.deals_won = 0
        self.deals_lost = 0
        self.cross_sells_won = 0
        self.complaints_week = 0

    def close_week(self) -> None:
        """The week's orders and reviews, quits, then hours and pay, then the week's record; relationships pruned at year ends.

        Every buyer whose serial order falls due this week orders (those who
        finished implementation this week too: their first order), then every
        client whose quarterly review falls due stays or leaves, each in one
        array operation (:mod:`orgmodel.model.service`).
        """
        self.service.place_due_orders()
        self.service.review_suppliers()
        week = int(self.time)
        self.week = week
        self.year = (week - 1) // WEEKS_PER_YEAR + 1
        self.turnover.close_week()  # quits first: leavers are not paid or counted this week
        people = self.staff
        desk = self.desk_agents
        self.payroll.close_week(week, people, desk)
        self.revenue_total += self.revenue
        counts = self.market.stage_counts
        self.active_clients = int(counts[Stage.SERIAL])
        self.implementing = int(counts[Stage.IMPLEMENTATION])
        self.leads = int(counts[Stage.LEAD])
        self.qualified = int(counts[Stage.QUALIFIED])
        self.proposals = int(counts[Stage.PROPOSAL])
        self.open_deals = len(self.deals)
        owned = self.clients.owner_row >= 0
        backlog = self.clients.backlog[owned].sum()  # np.sum's very reduction, without its Python wrapper
        if self.desk is not None:  # without a desk nobody has desk work (the desk hands it back as it closes)
            backlog += self.clients.desk_backlog[owned].sum()
        self.service_backlog_hours = float(backlog)
        # contacts the week's events booked (a new client's implementation) and the week's handovers, with coverage
        self.relations.refresh()
        self.datacollector.collect(self)
        self.payroll.reset_growth_costs()
        if self.recorder is not None:
            self.recorder.week_closed(week, people + desk)
        if week % WEEKS_PER_YEAR == 0:
            former = self.staffing.former_staff
            self.network.prune(week, [p.unique_id for p in people] + [p.unique_id for p in desk] + former)
        self._reset_week()
        if week >= self.cfg.weeks:
            self.running = False

    # --- people and roles ------------------------------------------------------------------------
    @property
    def staff(self) -> list[Staff]:
        """Everyone client-facing, salespeople first."""
        return [*self.salespeople, *self.account_managers]

    @property
    def salespeople(self) -> list[Staff]:
        """Current salespeople."""
        return list(self.agents_by_type.get(Salesperson, []))

    @property
    def account_managers(self) -> list[Staff]:
        """Current account managers."""
        return list(self.agents_by_type.get(AccountManager, []))

    @property
    def desk_agents(self) -> list[Staff]:
        """Current service-desk agents (not client-facing: they own no clients and are not in ``staff``)."""
        return list(self.agents_by_type.get(DeskAgent, []))

    # --- the names policies, front ends and tests use (thin delegations to the parts above) ------------------
    @property
    def companies(self) -> list[ClientCompany]:
        """Every company in the market (``market.companies``)."""
        return self.market.companies

    @property
    def all_lines(self) -> list[list[float]]:
        """Every company's further product lines (``market.all_lines``)."""
        return self.market.all_lines

    @property
    def stage_counts(self) -> list[int]:
        """Companies per stage (``market.stage_counts``)."""
        return self.market.stage_counts

    @property
    def mean_base_value(self) -> float:
        """The market's mean first-sale value (``market.mean_base_value``)."""
        return self.market.mean_base_value

    @property
    def deals(self) -> dict[int, Deal]:
        """Open deals by id (``pipeline.deals``)."""
        return self.pipeline.deals

    @property
    def awaiting_handover(self) -> list[ClientCompany]:
        """Clients waiting for an account manager (``staffing.awaiting_handover``)."""
        return self.staffing.awaiting_handover

    @property
    def handovers(self) -> int:
        """Handovers so far (``staffing.handovers``)."""
        return self.staffing.handovers

    @property
    def former_staff(self) -> list[int]:
        """Ids of people who left (``staffing.former_staff``)."""
        return self.staffing.former_staff

    @property
    def open_requisitions(self) -> int:
        """Open account-manager requisitions (``staffing.open_requisitions``)."""
        return self.staffing.open_requisitions

    @property
    def open_salesperson_requisitions(self) -> int:
        """Open salesperson requisitions (``staffing.open_salesperson_requisitions``)."""
        return self.staffing.open_salesperson_requisitions

    @property
    def interventions_applied(self) -> list[dict[str, Any]]:
        """The record of interventions applied (``interventions.applied``)."""
        return self.interventions.applied

    @property
    def scheduled_interventions(self) -> list[ScheduledIntervention]:
        """Interventions scheduled so far (``interventions.scheduled``)."""
        return self.interventions.scheduled

    def _skills(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        return self.staffing.skills(n)

    def hire_salespeople(self, n: int, keeps_clients: bool, ramp_up_weeks: int = 0) -> list[Staff]:
        """Add ``n`` salespeople (initial staff have no ramp-up)."""
        return self.staffing.hire(Salesperson, n, keeps_clients, ramp_up_weeks)

    def hire_account_managers(self, n: int, ramp_up_weeks: int = 0) -> list[Staff]:
        """Add ``n`` account managers."""
        return self.staffing.hire(AccountManager, n, True, ramp_up_weeks)

    def hire_desk_agents(self, n: int, ramp_up_weeks: int = 0) -> list[Staff]:
        """Add ``n`` service-desk agents (they work ``model.desk``'s queue)."""
        return self.staffing.hire(DeskAgent, n, False, ramp_up_weeks)

    def open_desk(self) -> OrderDesk:
        """Set up an order desk (no staff yet): from now on orders' work goes to its queue."""
        return self.staffing.open_desk()

    def request_account_manager(self, team: Hashable | None = None) -> None:
        """Open an account-manager requisition (see :meth:`Staffing.request_account_manager`)."""
        self.staffing.request_account_manager(team)

    def request_salespeople(self, n: int) -> None:
        """Open ``n`` salesperson requisitions (see :meth:`Staffing.request_salespeople`)."""
        self.staffing.request_salespeople(n)

    def requisitions_for(self, team: Hashable | None) -> int:
        """Open requisitions for ``team`` (all of them for None)."""
        return self.staffing.requisitions_for(team)

    def least_loaded_account_manager(self, team: Hashable | None = None) -> Staff | None:
        """The account manager (of ``team``, if given) with the lightest service load, if any."""
        return self.staffing.least_loaded_account_manager(team)

    def least_loaded(self, people: list[Staff]) -> Staff | None:
        """Whoever of ``people`` has the least standard client work (see :meth:`Staffing.least_loaded`)."""
        return self.staffing.least_loaded(people)

    def hand_over(self, company: ClientCompany, receiver: Staff) -> None:
        """Move a client to another person (see :meth:`Staffing.hand_over`)."""
        self.staffing.hand_over(company, receiver)

    def who_leaves(self, people: list[Staff], n: int) -> list[Staff]:
        """The ``n`` people a cut lets go (see :meth:`Staffing.who_leaves`)."""
        return self.staffing.who_leaves(people, n)

    def let_go_group(self, people: list[Staff], reasons: list[str] | None = None) -> None:
        """Let several people go at once (see :meth:`Staffing.let_go_group`)."""
        self.staffing.let_go_group(people, reasons)

    def let_go(self, person: Staff, reason: str = "let_go") -> None:
        """A person leaves (see :meth:`Staffing.let_go`)."""
        self.staffing.let_go(person, reason)

    def write_leaver_row(self, person: Staff, week: int, reason: str) -> None:
        """A leaver's last row of the staff table (see :meth:`Payroll.write_leaver_row`)."""
        self.payroll.write_leaver_row(person, week, reason)

    def schedule_intervention(self, spec: Intervention) -> None:
        """Have ``spec`` applied half a week before its week (see :meth:`Interventions.schedule`)."""
        self.interventions.schedule(spec)

    def apply_intervention(self, spec: Intervention) -> None:
        """Change the organisation as ``spec`` says, from this week on (see :meth:`Interventions.apply`)."""
        self.interventions.apply(spec)

    def find_prospect(self) -> ClientCompany | None:
        """A random company that can be approached now (see :meth:`Market.find_prospect`)."""
        return self.market.find_prospect()

    def open_deal(self, company: ClientCompany, owner: Staff) -> Deal:
        """A first contact turns a prospect into a lead (see :meth:`Pipeline.open_deal`)."""
        return self.pipeline.open_deal(company, owner)

    def try_advance(self, deal: Deal) -> None:
        """Resolve the deal's stage once its work is in (see :meth:`Pipeline.try_advance`)."""
        self.pipeline.try_advance(deal)

    def lose_deal(self, deal: Deal) -> None:
        """The prospect drops out (see :meth:`Pipeline.lose_deal`)."""
        self.pipeline.lose_deal(deal)

    def coverage(self, company: ClientCompany) -> float:
        """How well the supplier covers the buying centre (see :meth:`BuyingCentreRelations.coverage`)."""
        return self.relations.coverage(company)

    def update_service_need(self, company: ClientCompany) -> None:
        """Standard weekly service hours a client's orders create (see :meth:`ClientService.update_service_need`)."""
        self.service.update_service_need(company)

    def begin_serial(self, company: ClientCompany) -> None:
        """Implementation is over: the client becomes a serial buyer (see :meth:`ClientService.begin_serial`)."""
        self.service.begin_serial(company)

    def book_order(self, company: ClientCompany, value: float) -> None:
        """Revenue from an order, credited by the incentive scheme (see :meth:`ClientService.book_orders`)."""
        self.book_orders(np.array([company.uid]), np.array([value]))

    def book_orders(self, rows: np.ndarray, values: np.ndarray) -> None:
        """Revenue from the week's orders of companies ``rows`` (see :meth:`ClientService.book_orders`)."""
        self.service.book_orders(rows, values)

    def lose_client(self, company: ClientCompany) -> None:
        """The client leaves (see :meth:`ClientService.lose_client`)."""
        self.service.lose_client(company)

    def start_cross_sell(self, company: ClientCompany, owner: Staff) -> CrossSell:
        """Begin developing the client's next product line (see :meth:`CrossSelling.start`)."""
        return self.cross_selling.start(company, owner)

    def try_close_cross_sell(self, project: CrossSell) -> None:
        """The buying centre decides on a finished project (see :meth:`CrossSelling.try_close`)."""
        self.cross_selling.try_close(project)

    def check_invariants(self) -> None:
        """Raise AssertionError if the model's bookkeeping is inconsistent (:mod:`orgmodel.model.invariants`)."""
        check_invariants(self)

    def weekly_support(self, strength: float) -> float:
        """Chance one member backs a purchase at a given relationship strength (for docs and tests)."""
        return support(self.cfg, strength)
