"""Deals in the pipeline and cross-sell projects.

A deal moves prospect -> lead -> qualified -> proposal and is then won
(implementation) or lost. Each stage needs hours of work and a minimum
number of weeks; the hours spent with the buying centre build the
relationships that decide the close. Relationship gains from a stage are
booked when the stage resolves (one network update per person per stage,
not per week), which changes nothing a person would notice and keeps the
network cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orgmodel.model.clients import ClientCompany, Stage

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel
    from orgmodel.model.staff import Staff

KNOWLEDGE_FROM_SALE = 0.8  # assumption: who ran the sale knows most of what is in "kit A"
#: the stages as module constants (the pipeline reads them for every deal; a member read off the enum class costs more)
_PROSPECT, _LEAD, _QUALIFIED, _PROPOSAL = Stage.PROSPECT, Stage.LEAD, Stage.QUALIFIED, Stage.PROPOSAL
_IMPLEMENTATION = Stage.IMPLEMENTATION
_NEXT_STAGE = {_LEAD: _QUALIFIED, _QUALIFIED: _PROPOSAL}  # where a deal goes when its stage is passed


class Deal:
    """One company in one salesperson's pipeline."""

    __slots__ = ("company", "entered", "hours", "id", "last_worked", "owner", "stage")

    def __init__(self, company: ClientCompany, owner: Staff, week: int, deal_id: int) -> None:
        self.id = deal_id
        self.company = company
        self.owner = owner
        self.stage = _LEAD
        self.hours = 0.0
        self.entered = week
        self.last_worked = week

    def __repr__(self) -> str:
        return f"Deal({self.id}, {self.stage.name}, company={self.company.uid})"


class CrossSell:
    """Developing one further product line with an existing client."""

    __slots__ = ("company", "hours", "owner", "started")

    def __init__(self, company: ClientCompany, owner: Staff, week: int) -> None:
        self.company = company
        self.owner = owner
        self.hours = 0.0
        self.started = week


