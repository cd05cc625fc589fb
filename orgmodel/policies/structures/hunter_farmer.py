"""Hunter/farmer: hunters win clients, account managers keep them."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from orgmodel.model.clients import Stage
from orgmodel.policies.structures import register
from orgmodel.policies.structures.base import Structure

if TYPE_CHECKING:
    from orgmodel.model.clients import ClientCompany


@register
class HunterFarmer(Structure):
    """Split roles (Ross & Tyler 2011; DeCarlo & Lam 2016).

    Assumes: after implementation the client is handed to the least loaded
    account manager, who starts with a fraction of the hunter's relationships
    and client knowledge (``handover_*_carryover``) and both spend
    ``handover_hours`` on a joint visit. Until an account manager exists the
    hunter keeps servicing the client. With ``hire_account_managers`` the
    company hires one when the existing ones are fully loaded, after
    ``hiring_delay_weeks``, and the new hire ramps up over ``ramp_up_weeks``.
    """

    name = "hunter_farmer"
    hands_over = True
    summary = "hunters win clients and hand them to account managers after implementation"

    def staff_up(self) -> None:
        """Salespeople (keeping clients or not, as the structure says) and the initial account managers."""
        cfg = self.model.cfg
        self.model.hire_salespeople(cfg.salespeople, keeps_clients=self.salespeople_keep_clients())
        self.model.hire_account_managers(cfg.account_managers)

    def on_serial(self, client: ClientCompany) -> None:
        """Hand the client to the least loaded account manager, or queue it."""
        receiver = self.model.least_loaded_account_manager()
        if receiver is None:
            self.model.awaiting_handover.append(client)
            self.monthly()
        else:
            self.model.hand_over(client, receiver)

    def monthly(self) -> None:
        """Hire when every account manager (counting the ones on their way) is full."""
        model = self.model
        if model.awaiting_handover:
            receiver = model.least_loaded_account_manager()
            while receiver is not None and model.awaiting_handover:
                model.hand_over(model.awaiting_handover.pop(0), receiver)
                receiver = model.least_loaded_account_manager()
        if not model.cfg.hire_account_managers:
            return
        managers = model.account_managers
        seats = len(managers) + model.open_requisitions
        load = sum(m.load for m in managers) / seats if seats else float("inf")
        if load >= model.cfg.account_manager_load_limit or (model.awaiting_handover and seats == 0):
            model.request_account_manager()

    def restructure(self, previous: Structure) -> None:
        """Split the roles: hunters hand every serial client to account managers.

        What a sales director would do: the reorganisation is announced ahead,
        so with ``hire_account_managers`` the account-manager team is recruited
        to start on the switch date, sized to carry the hunters' current
        service load (standard hours after the handover's knowledge loss) at
        ``account_manager_load_limit``; new hires ramp up over
        ``ramp_up_weeks``. Every serial client then goes to the least loaded
        account manager (by standard client work) with the usual handover
        cost for both sides. Clients still in implementation stay with their
        hunter and are handed over when they turn serial, as usual.
        """
        model = self.model
        cfg = model.cfg
        clients = [c for p in model.salespeople for c in p.portfolio if c.stage == Stage.SERIAL]
        if cfg.hire_account_managers and clients:
            penalty = cfg.knowledge_penalty
            carry = cfg.handover_knowledge_carryover
            hours = sum(c.weekly_service * (1.0 + penalty * (1.0 - c.knowledge * carry)) for c in clients)
            needed = max(1, math.ceil(hours / (cfg.available_hours * cfg.account_manager_load_limit)))
            missing = needed - len(model.account_managers) - model.open_requisitions
            for person in model.hire_account_managers(missing, ramp_up_weeks=cfg.ramp_up_weeks):
                person.hired_week = math.ceil(model.time)
        for company in clients:
            receiver = model.least_loaded(model.account_managers)
            if receiver is None:
                if company not in model.awaiting_handover:
                    model.awaiting_handover.append(company)
            else:
                model.hand_over(company, receiver)
