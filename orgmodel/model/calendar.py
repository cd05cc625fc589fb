"""The model's calendar: one-off appointments, one Mesa event per due time.

Clients finish implementation and people arrive at set weeks; in a large
market hundreds of such one-off events are in flight (until issue #13 every
serial client's next order and review were too, tens of thousands; they are
now weeks in the clients' columns, held with each week's close:
:mod:`orgmodel.model.client_columns`). Given to Mesa one by one, each costs an
``Event`` (with its own dict, argument list and weak method reference, all
work for the garbage collector) and a push and a pop on a heap whose depth
grows with the market. The calendar files appointments in buckets by due
time and gives Mesa one event per due time (``model.schedule_event`` with
the bound :meth:`Calendar.run`), so Mesa's event list stays the clock and its
size does not depend on the number of clients.

Order is what Mesa's would be: appointments due at the same time run in the
order they were made, at default priority, after the staff's week and before
the week closes. An appointment made for the time being processed (``after``
0) runs later at that time, as a Mesa event would. An event put on Mesa's list
directly runs before or after the whole batch of its time, by whether it was
scheduled before or after the batch's first appointment. Unlike Mesa's events, an
appointment holds its callback strongly; the model uses it for client-side
people, who are never removed, and for its own requisitions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mesa import Model


class Appointment:
    """One pending call; :meth:`cancel` withdraws it (as for a Mesa ``Event``)."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[], None]) -> None:
        self.fn: Callable[[], None] | None = fn

    def cancel(self) -> None:
        """Withdraw the appointment: it will not run."""
        self.fn = None


class Calendar:
    """One-off appointments bucketed by due time, driven by Mesa's event list.

    Args:
        model: the Mesa model whose clock (``model.time``) and event list drive it.

    """

    def __init__(self, model: Model) -> None:
        self.model = model
        self._due: dict[float, list[Appointment]] = {}

    def schedule(self, fn: Callable[[], None], after: float) -> Appointment:
        """Call ``fn`` ``after`` weeks from now; returns the appointment (to cancel it)."""
        at = self.model.time + after
        bucket = self._due.get(at)
        if bucket is None:
            bucket = self._due[at] = []
            self.model.schedule_event(self.run, at=at)
        appointment = Appointment(fn)
        bucket.append(appointment)
        return appointment

    def run(self) -> None:
        """Keep the appointments due now (called by Mesa's event list)."""
        for appointment in self._due.pop(self.model.time):
            fn = appointment.fn
            if fn is not None:
                appointment.fn = None  # done: cancelling it later changes nothing, as for a Mesa event
                fn()
