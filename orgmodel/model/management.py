"""Managing people: first-line sales managers, one per ``span_of_control`` client-facing people.

Managers are not agents: they neither sell nor service. They are counted
(client-facing staff divided by the span, rounded up, every week) and paid
``sales_manager_salary``, which is part of the cost of sales; a growing
sales force needs more of them, a shrinking one fewer.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from orgmodel.scenario.schema import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel


class SalesManagement:
    """The week's number of sales managers and their pay.

    Attributes:
        managers: managers this week (a weekly column).
        pay_week: their pay this week (a weekly column).

    """

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model
        self.managers = 0
        self.pay_week = 0.0

    def close_week(self, client_facing: int) -> float:
        """Managers needed for ``client_facing`` people, and the week's pay for them (returned)."""
        cfg = self.model.cfg
        self.managers = math.ceil(client_facing / cfg.span_of_control)
        self.pay_week = self.managers * cfg.sales_manager_salary / WEEKS_PER_YEAR
        return self.pay_week
