"""An optional record of what a CRM and an ERP would have logged during a run.

Calibration compares a company's own export with the export a simulated
company would produce (:mod:`orgmodel.crm.synthesize`), so the model must be
able to say, event by event, what happened: deals opened, moved on, won or
lost; cross-sell opportunities; orders; clients lost; people hired and
leaving; problems and complaints; and each person's hours by activity every
week. The recorder is off by default (``SalesOrgModel(record_events=True)``
turns it on): the model's hooks are a single ``is not None`` check each, so an
ordinary run pays nothing for it.

Times are the model's clock (weeks, week 1 starts at time 0); turning them
into calendar dates and tables is the synthesizer's job, so this module knows
nothing of CRM formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orgmodel.model.clients import ClientCompany
    from orgmodel.model.model import SalesOrgModel
    from orgmodel.model.pipeline import CrossSell, Deal
    from orgmodel.model.staff import Staff


@dataclass
class Opportunity:
    """A new-business deal or a cross-sell project as a CRM would hold it."""

    opportunity_id: int
    company: int
    owner: int
    created: float
    kind: str  # "new_business" or "cross_sell"
    amount: float
    stages: list[tuple[str, float]] = field(default_factory=list)
    outcome: str = "open"
    closed: float | None = None


@dataclass
class Employment:
    """One person's spell with the supplier."""

    person: int
    role: str
    start: float
    end: float | None = None
    team: str = ""


class EventRecorder:
    """Collects the run's events in plain lists (cheap to append, turned into tables once at the end).

    Args:
        model: the model being recorded (read for the clock only).

    """

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model
        self.opportunities: dict[int, Opportunity] = {}
        self._deal_opportunity: dict[int, int] = {}  # model deal id -> opportunity id
        self._open_cross_sells: dict[int, int] = {}  # company uid -> opportunity id
        self.orders: list[tuple[float, int, float, int]] = []  # time, company, value, lines
        self.client_losses: list[tuple[float, int]] = []
        self.cases: list[tuple[float, int, str, int]] = []  # time, company, kind, staff id (-1: nobody)
        self.staff: dict[int, Employment] = {}
        self.hours: list[tuple[int, int, tuple[float, ...]]] = []  # week, person, hours by activity

    def _new_opportunity(self, company: ClientCompany, owner: Staff, kind: str, amount: float) -> Opportunity:
        opp = Opportunity(len(self.opportunities) + 1, company.uid, owner.unique_id, self.model.time, kind, amount)
        self.opportunities[opp.opportunity_id] = opp
        return opp

    # --- the pipeline ---------------------------------------------------------------------
    def deal_opened(self, deal: Deal) -> None:
        """A prospect became a lead; the deal's amount is the first sale's annual value."""
        opp = self._new_opportunity(deal.company, deal.owner, "new_business", deal.company.base_value)
        opp.stages.append((deal.stage.name.lower(), self.model.time))
        self._deal_opportunity[deal.id] = opp.opportunity_id

    def deal_advanced(self, deal: Deal) -> None:
        """The deal entered its next stage."""
        opp = self.opportunities[self._deal_opportunity[deal.id]]
        opp.stages.append((deal.stage.name.lower(), self.model.time))

    def deal_closed(self, deal: Deal, won: bool) -> None:
        """The deal was won or lost (a stale deal and a leaver's deal count as lost)."""
        opp = self.opportunities[self._deal_opportunity.pop(deal.id)]
        self._close(opp, won)

    def _close(self, opp: Opportunity, won: bool) -> None:
        opp.outcome = "won" if won else "lost"
        opp.closed = self.model.time  # the close is the opportunity's outcome, not a stage row

    def cross_sell_started(self, project: CrossSell) -> None:
        """A cross-sell project is an opportunity for the client's next product line."""
        company = project.company
        amount = company.lines[0] if company.lines else 0.0
        opp = self._new_opportunity(company, project.owner, "cross_sell", amount)
        opp.stages.append(("cross_sell_proposal", self.model.time))  # its own stage: not part of the new-business funnel
        self._open_cross_sells[company.uid] = opp.opportunity_id

    def cross_sell_closed(self, company: ClientCompany, won: bool) -> None:
        """The buying centre decided on the new line (or the project was dropped: lost)."""
        oid = self._open_cross_sells.pop(company.uid, None)
        if oid is not None:
            self._close(self.opportunities[oid], won)

    # --- clients ---------------------------------------------------------------------------
    def order(self, company: ClientCompany, value: float) -> None:
        """A serial order: its value and the product lines it covers."""
        self.orders.append((self.model.time, company.uid, value, company.n_lines))

    def client_lost(self, company: ClientCompany) -> None:
        """The client left (its open cross-sell, if any, is lost with it)."""
        self.client_losses.append((self.model.time, company.uid))
        self.cross_sell_closed(company, won=False)

    def case(self, company: ClientCompany, kind: str) -> None:
        """A problem with an order or a complaint, logged against the client's owner."""
        owner = company.owner.unique_id if company.owner is not None else -1
        self.cases.append((self.model.time, company.uid, kind, owner))

    # --- people ------------------------------------------------------------------------------
    def hired(self, people: list[Staff]) -> None:
        """People start (the initial staff at time 0)."""
        for p in people:
            self.staff[p.unique_id] = Employment(p.unique_id, p.role, self.model.time)

    def left(self, person: Staff) -> None:
        """A person leaves; their open cross-sell projects are dropped (lost)."""
        spell = self.staff.get(person.unique_id)
        if spell is not None:
            spell.end = self.model.time
            spell.team = "" if person.team is None else str(person.team)
        for project in person.projects:
            self.cross_sell_closed(project.company, won=False)

    def week_closed(self, week: int, people: list[Staff]) -> None:
        """Each person's hours by activity this week (the time-use record a CRM's activities sample)."""
        for p in people:
            self.hours.append((week, p.unique_id, tuple(p.hours)))

    def finish(self) -> None:
        """Note the teams of people still employed (teams can change during a run)."""
        for p in self.model.staff + self.model.desk_agents:
            spell = self.staff.get(p.unique_id)
            if spell is not None and spell.end is None:
                spell.team = "" if p.team is None else str(p.team)
