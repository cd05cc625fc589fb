"""Each structure does what it says."""

from __future__ import annotations

from orgmodel import SalesOrgModel, simulate
from orgmodel.model.clients import Stage
from orgmodel.model.staff import AccountManager

SIZES = {"market_size": 1500, "salespeople": 8, "years": 6}


def test_capped_portfolio_keeps_at_most_the_cap_and_hands_over_the_rest():
    model = SalesOrgModel(rng=1, structure="capped_portfolio", portfolio_cap=8, **SIZES)
    worst = 0
    for _ in range(model.cfg.weeks):
        model.run_for(1)
        for p in model.salespeople:
            kept = sum(1 for c in p.portfolio if c.stage == Stage.SERIAL and c not in model.awaiting_handover)
            worst = max(worst, kept)
    assert worst == 8  # reaches the cap, never exceeds it
    managed = [c for am in model.account_managers for c in am.portfolio]
    assert managed and all(isinstance(c.owner, AccountManager) for c in managed)
    assert model.handovers >= len(managed)


def test_capped_portfolio_keeps_salespeople_hunting():
    full = simulate(seed=1, **SIZES).summary["annual_hunting_share"]
    capped = simulate(seed=1, structure="capped_portfolio", portfolio_cap=8, **SIZES).summary["annual_hunting_share"]
    assert capped[0] == full[0]  # identical until anyone reaches the cap
    assert capped[-1] > full[-1] + 0.1


def test_a_huge_cap_is_the_full_cycle():
    full = simulate(seed=2, **SIZES).summary
    capped = simulate(seed=2, structure="capped_portfolio", portfolio_cap=1000, **SIZES).summary
    assert capped["annual_revenue"] == full["annual_revenue"]
    assert capped["handovers"] == 0
