"""A person's attributes stay fewer than 30, so that CPython keeps them inline.

CPython 3.12 stores up to 29 attributes of a class's instances in one shared
key table, read by the interpreter's fastest attribute load; the 30th turns
every instance's attributes into an ordinary dict, and every attribute read of
every person in every week gets slower (a 30th attribute on ``Staff`` cost the
reference run about 0.5 % more instructions, more than most of issue 13's cuts
save). A new per-person attribute has to replace one. (``skills_move``, off by
default, adds four of its own: those runs are over the limit.)
"""

from __future__ import annotations

import sys

import pytest

from orgmodel import SalesOrgModel

INLINE_MAX = 29


@pytest.mark.skipif(sys.version_info[:2] != (3, 12), reason="the limit is CPython 3.12's")
@pytest.mark.parametrize(
    "params",
    [
        {"structure": "full_cycle", "fragmented_weeks": True},
        {"structure": "hunter_farmer", "large_client_care": True, "scarce_hunting_talent": True},
        {"structure": "pod"},
        {"structure": "service_desk"},
    ],
)
def test_every_person_keeps_fewer_than_30_attributes(params):
    model = SalesOrgModel(rng=5, salespeople=6, market_size=400, years=2, **params)
    model.run_until(model.cfg.weeks)
    people = [*model.staff, *model.desk_agents]
    assert people
    assert max(len(vars(p)) for p in people) <= INLINE_MAX, sorted(vars(people[0]))
