"""Margin commission: pay on the margin a client leaves after its service work."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orgmodel.policies.incentives import register
from orgmodel.policies.incentives.base import IncentiveScheme

if TYPE_CHECKING:
    from orgmodel.model.staff import Staff
    from orgmodel.policies.incentives.base import MonthLedger


@register
class MarginCommission(IncentiveScheme):
    """Commission on credited gross margin less the client's standard service cost.

    Assumes: an order earns its credited person ``gross_margin x value`` less
    the standard service hours it brings (the client's weekly service times the
    weeks the order covers) at staff cost per hour, ``base_salary / (52 x
    hours_per_week)``; ``margin_commission_rate`` of that is paid monthly, and
    a month whose credited margin is negative pays nothing (no clawback).
    Servicing-heavy small clients so pay less per unit of revenue.

    Expectation: ``margin_commission_rate x gross_margin`` on revenue, an
    approximation that leaves out the service cost (it differs by client and
    the allocation rule sees one rate for all clients).
    """

    name = "margin_commission"
    summary = "commission on credited gross margin less the clients' standard service cost"

    @property
    def commission_rate(self) -> float:
        """Expected share of revenue: the margin commission on gross margin."""
        return self.cfg.margin_commission_rate * self.cfg.gross_margin

    def variable_pay(self, ledger: MonthLedger, person: Staff | None = None) -> float:
        """The rate on the month's credited margin, never below zero."""
        return self.cfg.margin_commission_rate * max(0.0, ledger.credited_margin)
