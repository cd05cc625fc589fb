"""The interface every incentive scheme implements.

A scheme does two things and nothing else:

1. **Pay**: it says who is credited with a client's revenue and turns a
   person's monthly ledger into variable pay.
2. **Expectation**: it says what share of a client's future revenue a person
   expects to be paid, week by week after the win, and what bonus a win
   brings. The core's time-allocation rule (``orgmodel.model.worktime``)
   turns that into perceived pay per hour of each activity, so schemes change
   behaviour only through that one rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np

if TYPE_CHECKING:
    from orgmodel.model.clients import ClientCompany
    from orgmodel.model.staff import Staff
    from orgmodel.scenario.schema import Scenario


@dataclass
class MonthLedger:
    """What one person did and was credited with in one month.

    ``credited_margin`` is the gross margin of the credited orders less the
    standard service hours they cause, at staff cost. ``month`` (0-based, 12 a
    year), ``company_revenue`` (all orders of the month), ``headcount``
    (staff paid this month) and ``team_revenue`` / ``team_headcount`` (the
    same for the person's bonus team, e.g. their pod: the revenue of the
    team's own clients; the company's figures where the structure has no
    teams) are set by the model when it closes the month, and so are the
    month's ``hours`` by activity: a large force's payroll adds everyone's
    week in one matrix and hands each ledger its hours only then (or when
    the person leaves), so a ledger still open reads no hours: a scheme
    reads them in :meth:`IncentiveScheme.variable_pay`, at the month's close.
    """

    credited_revenue: float = 0.0
    credited_margin: float = 0.0
    owned_revenue: float = 0.0
    new_clients: int = 0
    hours: list[float] = field(default_factory=list)
    month: int = 0
    company_revenue: float = 0.0
    headcount: int = 1
    team_revenue: float = 0.0
    team_headcount: int = 1


class IncentiveScheme:
    """Base scheme: commission on credited revenue plus a bonus per new client.

    Subclasses set the class attributes or override the methods. Attributes:
        name: the scenario name.
        needs_handover: the scheme pays someone who takes a client over, so
            it only makes sense in a structure that hands clients over.
        summary: one line for the docs.
    """

    name: ClassVar[str] = ""
    needs_handover: ClassVar[bool] = False
    summary: ClassVar[str] = ""

    def __init__(self, cfg: Scenario) -> None:
        self.cfg = cfg
        self.target_factor = 1.0  # targets (quotas, the growth bar) relative to the scheme's own rule

    def raise_targets(self, factor: float) -> None:
        """Multiply every target the scheme sets by ``factor`` from now on (management pushes harder).

        Schemes with a target (``quota_bonus``, ``growth_bonus``) read
        ``target_factor``; the others have none and pay as before.
        """
        self.target_factor *= factor

    # --- pay ---------------------------------------------------------------
    @property
    def commission_rate(self) -> float:
        """Share of credited revenue paid as commission."""
        return self.cfg.commission_rate

    @property
    def bonus_per_win(self) -> float:
        """Bonus paid to the winner when a new client places its first serial order."""
        return 0.0

    def credited(self, client: ClientCompany, weeks_since_won: float) -> Staff | None:
        """Who is credited with this client's revenue now (default: its owner)."""
        return client.owner

    def variable_pay(self, ledger: MonthLedger, person: Staff | None = None) -> float:
        """Variable pay for one month's ledger (``person``: whose it is, for schemes that keep state)."""
        return self.commission_rate * ledger.credited_revenue + self.bonus_per_win * ledger.new_clients

    # --- expectation (used by the time-allocation rule) --------------------------
    def rate_on_won_client(self, weeks_after_win: np.ndarray, keeps: bool) -> np.ndarray:
        """Share of a new client's revenue the winner expects at each week after the win."""
        return np.full(weeks_after_win.shape, self.commission_rate if keeps else 0.0)

    def rate_on_owned_client(self, weeks_after_win: np.ndarray, originated: bool) -> np.ndarray:
        """Share of an owned client's revenue its owner expects at each week after the win."""
        return np.full(weeks_after_win.shape, self.commission_rate)
