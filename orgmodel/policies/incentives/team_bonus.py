"""Team bonus: a share of company revenue, split equally among all staff."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orgmodel.policies.incentives import register
from orgmodel.policies.incentives.base import IncentiveScheme

if TYPE_CHECKING:
    from orgmodel.model.staff import Staff
    from orgmodel.policies.incentives.base import MonthLedger


@register
class TeamBonus(IncentiveScheme):
    """A pool of ``team_bonus_rate`` x the month's company revenue, split equally.

    Assumes: no individual commission and no bonus per win; everyone on the
    staff that month gets the same share of the pool.

    Expectation: ``team_bonus_rate / (salespeople + account_managers)`` (the
    starting headcount) on revenue: one person's extra revenue raises their
    own pay by only their share of the pool, the free-rider effect.
    """

    name = "team_bonus"
    summary = "a share of company revenue split equally among all staff; no individual commission"

    @property
    def commission_rate(self) -> float:
        """Expected share of revenue: one person's share of the pool rate."""
        return self.cfg.team_bonus_rate / max(1, self.cfg.salespeople + self.cfg.account_managers)

    def variable_pay(self, ledger: MonthLedger, person: Staff | None = None) -> float:
        """An equal share of the month's pool."""
        return self.cfg.team_bonus_rate * ledger.company_revenue / max(1, ledger.headcount)