class Pipeline:
    """Every open deal, and what happens when a stage's work is done: advance, win or lose.

    Args:
        model: the model; the pipeline lives as ``model.pipeline``.

    """

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model
        self._deal_ids = 0
        self.deals: dict[int, Deal] = {}
        self.waiting: list[Deal] = []  # deals whose stage's work is in, awaiting the client's answer this week
        self.configure()

    def configure(self) -> None:
        """Read the stages' standard hours and minimum weeks from ``model.cfg`` (at set-up and after interventions)."""
        cfg = self.model.cfg
        #: standard hours each stage needs (by Stage; prospects need none)
        self.stage_hours = (0.0, cfg.lead_hours, cfg.qualified_hours, cfg.proposal_hours)
        self.stage_min_weeks = (0, cfg.lead_min_weeks, cfg.qualified_min_weeks, cfg.proposal_min_weeks)

    def open_deal(self, company: ClientCompany, owner: Staff, week: float | None = None) -> Deal:
        """A first contact turns a prospect into a lead.

        ``week``: ``model.time``, if the caller has read it (a person's week
        opens thousands of deals; the clock is a Mesa observable, dearer to read
        than a plain attribute).
        """
        model = self.model
        if week is None:
            week = model.time
        self._deal_ids += 1
        deal = Deal(company, owner, int(week), self._deal_ids)
        model.market.set_stage(company, _LEAD)
        self.deals[deal.id] = deal
        model.network.invest(owner.unique_id, company.people[0], 0.5, week, owner.hunting_skill)
        if model.recorder is not None:
            model.recorder.deal_opened(deal)
        return deal

    def try_advance(self, deal: Deal) -> None:
        """Resolve the deal's stage now, once its hours and minimum weeks are in."""
        if self._ready(deal):
            self._book_stage(deal)
            self.resolve(deal)

    def queue(self, deal: Deal, week: float | None = None) -> None:
        """The stage's work is in (checked by the owner's week): the client decides when the week's contacts are.

        The stage's hours with the buying centre are booked now (``week``:
        ``model.time``, if read already); :meth:`decide` resolves every queued
        deal at once after everyone's week.
        """
        self._book_stage(deal, week)
        self.waiting.append(deal)

    def asking(self) -> list[ClientCompany]:
        """The buying centres the queued proposals put the decision to (in queue order)."""
        return [d.company for d in self.waiting if d.stage is _PROPOSAL]

    def decide(self, strengths: list[list[float]] | None = None) -> None:
        """Resolve the deals queued this week.

        ``strengths``: for each of :meth:`asking`'s buying centres, its
        members' best strengths, read in one go with the rest of the week's
        (:meth:`BuyingCentreRelations.settle`); read here if not given.
        """
        waiting = self.waiting
        if not waiting:
            return
        if strengths is None:
            strengths = self.model.relations.best_strengths(self.asking())
        self.waiting = []
        answers = iter(strengths)
        resolve = self.resolve
        week = self.model.time  # one read of the clock for all the answers
        for deal in waiting:
            resolve(deal, next(answers) if deal.stage is _PROPOSAL else None, week)

    def _ready(self, deal: Deal) -> bool:
        """Whether the deal's stage has its hours (during the owner's week) and minimum weeks."""
        if deal.hours + 1e-9 < deal.owner.stage_hours_now[deal.stage]:
            return False
        return self.model.time - deal.entered >= self.stage_min_weeks[deal.stage]

    def _book_stage(self, deal: Deal, week: float | None = None) -> None:
        """The stage's hours with the prospect's people (its buyer alone at the lead stage).

        A lead's hours go straight to the network (what ``book_contact``
        does with a contact that is not with everyone): most stages resolved
        are leads, each a call fewer.
        """
        owner = deal.owner
        model = self.model
        if deal.stage is _LEAD:
            model.network.invest(
                owner.unique_id, deal.company.people[0], deal.hours, model.time if week is None else week, owner.hunting_skill
            )
            return
        skill = owner.hunting_skill
        model.relations.book_contact(owner, deal.company, deal.hours, everyone=True, skill=skill, refresh=False, week=week)

    def resolve(self, deal: Deal, best: list[float] | None = None, week: float | None = None) -> None:
        """The client's answer at the end of a stage: next stage, won, or lost.

        ``best``: the buying centre's best strengths, if read already
        (proposals); ``week``: ``model.time``, if read already.
        """
        model = self.model
        if week is None:
            week = model.time
        cfg = model.cfg
        owner = deal.owner
        company = deal.company
        stage = deal.stage
        if stage is _LEAD:
            passed = model.random.random() < cfg.lead_qualify_rate
        elif stage is _QUALIFIED:
            passed = model.random.random() < cfg.proposal_rate
        else:
            passed = model.relations.buying_centre_agrees(company, best)
            if model.large_deals is not None:
                passed = model.large_deals.decide(owner, company, passed)
            if passed:
                self._win(deal, week)
                return
        if not passed:
            self.lose_deal(deal, week)
            return
        deal.stage = stage = _NEXT_STAGE[stage]
        model.market.set_stage(company, stage)
        deal.hours = 0.0
        deal.entered = int(week)
        deal.last_worked = deal.entered  # the next stage's shelf life starts now
        if model.recorder is not None:
            model.recorder.deal_advanced(deal)

    def _win(self, deal: Deal, week: float) -> None:
        """The deal is won (at ``week``, the clock now): implementation starts with the winner."""
        model = self.model
        company = deal.company
        owner = deal.owner
        if model.recorder is not None:
            model.recorder.deal_closed(deal, won=True)
        del self.deals[deal.id]
        owner.deals.remove(deal)
        model.market.set_stage(company, _IMPLEMENTATION)
        company.owner = owner
        company.originator = owner
        owner.originated.append(company)
        company.won_week = int(week)
        company.times_won += 1
        company.first_sale_factor = 1.0 if model.large_deals is None else model.large_deals.first_sale_factor(owner, company)
        company.knowledge = KNOWLEDGE_FROM_SALE
        company.lines = list(model.market.all_lines[company.uid])
        company.satisfaction = 1.0
        owner.portfolio.append(company)
        model.deals_won += 1
        model.calendar.schedule(company.buyer.finish_implementation, model.cfg.implementation_weeks)

    def lose_deal(self, deal: Deal, week: float | None = None) -> None:
        """The prospect drops out; it can be approached again later (``week``: ``model.time``, if read already)."""
        model = self.model
        if week is None:
            week = model.time
        company = deal.company
        if model.recorder is not None:
            model.recorder.deal_closed(deal, won=False)
        del self.deals[deal.id]
        deal.owner.deals.remove(deal)
        model.market.set_stage(company, _PROSPECT)
        company.available_from = int(week) + model.cfg.reapproach_weeks
        model.deals_lost += 1


