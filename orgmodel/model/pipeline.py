"""Deals in the pipeline and cross-sell projects.

A deal moves prospect -> lead -> qualified -> proposal and is then won
(implementation) or lost. Each stage needs hours of work and a minimum
number of weeks; the hours spent with the buying centre build the
relationships that decide the close. Relationship gains from a stage are
booked when the stage resolves (one network update per person per stage,
not per week), which changes nothing a person would notice and keeps the
network cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orgmodel.model.clients import ClientCompany, Stage

if TYPE_CHECKING:
    from orgmodel.model.staff import Staff


class Deal:
    """One company in one salesperson's pipeline."""

    __slots__ = ("company", "entered", "hours", "id", "last_worked", "owner", "stage")

    def __init__(self, company: ClientCompany, owner: Staff, week: int, deal_id: int) -> None:
        self.id = deal_id
        self.company = company
        self.owner = owner
        self.stage = Stage.LEAD
        self.hours = 0.0
        self.entered = week
        self.last_worked = week

    def __repr__(self) -> str:
        return f"Deal({self.id}, {self.stage.name}, company={self.company.uid})"


class CrossSell:
    """Developing one further product line with an existing client."""

    __slots__ = ("company", "hours", "owner", "started")

    def __init__(self, company: ClientCompany, owner: Staff, week: int) -> None:
        self.company = company
        self.owner = owner
        self.hours = 0.0
        self.started = week
