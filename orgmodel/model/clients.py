"""Client companies and the people in their buying centres.

A :class:`ClientCompany` is a plain object (the market holds thousands); the
people in it are Mesa agents. They are passive: nobody calls them every
week. A :class:`ClientBuyer` acts on its own scheduled events (placing serial
orders, reviewing the supplier, complaining); a :class:`DecisionInfluencer`
acts when a purchase decision asks for their backing.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

from mesa import Agent

from orgmodel.model.client_columns import NO_ORDER, Column

if TYPE_CHECKING:
    from mesa.time import Event

    from orgmodel.model.client_columns import ClientColumns
    from orgmodel.model.model import SalesOrgModel
    from orgmodel.model.staff import Staff


class Stage(IntEnum):
    """Where a company stands with the supplier.

    A company's and a deal's stage is always a member (:meth:`Market.set_stage`
    makes it one), so the weekly loops compare stages by identity (``is``):
    an ``==`` between two members of an ``int`` subclass is a generic call
    and costs twice as much, for every client of every person every week.
    """

    PROSPECT = 0
    LEAD = 1
    QUALIFIED = 2
    PROPOSAL = 3
    IMPLEMENTATION = 4
    SERIAL = 5
    LOST = 6


PIPELINE_STAGES = (Stage.LEAD, Stage.QUALIFIED, Stage.PROPOSAL)
_IMPLEMENTATION = Stage.IMPLEMENTATION  # compared by identity (a module constant: cheaper than the enum's attribute)


class ClientCompany:
    """A potential or actual client: its size, potential, stage and people.

    Args:
        uid: index in the market.
        size: relative size (median 1, heavy-tailed).
        base_value: annual revenue of the first sale.
        lines: annual values of the further product lines it could buy
            (its finite cross-sell potential).

    """

    __slots__ = (
        "_owner",
        "available_from",
        "base_value",
        "buyer",
        "coverage",
        "cross_sell_from",
        "deciders",
        "first_sale_factor",
        "handover_event",
        "lines",
        "members",
        "n_lines",
        "originator",
        "people",
        "project",
        "serial_week",
        "size",
        "stage",
        "support_hours",
        "table",
        "times_won",
        "uid",
        "won_week",
    )

    # the service state lives in the market's columns (orgmodel.model.client_columns): these read and write its row
    backlog = Column()
    desk_backlog = Column()
    knowledge = Column()
    satisfaction = Column()
    weekly_service = Column()
    annual_value = Column()
    first_value = Column()
    revenue_total = Column()
    revenue_cross_sell = Column()

    def __init__(self, uid: int, size: float, base_value: float, lines: list[float]) -> None:
        self.uid = uid
        self.size = size
        self.base_value = base_value
        self.lines = lines
        self.n_lines = 0
        self.stage = Stage.PROSPECT
        self._owner: Staff | None = None
        self.table: ClientColumns | None = None  # set when the market's columns are laid out
        self.originator: Staff | None = None
        self.won_week = -1
        self.serial_week = -1
        self.available_from = 0
        self.buyer: ClientBuyer | None = None
        self.members: list[ClientBuyer | DecisionInfluencer] = []
        # the same people as plain ids (buyer first) and whether each decides: what the weekly
        # work reads, so that it need not touch 18,000-180,000 agent objects (benchmarks/README.md)
        self.people: tuple[int, ...] = ()
        self.deciders: tuple[bool, ...] = ()
        self.coverage = 0.0
        self.cross_sell_from = 0
        self.project = None
        self.handover_event: Event | None = None
        self.times_won = 0
        self.first_sale_factor = 1.0  # the first sale's value / base_value (1 unless large_deals_need_hunters)
        self.support_hours = 0.0

    @property
    def owner(self) -> Staff | None:
        """Who holds the client (services it, grows it), or None."""
        return self._owner

    @owner.setter
    def owner(self, person: Staff | None) -> None:
        if self.stage is _IMPLEMENTATION:  # both people's clients in implementation change (Staff.implementing)
            before = self._owner
            if before is not None:
                before.implementing = None
            if person is not None:
                person.implementing = None
        self._owner = person
        self.table.owner_row[self.uid] = -1 if person is None else person.row

    @property
    def potential_left(self) -> int:
        """Product lines it could still add."""
        return len(self.lines)

    def __repr__(self) -> str:
        return f"ClientCompany({self.uid}, {self.stage.name}, size={self.size:.2f})"


class ClientPerson(Agent):
    """Someone in a client's buying centre."""

    def __init__(self, model: SalesOrgModel, company: ClientCompany, decision_maker: bool = False) -> None:
        super().__init__(model)
        self.company = company
        self.decision_maker = decision_maker

    def backs(self, strength: float) -> bool:
        """Whether this person supports buying, given their best supplier relationship.

        Independent backing by each member reproduces the CEB finding that
        purchase likelihood falls with the size of the buying group. A
        purchase decision applies this rule and draw to every member in turn
        (:meth:`~orgmodel.model.relationships.BuyingCentreRelations.buying_centre_agrees`,
        with the scenario read once for the buying centre); keep the two alike.
        """
        cfg = self.model.cfg
        p = cfg.support_at_no_relationship + (cfg.support_at_full_relationship - cfg.support_at_no_relationship) * strength
        return self.model.random.random() < p


class DecisionInfluencer(ClientPerson):
    """An engineer, manager or the decision maker: backs or blocks new projects."""


class ClientBuyer(ClientPerson):
    """The purchaser: places serial orders, reviews the supplier, complains.

    Nothing calls it every week: its serial orders fall due on its own
    rhythm (a complaint comes with an order), its supplier reviews every
    quarter, and each is held with the week's others in one array operation
    (:meth:`~orgmodel.model.service.ClientService.place_due_orders`,
    :meth:`~orgmodel.model.service.ClientService.review_suppliers`).
    """

    def finish_implementation(self) -> None:
        """Implementation is over: from now on the company buys serially."""
        self.model.service.begin_serial(self.company)

    def start_buying(self) -> None:
        """First serial order this week (with the week's orders), then on the buyer's own rhythm; reviews every quarter."""
        company = self.company
        company.table.next_order[company.uid] = round(self.model.time)
        self.schedule_review()

    def stop_buying(self) -> None:
        """No further orders; cancel the pending review and scheduled handover (the company left or was re-won later)."""
        company = self.company
        company.table.next_order[company.uid] = NO_ORDER
        company.table.next_review[company.uid] = NO_ORDER
        if company.handover_event is not None:
            company.handover_event.cancel()
        company.handover_event = None

    def handover_due(self) -> None:
        """The weeks of serial buying before a scheduled handover are over (``handover_timing``)."""
        self.company.handover_event = None
        self.model.structure.handover_due(self.company)

    def schedule_review(self) -> None:
        """The next supplier review, ``review_interval_weeks`` from now (held with the week's: ClientService.review_suppliers)."""
        model = self.model
        company = self.company
        company.table.next_review[company.uid] = round(model.time) + model.cfg.review_interval_weeks
