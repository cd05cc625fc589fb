"""The payroll's month ledgers: a month's hours are the weeks' hours added one week after another."""

from __future__ import annotations

import pytest

from orgmodel.model import payroll
from orgmodel.model.activities import ACTIVITIES, N_ACTIVITIES
from orgmodel.model.clients import Stage
from orgmodel.model.model import SalesOrgModel
from orgmodel.model.payroll import month_of
from orgmodel.scenario.builtin import load_builtin

QUITS = {"voluntary_turnover_salespeople": 0.8, "voluntary_turnover_account_managers": 0.8}


@pytest.mark.parametrize("matrix_from", [0, 21, 10**9])
@pytest.mark.parametrize("builtin", ["service_desk", "hunter_farmer"])
def test_month_hours_are_the_weeks_added_in_order(builtin: str, matrix_from: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each staff row's hours equal its person's weekly hours summed week by week from 0.0, exactly.

    A large force's weeks are added into a matrix of month hours at once,
    a small one's into each ledger's list (``MATRIX_FROM``: always the
    matrix, from 21 people, so that the place changes between months as
    the force grows, and never); the rows must be what each person's
    ledger list got by adding their weeks element by element (new hires,
    leavers' last rows and desk agents too).
    """
    monkeypatch.setattr(payroll, "MATRIX_FROM", matrix_from)
    model = SalesOrgModel(rng=5, scenario=load_builtin(builtin).with_(years=1, **QUITS), record_events=True)
    modes = []
    while model.time < model.cfg.weeks:
        model.run_until(model.time + 1)
        modes.append(model.payroll.by_matrix)
    expected: dict[tuple[int, int], list[float]] = {}
    for week, person, hours in model.recorder.hours:
        month = expected.setdefault((month_of(week), person), [0.0] * N_ACTIVITIES)
        month[:] = [a + h for a, h in zip(month, hours, strict=True)]
    staff = model.datacollector.get_table_dataframe("staff")
    columns = [f"hours_{a}" for a in ACTIVITIES]
    seen = {}
    for row in staff.itertuples(index=False):
        key = (row.month, row.person)
        hours = [getattr(row, c) for c in columns]
        seen[key] = hours
        assert hours == expected.get(key, [0.0] * N_ACTIVITIES), key
    assert model.turnover.departures, "the case should have leavers (their last rows)"
    assert any(r.left_week for r in staff.itertuples(index=False))
    assert {k for k, v in expected.items() if any(v)} <= seen.keys()
    if matrix_from == 21:
        assert True in modes and False in modes, "the force should cross the headcount during the year"


@pytest.mark.parametrize("builtin", ["hunter_farmer", "pod"])
def test_serial_clients_are_the_portfolio_s_clients_in_the_serial_stage(builtin: str) -> None:
    """The count from each person's list of clients in implementation is the count of their serial clients' stages.

    Read at every week's end and at a month's close (where the staff table's
    ``clients`` column takes it), as clients are won, finish implementation,
    change hands, follow leavers and churn.
    """
    model = SalesOrgModel(rng=3, scenario=load_builtin(builtin).with_(years=2, **QUITS))
    checked = 0
    for _ in range(model.cfg.weeks):
        model.step()
        for person in model.staff:
            assert payroll.serial_clients(person) == sum(1 for c in person.portfolio if c.stage is Stage.SERIAL)
            checked += person.implementing is not None
    assert checked > 0
