"""Voluntary turnover: client-facing people quit, and who left, when and why is kept.

Every week each salesperson and account manager may quit. The annual quit
rate is a base rate by role (people leave for reasons the model does not
represent), raised by a shortfall of pay against what the person earned
before (a cut in expected variable pay after their clients are handed over or
the scheme changes) and by sustained overload (a smoothed service load above
``turnover_overload_threshold``). A person who quits goes through the model's
``let_go`` (clients to colleagues at handover cost, deals lost); the clients
who relied on them may follow them (:mod:`orgmodel.model.loyalty`); with
``replace_leavers`` a requisition for the same role and team opens the same
day, so the replacement arrives after the hiring delay and ramps up.
Every departure, voluntary or not, is recorded here and as a last row of the
staff table.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from orgmodel.model.payroll import serial_clients
from orgmodel.scenario.schema import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel
    from orgmodel.model.staff import Staff

CURRENT_PAY_MONTHS = 3.0  # assumption: people judge their pay by the last quarter's statements
#: why someone left: the three voluntary reasons (components of the quit rate) and a dismissal
REASONS = ("other", "pay", "overload", "let_go")
#: scenario keys that switch voluntary turnover off (for experiments and tests that count a set headcount)
NO_TURNOVER: dict[str, float] = {
    "voluntary_turnover_salespeople": 0.0,
    "voluntary_turnover_account_managers": 0.0,
    "turnover_pay_shortfall_effect": 0.0,
    "turnover_overload_effect": 0.0,
}


class PayMemory:
    """What a person was paid lately (smoothed over a quarter) and what they earned before (over a year).

    Both are monthly variable pay; base salary is added when the shortfall is
    computed. ``reference`` follows the incentive scheme's pay only, so a pay
    guarantee or a one-off bonus lifts ``current`` without raising what the
    person expects later.
    """

    __slots__ = ("current", "reference")

    def __init__(self, current: float, reference: float) -> None:
        self.current = current
        self.reference = reference

    def shortfall(self, base: float) -> float:
        """How far ``base`` plus the last months' pay falls short of ``base`` plus what was earned before (0-1)."""
        if self.current >= self.reference:
            return 0.0
        return 1.0 - (base + self.current) / (base + self.reference)  # reference > current >= 0 here


class Turnover:
    """Weekly quit decisions, pay memories and the record of departures.

    Args:
        model: the model; the object lives as ``model.turnover``.

    """

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model
        self.pay: dict[int, PayMemory] = {}
        self.departures: list[dict[str, Any]] = []
        self.people_left = 0  # this week, all reasons (a weekly column)

    # --- pay --------------------------------------------------------------------------------------
    def month_pay(self, person: Staff, pay: float) -> float:
        """The month's variable pay with the transition policies' top-ups; updates the person's pay memory.

        Called once per person at each month end, with the incentive scheme's
        pay for the month.
        """
        extra = self.model.transition.extra_pay(person, pay)
        memory = self.pay.get(person.unique_id)
        if memory is None:
            self.pay[person.unique_id] = PayMemory(pay + extra, pay)
        else:
            memory.reference += (pay - memory.reference) / self.model.cfg.pay_reference_months
            memory.current += (pay + extra - memory.current) / CURRENT_PAY_MONTHS
        return pay + extra

    def reference_pay(self, person: Staff) -> float:
        """Monthly variable pay the person earned before (0 for someone not yet paid)."""
        memory = self.pay.get(person.unique_id)
        return memory.reference if memory is not None else 0.0

    def shortfall(self, person: Staff) -> float:
        """How far the last months' total pay falls short of what the person earned before (0-1)."""
        memory = self.pay.get(person.unique_id)
        return 0.0 if memory is None else memory.shortfall(self.model.cfg.base_salary / 12.0)

    # --- quitting ---------------------------------------------------------------------------------
    def close_week(self) -> None:
        """Who quits this week (drawn before the week's tallies, so leavers' hours and pay are not counted).

        Each person's annual quit rate has three parts: the base rate of
        their role (other reasons), the pay shortfall's and the overload's.
        One draw a person whose rate is above 0, and a second for the reason
        of whoever quits (one of the parts, in proportion to its share). The
        scenario's keys are read once for everyone, and the parts are kept
        as plain numbers (the weekly loop runs over the whole force).
        """
        model = self.model
        cfg = model.cfg
        base_sales, base_accounts = cfg.voluntary_turnover_salespeople, cfg.voluntary_turnover_account_managers
        pay_effect, base_pay = cfg.turnover_pay_shortfall_effect, cfg.base_salary / 12.0
        threshold, over_effect = cfg.turnover_overload_threshold, cfg.turnover_overload_effect
        memories = self.pay
        rnd = model.random.random
        quits: list[Staff] = []
        reasons: list[str] = []
        staff = model.staff
        salespeople = -1  # counted when a salesperson first quits this week (most weeks nobody quits)
        weeks = WEEKS_PER_YEAR
        for person in staff:
            hunts = person.hunts
            base = base_sales if hunts else base_accounts
            pay = 0.0
            if pay_effect:
                memory = memories.get(person.unique_id)
                pay = pay_effect * (memory.shortfall(base_pay) if memory is not None else 0.0)
            over = person.load - threshold
            over = over_effect * over if over > 0.0 else 0.0
            total = base + pay + over
            if total <= 0.0 or rnd() * weeks >= total:
                continue
            if hunts:
                if salespeople < 0:
                    salespeople = sum(1 for p in staff if p.hunts)
                if salespeople <= 1:  # the last salesperson stays (the organisation needs one)
                    continue
                salespeople -= 1
            draw = rnd() * total  # the reason: one of the parts, in proportion to its share of the rate
            reasons.append("other" if draw < base else "pay" if draw < base + pay else "overload")
            quits.append(person)
        if not quits:
            return
        model.let_go_group(quits, reasons)
        if model.cfg.replace_leavers:
            for person in quits:
                if person.hunts:
                    model.request_salespeople(1)
                else:
                    model.request_account_manager(person.team)

    def on_leave(self, person: Staff, reason: str) -> int:
        """Record a departure (called by ``let_go`` before the leaver's clients move); returns how many clients followed."""
        model = self.model
        week = math.ceil(model.time)
        followed = model.loyalty.on_leave(person)
        self.people_left += 1
        self.departures.append(
            {
                "week": week,
                "person": person.unique_id,
                "role": person.role,
                "reason": reason,
                "tenure_weeks": week - person.hired_week,
                "clients": serial_clients(person) + followed,
                "clients_followed": followed,
                "pay_shortfall": self.shortfall(person),
            }
        )
        model.write_leaver_row(person, week, reason)
        self.pay.pop(person.unique_id, None)
        return followed

    def reset_week(self) -> None:
        """Start the next week's tally."""
        self.people_left = 0

    # --- for the summary ----------------------------------------------------------------------------
    def annual_counts(self, years: int) -> dict[str, list[int]]:
        """People who left per year by role (``annual_left_<role>``) and by reason (``annual_left_<reason>``)."""
        roles = sorted({d["role"] for d in self.departures} | {"salesperson", "account_manager"})
        out = {f"annual_left_{key}": [0] * years for key in (*roles, *REASONS)}
        for d in self.departures:
            year = min(years, (d["week"] - 1) // WEEKS_PER_YEAR + 1) - 1
            out[f"annual_left_{d['role']}"][year] += 1
            out[f"annual_left_{d['reason']}"][year] += 1
        return out
