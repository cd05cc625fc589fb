"""The fall in new clients per salesperson splits into hours (structure), skill (faded) and the rest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from orgmodel import simulate
from orgmodel.analysis.new_client_fall import PARTS, new_client_fall
from orgmodel.model.activities import ACTIVITIES
from orgmodel.model.turnover import NO_TURNOVER
from orgmodel.scenario import load_scenario


def _staff(rows: list[tuple[int, int, float, float, int]]) -> pd.DataFrame:
    """A staff table from (year, person, hunting hours, hunting skill, new clients), one row per month."""
    records = []
    for year, person, hours, skill, won in rows:
        for m in range(12):
            record = {f"hours_{a}": 0.0 for a in ACTIVITIES}
            record.update(hours_prospecting=hours / 2, hours_pipeline=hours / 2, hours_servicing=150.0 - hours)
            record.update(
                month=(year - 1) * 12 + m, year=year, person=person, role="salesperson", hunting_skill=skill, new_clients=won
            )
            records.append(record)
    return pd.DataFrame(records)


def test_constant_skill_leaves_the_whole_fall_to_hours() -> None:
    # year 2 is the base (year 1 is left out); in year 3 both hunt half as much and win half as many
    staff = _staff(
        [
            *[(1, 1, 80.0, 1.2, 1), (1, 2, 80.0, 0.8, 1)],
            *[(2, 1, 80.0, 1.2, 2), (2, 2, 80.0, 0.8, 2)],
            *[(3, 1, 40.0, 1.2, 1), (3, 2, 40.0, 0.8, 1)],
        ]
    )
    d = new_client_fall(staff)
    assert d.attrs["base_year"] == 2
    assert d.at[3, "fall"] == pytest.approx(np.log(0.5))
    assert d.at[3, "hours"] == pytest.approx(np.log(0.5))
    assert d.at[3, "skill"] == 0.0
    assert d.at[3, "team"] == pytest.approx(0.0)
    assert d.at[3, "other"] == pytest.approx(0.0)


def test_skill_that_faded_is_its_own_part() -> None:
    # same hours, each person's own skill falls to 0.7 of what it was, and they win 0.7 as many
    staff = _staff([(1, 1, 80.0, 1.0, 10), (1, 2, 80.0, 1.0, 10), (2, 1, 80.0, 0.7, 7), (2, 2, 80.0, 0.7, 7)])
    d = new_client_fall(staff, base_year=1)
    assert d.at[2, "skill"] == pytest.approx(np.log(0.7))
    assert d.at[2, "hours"] == pytest.approx(0.0)
    assert d.at[2, "other"] == pytest.approx(0.0)
    # a weaker hire is the team's part, not skill that faded
    staff = _staff([(1, 1, 80.0, 1.0, 10), (1, 2, 80.0, 1.0, 10), (2, 1, 80.0, 1.0, 10), (2, 3, 80.0, 0.5, 5)])
    d = new_client_fall(staff, base_year=1)
    assert d.at[2, "skill"] == 0.0
    assert d.at[2, "team"] == pytest.approx(np.log(0.75))
    with pytest.raises(ValueError, match="base_year"):
        new_client_fall(staff, base_year=5)


def _fall(specialisation: str) -> pd.DataFrame:
    # nobody quits (issue #12): with turnover, fresh hires replace the people whose hunting skill faded
    scenario = load_scenario("status_quo").with_(
        years=6, salespeople=8, market_size=1200, specialisation=specialisation, **NO_TURNOVER
    )
    return new_client_fall(simulate(scenario, seed=3).staff)


def test_full_cycle_salespeople_lose_hunting_skill_only_when_skills_move() -> None:
    still = _fall("none")
    assert (still["skill"] == 0.0).all()
    moving = _fall("skills_move")
    base = moving.attrs["base_year"]
    later = moving.loc[moving.index > base + 1]
    # they hunt less every year and so lose the practice: a real, negative skill part
    assert (later["skill"] < 0.0).all()
    assert later["skill"].iloc[-1] < -0.05
    assert (later["hours"] < 0.0).all()
    parts = moving[list(PARTS)].sum(axis=1)
    np.testing.assert_allclose(parts.to_numpy(), moving["fall"].to_numpy())