class CrossSelling:
    """Projects that develop an existing client's next product line, and the client's decision on them.

    Args:
        model: the model; this lives as ``model.cross_selling``.

    """

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model
        self.waiting: list[CrossSell] = []  # finished projects awaiting the buying centre's answer this week

    def start(self, company: ClientCompany, owner: Staff) -> CrossSell:
        """Begin developing the client's next product line."""
        model = self.model
        project = CrossSell(company, owner, int(model.time))
        company.project = project
        if model.recorder is not None:
            model.recorder.cross_sell_started(project)
        return project

    def ready(self, project: CrossSell, week: float | None = None) -> bool:
        """Whether the project's work and minimum weeks are in (``week``: ``model.time``, if read already)."""
        cfg = self.model.cfg
        if not project.hours + 1e-9 >= cfg.cross_sell_hours:
            return False
        return (self.model.time if week is None else week) - project.started >= cfg.cross_sell_min_weeks

    def try_close(self, project: CrossSell) -> None:
        """When the work is done, the buying centre decides on the new line (now)."""
        if self.ready(project):
            self._book(project)
            self.resolve(project)

    def ask(self, project: CrossSell, week: float) -> None:
        """A project whose work and weeks are in: its hours with the buying centre are booked, the client decides later.

        The owner's week asks :meth:`ready` first, with the hours it has
        just worked (``week``: ``model.time``); :meth:`decide` answers every
        project asked this week at once, after everyone's week.
        """
        self._book(project, week)
        self.waiting.append(project)

    def asking(self) -> list[ClientCompany]:
        """The buying centres this week's finished projects put the decision to (in queue order)."""
        return [p.company for p in self.waiting]

    def decide(self, strengths: list[list[float]] | None = None) -> None:
        """The buying centres of this week's finished projects decide (``strengths`` as for :meth:`Pipeline.decide`)."""
        waiting = self.waiting
        if not waiting:
            return
        if strengths is None:
            strengths = self.model.relations.best_strengths(self.asking())
        self.waiting = []
        for project, best in zip(waiting, strengths, strict=True):
            self.resolve(project, best)

    def _book(self, project: CrossSell, week: float | None = None) -> None:
        owner = project.owner
        self.model.relations.book_contact(
            owner, project.company, project.hours, everyone=True, skill=owner.service_skill, week=week
        )

    def resolve(self, project: CrossSell, best: list[float] | None = None) -> None:
        """The buying centre's decision on a finished project (``best``: its strengths, if read already)."""
        model = self.model
        cfg = model.cfg
        company = project.company
        owner = project.owner
        owner.projects.remove(project)
        company.project = None
        won = bool(company.lines) and model.relations.buying_centre_agrees(company, best)
        if model.recorder is not None:
            model.recorder.cross_sell_closed(company, won)
        if won:
            line = company.lines.pop(0)
            if model.large_client_care is not None:
                line *= model.large_client_care.line_factor(company)
            company.annual_value += line
            company.n_lines += 1
            model.service.update_service_need(company)
            company.backlog += cfg.cross_sell_implementation_hours
            model.cross_sells_won += 1
        else:
            company.cross_sell_from = int(model.time) + cfg.cross_sell_cooldown_weeks
