"""Split commission: the hunter is paid on a new client for a while, then the account manager."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from orgmodel.policies.incentives import register
from orgmodel.policies.incentives.base import IncentiveScheme

if TYPE_CHECKING:
    from orgmodel.model.clients import ClientCompany
    from orgmodel.model.staff import Staff


@register
class SplitCommission(IncentiveScheme):
    """Pay the hunter for ``split_weeks`` after the win, then the owner.

    Assumes: the same ``commission_rate`` for both; the hunter's share runs
    from the win, so a hunter earns from a client only if it is won soon.
    """

    name = "split_commission"
    needs_handover = True
    summary = "the hunter earns on a new client for split_weeks, then its account manager does"

    def credited(self, client: ClientCompany, weeks_since_won: float) -> Staff | None:
        """The originator within the window, the owner after it."""
        if weeks_since_won < self.cfg.split_weeks and client.originator is not None:
            return client.originator
        return client.owner

    def rate_on_won_client(self, weeks_after_win: np.ndarray, keeps: bool) -> np.ndarray:
        """The hunter's window, and beyond it only if they keep the client."""
        within = weeks_after_win < self.cfg.split_weeks
        return np.where(within | keeps, self.commission_rate, 0.0)

    def rate_on_owned_client(self, weeks_after_win: np.ndarray, originated: bool) -> np.ndarray:
        """An owner who did not win the client is paid only after the window."""
        if originated:
            return np.full(weeks_after_win.shape, self.commission_rate)
        return np.where(weeks_after_win >= self.cfg.split_weeks, self.commission_rate, 0.0)
