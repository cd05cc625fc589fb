"""Scarce hunting talent: a labour market that a fast hiring wave empties of its best candidates.

Issue #18, switch ``scarce_hunting_talent`` (off by default). Hunting skill
is drawn with its own, wider lognormal sigma ``hunting_skill_sd`` (individual
performance is heavy-tailed, O'Boyle & Aguinis 2012), so a few people are
strong hunters. People hired during the run come from a pool of candidates:
the pool starts full (``hiring_pool_size`` candidates drawn from the skill
distributions), ``hiring_pool_arrivals_per_week`` new candidates join it
each week up to its size, and each hire takes the best candidate left: by
hunting skill for a salesperson, by service skill for anyone else. When the
pool is empty the company takes whoever applies (a fresh random draw). So a
steady trickle of hires is better than average, and a wave of hires takes the
best first and then ever weaker ones. People in post at the start are drawn
as usual (they are not hired from the pool).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel


class HiringPool:
    """The candidates the labour market offers (see module doc); created on the first hire."""

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model
        self.hunting: list[float] = []
        self.service: list[float] = []
        self._last_week = float("-inf")
        self._arrivals = 0.0

    def _top_up(self) -> None:
        """Candidates who arrived since the last hire join (the pool starts full)."""
        cfg = self.model.cfg
        now = self.model.time
        if self._last_week == float("-inf"):
            n = cfg.hiring_pool_size
        else:
            self._arrivals += cfg.hiring_pool_arrivals_per_week * (now - self._last_week)
            n = int(self._arrivals)
            self._arrivals -= n
        self._last_week = now
        n = min(n, cfg.hiring_pool_size - len(self.hunting))
        if n > 0:
            hunting, service = self.model._skills(n)
            self.hunting.extend(float(x) for x in hunting)
            self.service.extend(float(x) for x in service)

    def take(self, n: int, by_hunting: bool) -> tuple[np.ndarray, np.ndarray]:
        """Hunting and service skills of ``n`` hires: the best candidates left, then fresh draws."""
        self._top_up()
        key = self.hunting if by_hunting else self.service
        order = sorted(range(len(key)), key=lambda i: -key[i])[:n]
        hunting = [self.hunting[i] for i in order]
        service = [self.service[i] for i in order]
        for i in sorted(order, reverse=True):
            del self.hunting[i]
            del self.service[i]
        if len(hunting) < n:
            more_h, more_s = self.model._skills(n - len(hunting))
            hunting.extend(float(x) for x in more_h)
            service.extend(float(x) for x in more_s)
        return np.array(hunting), np.array(service)


__all__ = ["HiringPool"]
