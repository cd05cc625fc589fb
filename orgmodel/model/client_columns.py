"""The clients' service state in columns: one row per company, what the weekly work reads and writes in bulk.

Every serial client has open work (its backlog), a buyer who orders on a
rhythm, a satisfaction that follows how the work is done, and knowledge the
supplier has of its specifics. The week's servicing of every portfolio and
the week's serial orders are array operations over these columns
(:mod:`orgmodel.model.servicing`, :meth:`orgmodel.model.service.ClientService.place_due_orders`),
not a Python loop per client: at 100,000 companies the per-client loops were
most of a run.

A :class:`~orgmodel.model.clients.ClientCompany` still reads and writes
``company.backlog``, ``company.knowledge`` and the rest as attributes (the
policies, the dashboard and the tests do); they are views of its row here
(:class:`Column`). Its ``owner`` is kept here too, as the owner's staff row
(:attr:`ClientColumns.owner_row`, -1 for none), so the week's servicing can
group clients by who serves them without walking the portfolios.
"""

from __future__ import annotations

from itertools import chain
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from orgmodel.model.clients import ClientCompany
    from orgmodel.model.staff import Staff

#: the columns and their values for a company nobody has worked with yet
FLOAT_COLUMNS = {
    "backlog": 0.0,  # standard hours of service work owed to the client (orders, problems, complaints)
    "desk_backlog": 0.0,  # the same, owed by the order desk (structures with one)
    "knowledge": 0.0,  # how well the supplier knows the client's specifics (0-1)
    "satisfaction": 1.0,  # the buyer's satisfaction with how orders are handled (0-1)
    "weekly_service": 0.0,  # standard hours of service the client's orders create per week
    "annual_value": 0.0,  # annual revenue of the lines the client buys
    "first_value": 0.0,  # annual revenue of its first sale (the rest of annual_value is cross-sold)
    "revenue_total": 0.0,  # revenue from all its orders so far
    "revenue_cross_sell": 0.0,  # the part of it from cross-sold lines
}
NO_ORDER = -1  # next_order of a company that is not buying


class Column:
    """A company's attribute stored in its row of a :class:`ClientColumns` column (a data descriptor).

    Reads return plain Python floats (``ndarray.item``), so per-client
    arithmetic elsewhere stays as cheap and exact as with a plain attribute.
    """

    __slots__ = ("name",)

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, company: ClientCompany | None, owner: type | None = None) -> float:
        if company is None:
            return self  # type: ignore[return-value]  # the descriptor itself, on the class
        return getattr(company.table, self.name).item(company.uid)

    def __set__(self, company: ClientCompany, value: float) -> None:
        getattr(company.table, self.name)[company.uid] = value


class ClientColumns:
    """Every company's service state, one row per company (``company.uid``), and the staff rows of owners.

    Args:
        companies: the market's companies, in uid order; each gets this table as ``company.table``.
        rng: the model's generator; the buyers' orders and reviews and the members met by service work
            draw from streams of their own spawned from it (:meth:`numpy.random.Generator.spawn`, which draws
            nothing from it), so that a hire's skill draws, say, do not shift the clients' draws:
            two organisations compared on the same seed see the same orders and problems for as long
            as their clients' work is the same (common random numbers).
        layout: the buying centres' people as the market lays them out (:attr:`Market.member_ids
            <orgmodel.model.market.Market.member_ids>`, ``member_start``, ``member_counts``), the same as
            read from the companies' ``people`` (which is done without it): at 100,000 companies a
            quarter of a billion instructions of set-up.

    """

    def __init__(
        self,
        companies: list[ClientCompany],
        rng: np.random.Generator,
        layout: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.order_rng, self.contact_rng, self.review_rng = rng.spawn(3)
        n = len(companies)
        for name, value in FLOAT_COLUMNS.items():
            setattr(self, name, np.full(n, value))
        #: the owner's staff row (:meth:`register`), -1 for a company nobody owns
        self.owner_row = np.full(n, -1, dtype=np.int64)
        #: the week of the buyer's next serial order and of its next supplier review (NO_ORDER while not buying)
        self.next_order = np.full(n, NO_ORDER, dtype=np.int64)
        self.next_review = np.full(n, NO_ORDER, dtype=np.int64)
        #: the staff member of each row (rows are never reused: a leaver's row keeps pointing at them)
        self.staff: list[Staff] = []
        for company in companies:
            company.table = self
        # every buying centre's people as ids, company by company (buyer first): whom service work meets
        if layout is not None:  # the market's (Market.member_ids, member_start, member_counts): not read again
            self.people, self.people_start, self.people_size = layout
            return
        each = [c.people for c in companies]  # chained in C below, not by a generator resumed per person
        sizes = np.fromiter(map(len, each), dtype=np.int64, count=n)
        self.people = np.fromiter(chain.from_iterable(each), dtype=np.int64, count=int(sizes.sum()))
        self.people_start = np.cumsum(sizes) - sizes
        self.people_size = sizes

    def register(self, person: Staff) -> int:
        """Give a new staff member a row (owners are stored by row); returns it."""
        self.staff.append(person)
        return len(self.staff) - 1
