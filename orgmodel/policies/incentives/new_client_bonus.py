"""New-client bonus: a bonus per client won plus a lower commission."""

from __future__ import annotations

import numpy as np

from orgmodel.policies.incentives import register
from orgmodel.policies.incentives.base import IncentiveScheme


@register
class NewClientBonus(IncentiveScheme):
    """Pay for acquisition (Kim, Sudhir, Uetake & Canales 2019).

    Assumes: ``new_client_bonus`` per client whose first serial order arrives,
    paid to whoever won it, plus ``bonus_commission_rate`` on owned revenue.
    """

    name = "new_client_bonus"
    summary = "a bonus per client won plus a lower commission on own clients"

    @property
    def commission_rate(self) -> float:
        """The lower commission that goes with the bonus."""
        return self.cfg.bonus_commission_rate

    @property
    def bonus_per_win(self) -> float:
        """The bonus per new client."""
        return self.cfg.new_client_bonus

    def rate_on_won_client(self, weeks_after_win: np.ndarray, keeps: bool) -> np.ndarray:
        """The winner keeps the low commission only if they keep the client."""
        return np.full(weeks_after_win.shape, self.commission_rate if keeps else 0.0)
