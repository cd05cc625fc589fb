"""The research control that fixes hunters' share of time, overriding the incentive-driven rule."""

from __future__ import annotations

import pytest

from orgmodel import SalesOrgModel, Scenario, simulate
from orgmodel.model.activities import IMPLEMENTATION, PIPELINE, PROSPECTING
from orgmodel.model.turnover import NO_TURNOVER
from orgmodel.scenario import dump_scenario_toml, load_scenario

SIZES = {"market_size": 800, "salespeople": 5, "years": 4}
#: nobody quits, so no client is handed over: a handover's joint visits come before the fixed hunting hours
STEADY = {**SIZES, **NO_TURNOVER}


@pytest.mark.parametrize("incentive", ["volume_commission", "new_client_bonus"])
def test_fixed_hunting_share_holds_whatever_the_pay(incentive):
    """Every hunter hunts the fixed share of their hours each week, or all that the week's implementations leave."""
    model = SalesOrgModel(rng=2, incentive=incentive, fixed_hunting_share=0.3, **STEADY)
    cap = model.cfg.available_hours
    weeks_short = 0
    for week in range(1, model.cfg.weeks + 1):
        model.run_until(week)
        for person in model.salespeople:
            left = cap - person.hours[IMPLEMENTATION]  # implementation support comes before the reserved hours
            hunting = person.hours[PROSPECTING] + person.hours[PIPELINE]
            assert hunting == pytest.approx(min(0.3 * cap, left), abs=1e-9)
            weeks_short += left < 0.3 * cap
    assert weeks_short < 0.01 * model.cfg.weeks * len(model.salespeople)  # the pay moves nothing: only implementations
    shares = model.datacollector.get_model_vars_dataframe()["hunting_share"]
    assert shares.mean() == pytest.approx(0.3, abs=0.002)


def test_unfixed_share_follows_the_rule_and_falls():
    shares = simulate(seed=2, **SIZES).summary["annual_hunting_share"]
    assert shares[0] > 0.45 and shares[-1] < 0.3


def test_fixed_hunting_comes_before_service_so_backlog_grows():
    free = simulate(seed=2, **SIZES).timeseries
    forced = simulate(seed=2, fixed_hunting_share=0.6, **SIZES).timeseries
    late = slice(len(free) // 2, None)
    assert forced["service_backlog_hours"].iloc[late].mean() > free["service_backlog_hours"].iloc[late].mean()


def test_fixed_share_round_trips_through_a_scenario_file(tmp_path):
    for value in (None, 0.25):
        path = tmp_path / f"s{value}.toml"
        path.write_text(dump_scenario_toml(Scenario(fixed_hunting_share=value)))
        assert load_scenario(str(path)).fixed_hunting_share == value
