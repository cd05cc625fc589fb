"""Each person's list of own clients in implementation is kept as clients are won, handed over, lost and left behind."""

from __future__ import annotations

import pytest

from orgmodel import SalesOrgModel
from orgmodel.model.clients import Stage


@pytest.mark.parametrize("structure", ["full_cycle", "hunter_farmer"])
def test_the_kept_list_of_clients_in_implementation_is_a_fresh_filter_of_the_portfolio(structure):
    """Week after week, a person's kept list (when not dropped for rebuilding) is the portfolio's clients in
    implementation, in portfolio order, through wins, handovers, losses and leavers (high turnover)."""
    model = SalesOrgModel(
        rng=5,
        structure=structure,
        salespeople=6,
        market_size=600,
        years=3,
        voluntary_turnover_salespeople=0.6,
        voluntary_turnover_account_managers=0.6,
    )
    kept = checked = 0
    ids = {p.unique_id for p in model.staff}
    seen = set(ids)
    owners: dict[int, int] = {}
    handed = 0
    for _ in range(model.cfg.weeks):
        model.step()
        for person in model.staff:
            seen.add(person.unique_id)
            fresh = [c for c in person.portfolio if c.stage is Stage.IMPLEMENTATION]
            if person.implementing is not None:
                assert person.implementing == fresh, (person, person.implementing, fresh)
                kept += person.implementing is not None and bool(fresh)
            checked += 1
            for c in person.portfolio:
                before = owners.get(c.uid)
                handed += before is not None and before != person.unique_id
                owners[c.uid] = person.unique_id
    counts = model.market.stage_counts
    assert checked > 500 and kept > 20
    assert counts[Stage.SERIAL] > 10 and counts[Stage.LOST] > 0  # wins and losses
    assert len(seen) > len(ids) and handed > 0  # leavers replaced, clients changing hands


def test_a_client_handed_over_or_moved_on_while_implementing_leaves_both_lists_fresh():
    """Handing over a client in implementation drops the giver's and the receiver's kept lists; its move to
    serial buying drops the owner's; each rebuilds to the fresh filter as their next week starts."""
    model = SalesOrgModel(rng=1, structure="full_cycle", salespeople=3, market_size=300, years=1)
    giver, receiver = sorted(model.salespeople, key=lambda p: p.unique_id)[:2]
    company = model.companies[0]
    model.market.set_stage(company, Stage.IMPLEMENTATION)
    model.hand_over(company, giver)
    giver.begin_week()
    receiver.begin_week()
    assert giver.implementing == [company] and receiver.implementing == []
    model.hand_over(company, receiver)
    assert giver.implementing is None and receiver.implementing is None
    giver.begin_week()
    receiver.begin_week()
    assert giver.implementing == [] and receiver.implementing == [company]
    model.market.set_stage(company, Stage.SERIAL)
    assert receiver.implementing is None
    receiver.begin_week()
    assert receiver.implementing == []
