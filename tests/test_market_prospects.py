"""Finding a prospect draws the companies exactly as ``random.choice`` would (the runs stay the same)."""

from __future__ import annotations

import random

import pytest

from orgmodel import SalesOrgModel
from orgmodel.model.clients import ClientCompany, Stage


def _by_choice(rng: random.Random, companies: list[ClientCompany], week: int) -> ClientCompany | None:
    """The rule written with ``random.choice``: up to 64 draws for a prospect or lost client available by ``week``."""
    for _ in range(64):
        c = rng.choice(companies)
        if c.stage in (Stage.PROSPECT, Stage.LOST) and c.available_from <= week:
            return c
    return None


#: week -1: every company is out of reach (64 draws, then nobody); from week 10 on the rest are too
WEEKS = (-1, 3, 9, 10, 12)


@pytest.mark.parametrize("market_size", [37, 64, 100])  # 64: a power of two, where no draw is rejected
def test_find_prospect_draws_as_random_choice(market_size):
    model = SalesOrgModel(rng=5, salespeople=2, market_size=market_size, years=1)
    market = model.market
    companies = market.companies
    for c in companies[: market_size * 3 // 4]:  # most are out of reach: several draws per search
        c.available_from = 10
    for c in companies[1::5]:
        market.set_stage(c, Stage.SERIAL)
    for c in companies[2::7]:
        market.set_stage(c, Stage.LOST)
    start = model.random.getstate()
    found = [market.find_prospect(week) for week in WEEKS for _ in range(50)]
    end = model.random.getstate()
    model.random.setstate(start)
    expected = [_by_choice(model.random, companies, week) for week in WEEKS for _ in range(50)]
    assert found == expected
    assert model.random.getstate() == end  # the very same draws, no more, no fewer
    assert found[:50] == [None] * 50
    assert len({c.uid for c in found if c is not None}) > 1
