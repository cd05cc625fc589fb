"""The week's order of people is the one Mesa's ``AgentSet.shuffle`` gives, with the same draws."""

from __future__ import annotations

import random

import pytest

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


# 1: nothing to draw; 16 and 17: groups around a power of two, where draws below 9..17 are rejected now and then
@pytest.mark.parametrize("salespeople", [1, 2, 16, 17])
def test_the_week_order_draws_as_random_shuffle(salespeople):
    model = SalesOrgModel(rng=11, salespeople=salespeople, market_size=100, years=1)
    people = list(model.agents_by_type[Salesperson])
    for _ in range(20):
        state = model.random.getstate()
        (order,) = model.week_order()
        after = model.random.getstate()
        model.random.setstate(state)
        expected = list(people)
        model.random.shuffle(expected)
        assert order == expected
        assert model.random.getstate() == after  # the very same draws, no more, no fewer
    if salespeople > 2:
        orders = set()
        for _ in range(10):
            orders.add(tuple(p.unique_id for p in model.week_order()[0]))
        assert len(orders) > 1
    assert isinstance(model.random, random.Random)
