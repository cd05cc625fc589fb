"""Each structure does what it says."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from orgmodel import SalesOrgModel, Scenario, simulate
from orgmodel.model.activities import HANDOVER, IMPLEMENTATION, SERVICING
from orgmodel.model.clients import Stage
from orgmodel.model.staff import AccountManager
from orgmodel.model.turnover import NO_TURNOVER

SIZES = {"market_size": 1500, "salespeople": 8, "years": 6, **NO_TURNOVER}  # nobody quits: structures only


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
    full = SalesOrgModel(rng=1, **SIZES)
    capped = SalesOrgModel(rng=1, structure="capped_portfolio", portfolio_cap=8, **SIZES)
    week = 0
    while max(sum(c.stage == Stage.SERIAL for c in p.portfolio) for p in capped.salespeople) < 8:
        week += 1
        full.run_until(week)
        capped.run_until(week)
    assert week > 20  # someone reaches the cap (the week after, a client goes to an account manager)
    same = ["revenue", "new_clients", "active_clients", "open_deals", "hunting_share", "complaints", "service_backlog_hours"]
    before = [m.datacollector.get_model_vars_dataframe()[same] for m in (full, capped)]
    assert before[0].equals(before[1])  # identical until anyone reaches the cap
    shares = [simulate(seed=1, **SIZES), simulate(seed=1, structure="capped_portfolio", portfolio_cap=8, **SIZES)]
    full_share, capped_share = (s.summary["annual_hunting_share"] for s in shares)
    assert capped_share[-1] > full_share[-1] + 0.1


def test_a_huge_cap_is_the_full_cycle():
    full = simulate(seed=2, **SIZES).summary
    capped = simulate(seed=2, structure="capped_portfolio", portfolio_cap=1000, **SIZES).summary
    assert capped["annual_revenue"] == full["annual_revenue"]
    assert capped["handovers"] == 0


# --- pod ----------------------------------------------------------------------------------------------------
POD = {
    "structure": "pod",
    "incentive": "team_bonus",
    "market_size": 800,
    "salespeople": 6,
    "account_managers": 3,
    "years": 3,
    **NO_TURNOVER,
}


def test_pods_keep_the_clients_their_hunters_win():
    model = SalesOrgModel(rng=1, pod_size=2, **POD)
    assert sorted(p.team for p in model.salespeople) == [0, 0, 1, 1, 2, 2]
    assert sorted(m.team for m in model.account_managers) == [0, 1, 2]
    model.run_until(model.cfg.weeks)
    managed = [(m, c) for m in model.account_managers for c in m.portfolio if c.originator is not None]
    assert len(managed) > 30
    assert all(c.originator.team == m.team for m, c in managed)
    assert len(model.account_managers) > 3  # each pod hires its own as it fills up


def test_pod_members_share_the_pods_target():
    model = SalesOrgModel(rng=2, pod_size=2, **POD)
    model.run_until(model.cfg.weeks)
    staff = model.datacollector.get_table_dataframe("staff")
    team = {p.unique_id: p.team for p in model.staff}
    month = staff[staff["month"] == staff["month"].max()].assign(pod=lambda d: d["person"].map(team))
    for _, members in month.groupby("pod"):
        assert members["variable_pay"].nunique() == 1  # one pot, equal shares
        pot = model.cfg.team_bonus_rate * members["owned_revenue"].sum()
        assert members["variable_pay"].sum() == pytest.approx(pot)
    assert month.groupby("pod")["variable_pay"].first().nunique() > 1  # pods are paid on their own results
    assert model.scheme.commission_rate == pytest.approx(model.cfg.team_bonus_rate / 3)  # (6 + 3) people / 3 pods


def test_pod_account_managers_cover_for_each_other():
    model = SalesOrgModel(rng=3, pod_size=6, **{**POD, "account_managers": 2, "hire_account_managers": False})
    model.run_until(79)
    busy, free = model.account_managers
    assert busy.team == free.team
    for c in free.portfolio:
        c.backlog = 0.0
    for c in busy.portfolio:
        c.backlog += 30.0
    cap = model.cfg.available_hours
    demand = sum(c.backlog * busy.service_multiplier(c) for c in busy.portfolio)
    assert demand > 2 * cap  # more than the busy one can do in a week
    # hiring sees the whole workload: everyone's own service comes first, so it is all in the busy one's load
    expected = busy.load + 0.1 * (min(demand, 3 * cap) / cap - busy.load)
    model.run_for(1)
    assert free.hours[SERVICING] > 5.0  # nothing of its own was waiting: these hours went to a colleague's clients
    assert busy.hours[SERVICING] == pytest.approx(cap - busy.hours[HANDOVER] - busy.hours[IMPLEMENTATION])
    assert busy.load == pytest.approx(min(3.0, expected))


def test_pods_without_hiring_need_an_account_manager_each():
    with pytest.raises(ValidationError, match=r"account_managers \(2\) must be at least the number of pods \(3"):
        Scenario(**{**POD, "account_managers": 2, "hire_account_managers": False, "pod_size": 2})


# --- key accounts ----------------------------------------------------------------------------------------------
KEY = {"structure": "key_accounts", "market_size": 800, "salespeople": 5, "account_managers": 1, "years": 3, **NO_TURNOVER}


def test_key_accounts_go_to_key_account_managers_by_potential():
    model = SalesOrgModel(rng=1, key_account_share=0.2, **KEY)
    model.run_until(model.cfg.weeks)
    structure = model.structure
    ranked = sorted((structure.potential(c) for c in model.companies), reverse=True)
    threshold = ranked[round(0.2 * len(ranked)) - 1]
    managed = [c for m in model.account_managers for c in m.portfolio]
    kept = [c for p in model.salespeople for c in p.portfolio if c.stage == Stage.SERIAL]
    assert len(managed) >= 10 and len(kept) >= 30
    assert all(structure.potential(c) >= threshold for c in managed)
    assert all(structure.potential(c) < threshold for c in kept if c not in model.awaiting_handover)
    assert all(p.keeps_clients for p in model.salespeople)


def test_a_leavers_clients_stay_with_people_doing_the_same_job():
    """Pod clients stay in the pod, key accounts with key-account managers, others with salespeople.

    Clients who follow the leaver to a competitor (issue #12) have no owner and are skipped.
    """
    model = SalesOrgModel(rng=1, pod_size=2, **POD)
    model.run_until(100)
    leaver = max((m for m in model.account_managers if m.portfolio), key=lambda m: len(m.portfolio))
    clients, pod = list(leaver.portfolio), leaver.team
    model.let_go(leaver)
    kept = [c for c in clients if c.owner is not None]
    assert kept and all(c.owner.team == pod and c.owner.role == "account_manager" for c in kept)

    model = SalesOrgModel(rng=1, key_account_share=0.2, **{**KEY, "account_managers": 2})
    model.run_until(100)
    kam = max(model.account_managers, key=lambda m: len(m.portfolio))
    seller = max(model.salespeople, key=lambda p: len(p.portfolio))
    key_clients, own_clients = list(kam.portfolio), list(seller.portfolio)
    assert key_clients and own_clients
    model.let_go_group([kam, seller])
    assert all(c.owner.role == "account_manager" for c in key_clients if c.owner is not None)
    assert all(c.owner.role == "salesperson" for c in own_clients if c.owner is not None)

    model.let_go_group(list(model.account_managers))  # nobody left for key accounts: salespeople take them
    assert all(c.owner.role == "salesperson" for c in key_clients if c.owner is not None)


def test_no_key_accounts_means_nobody_is_handed_over():
    result = simulate(seed=2, key_account_share=0.0, **KEY)
    assert result.summary["handovers"] == 0


# --- switching to and from the new structures during a run -------------------------------------------------------
SWITCHES = {
    "full_cycle to service_desk and back": ({}, [("service_desk", {}), ("full_cycle", {})]),
    "full_cycle to pod, then hunter_farmer by segment": (
        {},
        [("pod", {"incentive": "team_bonus", "pod_size": 2}), ("hunter_farmer", {"handover_receiver": "by_segment"})],
    ),
    "hunter_farmer to key_accounts": (
        {"structure": "hunter_farmer", "account_managers": 1},
        [("key_accounts", {"key_account_share": 0.3}), ("service_desk", {"incentive": "volume_commission"})],
    ),
    "full_cycle to hunter_farmer after serial weeks": (
        {},
        [("hunter_farmer", {"incentive": "split_commission", "handover_timing": "after_serial_weeks"}), ("pod", {})],
    ),
}


@pytest.mark.parametrize("case", list(SWITCHES))
def test_invariants_hold_when_switching_structures(case):
    start, steps = SWITCHES[case]
    interventions = [{"week": 40 + 50 * i, "set": {"structure": name, **extra}} for i, (name, extra) in enumerate(steps)]
    scenario = Scenario(market_size=600, salespeople=5, years=3, **start, interventions=interventions)
    model = SalesOrgModel(rng=1, scenario=scenario)
    for _ in range(model.cfg.weeks):
        model.run_for(1)
        model.check_invariants()
    assert [r["changes"]["structure"][1] for r in model.interventions_applied] == [name for name, _ in steps]
    assert model.structure.name == steps[-1][0]
    assert (model.desk is not None) == (steps[-1][0] == "service_desk")


@pytest.mark.parametrize("structure", ["service_desk", "pod", "key_accounts"])
def test_same_seed_same_run(structure):
    runs = [simulate(seed=4, structure=structure, market_size=500, salespeople=4, years=2) for _ in range(2)]
    assert runs[0].summary["annual_revenue"] == runs[1].summary["annual_revenue"]
    assert runs[0].staff.equals(runs[1].staff)
