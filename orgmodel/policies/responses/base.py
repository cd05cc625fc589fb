"""The interface every management response implements.

A management response is what the owners do about headcount and targets
while the run goes on: nothing, hire as revenue allows, fire the weakest,
push harder. It acts only through the model's own mechanisms (requisitions
with the hiring delay and ramp-up, ``let_go`` with its handovers, the
incentive scheme's ``raise_targets``), on events it schedules itself, so a
new response is one small file and nothing in the model knows which one is
in force.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from mesa.time import EventGenerator, Priority, Schedule

if TYPE_CHECKING:
    from mesa.time import Event

    from orgmodel.model.model import SalesOrgModel
    from orgmodel.scenario.schema import Scenario


def base_pay_committed(model: SalesOrgModel) -> float:
    """Annual base pay of everyone employed or requisitioned: client-facing staff and the order desk."""
    cfg = model.cfg
    heads = len(model.staff) + model.open_requisitions + model.open_salesperson_requisitions
    desk = len(model.desk_agents) + (model.desk.open_requisitions if model.desk is not None else 0)
    return heads * cfg.base_salary + desk * cfg.desk_base_salary


def share_of(share: float, people: int) -> int:
    """``share`` of ``people`` as a whole number of people (halves round up, as a manager would)."""
    return math.floor(share * people + 0.5)


class ManagementResponse(ABC):
    """What management does about staff and targets during the run.

    The model creates one response object and calls :meth:`start` once the
    initial staff exist; the response schedules its own reviews with
    :meth:`at` / :meth:`every` (Mesa events on its bound methods, which the
    model keeps alive by holding the response). Each action is recorded with
    :meth:`record` in ``actions`` (and so in the run summary). Attributes:
        name: the scenario name (``management_response``).
        summary: one line for the docs.
        keys: the scenario keys the response reads (for the docs).
    """

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    keys: ClassVar[tuple[str, ...]] = ()

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model
        self.actions: list[dict[str, Any]] = []
        self._events: list[Event | EventGenerator] = []

    @classmethod  # noqa: B027 (optional hook)
    def check(cls, cfg: Scenario) -> None:
        """Raise ValueError (one line naming the key and what is allowed) if ``cfg`` cannot run this response."""

    @abstractmethod
    def start(self) -> None:
        """Schedule the response's reviews (called once, after the initial staff are hired)."""

    def stop(self) -> None:
        """Cancel every review still to come (an intervention switched to another response)."""
        for item in self._events:
            if isinstance(item, EventGenerator):
                item.stop()
            else:
                item.cancel()
        self._events.clear()

    # --- scheduling helpers ------------------------------------------------------------------
    def at(self, week: int, action: Callable[[], None]) -> None:
        """Run ``action`` (a bound method) once, just before the work of ``week``, as interventions run.

        Weeks already begun or beyond the horizon are ignored.
        """
        when = week - 0.5
        if self.model.time < when < self.model.cfg.weeks:
            self._events.append(self.model.schedule_event(action, at=when, priority=Priority.HIGH))

    def every(self, weeks: int, action: Callable[[], None], first_week: int) -> None:
        """Run ``action`` just before the work of ``first_week`` and then every ``weeks`` weeks to the end of the run."""
        start = first_week - 0.5
        if self.model.time < start < self.model.cfg.weeks:
            schedule = Schedule(interval=weeks, start=start, end=self.model.cfg.weeks)
            self._events.append(self.model.schedule_recurring(action, schedule, priority=Priority.HIGH))

    def allows_hire(self, annual_cost: float) -> bool:
        """Whether a hire the structure asks for (account manager, desk agent) fits management's budget (default: always)."""
        return True

    def record(self, **details: Any) -> None:
        """Log an action: the week it takes effect, the response and what it did."""
        self.actions.append({"week": math.ceil(self.model.time), "response": self.name, **details})
