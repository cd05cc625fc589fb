"""The market: the companies a supplier can sell to, their buying centres and where each stands.

The market is built once at set-up (heavy-tailed sizes, a finite number of
further product lines, buying centres of a few people) and then only changes
stage: prospect, in the pipeline, implementing, serial client, lost. It keeps
the count of companies per stage, so the weekly record need not walk
thousands of companies to know how many are clients.
"""

from __future__ import annotations

from operator import is_not
from typing import TYPE_CHECKING

import numpy as np

from orgmodel.model.clients import ClientBuyer, ClientCompany, DecisionInfluencer, Stage

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel

_IMPLEMENTATION = Stage.IMPLEMENTATION  # compared by identity (a module constant: cheaper than the enum's attribute)


class Market:
    """The companies, their buying-centre people (Mesa agents) and the count of companies per stage.

    Args:
        model: the model; the market lives as ``model.market``.

    """

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model
        self.companies = self._create(model)
        self.stage_counts = [0] * len(Stage)
        self.stage_counts[Stage.PROSPECT] = len(self.companies)
        self.mean_base_value = float(np.mean([c.base_value for c in self.companies]))

    def _create(self, model: SalesOrgModel) -> list[ClientCompany]:
        """Companies with heavy-tailed sizes, finite cross-sell potential and buying centres."""
        cfg = model.cfg
        n = cfg.market_size
        rng = model.rng
        sizes = rng.lognormal(0.0, cfg.client_size_sigma, n)
        n_lines = rng.poisson(cfg.cross_sell_lines_mean, n)
        line_values = rng.uniform(0.5, 1.5, int(n_lines.sum())) * cfg.cross_sell_line_value
        bc_sizes = rng.integers(cfg.buying_centre_min, cfg.buying_centre_max + 1, n)
        # the draws as Python numbers once (the same values float() and int() gave element by element)
        size_of, lines_of, value_of = sizes.tolist(), n_lines.tolist(), line_values.tolist()
        annual = cfg.base_annual_value
        companies = []
        start = 0
        for i in range(n):
            size = size_of[i]
            base = annual * size
            k = lines_of[i]
            companies.append(ClientCompany(i, size, base, [base * v for v in value_of[start : start + k]]))
            start += k
        #: every company's full list of further lines (a re-won client can buy them all again)
        self.all_lines = [list(c.lines) for c in companies]
        buyers = ClientBuyer.create_agents(model, n, companies).to_list()  # a list: walked three times below
        for company, buyer in zip(companies, buyers, strict=True):
            company.buyer = buyer
            company.members.append(buyer)
        others = [c for c, m in zip(companies, bc_sizes.tolist(), strict=True) for _ in range(m - 1)]
        first = [True, *map(is_not, others[1:], others[:-1])]
        influencers = DecisionInfluencer.create_agents(model, len(others), others, first).to_list()
        for person in influencers:
            person.company.members.append(person)
        for company in companies:
            company.seat_buying_centre()
        model.network.add_people([b.unique_id for b in buyers], role="buyer")
        model.network.add_people([p.unique_id for p in influencers], role="influencer")
        return companies

    def set_stage(self, company: ClientCompany, stage: Stage) -> None:
        """Move a company to a stage, keeping the stage counts the weekly data reads.

        The stage is stored as a :class:`Stage` member (a plain number is
        turned into one), which the weekly loops compare by identity. A move
        into or out of implementation drops the owner's list of clients in
        implementation (:attr:`Staff.implementing <orgmodel.model.staff.Staff.implementing>`),
        which their next week rebuilds.
        """
        if type(stage) is not Stage:
            stage = Stage(stage)
        counts = self.stage_counts
        before = company.stage
        counts[before] -= 1
        counts[stage] += 1
        company.stage = stage
        if stage is _IMPLEMENTATION or before is _IMPLEMENTATION:
            owner = company._owner  # its owner's clients in implementation change (Staff.implementing: rebuilt)
            if owner is not None:
                owner.implementing = None

    def find_prospect(self, week: float | None = None) -> ClientCompany | None:
        """A random company nobody is working on and that can be approached now (``week``: ``model.time``, if read already)."""
        model = self.model
        if week is None:
            week = model.time
        companies = self.companies
        n = len(companies)
        if not n:
            return None
        # random.choice(companies) written out: companies[r] with r drawn by the very getrandbits calls of
        # CPython's Random._randbelow_with_getrandbits (the same draws), without two Python calls per draw
        getrandbits, bits = model.random.getrandbits, n.bit_length()
        prospect, lost = Stage.PROSPECT, Stage.LOST  # open to approach (stages compared by identity: always members)
        for _ in range(64):
            r = getrandbits(bits)
            while r >= n:
                r = getrandbits(bits)
            c = companies[r]
            stage = c.stage
            if (stage is prospect or stage is lost) and c.available_from <= week:
                return c
        return None
