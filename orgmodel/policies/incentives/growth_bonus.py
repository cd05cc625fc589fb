"""Growth bonus: a share of the year-over-year growth of one's credited revenue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orgmodel.policies.incentives import register
from orgmodel.policies.incentives.base import IncentiveScheme

if TYPE_CHECKING:
    from orgmodel.model.staff import Staff
    from orgmodel.policies.incentives.base import MonthLedger
    from orgmodel.scenario.schema import Scenario


@register
class GrowthBonus(IncentiveScheme):
    """Pay for growth, not for level.

    Assumes: ``growth_commission_rate`` (small) on credited revenue every
    month, plus, in December, ``growth_bonus_share`` of the growth of this
    year's credited revenue over last year's (nothing if it fell). A person's
    first year on the staff has no base year and pays no growth bonus; a hire
    during a year is compared with that partial year. State is kept per
    person (by ``unique_id``), one scheme object per model. Management can
    raise the bar (``raise_targets``): growth then counts only above
    ``target_factor`` x last year's revenue.

    Expectation: ``growth_bonus_share + growth_commission_rate`` on revenue,
    an approximation that treats every unit of new revenue as growth (true in
    the year it starts; the allocation rule's rates are fixed for the run).
    """

    name = "growth_bonus"
    summary = "a share of the year-over-year growth of credited revenue, plus a small commission"

    def __init__(self, cfg: Scenario) -> None:
        super().__init__(cfg)
        # person -> [year, this year's credited revenue so far, last year's total or None]
        self.years: dict[Any, list[Any]] = {}

    @property
    def commission_rate(self) -> float:
        """Expected share of revenue: the growth share plus the base commission."""
        return self.cfg.growth_bonus_share + self.cfg.growth_commission_rate

    def variable_pay(self, ledger: MonthLedger, person: Staff | None = None) -> float:
        """Base commission monthly; the growth bonus with December's pay."""
        key = person.unique_id if person is not None else None
        year = ledger.month // 12
        st = self.years.setdefault(key, [year, 0.0, None])
        if st[0] < year:  # a new year: this year's total becomes the base year
            st[:] = [year, 0.0, st[1] if st[0] == year - 1 else 0.0]
        st[1] += ledger.credited_revenue
        pay = self.cfg.growth_commission_rate * ledger.credited_revenue
        if ledger.month % 12 == 11 and st[2] is not None:
            pay += self.cfg.growth_bonus_share * max(0.0, st[1] - self.target_factor * st[2])
        return pay
