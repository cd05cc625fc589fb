"""The incentive schemes of issue 3: each pays what it says, through the ledger only."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from pydantic import ValidationError

from orgmodel import SalesOrgModel, Scenario
from orgmodel.model.turnover import NO_TURNOVER
from orgmodel.policies import incentives
from orgmodel.policies.incentives.base import MonthLedger
from orgmodel.policies.incentives.quota_bonus import next_quota

SMALL = {"market_size": 500, "salespeople": 4, "years": 2, **NO_TURNOVER}  # nobody quits: pay rules only


def _run(**params):
    model = SalesOrgModel(rng=params.pop("seed", 1), **{**SMALL, **params})
    model.run_until(model.cfg.weeks)
    return model, model.datacollector.get_table_dataframe("staff")


def _scheme(name, **keys):
    cfg = Scenario(incentive=name, **keys)
    return incentives.get(name)(cfg)


def _person(uid):
    return SimpleNamespace(unique_id=uid)


# --- margin_commission ---------------------------------------------------------------------
def test_margin_commission_pays_rate_times_credited_margin():
    model, staff = _run(incentive="margin_commission")
    rate = model.cfg.margin_commission_rate
    expected = rate * staff["credited_margin"].clip(lower=0.0)
    assert staff["variable_pay"].tolist() == pytest.approx(expected.tolist(), rel=1e-12, abs=1e-9)
    assert staff["variable_pay"].sum() > 0
    # service hours are positive, so the margin is below gross margin x revenue
    assert staff["credited_margin"].sum() < model.cfg.gross_margin * staff["credited_revenue"].sum()


def test_margin_is_gross_margin_less_service_cost_per_order():
    model = SalesOrgModel(rng=2, **SMALL)
    model.run_for(30)
    company = next(c for p in model.staff for c in p.portfolio if c.weekly_service > 0 and c.owner is not None)
    person = company.owner
    before_rev, before_margin = person.month.credited_revenue, person.month.credited_margin
    value = company.annual_value * 4 / 52.0  # a four-week order
    model.book_order(company, value)
    cfg = model.cfg
    service_cost = company.weekly_service * 4 * cfg.base_salary / (52 * cfg.hours_per_week)
    assert person.month.credited_revenue - before_rev == pytest.approx(value)
    assert person.month.credited_margin - before_margin == pytest.approx(cfg.gross_margin * value - service_cost)
    assert service_cost > 0


# --- quota_bonus ---------------------------------------------------------------------------
def test_quota_bonus_nothing_below_target_more_per_unit_above():
    s = _scheme("quota_bonus", initial_quota=100_000.0, quota_bonus=5_000.0, quota_accelerator_rate=0.05)
    p = _person(7)
    assert s.variable_pay(MonthLedger(credited_revenue=60_000.0, month=0), p) == 0.0
    assert s.variable_pay(MonthLedger(credited_revenue=30_000.0, month=1), p) == 0.0  # 90k, still below
    # reaches 120k: the bonus once, plus the accelerator on the 20k above
    assert s.variable_pay(MonthLedger(credited_revenue=30_000.0, month=2), p) == pytest.approx(5_000.0 + 0.05 * 20_000.0)
    # above target: accelerator only, more per unit than below target (which paid 0)
    assert s.variable_pay(MonthLedger(credited_revenue=10_000.0, month=3), p) == pytest.approx(500.0)
    # another person has their own year
    assert s.variable_pay(MonthLedger(credited_revenue=10_000.0, month=3), _person(8)) == 0.0


def test_quota_resets_each_year_with_the_ratchet():
    assert next_quota(100.0, 200.0, 0.5) == pytest.approx(150.0)
    assert next_quota(100.0, 200.0, 0.0) == pytest.approx(100.0)
    s = _scheme("quota_bonus", initial_quota=100_000.0, quota_ratchet=0.25, quota_bonus=1_000.0, quota_accelerator_rate=0.1)
    p = _person(1)
    s.variable_pay(MonthLedger(credited_revenue=300_000.0, month=5), p)  # year 0: 300k sold
    pay = s.variable_pay(MonthLedger(credited_revenue=100_000.0, month=12), p)  # year 1
    quota = 0.75 * 100_000.0 + 0.25 * 300_000.0  # 150k
    assert s.years[1].quota == pytest.approx(quota)
    assert s.years[1].year == 1 and s.years[1].sales == pytest.approx(100_000.0)
    assert pay == 0.0  # the new year starts from zero, below the new quota
    assert s.variable_pay(MonthLedger(credited_revenue=100_000.0, month=13), p) == pytest.approx(1_000.0 + 0.1 * 50_000.0)


# --- growth_bonus --------------------------------------------------------------------------
def test_growth_bonus_pays_only_on_growth():
    s = _scheme("growth_bonus", growth_bonus_share=0.1, growth_commission_rate=0.01)
    p = _person(3)

    def year(y, monthly):
        return [s.variable_pay(MonthLedger(credited_revenue=monthly, month=12 * y + m), p) for m in range(12)]

    first = year(0, 10_000.0)
    assert first == pytest.approx([100.0] * 12)  # no base year: commission only
    grew = year(1, 15_000.0)
    assert grew[:11] == pytest.approx([150.0] * 11)
    assert grew[11] == pytest.approx(150.0 + 0.1 * (180_000.0 - 120_000.0))
    fell = year(2, 12_000.0)
    assert fell == pytest.approx([120.0] * 12)  # less than last year: no growth bonus


def test_growth_bonus_runs():
    _, staff = _run(incentive="growth_bonus")
    assert staff["variable_pay"].sum() > 0


# --- team_bonus ----------------------------------------------------------------------------
def test_team_bonus_pays_everyone_the_same():
    model, staff = _run(incentive="team_bonus", structure="hunter_farmer", account_managers=1)
    per_month = staff.groupby("month")["variable_pay"]
    assert (per_month.max() - per_month.min()).abs().max() < 1e-9
    assert staff["variable_pay"].sum() == pytest.approx(model.cfg.team_bonus_rate * model.orders_total)
    assert model.scheme.commission_rate == pytest.approx(model.cfg.team_bonus_rate / 5)


# --- mixed ---------------------------------------------------------------------------------
def test_mixed_with_weights_one_and_zero_equals_the_component():
    _, mixed = _run(incentive="mixed", mixed_components="new_client_bonus:1,volume_commission:0", seed=5)
    _, alone = _run(incentive="new_client_bonus", seed=5)
    assert mixed.equals(alone)


def test_mixed_pay_is_the_weighted_sum():
    s = _scheme("mixed", mixed_components="volume_commission:2,new_client_bonus:0.5")
    ledger = MonthLedger(credited_revenue=10_000.0, new_clients=1)
    cfg = s.cfg
    vol = cfg.commission_rate * 10_000.0
    ncb = cfg.bonus_commission_rate * 10_000.0 + cfg.new_client_bonus
    assert s.variable_pay(ledger) == pytest.approx(2 * vol + 0.5 * ncb)
    assert s.bonus_per_win == pytest.approx(0.5 * cfg.new_client_bonus)


@pytest.mark.parametrize(
    "text",
    [
        "volume_commission",
        "nonsense:1",
        "volume_commission:-1",
        "volume_commission:0,new_client_bonus:0",
        "volume_commission:abc",
        "mixed:1",
        "",
    ],
)
def test_invalid_mixed_components_is_rejected_naming_the_key(text):
    with pytest.raises(ValidationError, match="mixed_components"):
        Scenario(incentive="mixed", mixed_components=text)


def test_mixed_with_a_handover_component_needs_a_handover_structure():
    with pytest.raises(ValidationError, match="mixed_components"):
        Scenario(incentive="mixed", mixed_components="split_commission:1")
    Scenario(incentive="mixed", mixed_components="split_commission:1", structure="hunter_farmer")


@pytest.mark.parametrize("n", [40, 400])  # the loop for a week's few dozen orders, bincount for hundreds
def test_a_weeks_orders_are_summed_per_person_in_order(n):
    from orgmodel.model.service import _per_person

    rng = np.random.default_rng(n)
    rows = rng.integers(-1, 7, n)
    values, margin = rng.lognormal(8.0, 1.0, n), rng.normal(0.0, 1e4, n)
    expected: dict[int, list[float]] = {}
    for row, v, m in zip(rows.tolist(), values.tolist(), margin.tolist(), strict=True):
        if row >= 0:
            got = expected.setdefault(row, [0.0, 0.0])
            got[0] += v
            got[1] += m
    assert {row: [v, m] for row, v, m in _per_person(rows, values, margin)} == expected  # exactly, not approximately
