"""The Mesa model of a B2B sales organisation.

One step is one working week. Staff act every week (``shuffle_do``); the
client side acts on scheduled events (orders, reviews, the end of an
implementation); the week closes with a low-priority recurring event that
tallies hours, pays people at month ends and collects data. Scheduled
interventions (the scenario's ``interventions``) run half a week before the
week they name, so that week's work already happens under the change.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Any

import numpy as np
from mesa import DataCollector, Model
from mesa.experimental.scenarios import Scenario as MesaScenario
from mesa.time import Priority, Schedule

from orgmodel.model.activities import ACTIVITIES, HUNTING, N_ACTIVITIES, SERVICING
from orgmodel.model.calendar import Calendar
from orgmodel.model.clients import PIPELINE_STAGES, ClientBuyer, ClientCompany, DecisionInfluencer, Stage
from orgmodel.model.desk import DeskAgent, OrderDesk
from orgmodel.model.gcpause import collector_paused, free_dropped_models
from orgmodel.model.hiring_pool import HiringPool
from orgmodel.model.large_clients import LargeClientCare, LargeDeals
from orgmodel.model.loyalty import ClientLoyalty
from orgmodel.model.management import SalesManagement
from orgmodel.model.network import RelationshipNetwork, Tie
from orgmodel.model.pipeline import CrossSell, Deal
from orgmodel.model.records import EventRecorder
from orgmodel.model.recruiting import Recruiting
from orgmodel.model.skills import SkillPractice
from orgmodel.model.staff import KNOWLEDGE_FROM_SALE, AccountManager, Salesperson, Staff
from orgmodel.model.transition import TransitionPolicies
from orgmodel.model.turnover import Turnover
from orgmodel.model.worktime import Expectations, stage_hours, support
from orgmodel.policies import incentives, responses, structures
from orgmodel.policies.incentives.base import MonthLedger
from orgmodel.scenario.schema import WEEKS_PER_YEAR, Intervention, Scenario, intervention_changes

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
STAFF_COLUMNS = (
    "month",
    "year",
    "person",
    "role",
    *[f"hours_{a}" for a in ACTIVITIES],
    "clients",
    "new_clients",
    "credited_revenue",
    "credited_margin",
    "owned_revenue",
    "base_pay",
    "variable_pay",
    "hunting_skill",
    "service_skill",
    "left_week",  # 0 while employed; the week they left on the leaver's last row (issue #12)
    "left_reason",  # "" while employed; other, pay, overload (they quit) or let_go
)


#: keys whose change alters the standard service hours of every serial client
SERVICE_KEYS = frozenset(
    {
        "spoiledness",
        "spec_hours_per_line",
        "line_scale_exponent",
        "service_size_exponent",
        "shipment_hours_per_order",
        "order_interval_weeks",
    }
)


class ScheduledIntervention:
    """One of the scenario's interventions, waiting for its week.

    Mesa keeps only a weak reference to an event's callback, so the model
    keeps these objects in ``model.scheduled_interventions`` and schedules
    their bound :meth:`apply`.
    """

    def __init__(self, model: SalesOrgModel, index: int, spec: Intervention) -> None:
        self.model = model
        self.index = index
        self.spec = spec

    def apply(self) -> None:
        """Make the change (called by the event list)."""
        self.model.apply_intervention(self.spec)


def month_of(week: int) -> int:
    """Month index (0-based, 12 a year) of a 1-based week."""
    year, wk = divmod(week - 1, WEEKS_PER_YEAR)
    return year * 12 + wk * 12 // WEEKS_PER_YEAR


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
        self.calendar = Calendar(self)  # orders, reviews, implementations, new hires: one Mesa event per week
        self.network = RelationshipNetwork(cfg.relationship_half_life_weeks, cfg.relationship_gain_per_hour)
        self.skills: SkillPractice | None = None  # specialisation mechanisms (issue #18): None while off
        self.hiring_pool: HiringPool | None = None
        self.large_deals: LargeDeals | None = None
        self.large_client_care: LargeClientCare | None = None
        self.switch_mechanisms()
        self._deal_ids = 0
        self.deals: dict[int, Deal] = {}
        self.awaiting_handover: list[ClientCompany] = []
        self.open_requisitions = 0
        self.open_salesperson_requisitions = 0
        self.withdrawn_salesperson_requisitions = 0  # requisitions a headcount cut withdrew (issue #12)
        self.requisition_teams: list[Hashable | None] = []  # the team each open requisition is for, oldest first
        self.handovers = 0
        self._reset_week()
        self.revenue_total = 0.0
        self.orders_total = 0.0
        self._orders_at_month_start = 0.0
        self.base_pay_total = 0.0
        self.variable_pay_total = 0.0
        self.recruiting_cost_total = 0.0
        self.manager_pay_total = 0.0

        self.companies = self._create_market()
        self.stage_counts = [0] * len(Stage)
        self.stage_counts[Stage.PROSPECT] = len(self.companies)
        self._stage_hours = (0.0, cfg.lead_hours, cfg.qualified_hours, cfg.proposal_hours)
        self._stage_min_weeks = (0, cfg.lead_min_weeks, cfg.qualified_min_weeks, cfg.proposal_min_weeks)
        self.mean_base_value = float(np.mean([c.base_value for c in self.companies]))
        # --- costs of growth and change (issue #12): hires, quits, clients following leavers, managers
        self.recruiting = Recruiting(self)
        self.turnover = Turnover(self)
        self.loyalty = ClientLoyalty(self)
        self.transition = TransitionPolicies(self)
        self.management = SalesManagement(self)
        self.structure.staff_up()
        self.expectations = Expectations(self)
        self.initial_cfg = cfg
        self._leaving: set[int] = set()  # people an intervention is letting go: they receive no clients
        self.former_staff: list[int] = []  # people who left: their relationships decay until pruned
        self.interventions_applied: list[dict[str, Any]] = []
        self.scheduled_interventions: list[ScheduledIntervention] = []
        for iv in cfg.interventions:
            self.schedule_intervention(iv)
        self.response = responses.get(cfg.management_response)(self)
        self.response.start()

        self.datacollector = DataCollector(
            model_reporters={c: _ATTRIBUTE.get(c, c) for c in WEEKLY_COLUMNS},
            tables={"staff": list(STAFF_COLUMNS)},
        )
        self.schedule_recurring(self.close_week, Schedule(interval=1.0, start=1.0), priority=Priority.LOW)

    # --- set-up -------------------------------------------------------------------------------
    def _create_market(self) -> list[ClientCompany]:
        """Companies with heavy-tailed sizes, finite cross-sell potential and buying centres."""
        cfg = self.cfg
        n = cfg.market_size
        rng = self.rng
        sizes = rng.lognormal(0.0, cfg.client_size_sigma, n)
        n_lines = rng.poisson(cfg.cross_sell_lines_mean, n)
        line_values = rng.uniform(0.5, 1.5, int(n_lines.sum())) * cfg.cross_sell_line_value
        bc_sizes = rng.integers(cfg.buying_centre_min, cfg.buying_centre_max + 1, n)
        companies = []
        start = 0
        for i in range(n):
            base = cfg.base_annual_value * float(sizes[i])
            k = int(n_lines[i])
            lines = [base * float(v) for v in line_values[start : start + k]]
            start += k
            companies.append(ClientCompany(i, float(sizes[i]), base, lines))
        self.all_lines = [list(c.lines) for c in companies]
        buyers = ClientBuyer.create_agents(self, n, companies)
        for company, buyer in zip(companies, buyers, strict=True):
            company.buyer = buyer
            company.members.append(buyer)
        others = [c for c, m in zip(companies, bc_sizes, strict=True) for _ in range(int(m) - 1)]
        first = [True] + [others[j] is not others[j - 1] for j in range(1, len(others))]
        influencers = DecisionInfluencer.create_agents(self, len(others), others, first)
        for person in influencers:
            person.company.members.append(person)
        for company in companies:
            company.seat_buying_centre()
        self.network.add_people((b.unique_id for b in buyers), role="buyer")
        self.network.add_people((p.unique_id for p in influencers), role="influencer")
        return companies

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

    def _skills(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Hunting and service skills (one distribution for both, per the essay; hunting wider when talent is scarce)."""
        cfg = self.cfg
        mean = self.recruiting.skill_mean()  # the labour market's during the run (new_hire_skill_ratio, issue #12)
        mu = np.log(mean) - cfg.skill_sd**2 / 2.0
        sd_h = cfg.hunting_skill_sd if cfg.scarce_hunting_talent else cfg.skill_sd
        hunting = self.rng.lognormal(np.log(mean) - sd_h**2 / 2.0, sd_h, n)
        service = self.rng.lognormal(mu, cfg.skill_sd, n) if cfg.same_skill_distribution else np.full(n, mean)
        return hunting, service

    def _hire(self, cls: type[Staff], n: int, keeps_clients: bool, ramp_up_weeks: int) -> list[Staff]:
        if n <= 0:
            return []
        if self.hiring_pool is not None and self.time > 0:  # hired during the run, from the labour market
            hunting, service = self.hiring_pool.take(n, by_hunting=cls.hunts)
        else:
            hunting, service = self._skills(n)
        people = list(cls.create_agents(self, n, hunting, service, keeps_clients, ramp_up_weeks))
        self.recruiting.on_hire(people)
        self.network.add_people((p.unique_id for p in people), role=cls.role)
        if self.skills is not None and cls is not DeskAgent:
            self.skills.enrol(people)
        if self.recorder is not None:
            self.recorder.hired(people)
        return people

    def hire_salespeople(self, n: int, keeps_clients: bool, ramp_up_weeks: int = 0) -> list[Staff]:
        """Add ``n`` salespeople (initial staff have no ramp-up)."""
        return self._hire(Salesperson, n, keeps_clients, ramp_up_weeks)

    def hire_account_managers(self, n: int, ramp_up_weeks: int = 0) -> list[Staff]:
        """Add ``n`` account managers."""
        return self._hire(AccountManager, n, True, ramp_up_weeks)

    def open_desk(self) -> OrderDesk:
        """Set up an order desk (no staff yet): from now on orders' work goes to its queue."""
        self.desk = OrderDesk(self)
        return self.desk

    def hire_desk_agents(self, n: int, ramp_up_weeks: int = 0) -> list[Staff]:
        """Add ``n`` service-desk agents (they work ``model.desk``'s queue)."""
        return self._hire(DeskAgent, n, False, ramp_up_weeks)

    def request_account_manager(self, team: Hashable | None = None) -> None:
        """Open a requisition: an account manager (for ``team``, if the structure has teams) starts after the hiring delay."""
        if not self.response.allows_hire(self.cfg.base_salary):  # a fixed budget path may have no room
            return
        self.open_requisitions += 1
        self.requisition_teams.append(team)
        self.calendar.schedule(self._account_manager_arrives, self.cfg.hiring_delay_weeks)

    def request_salespeople(self, n: int) -> None:
        """Open ``n`` requisitions: each salesperson starts after the hiring delay and ramps up.

        The same delay and ramp-up as account managers (7.11, 7.13); the new
        salesperson keeps clients if the structure in force on arrival says so.
        """
        for _ in range(n):
            self.open_salesperson_requisitions += 1
            self.schedule_event(self._salesperson_arrives, after=self.cfg.hiring_delay_weeks)

    def _salesperson_arrives(self) -> None:
        if self.withdrawn_salesperson_requisitions > 0:  # this one was withdrawn (counted off when withdrawn)
            self.withdrawn_salesperson_requisitions -= 1
            return
        self.open_salesperson_requisitions -= 1
        for person in self.hire_salespeople(1, self.structure.salespeople_keep_clients(), self.cfg.ramp_up_weeks):
            person.hired_week = math.ceil(self.time)

    def requisitions_for(self, team: Hashable | None) -> int:
        """Open requisitions for ``team`` (all of them for None)."""
        return self.open_requisitions if team is None else self.requisition_teams.count(team)

    def _account_manager_arrives(self) -> None:
        self.open_requisitions -= 1
        team = self.requisition_teams.pop(0) if self.requisition_teams else None  # the oldest requisition is filled
        if not self.structure.hands_over:  # the structure changed meanwhile: the requisition was withdrawn
            return
        for person in self.hire_account_managers(1, ramp_up_weeks=self.cfg.ramp_up_weeks):
            person.team = team
        self.structure.monthly()

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

    def least_loaded_account_manager(self, team: Hashable | None = None) -> Staff | None:
        """The account manager (of ``team``, if given) with the lightest service load, if any."""
        managers = [m for m in self.account_managers if m.unique_id not in self._leaving and (team is None or m.team == team)]
        if not managers:
            return None
        return min(managers, key=lambda m: (m.load + len(m.portfolio) * 1e-3, m.unique_id))

    def least_loaded(self, people: list[Staff]) -> Staff | None:
        """Whoever of ``people`` has the least standard client work (service plus implementation support).

        Unlike the smoothed ``load`` this counts a client the moment it is
        handed over, so a restructuring spreads clients evenly.
        """
        people = [p for p in people if p.unique_id not in self._leaving]
        if not people:
            return None
        support_hours = self.cfg.implementation_hours

        def work(p: Staff) -> tuple[float, int]:
            hours = sum(c.weekly_service if c.stage == Stage.SERIAL else support_hours for c in p.portfolio)
            return hours, p.unique_id

        return min(people, key=work)

    # --- interventions ---------------------------------------------------------------------------
    def schedule_intervention(self, spec: Intervention) -> None:
        """Have ``spec`` applied half a week before its week, so that week's work happens under it.

        The scenario's interventions come here at set-up; a live front end
        (the workshop dashboard's "restructure now") adds one for the next week.
        """
        if spec.week - 0.5 <= self.time:
            raise ValueError(f"intervention week {spec.week} has begun or passed (now week {math.ceil(self.time)})")
        item = ScheduledIntervention(self, len(self.scheduled_interventions), spec)
        self.scheduled_interventions.append(item)
        self.schedule_event(item.apply, at=spec.week - 0.5, priority=Priority.HIGH)

    def apply_intervention(self, spec: Intervention) -> None:
        """Change the organisation as ``spec`` says, from this week on.

        New values are validated against the current settings. Parameter
        changes take effect at once (a service parameter recomputes every
        serial client's service need); a new incentive scheme starts afresh;
        a new structure restructures through :meth:`Structure.restructure`
        (clients move with :meth:`hand_over`, at its cost); ``salespeople``
        and ``account_managers`` are the new headcounts: the difference is
        requisitioned (arriving after the hiring delay, ramping up; at once
        with ``recruited_in_advance``) or let go (:meth:`let_go`); salespeople
        already requisitioned count, and a cut withdraws them first. The change is
        recorded in ``interventions_applied`` (week, note, each changed key's
        old and new value, people hired and let go on request, handovers it
        caused, headcounts after it).
        """
        week = math.ceil(self.time)
        old = self.cfg
        changes = intervention_changes(old, spec.set)
        new = Scenario.model_validate({**old.model_dump(exclude={"interventions"}), **changes})
        new = new.model_copy(update={"interventions": old.interventions})
        changed = {k: (getattr(old, k), getattr(new, k)) for k in changes if getattr(old, k) != getattr(new, k)}
        handovers_before = self.handovers
        portfolios_before = self.transition.portfolios()
        self.cfg = new
        if "incentive" in changed or "mixed_components" in changed:
            self.scheme = incentives.get(new.incentive)(new)
        else:  # keeps the scheme's running state (quotas, last year's sales)
            self.scheme.cfg = new
            for component, _weight in getattr(self.scheme, "components", ()):
                component.cfg = new
        self.network.decay = math.log(2.0) / new.relationship_half_life_weeks
        self.switch_mechanisms()
        self.network.gain = new.relationship_gain_per_hour
        self._stage_hours = (0.0, new.lead_hours, new.qualified_hours, new.proposal_hours)
        self._stage_min_weeks = (0, new.lead_min_weeks, new.qualified_min_weeks, new.proposal_min_weeks)
        previous = self.structure
        if "structure" in changed:
            self.structure = structures.get(new.structure)(self)
            previous.leave(self.structure)
        if "management_response" in changed:  # the old response's reviews stop; the new one starts now
            self.response.stop()
            self.response = responses.get(new.management_response)(self)
            self.response.start()
        keeps = self.structure.salespeople_keep_clients()
        for p in self.salespeople:
            p.keeps_clients = keeps
        hired: dict[str, int] = {}
        requested: dict[str, int] = {}
        leaving: list[Staff] = []
        for key, role_people, hire, request in (
            (
                "salespeople",
                self.salespeople,
                lambda n: self.hire_salespeople(n, keeps, new.ramp_up_weeks),
                self.request_salespeople,
            ),
            (
                "account_managers",
                self.account_managers,
                lambda n: self.hire_account_managers(n, new.ramp_up_weeks),
                lambda n: [self.request_account_manager() for _ in range(n)],
            ),
        ):
            if key not in changes:
                continue
            diff = int(changes[key]) - len(role_people)
            if key == "salespeople" and self.open_salesperson_requisitions:  # issue #12: people on their way count
                pending = self.open_salesperson_requisitions
                withdraw = min(pending, max(0, -diff + pending))  # a cut withdraws requisitions first
                self.open_salesperson_requisitions -= withdraw
                self.withdrawn_salesperson_requisitions += withdraw
                diff -= pending - withdraw
            if diff > 0 and not new.recruited_in_advance:  # issue #12: they start after the hiring delay
                request(diff)
                requested[key] = diff
            elif diff > 0:
                for p in hire(diff):
                    p.hired_week = week
                hired[key] = diff
            elif diff < 0:
                leaving.extend(self.who_leaves(role_people, -diff))
        self._leaving = {p.unique_id for p in leaving}
        if "structure" in changed:
            self.structure.restructure(previous)
        for person in leaving:
            self.let_go(person)
        self._leaving = set()
        if SERVICE_KEYS & changed.keys():
            for company in self.companies:
                if company.stage == Stage.SERIAL:
                    self.update_service_need(company)
        self.expectations = Expectations(self)
        self.structure.monthly()  # queued handovers and hiring under the new settings
        self.transition.after_intervention(changed.keys(), portfolios_before)
        self.interventions_applied.append(
            {
                "week": week,
                "note": spec.note,
                "changes": {k: list(v) for k, v in changed.items()},
                "hired": hired,
                "requested": requested,
                "left": {role: sum(1 for p in leaving if p.role == role) for role in {p.role for p in leaving}},
                "handovers": self.handovers - handovers_before,
                "salespeople_after": len(self.salespeople),
                "account_managers_after": len(self.account_managers),
            }
        )

    def who_leaves(self, people: list[Staff], n: int) -> list[Staff]:
        """The ``n`` people a cut lets go: the weakest at their role's job, the most recently hired on a tie."""

        def skill(p: Staff) -> float:
            return p.hunting_skill if p.hunts else p.service_skill

        return sorted(people, key=lambda p: (skill(p), -p.unique_id))[:n]

    def let_go_group(self, people: list[Staff], reasons: list[str] | None = None) -> None:
        """Let several people go at once: none of them receives another leaver's clients.

        ``reasons``: why each leaves (see :meth:`let_go`); all ``let_go`` if not given.
        """
        self._leaving = {p.unique_id for p in people}
        for i, person in enumerate(people):
            self.let_go(person, reasons[i] if reasons is not None else "let_go")
        self._leaving = set()

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
        """
        self.turnover.on_leave(person, reason)
        for deal in list(person.deals):  # the prospect did not say no: colleagues may approach it at once
            self.lose_deal(deal)
            deal.company.available_from = int(self.time)
        if self.recorder is not None:
            self.recorder.left(person)
        for project in person.projects:
            project.company.project = None
        person.projects.clear()
        others = [p for p in self.staff if p is not person and p.unique_id not in self._leaving]
        keepers = [p for p in others if p.keeps_clients] or [p for p in others if p.role == person.role] or others
        team = person.team
        keepers = (
            [p for p in keepers if p.role == person.role and p.team == team]
            or [p for p in keepers if team is not None and p.team == team]
            or [p for p in keepers if p.role == person.role]
            or keepers
        )
        for company in list(person.portfolio):
            receiver = self.least_loaded(keepers)
            if receiver is None:  # nobody left at all; the schema keeps at least one salesperson
                raise RuntimeError("the last client-facing person cannot leave")
            self.hand_over(company, receiver)
            if receiver.keeps_clients and company in self.awaiting_handover:
                self.awaiting_handover.remove(company)
            elif (
                not receiver.keeps_clients
                and company.stage == Stage.SERIAL
                and self.structure.hands_over
                and company not in self.awaiting_handover
            ):
                self.awaiting_handover.append(company)
        for company in self.companies:
            if company.originator is person:
                company.originator = None
        self.former_staff.append(person.unique_id)
        person.remove()

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
        """Staff work their week; clients' events follow; the week closes last."""
        for cls in (Salesperson, AccountManager, DeskAgent):
            if cls in self.agents_by_type:
                self.agents_by_type[cls].shuffle_do("step")

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
        """Tally hours, pay at month ends, collect the week's data."""
        week = int(self.time)
        self.week = week
        self.year = (week - 1) // WEEKS_PER_YEAR + 1
        self.turnover.close_week()  # quits first: leavers are not paid or counted this week
        cap = self.cfg.available_hours
        hunt_hours = hunt_cap = serv_hours = all_cap = 0.0
        people = self.staff
        for p in people:
            hours = p.hours
            month_hours = p.month.hours
            for i in range(N_ACTIVITIES):
                month_hours[i] += hours[i]
            all_cap += cap
            serv_hours += hours[SERVICING]
            if p.hunts:
                hunt_cap += cap
                hunt_hours += hours[HUNTING[0]] + hours[HUNTING[1]]
        if self.skills is not None:
            self.skills.close_week(people)
        self.hunting_share = hunt_hours / hunt_cap if hunt_cap else 0.0
        self.service_share = serv_hours / all_cap if all_cap else 0.0
        self.salespeople_n = sum(1 for p in people if p.hunts)
        self.account_managers_n = len(people) - self.salespeople_n
        desk = self.desk_agents
        for p in desk:
            month_hours = p.month.hours
            for i in range(N_ACTIVITIES):
                month_hours[i] += p.hours[i]
        self.desk_agents_n = len(desk)
        self.base_pay = self.cfg.base_salary / WEEKS_PER_YEAR * len(people)
        if desk:
            self.base_pay += self.cfg.desk_base_salary / WEEKS_PER_YEAR * len(desk)
        self.variable_pay = 0.0
        if week == self.cfg.weeks or month_of(week + 1) != month_of(week):
            self._close_month(week, people, desk)
        self.cost_of_sales = self.base_pay + self.variable_pay
        self._growth_costs(len(people))
        self.base_pay_total += self.base_pay
        self.variable_pay_total += self.variable_pay
        self.revenue_total += self.revenue
        counts = self.stage_counts
        self.active_clients = int(counts[Stage.SERIAL])
        self.implementing = int(counts[Stage.IMPLEMENTATION])
        self.leads = int(counts[Stage.LEAD])
        self.qualified = int(counts[Stage.QUALIFIED])
        self.proposals = int(counts[Stage.PROPOSAL])
        self.open_deals = len(self.deals)
        self.service_backlog_hours = float(sum(c.backlog + c.desk_backlog for p in people for c in p.portfolio))
        self.datacollector.collect(self)
        self._reset_growth_costs()
        if self.recorder is not None:
            self.recorder.week_closed(week, people + desk)
        if week % WEEKS_PER_YEAR == 0:
            self.network.prune(week, [p.unique_id for p in people] + [p.unique_id for p in desk] + self.former_staff)
        self._reset_week()
        if week >= self.cfg.weeks:
            self.running = False

    def _close_month(self, week: int, people: list[Staff], desk: list[Staff]) -> None:
        """Pay everyone for the month and record one row per person (desk agents: base pay only)."""
        month = month_of(week)
        company_revenue = self.orders_total - self._orders_at_month_start
        self._orders_at_month_start = self.orders_total
        ledgers = [p.close_month() for p in people]
        teams = [self.structure.bonus_team(p) for p in people]
        team_revenue: dict[Any, float] = {}
        team_size: dict[Any, int] = {}
        for team, ledger in zip(teams, ledgers, strict=True):
            if team is not None:
                team_revenue[team] = team_revenue.get(team, 0.0) + ledger.owned_revenue
                team_size[team] = team_size.get(team, 0) + 1
        for p, ledger, team in zip(people, ledgers, teams, strict=True):
            ledger.month = month
            ledger.company_revenue = company_revenue
            ledger.headcount = len(people)
            ledger.team_revenue = company_revenue if team is None else team_revenue[team]
            ledger.team_headcount = len(people) if team is None else team_size[team]
            pay = self.turnover.month_pay(p, self.scheme.variable_pay(ledger, p))  # with transition top-ups
            self.variable_pay += pay
            self._staff_row(p, month, ledger, self.cfg.base_salary / 12.0, pay)
        for p in desk:
            ledger = p.close_month()
            self._staff_row(p, month, ledger, self.cfg.desk_base_salary / 12.0, 0.0)
        # monthly base pay is booked weekly; variable pay lands in the month's last week
        self.structure.monthly()

    def _staff_row(
        self, p: Staff, month: int, ledger: MonthLedger, base: float, pay: float, left: tuple[int, str] = (0, "")
    ) -> None:
        """One person's row of the monthly staff table (``left``: the week and reason, on a leaver's last row)."""
        row = {
            "month": month,
            "year": month // 12 + 1,
            "person": p.unique_id,
            "role": p.role,
            "clients": sum(1 for c in p.portfolio if c.stage == Stage.SERIAL),
            "new_clients": ledger.new_clients,
            "credited_revenue": ledger.credited_revenue,
            "credited_margin": ledger.credited_margin,
            "owned_revenue": ledger.owned_revenue,
            "base_pay": base,
            "variable_pay": pay,
            "hunting_skill": p.hunting_skill,
            "service_skill": p.service_skill,
            "left_week": left[0],
            "left_reason": left[1],
        }
        for name, h in zip(ACTIVITIES, ledger.hours, strict=True):
            row[f"hours_{name}"] = h
        self.datacollector.add_table_row("staff", row)

    # --- costs of growth and change (issue #12) ------------------------------------------------------
    def write_leaver_row(self, person: Staff, week: int, reason: str) -> None:
        """A leaver's last row: the month so far (hours, credits), no variable pay (the commission is forfeit)."""
        ledger = person.close_month()
        self._staff_row(person, month_of(week), ledger, 0.0, 0.0, (week, reason))

    def _growth_costs(self, client_facing: int) -> None:
        """The week's managers, recruiting and transition pay, and their share of the cost of sales."""
        self.people_left = self.turnover.people_left
        self.clients_lost_with_leaver = self.loyalty.lost_with_leaver
        self.hires = self.recruiting.hires_week
        self.recruiting_cost = self.recruiting.cost_week
        self.manager_pay = self.management.close_week(client_facing)
        self.managers = self.management.managers
        self.transition_pay = self.transition.paid_week  # already in variable_pay
        self.cost_of_sales += self.manager_pay + self.recruiting_cost
        self.recruiting_cost_total += self.recruiting_cost
        self.manager_pay_total += self.manager_pay

    def _reset_growth_costs(self) -> None:
        self.turnover.people_left = 0
        self.loyalty.lost_with_leaver = 0
        self.recruiting.hires_week = 0
        self.recruiting.cost_week = 0.0
        self.transition.paid_week = 0.0

    def _set_stage(self, company: ClientCompany, stage: Stage) -> None:
        """Move a company to a stage, keeping the stage counts the weekly data reads."""
        counts = self.stage_counts
        counts[company.stage] -= 1
        counts[stage] += 1
        company.stage = stage

    # --- the pipeline --------------------------------------------------------------------------------------
    def find_prospect(self) -> ClientCompany | None:
        """A random company nobody is working on and that can be approached now."""
        week = self.time
        companies = self.companies
        n = len(companies)
        rand = self.random.randrange
        for _ in range(64):
            c = companies[rand(n)]
            if (c.stage == Stage.PROSPECT or c.stage == Stage.LOST) and c.available_from <= week:
                return c
        return None

    def open_deal(self, company: ClientCompany, owner: Staff) -> Deal:
        """A first contact turns a prospect into a lead."""
        self._deal_ids += 1
        deal = Deal(company, owner, int(self.time), self._deal_ids)
        self._set_stage(company, Stage.LEAD)
        self.deals[deal.id] = deal
        self.network.invest(owner.unique_id, company.people[0], 0.5, self.time, owner.hunting_skill)
        if self.recorder is not None:
            self.recorder.deal_opened(deal)
        return deal

    def try_advance(self, deal: Deal) -> None:
        """Resolve the deal's stage once its hours and minimum weeks are in."""
        cfg = self.cfg
        owner = deal.owner
        if deal.hours + 1e-9 < stage_hours(owner, deal.stage):
            return
        if self.time - deal.entered < self._stage_min_weeks[deal.stage]:
            return
        company = deal.company
        self._book_contact(owner, company, deal.hours, everyone=deal.stage != Stage.LEAD, skill=owner.hunting_skill)
        rnd = self.random.random
        if deal.stage == Stage.LEAD:
            passed = rnd() < cfg.lead_qualify_rate
        elif deal.stage == Stage.QUALIFIED:
            passed = rnd() < cfg.proposal_rate
        else:
            passed = self._buying_centre_agrees(company)
            if self.large_deals is not None:
                passed = self.large_deals.decide(owner, company, passed)
            if passed:
                self._win(deal)
                return
        if not passed:
            self.lose_deal(deal)
            return
        deal.stage = Stage(deal.stage + 1)
        self._set_stage(company, deal.stage)
        deal.hours = 0.0
        deal.entered = int(self.time)
        deal.last_worked = deal.entered  # the next stage's shelf life starts now
        if self.recorder is not None:
            self.recorder.deal_advanced(deal)

    def _book_contact(self, staff: Staff, company: ClientCompany, hours: float, everyone: bool, skill: float) -> None:
        """Spread hours of contact over the buying centre (the decision maker counts double)."""
        week = self.time
        sid = staff.unique_id
        if not everyone:
            self.network.invest(sid, company.people[0], hours, week, skill)
            return
        w_dm = self.cfg.decision_maker_weight
        weights = [w_dm if dm else 1.0 for dm in company.deciders]
        total = sum(weights)
        for pid, w in zip(company.people, weights, strict=True):
            self.network.invest(sid, pid, hours * w / total, week, skill)
        company.coverage = self.coverage(company)

    def _buying_centre_agrees(self, company: ClientCompany) -> bool:
        """Every member must back the purchase (CEB: bigger groups buy less often)."""
        week = self.time
        best = self.network.best_strength
        return all(m.backs(best(m.unique_id, week)) for m in company.members)

    def coverage(self, company: ClientCompany) -> float:
        """How well the supplier covers the buying centre (weighted mean of best strengths).

        Clients keep the last value in ``company.coverage`` for people's
        planning; it is refreshed whenever someone invests in the buying centre
        and at every supplier review.
        """
        week = self.time
        decay = self.network.decay
        ties = self.network.ties
        w_dm = self.cfg.decision_maker_weight
        num = den = 0.0
        nobody: dict[int, Tie] = {}
        for pid, dm in zip(company.people, company.deciders, strict=True):
            best = 0.0  # the member's best strength, as RelationshipNetwork.best_strength (inlined: hot path)
            for tie in ties.get(pid, nobody).values():
                s = tie.s
                t = tie.t
                if t != week:
                    s *= math.exp(-decay * (week - t))
                if s > best:
                    best = s
            w = w_dm if dm else 1.0
            num += w * best
            den += w
        return num / den

    def _win(self, deal: Deal) -> None:
        """The deal is won: implementation starts with the winner."""
        company = deal.company
        owner = deal.owner
        if self.recorder is not None:
            self.recorder.deal_closed(deal, won=True)
        del self.deals[deal.id]
        owner.deals.remove(deal)
        self._set_stage(company, Stage.IMPLEMENTATION)
        company.owner = owner
        company.originator = owner
        company.won_week = int(self.time)
        company.times_won += 1
        company.first_sale_factor = 1.0 if self.large_deals is None else self.large_deals.first_sale_factor(owner, company)
        company.knowledge = KNOWLEDGE_FROM_SALE
        company.lines = list(self.all_lines[company.uid])
        company.satisfaction = 1.0
        owner.portfolio.append(company)
        self.deals_won += 1
        self.calendar.schedule(company.buyer.finish_implementation, self.cfg.implementation_weeks)

    def lose_deal(self, deal: Deal) -> None:
        """The prospect drops out; it can be approached again later."""
        company = deal.company
        if self.recorder is not None:
            self.recorder.deal_closed(deal, won=False)
        del self.deals[deal.id]
        deal.owner.deals.remove(deal)
        self._set_stage(company, Stage.PROSPECT)
        company.available_from = int(self.time) + self.cfg.reapproach_weeks
        self.deals_lost += 1

    # --- clients ----------------------------------------------------------------------------------------------
    def update_service_need(self, company: ClientCompany) -> None:
        """Standard weekly service hours a client's orders create (before knowledge and skill)."""
        cfg = self.cfg
        per_order = (
            cfg.spec_hours_per_line
            * company.n_lines**cfg.line_scale_exponent
            * cfg.spoiledness
            * company.size**cfg.service_size_exponent
            + cfg.shipment_hours_per_order
        )
        company.weekly_service = per_order / cfg.order_interval_weeks

    def begin_serial(self, company: ClientCompany) -> None:
        """Implementation is over: the client becomes a serial buyer (a new client)."""
        if company.stage != Stage.IMPLEMENTATION:
            return
        cfg = self.cfg
        self._set_stage(company, Stage.SERIAL)
        company.serial_week = int(self.time)
        company.n_lines = 1
        company.annual_value = company.base_value * company.first_sale_factor
        # the implementation's joint work builds the relationships; a skimped one starts the client unhappy
        owner = company.owner
        self._book_contact(owner, company, company.support_hours, everyone=True, skill=owner.service_skill)
        required = cfg.implementation_hours * cfg.implementation_weeks
        company.satisfaction = min(1.0, company.support_hours / required) if required > 0 else 1.0
        company.support_hours = 0.0
        self.update_service_need(company)
        self.new_clients += 1
        winner = company.originator if company.originator is not None else owner
        winner.month.new_clients += 1
        winner.clients_won += 1
        self.structure.on_serial(company)
        company.buyer.start_buying()

    def book_order(self, company: ClientCompany, value: float) -> None:
        """Revenue from an order, credited by the incentive scheme.

        The credited person is also credited with the order's margin: gross
        margin less the standard service hours the order brings (the client's
        weekly service times the weeks the order covers, ``value`` / weekly
        value) at staff cost per hour.
        """
        if self.recorder is not None:
            self.recorder.order(company, value)
        self.revenue += value
        self.orders_total += value
        company.revenue_total += value
        xs = value * (1.0 - company.base_value * company.first_sale_factor / company.annual_value)
        company.revenue_cross_sell += xs
        self.cross_sell_revenue += xs
        credited = self.scheme.credited(company, self.time - company.won_week)
        if credited is not None:
            cfg = self.cfg
            service_hours = company.weekly_service * value * WEEKS_PER_YEAR / company.annual_value
            hourly_cost = cfg.base_salary / (WEEKS_PER_YEAR * cfg.hours_per_week)
            credited.month.credited_revenue += value
            credited.month.credited_margin += cfg.gross_margin * value - service_hours * hourly_cost
        if company.owner is not None:
            company.owner.month.owned_revenue += value

    def hand_over(self, company: ClientCompany, receiver: Staff) -> None:
        """Move a client to another person: relationships and knowledge only partly carry over."""
        giver = company.owner
        cfg = self.cfg
        week = self.time
        if giver is receiver:
            return
        if giver is not None:
            giver.portfolio.remove(company)
            for pid in company.people:
                s = self.network.strength(giver.unique_id, pid, week)
                self.network.set_strength(receiver.unique_id, pid, cfg.handover_relationship_carryover * s, week)
            giver.handover_due += cfg.handover_hours
            if company.project is not None and company.project in giver.projects:
                giver.projects.remove(company.project)
                company.project = None
                if self.recorder is not None:
                    self.recorder.cross_sell_closed(company, won=False)
        receiver.portfolio.append(company)
        receiver.handover_due += cfg.handover_hours
        company.owner = receiver
        company.knowledge *= cfg.handover_knowledge_carryover
        company.coverage = self.coverage(company)
        self.handovers += 1

    def lose_client(self, company: ClientCompany) -> None:
        """The client leaves; after a while it is a prospect again."""
        if self.recorder is not None:
            self.recorder.client_lost(company)
        owner = company.owner
        if owner is not None:
            owner.portfolio.remove(company)
            if company.project is not None and company.project in owner.projects:
                owner.projects.remove(company.project)
        if company in self.awaiting_handover:
            self.awaiting_handover.remove(company)
        company.buyer.stop_buying()
        company.project = None
        company.owner = None
        self._set_stage(company, Stage.LOST)
        company.available_from = int(self.time) + self.cfg.reapproach_after_churn_weeks
        company.backlog = 0.0
        company.desk_backlog = 0.0
        company.annual_value = 0.0
        company.n_lines = 0
        company.knowledge = 0.0
        self.lost_clients += 1
        self.loyalty.on_lost(company)

    # --- cross-sell -------------------------------------------------------------------------------------------
    def start_cross_sell(self, company: ClientCompany, owner: Staff) -> CrossSell:
        """Begin developing the client's next product line."""
        project = CrossSell(company, owner, int(self.time))
        company.project = project
        if self.recorder is not None:
            self.recorder.cross_sell_started(project)
        return project

    def try_close_cross_sell(self, project: CrossSell) -> None:
        """When the work is done, the buying centre decides on the new line."""
        cfg = self.cfg
        if project.hours + 1e-9 < cfg.cross_sell_hours or self.time - project.started < cfg.cross_sell_min_weeks:
            return
        company = project.company
        owner = project.owner
        owner.projects.remove(project)
        company.project = None
        self._book_contact(owner, company, project.hours, everyone=True, skill=owner.service_skill)
        won = bool(company.lines) and self._buying_centre_agrees(company)
        if self.recorder is not None:
            self.recorder.cross_sell_closed(company, won)
        if won:
            line = company.lines.pop(0)
            if self.large_client_care is not None:
                line *= self.large_client_care.line_factor(company)
            company.annual_value += line
            company.n_lines += 1
            self.update_service_need(company)
            company.backlog += cfg.cross_sell_implementation_hours
            self.cross_sells_won += 1
        else:
            company.cross_sell_from = int(self.time) + cfg.cross_sell_cooldown_weeks

    # --- checks -------------------------------------------------------------------------------------------
    def check_invariants(self) -> None:
        """Raise AssertionError if the model's bookkeeping is inconsistent."""
        cap = self.cfg.available_hours
        owners: dict[int, int] = {}
        for p in self.staff:
            assert sum(p.hours) <= cap + 1e-6, f"{p} worked {sum(p.hours)} > {cap} hours"
            if p.hired_week < self.time:  # a week's hours are all accounted for, idle included
                assert sum(p.hours) >= cap - 1e-6, f"{p} accounted for {sum(p.hours)} of {cap} hours"
            assert all(h >= -1e-9 for h in p.hours), f"negative hours for {p}"
            for c in p.portfolio:
                owners[c.uid] = owners.get(c.uid, 0) + 1
                assert c.owner is p, f"{c} in {p}'s portfolio but owned by {c.owner}"
                assert c.stage in (Stage.IMPLEMENTATION, Stage.SERIAL), f"owned {c} not a client"
            for d in p.deals:
                assert d.owner is p and self.deals.get(d.id) is d
        assert all(v == 1 for v in owners.values()), "a client has more than one owner"
        current = {id(p) for p in self.staff}  # nobody refers to a person who left
        for c in self.companies:
            assert c.owner is None or id(c.owner) in current, f"{c} owned by {c.owner}, who left"
            assert c.originator is None or id(c.originator) in current, f"{c} originated by {c.originator}, who left"
            if c.project is not None:
                assert c.project.owner is c.owner and c.project in c.owner.projects, f"{c}'s cross-sell project is orphaned"
        assert all(c.owner is not None for c in self.awaiting_handover), "a client awaiting handover has no owner"
        desk_cap = self.cfg.desk_available_hours
        for p in self.desk_agents:
            assert not p.portfolio and not p.deals and not p.projects, f"desk agent {p} holds clients or deals"
            assert all(h >= -1e-9 for h in p.hours), f"negative hours for {p}"
            assert sum(p.hours) <= desk_cap + 1e-6, f"{p} worked {sum(p.hours)} > {desk_cap} hours"
            if p.hired_week < self.time:
                assert sum(p.hours) >= desk_cap - 1e-6, f"{p} accounted for {sum(p.hours)} of {desk_cap} hours"
        queued = {id(c) for c in self.desk.queue} if self.desk is not None else set()
        for c in self.companies:
            assert c.desk_backlog >= 0.0, f"{c} has negative desk work"
            if c.desk_backlog > 0.0:
                assert c.stage == Stage.SERIAL and id(c) in queued, f"{c} has desk work but is not a queued serial client"
        for c in self.companies:
            if c.stage in (Stage.IMPLEMENTATION, Stage.SERIAL):
                assert owners.get(c.uid, 0) == 1, f"{c} has no owner"
            assert c.backlog >= 0.0 and c.annual_value >= 0.0
        in_deals = {d.company.uid: d.stage for d in self.deals.values()}
        assert len(in_deals) == len(self.deals), "a company is in two deals"
        for c in self.companies:
            if c.stage in PIPELINE_STAGES:
                assert in_deals.get(c.uid) == c.stage, f"{c} stage differs from its deal"
            else:
                assert c.uid not in in_deals
        assert abs(self.orders_total - sum(c.revenue_total for c in self.companies)) <= 1e-6 * max(1.0, self.orders_total)

    def weekly_support(self, strength: float) -> float:
        """Chance one member backs a purchase at a given relationship strength (for docs and tests)."""
        return support(self.cfg, strength)
