"""Full cycle: the salesperson keeps every client they win, for good."""

from __future__ import annotations

from orgmodel.policies.structures import register
from orgmodel.policies.structures.base import Structure


@register
class FullCycle(Structure):
    """The essay's status quo (and ~85% of B2B sales forces, Cron & DeCarlo 2010).

    Assumes: a salesperson runs prospecting, the sale, implementation and then
    all servicing of the client for as long as it buys. Nobody else has hours
    for that client, so every client won adds permanently to the winner's
    weekly service load.
    """

    name = "full_cycle"
    hands_over = False
    summary = "salespeople hunt and keep every client they win (the essay's status quo)"

    def staff_up(self) -> None:
        """Only salespeople; they keep what they win."""
        self.model.hire_salespeople(self.model.cfg.salespeople, keeps_clients=True)

    def restructure(self, previous: Structure) -> None:
        """Back to full cycle: salespeople keep clients again and take over the account managers' clients.

        Each account manager's clients go one by one to the least loaded
        salesperson (by standard client work), with the usual handover cost;
        clients waiting for an account manager simply stay with the hunter
        who serves them. The account managers then leave (the switch implies
        ``account_managers = 0``).
        """
        model = self.model
        model.awaiting_handover.clear()
        salespeople = model.staffing.ranking(model.salespeople)  # kept up to date as clients move (one sum a move)
        with model.staffing.handing_over_together():  # relationships carry over at the end, in one call
            for manager in model.account_managers:
                for company in list(manager.portfolio):
                    receiver = salespeople.least_loaded()
                    model.hand_over(company, receiver)
                    salespeople.moved(manager, receiver)
