"""Volume commission: pay on the revenue of one's own clients."""

from __future__ import annotations

from orgmodel.policies.incentives import register
from orgmodel.policies.incentives.base import IncentiveScheme


@register
class VolumeCommission(IncentiveScheme):
    """The essay's status quo: more volume, bigger bonus.

    Assumes: ``commission_rate`` on all revenue of clients the person owns,
    paid monthly. A serial client pays now and surely; a prospect pays months
    later if at all, which is what steep discounting (Chung et al. 2014)
    turns into time spent on existing clients.
    """

    name = "volume_commission"
    summary = "commission on the revenue of the clients one owns"
