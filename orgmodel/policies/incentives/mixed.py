"""Mixed: a weighted combination of other schemes' pay and expectations."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from orgmodel.policies.incentives import REGISTRY, register
from orgmodel.policies.incentives.base import IncentiveScheme

if TYPE_CHECKING:
    from orgmodel.model.clients import ClientCompany
    from orgmodel.model.staff import Staff
    from orgmodel.policies.incentives.base import MonthLedger
    from orgmodel.scenario.schema import Scenario

KEY = "mixed_components"


def parse_components(text: str) -> list[tuple[str, float]]:
    """``"name:weight,name:weight"`` as (name, weight) pairs; a ValueError naming the key otherwise."""
    pairs = []
    for part in text.split(","):
        name, sep, weight_text = part.strip().partition(":")
        name = name.strip()
        if not sep or not name:
            raise ValueError(f"{KEY}: expected 'name:weight,name:weight', got {text!r}")
        try:
            weight = float(weight_text)
        except ValueError:
            raise ValueError(f"{KEY}: weight {weight_text.strip()!r} of '{name}' is not a number") from None
        if not np.isfinite(weight) or weight < 0:
            raise ValueError(f"{KEY}: weight of '{name}' must be a finite number >= 0, got {weight_text.strip()}")
        if name == Mixed.name:
            raise ValueError(f"{KEY}: 'mixed' cannot be a component of itself")
        if name not in REGISTRY.names():
            raise ValueError(f"{KEY}: unknown incentive '{name}'; valid names: {', '.join(REGISTRY.names())}")
        pairs.append((name, weight))
    if sum(w for _, w in pairs) <= 0:
        raise ValueError(f"{KEY}: the weights must sum to more than 0, got {text!r}")
    return pairs


@register
class Mixed(IncentiveScheme):
    """Weighted sum of other schemes (``mixed_components``).

    Assumes: pay is the weighted sum of the components' pay on the same
    ledger, and the expectation rates and bonus are the weighted sums of
    theirs. One ledger is kept per person, so revenue is credited as the
    component with the largest weight credits it (the first such if tied).
    Stateful components keep their own state.
    """

    name = "mixed"
    summary = "a weighted combination of other schemes (mixed_components)"

    def __init__(self, cfg: Scenario) -> None:
        super().__init__(cfg)
        self.components = [(REGISTRY.get(n)(cfg), w) for n, w in parse_components(cfg.mixed_components)]
        self.lead = max(self.components, key=lambda c: c[1])[0]

    @property
    def commission_rate(self) -> float:
        """Weighted commission rate of the components."""
        return sum(w * s.commission_rate for s, w in self.components)

    @property
    def bonus_per_win(self) -> float:
        """Weighted bonus per win."""
        return sum(w * s.bonus_per_win for s, w in self.components)

    def credited(self, client: ClientCompany, weeks_since_won: float) -> Staff | None:
        """As the heaviest component credits."""
        return self.lead.credited(client, weeks_since_won)

    def raise_targets(self, factor: float) -> None:
        """Raise the targets of every component."""
        super().raise_targets(factor)
        for scheme, _weight in self.components:
            scheme.raise_targets(factor)

    def variable_pay(self, ledger: MonthLedger, person: Staff | None = None) -> float:
        """Weighted sum of the components' pay."""
        return sum(w * s.variable_pay(ledger, person) for s, w in self.components)

    def rate_on_won_client(self, weeks_after_win: np.ndarray, keeps: bool) -> np.ndarray:
        """Weighted sum of the components' rates."""
        return sum(w * s.rate_on_won_client(weeks_after_win, keeps) for s, w in self.components)

    def rate_on_owned_client(self, weeks_after_win: np.ndarray, originated: bool) -> np.ndarray:
        """Weighted sum of the components' rates."""
        return sum(w * s.rate_on_owned_client(weeks_after_win, originated) for s, w in self.components)
