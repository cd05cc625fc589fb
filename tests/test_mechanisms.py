"""The model's parts do what the ODD says they do."""

from __future__ import annotations

import math

import mesa
import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from orgmodel import SalesOrgModel, Scenario, simulate
from orgmodel.model.clients import ClientPerson, Stage
from orgmodel.model.network import RelationshipNetwork
from orgmodel.model.staff import Salesperson
from orgmodel.model.turnover import NO_TURNOVER

SMALL = {"market_size": 500, "salespeople": 4, "years": 2, **NO_TURNOVER}  # nobody quits: other mechanisms


# --- the relationship network -------------------------------------------------------------
def test_relationships_grow_with_time_together_and_halve_without_contact():
    net = RelationshipNetwork(half_life_weeks=26, gain_per_hour=0.35)
    net.add_people([1, 2])
    net.invest(1, 2, hours=2.0, week=10)
    s0 = 1 - math.exp(-0.7)
    assert net.strength(1, 2, 10) == pytest.approx(s0)
    assert net.strength(1, 2, 36) == pytest.approx(s0 / 2)
    net.invest(1, 2, hours=2.0, week=36)
    assert net.strength(1, 2, 36) == pytest.approx(1 - (1 - s0 / 2) * math.exp(-0.7))
    assert net.strength(2, 1, 36) == net.strength(1, 2, 36)
    assert net.prune(week=36 + 26 * 10, staff=[1]) == 1


def test_buying_centre_consent_matches_ceb_group_size_figures():
    # CEB: purchase likelihood 81% with one person, 31% with six (at ordinary relationships)
    model = SalesOrgModel(rng=0, **SMALL)
    p = model.weekly_support(0.5)
    assert p == pytest.approx(0.81, abs=0.03)
    assert p**6 == pytest.approx(0.31, abs=0.04)
    assert model.weekly_support(1.0) ** 6 > 2 * model.weekly_support(0.0) ** 6


def test_a_buying_centre_agrees_when_every_member_backs_it_by_the_members_rule_and_draws():
    """``buying_centre_agrees`` applies each member's ``backs`` (the scenario read once): the same answers and draws."""
    model = SalesOrgModel(rng=3, **SMALL)
    model.cfg = model.cfg.with_(support_at_no_relationship=0.7, support_at_full_relationship=0.97)
    companies = [c for c in model.market.companies if len(c.members) >= 3][:40]
    strengths = np.random.default_rng(5).random((len(companies), 12)).tolist()
    for company, best in zip(companies, strengths, strict=False):
        best = best[: len(company.members)]
        state = model.random.getstate()
        agrees = model.relations.buying_centre_agrees(company, best)
        after = model.random.getstate()
        model.random.setstate(state)
        assert agrees == all(member.backs(s) for member, s in zip(company.members, best, strict=True))
        assert model.random.getstate() == after  # the same draws: one a member, up to the first who does not back it
    with pytest.raises(ValueError, match="strengths for"):
        model.relations.buying_centre_agrees(companies[0], [0.5])


def test_weak_relationships_raise_churn():
    # relationships that fade fast leave clients weakly covered, and more of them leave
    sizes = {"market_size": 800, "salespeople": 6, "years": 4, **NO_TURNOVER}  # leavers take clients too

    def lost_share(half_life: float) -> float:
        runs = [simulate(seed=s, relationship_half_life_weeks=half_life, **sizes).summary for s in (5, 6)]
        return sum(sum(r["annual_lost_clients"]) for r in runs) / sum(sum(r["annual_new_clients"]) for r in runs)

    assert lost_share(4) > 1.3 * lost_share(52)


# --- work and time -------------------------------------------------------------------------
def test_spoiled_clients_cost_service_hours():
    hours = {}
    for spoil in (0.2, 0.9):
        staff = simulate(seed=2, spoiledness=spoil, **SMALL).staff
        hours[spoil] = staff["hours_servicing"].sum() / staff["hours_servicing"].size
    assert hours[0.9] > 1.5 * hours[0.2]


def test_handovers_happen_and_cost_both_sides_hours():
    model = SalesOrgModel(rng=7, structure="hunter_farmer", incentive="split_commission", account_managers=2, **SMALL)
    model.run_for(40)
    handed = [c for am in model.account_managers for c in am.portfolio]
    assert handed, "no client was handed over in 40 weeks"
    assert all(isinstance(c.originator, Salesperson) for c in handed)
    model.run_for(5)
    staff = model.datacollector.get_table_dataframe("staff")
    by_role = staff.groupby("role")["hours_handover"].sum()
    assert by_role["salesperson"] > 0 and by_role["account_manager"] > 0


