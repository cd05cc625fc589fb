"""Key accounts: the largest clients by potential go to key-account managers; the rest stay full cycle."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orgmodel.model.clients import Stage
from orgmodel.policies.structures import register
from orgmodel.policies.structures.hunter_farmer import HunterFarmer

if TYPE_CHECKING:
    from orgmodel.model.clients import ClientCompany
    from orgmodel.model.model import SalesOrgModel


@register
class KeyAccounts(HunterFarmer):
    """Full cycle, except that the biggest clients get a dedicated key-account manager.

    Assumes: a client's potential is its first-sale value plus all the
    further lines it could buy (what the salesperson learns during the
    sale); the ``key_account_share`` of the market's companies with the
    largest potential are key accounts. A salesperson keeps every other
    client they win, as in ``full_cycle``; a key account goes to a
    key-account manager (the structure's account managers:
    ``account_managers`` at the start, hired as they fill up with
    ``hire_account_managers``) exactly as a client goes to an account manager
    in ``hunter_farmer`` (the same timing, least loaded receiver, carry-over
    and joint-visit hours). Salespeople plan as if they keep what they win,
    an approximation for the few key accounts they give up. With a share of
    0 it is the full-cycle structure.
    """

    name = "key_accounts"
    hands_over = True
    receives_by_segment = False
    summary = "the largest clients by potential go to key-account managers; salespeople keep the rest"

    def __init__(self, model: SalesOrgModel) -> None:
        super().__init__(model)
        self._share = -1.0
        self._threshold = float("inf")

    def potential(self, client: ClientCompany) -> float:
        """Annual value the client would buy with every line: its first sale plus all further lines."""
        return client.base_value + sum(self.model.all_lines[client.uid])

    def threshold(self) -> float:
        """Smallest potential of a key account (computed on first use and when ``key_account_share`` changes)."""
        share = self.model.cfg.key_account_share
        if share != self._share:
            ranked = sorted((self.potential(c) for c in self.model.companies), reverse=True)
            k = round(share * len(ranked))
            self._threshold = ranked[k - 1] if k > 0 else float("inf")
            self._share = share
        return self._threshold

    def is_key_account(self, client: ClientCompany) -> bool:
        """Whether the client is among the largest by potential."""
        return self.potential(client) >= self.threshold()

    def salespeople_keep_clients(self) -> bool:
        """Salespeople keep everything but key accounts."""
        return True

    def on_serial(self, client: ClientCompany) -> None:
        """A key account goes to a key-account manager; any other client stays with the salesperson."""
        if self.is_key_account(client):
            super().on_serial(client)

    def clients_to_restructure(self) -> list[ClientCompany]:
        """Salespeople's serial key accounts."""
        return [c for p in self.model.salespeople for c in p.portfolio if c.stage == Stage.SERIAL and self.is_key_account(c)]
