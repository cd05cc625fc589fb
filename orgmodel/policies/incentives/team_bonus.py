"""Team bonus: a share of the team's revenue, split equally among its members."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from orgmodel.policies.incentives import register
from orgmodel.policies.incentives.base import IncentiveScheme

if TYPE_CHECKING:
    from orgmodel.model.staff import Staff
    from orgmodel.policies.incentives.base import MonthLedger


@register
class TeamBonus(IncentiveScheme):
    """A pool of ``team_bonus_rate`` x the month's team revenue, split equally in the team.

    The team is what the structure says (``Structure.bonus_team``): the whole
    company (its revenue, all client-facing staff) by default, a pod in the
    ``pod`` structure (the revenue of the pod's own clients, its members).

    Assumes: no individual commission and no bonus per win; everyone in the
    team that month gets the same share of its pool.

    Expectation: ``team_bonus_rate / team size at the start``
    (``Structure.bonus_team_size``) on revenue: one person's extra revenue
    raises their own pay by only their share of the pool, the free-rider
    effect, which is weaker the smaller the team. A client one wins earns the
    team's share whoever keeps it, as long as the keeper is in the team.
    """

    name = "team_bonus"
    summary = "a share of company (or pod) revenue split equally among its staff; no individual commission"

    @property
    def commission_rate(self) -> float:
        """Expected share of revenue: one person's share of the pool rate."""
        from orgmodel.policies import structures

        return self.cfg.team_bonus_rate / structures.get(self.cfg.structure).bonus_team_size(self.cfg)

    def rate_on_won_client(self, weeks_after_win: np.ndarray, keeps: bool) -> np.ndarray:
        """The team is paid on a client's revenue whoever in it keeps the client."""
        return np.full(weeks_after_win.shape, self.commission_rate)

    def variable_pay(self, ledger: MonthLedger, person: Staff | None = None) -> float:
        """An equal share of the team's pool for the month."""
        return self.cfg.team_bonus_rate * ledger.team_revenue / max(1, ledger.team_headcount)
