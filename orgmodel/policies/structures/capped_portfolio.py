"""Capped portfolio: a salesperson keeps up to ``portfolio_cap`` clients; the rest go to account managers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orgmodel.model.clients import Stage
from orgmodel.policies.structures import register
from orgmodel.policies.structures.hunter_farmer import HunterFarmer

if TYPE_CHECKING:
    from orgmodel.model.clients import ClientCompany
    from orgmodel.policies.structures.base import Structure


def _serial_clients(person) -> list[ClientCompany]:
    return [c for c in person.portfolio if c.stage == Stage.SERIAL]


@register
class CappedPortfolio(HunterFarmer):
    """Full cycle up to a cap, hunter/farmer beyond it.

    Assumes: a salesperson keeps the clients they win while they own fewer
    than ``portfolio_cap`` serial clients; a client won beyond the cap is
    handed over exactly as in ``hunter_farmer`` (the same timing, receiver
    choice, carry-over and joint-visit hours, and the same hiring rule).
    Salespeople expect to keep what they win (the allocation rule's
    ``keeps`` is true), an approximation once they are at the cap. Clients a salesperson loses free a place for the next win.
    """

    name = "capped_portfolio"
    hands_over = True
    summary = "salespeople keep up to portfolio_cap clients; clients won beyond it go to account managers"

    def salespeople_keep_clients(self) -> bool:
        """Salespeople keep clients, up to the cap."""
        return True

    def on_serial(self, client: ClientCompany) -> None:
        """Keep the client if the winner is under the cap (not counting clients already due to go), else hand it over."""
        owner = client.owner
        kept = sum(1 for c in _serial_clients(owner) if c is not client and c.handover_event is None)
        if kept < self.model.cfg.portfolio_cap:
            return
        super().on_serial(client)

    def restructure(self, previous: Structure) -> None:
        """Salespeople over the cap hand their most recently won serial clients to account managers at once."""
        model = self.model
        cap = model.cfg.portfolio_cap
        for person in model.salespeople:
            serial = sorted(_serial_clients(person), key=lambda c: c.won_week)
            for company in serial[cap:]:
                self.hand_to_account_manager(company)
