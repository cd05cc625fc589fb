"""Plausible ranges of the assumed parameters: the space over which the essay's claims are tested.

Every scenario key whose default is an assumption (its ``source`` says
"assumption", wholly or for the number) is either given a plausible range
here, with the reason for its ends, or listed in :data:`NOT_VARIED` with the
reason it is held fixed. ``experiments/robustness.toml`` samples exactly the
ranges below (a test checks that the two agree), and ``docs/parameters.md``
shows them in its *plausible range* column, so the range a claim is tested
over is written next to the default it replaces.

The ranges are deliberately wide: about half to double the default where
nothing narrows it, and the published span where a source gives one. They
are not a calibration; they say "a sales organisation of this kind could
plausibly look like anywhere in here".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plausible:
    """A plausible range of one assumed parameter.

    Attributes:
        low: lowest plausible value.
        high: highest plausible value.
        why: why these ends, in a few words (shown in docs/parameters.md).

    """

    low: float
    high: float
    why: str


_HALF_DOUBLE = "half to double the default: no source narrows it"

#: the assumed parameters the robustness experiment varies, with their plausible ranges
RANGES: dict[str, Plausible] = {
    # people and their week
    "hours_per_week": Plausible(40, 50, "a 40-hour contract to the 50-hour weeks field-sales surveys report"),
    "skill_mean": Plausible(0.8, 1.2, "everyone 20% slower or faster: scales hunting and service alike"),
    "skill_sd": Plausible(0.05, 0.3, "from a near-uniform team to one whose best are twice as fast as its weakest"),
    # market
    "client_size_sigma": Plausible(
        0.6, 1.4, "from a fairly even client base to one where the top fifth of clients holds most of the volume"
    ),
    "base_annual_value": Plausible(15_000, 60_000, "half to double: a first order's value against salaries sets contribution"),
    "cross_sell_lines_mean": Plausible(1.0, 3.0, "one to three further lines (as experiments/sensitivity.toml)"),
    "cross_sell_line_value": Plausible(
        0.8, 1.6, "developed volume two to five times the first sale, 'several times' in the essay"
    ),
    # servicing
    "order_interval_weeks": Plausible(2.0, 8.0, "serial orders from fortnightly to every two months"),
    "spec_hours_per_line": Plausible(1.5, 4.5, "half to 1.5 times the default: an hour or two to half a day per line"),
    "line_scale_exponent": Plausible(0.6, 1.0, "from strong economies of scale in specification to none"),
    "service_size_exponent": Plausible(0.1, 0.5, "service per order from nearly flat to clearly rising with client size"),
    "shipment_hours_per_order": Plausible(0.25, 1.0, _HALF_DOUBLE),
    "problem_hours": Plausible(1.0, 4.0, _HALF_DOUBLE),
    "complaint_rate": Plausible(0.15, 0.45, "half to 1.5 times the default"),
    "complaint_hours": Plausible(2.0, 8.0, _HALF_DOUBLE),
    "backlog_complaint_weeks": Plausible(2.0, 6.0, "buyers complain after two to six weeks of undone work"),
    "knowledge_penalty": Plausible(0.5, 2.0, "service without client knowledge 1.5 to 3 times as long (as sensitivity.toml)"),
    "knowledge_learning_hours": Plausible(20.0, 80.0, _HALF_DOUBLE),
    # pipeline
    "hours_per_lead": Plausible(2.0, 8.0, "half to double; prospecting stays near the 6-10% of time IPG reports"),
    "qualified_hours": Plausible(4.0, 16.0, _HALF_DOUBLE),
    "proposal_hours": Plausible(3.0, 12.0, _HALF_DOUBLE),
    "lead_min_weeks": Plausible(0, 2, "a lead can be worked the same week, or takes up to two"),
    "lead_qualify_rate": Plausible(0.3, 0.6, "as experiments/sensitivity.toml"),
    "proposal_rate": Plausible(0.5, 0.8, "as experiments/sensitivity.toml"),
    "reapproach_weeks": Plausible(13, 52, "a quarter to a year before a lost prospect is tried again"),
    "implementation_weeks": Plausible(6, 16, "six weeks to four months of implementation"),
    "implementation_hours": Plausible(2.5, 10.0, _HALF_DOUBLE),
    # relationships
    "relationship_half_life_weeks": Plausible(13.0, 52.0, "a quarter to a year (as sensitivity.toml)"),
    "relationship_gain_per_hour": Plausible(0.2, 0.5, "a strong relationship after about two to five hours of contact"),
    "decision_maker_weight": Plausible(1.0, 3.0, "the decision maker counts as much as one to three other members"),
    # churn
    "churn_weak_relationship": Plausible(0.04, 0.16, _HALF_DOUBLE),
    "churn_dissatisfied": Plausible(0.2, 0.6, "as experiments/sensitivity.toml"),
    "review_interval_weeks": Plausible(8, 26, "buyers review suppliers two to six times a year"),
    "reapproach_after_churn_weeks": Plausible(26, 104, _HALF_DOUBLE),
    # cross-sell
    "cross_sell_hours": Plausible(6.0, 24.0, _HALF_DOUBLE),
    "cross_sell_min_weeks": Plausible(2, 8, _HALF_DOUBLE),
    "cross_sell_cooldown_weeks": Plausible(8, 26, "two months to half a year after a refusal"),
    "cross_sell_implementation_hours": Plausible(3.0, 12.0, _HALF_DOUBLE),
    # handover
    "handover_relationship_carryover": Plausible(0.1, 0.6, "a cold handover to a well-run joint introduction"),
    "handover_knowledge_carryover": Plausible(0.1, 0.6, "little written down to a good handover file"),
    "handover_hours": Plausible(2.0, 8.0, _HALF_DOUBLE),
    "split_weeks": Plausible(26, 104, "the hunter paid on a new client for half a year to two years"),
    # hiring
    "account_manager_load_limit": Plausible(0.7, 1.0, "an account manager counts as full at 70% to 100% of their hours"),
    "hiring_delay_weeks": Plausible(6, 26, "six weeks to half a year from decision to first day"),
    "ramp_up_weeks": Plausible(6, 26, "six weeks to half a year to full productivity"),
    # management response and money
    "low_performer_share": Plausible(0.05, 0.2, "the bottom 5% to 20% let go each year (forced-ranking practice)"),
    "gross_margin": Plausible(0.2, 0.4, "gross margins of distribution businesses"),
    "base_salary": Plausible(40_000, 70_000, "junior to senior field-sales base pay"),
    "new_client_bonus": Plausible(2_000, 8_000, _HALF_DOUBLE),
    "bonus_commission_rate": Plausible(0.0, 0.02, "no commission to double the default with the new-client bonus"),
    # behaviour
    "discount_per_week": Plausible(0.02, 0.1, "as experiments/sensitivity.toml (Chung et al.: steep discounting)"),
    "pay_horizon_weeks": Plausible(52, 156, "people count pay one to three years ahead"),
    "allocation_sharpness": Plausible(1.0, 4.0, "as experiments/sensitivity.toml"),
    # costs of growth and change (issue #12)
    "voluntary_turnover_salespeople": Plausible(
        0.1, 0.3, "sales-force turnover is 27-28% a year all causes (DePaul 2010): from a third of that to all of it"
    ),
    "voluntary_turnover_account_managers": Plausible(
        0.05, 0.25, "from a third of the salespeople's total turnover to near it; below theirs at the default"
    ),
    "turnover_pay_shortfall_effect": Plausible(1.0, 4.0, _HALF_DOUBLE + " (a 10% pay cut adds 0.1 to 0.4 a year)"),
    "pay_reference_months": Plausible(6, 24, "people compare with the last half year to the last two years of pay"),
    "turnover_overload_threshold": Plausible(
        1.0, 1.5, "people start leaving as soon as client work fills the week, or only at half as much again"
    ),
    "turnover_overload_effect": Plausible(0.25, 1.0, _HALF_DOUBLE),
    "clients_follow_share": Plausible(
        0.05, 0.4, "the direction is published (Bendapudi & Leone 2002; Palmatier et al. 2007), the size is not: wide"
    ),
    "leaver_churn_extra": Plausible(0.15, 0.6, _HALF_DOUBLE),
    "leaver_churn_weeks": Plausible(13, 52, "a quarter to a year of raised churn risk after the contact leaves"),
    "recruiting_cost_per_hire": Plausible(
        5_000, 20_000, "an agency fee of 10% to 30% of a 40,000-70,000 base salary, or none but advertising"
    ),
    "recruiting_manager_hours_per_hire": Plausible(10.0, 40.0, _HALF_DOUBLE),
    "new_hire_skill_ratio": Plausible(
        0.8, 1.2, "the labour market offers people 20% weaker (the best are employed) to 20% stronger than the team"
    ),
    "span_of_control": Plausible(
        5, 12, "around the 8.5 average of the Alexander Group benchmark (range 2-38) and the 6-8 OMG recommends"
    ),
    "sales_manager_salary": Plausible(
        70_000, 120_000, "a first-line manager earns above the top of the salespeople's 40,000-70,000 base range"
    ),
}

_LEVER = "a choice of the organisation (a lever), not an uncertainty about the world"
_MECHANISMS = (
    "a specialisation mechanism of issue #18 (or its rate), off in the default model the README's claims are about; "
    "its rates act only when a switch is on (a robustness run of the mechanisms is its own question)"
)


def _other_structure(name: str) -> str:
    return f"a parameter of the {name} structure, which is not one of the robustness arms"


def _other_scheme(name: str) -> str:
    return f"a parameter of the {name} scheme, which is not one of the robustness arms"


#: the assumed parameters the robustness experiment holds at their defaults, and why
NOT_VARIED: dict[str, str] = {
    "name": "a label",
    "description": "a label",
    "interventions": "scheduled changes belong to a scenario (an arm), not to the world",
    "salespeople": "the claims are about the reference size (20 salespeople); scale is a separate question",
    "account_managers": "set by each arm's structure",
    "market_size": "the claims are about the reference size (3,000 companies); scale is a separate question",
    "handover_timing": _LEVER,
    "handover_after_weeks": "used only with handover_timing = after_serial_weeks, which no arm uses",
    "handover_receiver": _LEVER,
    "client_segments": "used only with handover_receiver = by_segment, which no arm uses",
    "portfolio_cap": _other_structure("capped_portfolio"),
    "pod_size": _other_structure("pod"),
    "key_account_share": _other_structure("key_accounts"),
    "service_desk_staff": _other_structure("service_desk"),
    "hire_service_desk_staff": _other_structure("service_desk"),
    "desk_knows_client_kits": _other_structure("service_desk"),
    "desk_spec_input_share": _other_structure("service_desk"),
    "desk_overhead_share": _other_structure("service_desk"),
    "desk_base_salary": _other_structure("service_desk"),
    "management_response": "set by each arm (the replace_low_performers arm is the response tested)",
    "revenue_review_weeks": "a parameter of the hire_on_revenue response, which is not one of the robustness arms",
    "push_harder_week": "a parameter of the push_harder response, which is not one of the robustness arms",
    "push_harder_target_factor": "a parameter of the push_harder response, which is not one of the robustness arms",
    "push_harder_hiring_share": "a parameter of the push_harder response, which is not one of the robustness arms",
    "margin_commission_rate": _other_scheme("margin_commission"),
    "initial_quota": _other_scheme("quota_bonus"),
    "quota_bonus": _other_scheme("quota_bonus"),
    "quota_accelerator_rate": _other_scheme("quota_bonus"),
    "quota_ratchet": _other_scheme("quota_bonus"),
    "growth_bonus_share": _other_scheme("growth_bonus"),
    "growth_commission_rate": _other_scheme("growth_bonus"),
    "team_bonus_rate": _other_scheme("team_bonus"),
    "mixed_components": _other_scheme("mixed"),
    "fixed_hunting_share": "a research control that overrides behaviour; off in every arm",
    "currency": "a label",
    "calibrated_from": "a label: which data a scenario was calibrated to",
    "budget_path_start": "a parameter of the fixed_budget_path response, which is not one of the robustness arms",
    "budget_path_growth": "a parameter of the fixed_budget_path response, which is not one of the robustness arms",
    "specialisation": _MECHANISMS,
    **dict.fromkeys(
        (
            "skills_move",
            "skill_practice_hours",
            "skill_floor",
            "skill_ceiling",
            "learning_exponent",
            "forgetting_half_life_weeks",
            "scarce_hunting_talent",
            "hunting_skill_sd",
            "hiring_pool_size",
            "hiring_pool_arrivals_per_week",
            "large_deals_need_hunters",
            "large_deal_skill_weight",
            "fragmented_weeks",
            "switch_cost_hours",
            "large_client_care",
            "large_client_churn_cut",
            "large_client_cross_sell_gain",
        ),
        _MECHANISMS,
    ),
}


_TRANSITION_ONLY = (
    "acts only around an intervention (a restructure during the run), which no arm has; "
    "and a choice of the organisation (a lever), not an uncertainty about the world"
)
NOT_VARIED.update(
    {
        # issue #12: the costs of growth and change that are choices, not uncertainties
        "replace_leavers": _LEVER + " (management keeps the headcount it decided on in every arm)",
        "recruited_in_advance": _TRANSITION_ONLY,
        "pay_guarantee_weeks": _TRANSITION_ONLY,
        "handover_bonus": _TRANSITION_ONLY,
    }
)


def plausible_text(key: str) -> str:
    """The *plausible range* cell of ``docs/parameters.md``: the range and why, why it is not varied, or ''."""
    if key in RANGES:
        r = RANGES[key]
        return f"{_number(r.low)} to {_number(r.high)}: {r.why}"
    if key in NOT_VARIED:
        return f"not varied: {NOT_VARIED[key]}"
    return ""


def _number(x: float) -> str:
    if float(x).is_integer() and abs(x) >= 1000:
        return f"{int(x):,}"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


__all__ = ["NOT_VARIED", "RANGES", "Plausible", "plausible_text"]
