"""The week's order of people is the one Mesa's ``AgentSet.shuffle`` gives, with the same draws."""

from __future__ import annotations

from orgmodel import SalesOrgModel
from orgmodel.model.staff import AccountManager, Salesperson


def test_the_week_order_is_agentset_shuffle_s_order_with_the_same_draws():
    model = SalesOrgModel(rng=6, structure="hunter_farmer", salespeople=5, account_managers=3, market_size=200, years=1)
    model.run_for(3)
    for _ in range(4):
        state = model.random.getstate()
        expected = [list(model.agents_by_type[cls].shuffle()) for cls in (Salesperson, AccountManager)]
        after = model.random.getstate()
        model.random.setstate(state)
        assert model.week_order() == expected
        assert model.random.getstate() == after
        assert [len(group) for group in expected] == [5, 3]
