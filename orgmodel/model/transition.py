"""Transition policies: what a company does to keep its people through a restructure.

Both are scenario keys an intervention sets along with the change, so an
experiment can compare the same restructure with and without them:

- ``pay_guarantee_weeks``: for that many weeks after an intervention that
  changes the structure or the incentive scheme, each client-facing person's
  monthly variable pay is topped up to what they earned before (their
  reference pay at the change, a year's average: a draw, or protection of
  last year's variable pay). People hired later have no guarantee.
- ``handover_bonus``: a one-off bonus per client a person hands over in the
  restructure, paid with the next month's pay.

Both are pay: they count in variable pay and in the cost of sales, and in the
pay people judge their earnings by (:mod:`orgmodel.model.turnover`), but not
in what they expect to earn later.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel
    from orgmodel.model.staff import Staff

#: keys whose change makes an intervention a restructure for the transition policies
RESTRUCTURE_KEYS = frozenset({"structure", "incentive", "mixed_components"})


class TransitionPolicies:
    """Pay guarantees and handover bonuses granted at restructures, and what they cost.

    Attributes:
        guarantees: person id -> (last week of the guarantee, guaranteed monthly variable pay).
        bonuses_due: person id -> handover bonus to pay with the next month's pay.
        paid_week: transition pay paid this week (a weekly column).

    """

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model
        self.guarantees: dict[int, tuple[int, float]] = {}
        self.bonuses_due: dict[int, float] = {}
        self.paid_week = 0.0

    def portfolios(self) -> dict[int, int]:
        """Clients each client-facing person holds (taken before an intervention, to count handovers)."""
        return {p.unique_id: len(p.portfolio) for p in self.model.staff}

    def after_intervention(self, changed: set[str] | frozenset[str], before: dict[int, int]) -> None:
        """Grant the policies in force if the intervention restructured (``before``: :meth:`portfolios` then)."""
        if not RESTRUCTURE_KEYS & set(changed):
            return
        model = self.model
        cfg = model.cfg
        week = math.ceil(model.time)
        for person in model.staff:
            uid = person.unique_id
            if cfg.pay_guarantee_weeks > 0 and uid in before:
                self.guarantees[uid] = (week + cfg.pay_guarantee_weeks - 1, model.turnover.reference_pay(person))
            handed = before.get(uid, 0) - len(person.portfolio)
            if cfg.handover_bonus > 0 and handed > 0:
                self.bonuses_due[uid] = self.bonuses_due.get(uid, 0.0) + handed * cfg.handover_bonus

    def extra_pay(self, person: Staff, pay: float) -> float:
        """Top-up to the guarantee plus any handover bonus due this month, for variable pay ``pay``."""
        uid = person.unique_id
        extra = self.bonuses_due.pop(uid, 0.0)
        guarantee = self.guarantees.get(uid)
        if guarantee is not None:
            until, amount = guarantee
            if self.model.time > until:
                del self.guarantees[uid]
            else:
                extra += max(0.0, amount - pay)
        self.paid_week += extra
        return extra

    def guaranteed(self, person: Staff) -> bool:
        """Whether the person's pay is under a guarantee now."""
        guarantee = self.guarantees.get(person.unique_id)
        return guarantee is not None and self.model.time <= guarantee[0]
