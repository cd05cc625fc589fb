"""Large clients: who wins them and who serves them matters more than for small ones.

Issue #18, two switches (both off by default):

* ``large_deals_need_hunters``: a large client's purchase is a complex sale.
  For a client of size ``s`` above the median (``w = ln s > 0``) and an owner
  with relative hunting skill ``r = hunting_skill / skill_mean``, the edge
  ``e = r ** (k w)`` (``k = large_deal_skill_weight``) tips the buying
  centre's decision at the close: a weaker hunter (``e < 1``) loses a share
  ``1 - e`` of the large deals the buying centre agreed to; a stronger one
  (``e > 1``) turns a share ``1 - 1/e`` of its refusals into a sale. The
  first sale's value is the client's base value times ``e`` (kept between
  0.5 and 2): strong hunters sell large clients more at once. Clients at or
  below the median size are unaffected.
* ``large_client_care``: a large client whose owner has time and service
  skill for it churns less and takes bigger further lines. Attention = the
  owner's time (one minus their smoothed service load, times one minus the
  share of this week spent hunting) x relative service skill, at most 1;
  size weight = ``min(1, ln s)`` for clients above the median. Annual churn
  is cut by ``large_client_churn_cut`` x weight x attention; a further line
  is worth ``1 + large_client_cross_sell_gain`` x weight x attention times
  its value. A key-account manager with hours to spare gives full care; a
  busy full-cycle salesperson little.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from orgmodel.model.activities import PIPELINE, PROSPECTING

if TYPE_CHECKING:
    from orgmodel.model.clients import ClientCompany
    from orgmodel.model.model import SalesOrgModel
    from orgmodel.model.staff import Staff

DEAL_SIZE_BOUNDS = (0.5, 2.0)  # assumption: a first sale is at most twice or half the base value


def size_weight(company: ClientCompany) -> float:
    """How large the client is beyond the median (``ln size``, 0 at or below the median)."""
    return math.log(company.size) if company.size > 1.0 else 0.0


class LargeDeals:
    """The hunter's edge on large clients (switch ``large_deals_need_hunters``)."""

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model

    def edge(self, owner: Staff, company: ClientCompany) -> float:
        """``(hunting skill / skill_mean) ** (k ln size)``; 1 for clients at or below the median size."""
        w = size_weight(company)
        if w <= 0.0:
            return 1.0
        cfg = self.model.cfg
        return (owner.hunting_skill / cfg.skill_mean) ** (cfg.large_deal_skill_weight * w)

    def decide(self, owner: Staff, company: ClientCompany, agreed: bool) -> bool:
        """The close, tipped by the owner's edge (one extra draw for large clients only)."""
        e = self.edge(owner, company)
        if e == 1.0:
            return agreed
        u = self.model.random.random()
        if agreed:
            return e > 1.0 or u < e
        return e > 1.0 and u < 1.0 - 1.0 / e

    def first_sale_factor(self, owner: Staff, company: ClientCompany) -> float:
        """The first sale's value relative to the client's base value."""
        lo, hi = DEAL_SIZE_BOUNDS
        return min(hi, max(lo, self.edge(owner, company)))


class LargeClientCare:
    """Large clients served with time and skill stay longer and buy more (switch ``large_client_care``)."""

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model

    def attention(self, company: ClientCompany) -> float:
        """Weight (size) x attention (the owner's time and service skill), between 0 and 1."""
        owner = company.owner
        w = min(1.0, size_weight(company))
        if owner is None or w <= 0.0:
            return 0.0
        cfg = self.model.cfg
        cap = cfg.available_hours
        hunting = (owner.hours[PROSPECTING] + owner.hours[PIPELINE]) / cap if cap > 0 else 0.0
        time = max(0.0, 1.0 - owner.load) * max(0.0, 1.0 - hunting)
        return w * min(1.0, time * owner.service_skill / cfg.skill_mean)

    def churn_factor(self, company: ClientCompany) -> float:
        """Multiplier on the client's annual churn."""
        return 1.0 - self.model.cfg.large_client_churn_cut * self.attention(company)

    def line_factor(self, company: ClientCompany) -> float:
        """Multiplier on the value of the further line the client is taking."""
        return 1.0 + self.model.cfg.large_client_cross_sell_gain * self.attention(company)


__all__ = ["DEAL_SIZE_BOUNDS", "LargeClientCare", "LargeDeals", "size_weight"]
