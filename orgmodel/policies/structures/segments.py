"""Client segments that account managers can specialise in: size bands of the market.

A ClientCompany has no industry or region, only a size (which sets its
first-sale value and, through ``service_size_exponent``, its service work),
its cross-sell potential and its buying centre. Size is what companies
segment key accounts, mid-market and small clients by, so a segment here is
a size band: ``client_segments`` bands with equal shares of the market's
companies (cut at the size quantiles), band 0 the smallest.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from orgmodel.model.clients import ClientCompany
    from orgmodel.model.model import SalesOrgModel


class SizeBands:
    """The market's size bands, computed on first use and again if ``client_segments`` changes."""

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model
        self._n = 0
        self._edges: list[float] = []

    def edges(self) -> list[float]:
        """Upper size limits of every band but the last."""
        n = self.model.cfg.client_segments
        if n != self._n:
            sizes = np.array([c.size for c in self.model.companies])
            self._edges = [float(x) for x in np.quantile(sizes, [i / n for i in range(1, n)])]
            self._n = n
        return self._edges

    def of(self, client: ClientCompany) -> int:
        """The band of ``client`` (0: the smallest companies)."""
        return bisect_right(self.edges(), client.size)
