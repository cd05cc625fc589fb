"""The market: the companies a supplier can sell to, their buying centres and where each stands.

The market is built once at set-up (heavy-tailed sizes, a finite number of
further product lines, buying centres of a few people) and then only changes
stage: prospect, in the pipeline, implementing, serial client, lost. It keeps
the count of companies per stage, so the weekly record need not walk
thousands of companies to know how many are clients.
"""

from __future__ import annotations

from itertools import chain, repeat
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
        self.mean_base_value = float(np.mean(self.base_values))  # the companies' base values, as an array

    def _create(self, model: SalesOrgModel) -> list[ClientCompany]:
        """Companies with heavy-tailed sizes, finite cross-sell potential and buying centres.

        Built in bulk (at 100,000 companies most of a large model's set-up): the values from one numpy
        product each, the buying centres' ids and roles laid out as arrays in market order
        (:attr:`member_ids`, :attr:`member_counts`, :attr:`member_decides`, which the relationships'
        layout reads again), and per company only slices of them.
        """
        cfg = model.cfg
        n = cfg.market_size
        rng = model.rng
        sizes = rng.lognormal(0.0, cfg.client_size_sigma, n)
        n_lines = rng.poisson(cfg.cross_sell_lines_mean, n)
        line_values = rng.uniform(0.5, 1.5, int(n_lines.sum())) * cfg.cross_sell_line_value
        bc_sizes = rng.integers(cfg.buying_centre_min, cfg.buying_centre_max + 1, n)
        # each company's first-sale value and its lines' values: the very products a Python float gives, elementwise
        base = cfg.base_annual_value * sizes
        self.base_values = base
        value_of = (base.repeat(n_lines) * line_values).tolist()
        ends = np.cumsum(n_lines).tolist()
        lines = [value_of[s:e] for s, e in zip([0, *ends][:-1], ends, strict=True)]
        companies = list(map(ClientCompany, range(n), sizes.tolist(), base.tolist(), lines))
        #: every company's full list of further lines (a re-won client can buy them all again)
        self.all_lines = list(map(list, lines))
        self._seat(model, companies, bc_sizes)
        return companies

    def _seat(self, model: SalesOrgModel, companies: list[ClientCompany], bc_sizes: np.ndarray) -> None:
        """Each company's buying centre: its buyer, then its other members (the first of them decides), as Mesa agents.

        The buyers are created first, then the influencers company by company (the ids Mesa gives follow
        that order), in bulk with Mesa's ``Agent.create_agents`` (its AgentSet of weak references is not
        kept: about a quarter of a second at 600,000 people, which Mesa's way of creating many is worth).
        Mesa's own registration of each agent (``Agent.__init__``) is most of the market's set-up. The members' ids and whether
        each decides are also laid out as arrays in market order, buyer first (:attr:`member_ids`,
        :attr:`member_decides`, from :attr:`member_start` for :attr:`member_counts` each), for the
        relationships' layout (:meth:`BuyingCentreRelations.seat`).
        """
        n = len(companies)
        k = np.maximum(bc_sizes - 1, 0)  # influencers per company (the buyer is one even with a buying centre of 0)
        others = list(chain.from_iterable(map(repeat, companies, k.tolist())))  # each influencer's company
        m = len(others)
        ends = np.cumsum(k)
        decides = np.zeros(m, dtype=bool)
        decides[(ends - k)[k > 0]] = True  # each company's first influencer
        buyers = ClientBuyer.create_agents(model, n, companies).to_list()
        influencers = DecisionInfluencer.create_agents(model, m, others, decides.tolist()).to_list()
        buyer_ids = [b.unique_id for b in buyers]  # comprehensions: cheaper than map(attrgetter) per agent
        influencer_ids = [p.unique_id for p in influencers]
        # who decides, by the number of influencers: the buyer does not, the first influencer does, the others do not
        shapes = {c: (False, True, *[False] * (c - 1)) if c else (False,) for c in set(k.tolist())}
        ends_of = ends.tolist()
        for company, buyer, uid, a, b in zip(companies, buyers, buyer_ids, [0, *ends_of][:-1], ends_of, strict=True):
            company.buyer = buyer
            company.members = [buyer, *influencers[a:b]]
            company.people = (uid, *influencer_ids[a:b])
            company.deciders = shapes[b - a]
        # the same in market order: company c's buyer at start[c], its influencers after it (influencer j at j + c + 1)
        counts = k + 1
        self.member_counts = counts
        self.member_start = start = np.cumsum(counts) - counts
        at = np.arange(m) + np.arange(n).repeat(k) + 1
        self.member_ids = np.empty(n + m, dtype=np.int64)
        self.member_ids[start] = np.fromiter(buyer_ids, dtype=np.int64, count=n)  # fromiter: cheaper than from a list
        self.member_ids[at] = np.fromiter(influencer_ids, dtype=np.int64, count=m)
        self.member_decides = np.zeros(n + m, dtype=bool)
        self.member_decides[at] = decides
        model.network.add_people(buyer_ids, role="buyer")
        model.network.add_people(influencer_ids, role="influencer")

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
