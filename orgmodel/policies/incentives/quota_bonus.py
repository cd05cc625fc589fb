"""Quota bonus: a bonus at an annual quota and an accelerator above it; quotas ratchet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orgmodel.policies.incentives import register
from orgmodel.policies.incentives.base import IncentiveScheme

if TYPE_CHECKING:
    from orgmodel.model.staff import Staff
    from orgmodel.policies.incentives.base import MonthLedger
    from orgmodel.scenario.schema import Scenario


@dataclass
class QuotaYear:
    """One person's quota year so far."""

    year: int
    quota: float
    sales: float = 0.0
    bonus_paid: bool = False


def next_quota(quota: float, sales: float, ratchet: float) -> float:
    """The new year's quota: a weighted average of last year's quota and last year's sales."""
    return (1.0 - ratchet) * quota + ratchet * sales


@register
class QuotaBonus(IncentiveScheme):
    """Annual quota on credited revenue (Leone, Misra & Zimmerman 2004).

    Assumes: nothing is paid below the quota; the month credited revenue
    reaches it pays ``quota_bonus`` once, and every unit of credited revenue
    above it earns ``quota_accelerator_rate``. A person's first quota is
    ``initial_quota`` (not prorated for a hire during the year); each later
    year's is ``next_quota(last quota, last year's credited revenue,
    quota_ratchet)``. State is kept per person (by ``unique_id``), one
    scheme object per model. Management can raise every quota by a factor
    (``raise_targets``): the quota in force is ``target_factor`` x the
    quota of the rule, from that month on.

    Expectation: ``quota_accelerator_rate`` on revenue and no bonus, an
    approximation that treats everyone as above quota (the rule's rates are
    the same for all and fixed for the run).
    """

    name = "quota_bonus"
    summary = "a bonus at an annual quota, an accelerator above it; quotas ratchet on last year's sales"

    def __init__(self, cfg: Scenario) -> None:
        super().__init__(cfg)
        self.years: dict[Any, QuotaYear] = {}

    @property
    def commission_rate(self) -> float:
        """Expected share of revenue: the accelerator."""
        return self.cfg.quota_accelerator_rate

    def state(self, key: Any, year: int) -> QuotaYear:
        """The person's quota year, rolled over (with the ratchet) when a new year starts."""
        st = self.years.get(key)
        if st is None:
            st = self.years[key] = QuotaYear(year, self.cfg.initial_quota)
        while st.year < year:
            st = self.years[key] = QuotaYear(st.year + 1, next_quota(st.quota, st.sales, self.cfg.quota_ratchet))
        return st

    def variable_pay(self, ledger: MonthLedger, person: Staff | None = None) -> float:
        """Bonus in the month the quota is reached, accelerator on revenue above it."""
        key = person.unique_id if person is not None else None
        st = self.state(key, ledger.month // 12)
        quota = st.quota * self.target_factor
        before = st.sales
        st.sales += ledger.credited_revenue
        pay = self.cfg.quota_accelerator_rate * (max(0.0, st.sales - quota) - max(0.0, before - quota))
        if not st.bonus_paid and st.sales > 0 and st.sales >= quota:
            st.bonus_paid = True
            pay += self.cfg.quota_bonus
        return pay