def test_handover_carries_over_only_part_of_the_relationships():
    model = SalesOrgModel(rng=8, structure="hunter_farmer", incentive="split_commission", account_managers=1, **SMALL)
    model.run_for(30)
    clients = [c for p in model.salespeople for c in p.portfolio if c.stage == Stage.IMPLEMENTATION]
    assert clients
    company = clients[0]
    hunter = company.owner
    am = model.account_managers[0]
    week = model.time
    before = [model.network.strength(hunter.unique_id, m.unique_id, week) for m in company.members]
    knowledge = company.knowledge
    multiplier_before = am.service_multiplier(company)
    due_before = (hunter.handover_due, am.handover_due)
    company.stage = Stage.SERIAL
    model.hand_over(company, am)
    after = [model.network.strength(am.unique_id, m.unique_id, week) for m in company.members]
    carry = model.cfg.handover_relationship_carryover
    assert after == pytest.approx([carry * b for b in before])
    assert company.knowledge == pytest.approx(knowledge * model.cfg.handover_knowledge_carryover)
    assert company.owner is am and company in am.portfolio and company not in hunter.portfolio
    assert hunter.handover_due - due_before[0] == am.handover_due - due_before[1] == model.cfg.handover_hours
    # nobody at the receiving end knows what is in "kit A": the same order takes longer
    assert am.service_multiplier(company) > multiplier_before


def test_nobody_works_more_hours_than_they_have():
    model = SalesOrgModel(rng=9, **SMALL)
    model.run_until(model.cfg.weeks)
    staff = model.datacollector.get_table_dataframe("staff")
    hours = staff.filter(like="hours_").sum(axis=1)
    weeks_in_month = 5
    assert (hours <= model.cfg.available_hours * weeks_in_month + 1e-6).all()
    assert staff["hours_servicing"].sum() > 0 and staff[[c for c in staff if c.startswith("hours_")]].ge(0).all().all()


def test_incentive_scheme_moves_discretionary_time():
    # paying for new clients rather than volume moves the hours people are free to choose towards hunting
    base = {"market_size": 1500, "salespeople": 8, "years": 6}
    share = {}
    for scheme in ("volume_commission", "new_client_bonus"):
        parts = []
        for seed in (1, 2):
            staff = simulate(seed=seed, incentive=scheme, **base).staff
            h = staff[staff["year"] >= 4][["hours_prospecting", "hours_pipeline", "hours_cross_sell", "hours_relationship"]].sum()
            parts.append((h["hours_prospecting"] + h["hours_pipeline"]) / h.sum())
        share[scheme] = float(np.mean(parts))
    assert share["new_client_bonus"] > share["volume_commission"] + 0.05, share


def test_hunters_hand_over_and_go_back_to_hunting():
    sq = simulate(seed=3, **{**SMALL, "years": 4}).summary["annual_hunting_share"]
    hf = simulate(
        seed=3, structure="hunter_farmer", incentive="split_commission", account_managers=1, **{**SMALL, "years": 4}
    ).summary
    assert hf["annual_hunting_share"][-1] > sq[-1] + 0.2
    assert hf["handovers"] > 0
    assert hf["account_managers_end_of_year"][-1] > 1  # hired when the first one filled up


def test_fixed_account_manager_headcount_is_respected():
    s = simulate(
        seed=3,
        structure="hunter_farmer",
        incentive="split_commission",
        account_managers=2,
        hire_account_managers=False,
        **SMALL,
    ).summary
    assert s["account_managers_end_of_year"] == [2, 2]


# --- Mesa and reproducibility ---------------------------------------------------------------------
def test_same_seed_same_results_different_seed_different():
    a = simulate(seed=11, **SMALL).timeseries
    b = simulate(seed=11, **SMALL).timeseries
    c = simulate(seed=12, **SMALL).timeseries
    pd.testing.assert_frame_equal(a, b)
    assert not a["revenue"].equals(c["revenue"])


def test_client_side_people_are_never_stepped(monkeypatch):
    def forbidden(self):
        raise AssertionError("client-side people must act on events only")

    monkeypatch.setattr(ClientPerson, "step", forbidden)
    model = SalesOrgModel(rng=1, **SMALL)
    model.run_until(model.cfg.weeks)
    assert model.datacollector.get_model_vars_dataframe()["revenue"].sum() > 0


def test_mesa_batch_run_drives_the_model():
    results = mesa.batch_run(
        SalesOrgModel,
        parameters={"market_size": 200, "salespeople": [2, 3], "years": 1},
        rng=[1],
        number_processes=1,
        max_steps=1000,
        display_progress=False,
    )
    assert len(results) == 2
    assert {r["salespeople"] for r in results} == {2, 3}
    assert all(r["week"] == 52 for r in results)


def test_bad_values_are_rejected_with_the_key_named():
    with pytest.raises(ValidationError, match="spoiledness"):
        Scenario(spoiledness=1.5)
    with pytest.raises(ValidationError, match="split_commission"):
        Scenario(incentive="split_commission")
    with pytest.raises(ValidationError, match="valid names"):
        Scenario(structure="matrix")
    with pytest.raises(ValidationError, match="yearz"):
        Scenario(yearz=3)


def test_a_stage_given_as_a_number_is_stored_as_the_member_the_weekly_loops_compare_by_identity():
    model = SalesOrgModel(rng=1, market_size=50, salespeople=2, years=1)
    company = model.companies[0]
    model.market.set_stage(company, 5)
    assert company.stage is Stage.SERIAL
    assert model.stage_counts[Stage.SERIAL] == 1
    assert model.stage_counts[Stage.PROSPECT] == 49
