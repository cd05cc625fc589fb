"""The scenario: every input of a run, validated, with its source.

A scenario is a flat pydantic model so that each key works the same way as
``Scenario(key=value)``, as a line in a TOML file and as ``--set key=value``.
The one non-flat key is ``interventions``: changes scheduled during the run
(:class:`Intervention`), written as ``[[interventions]]`` tables in a file.
Each field's ``description`` says what it means and ``source`` says where its
default comes from: a reference from ``calibration.md`` (listed in
``docs/ODD.md``) or the word *assumption*.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

WEEKS_PER_YEAR = 52

# why the tightened ranges end where they do (shown in docs/parameters.md)
_HOURS_WHY = (
    "at most about a quarter of one person's client-facing hours (13 weeks of 27 h): more, and no piece of work would finish"
)
_WEEKS_WHY = "at most 2600 weeks, the longest horizon (50 years)"
_MONEY_WHY = "money is scale only; up to a billion keeps every sum finite"

#: the switches of the specialisation mechanisms (issue #18), each off by default; ``specialisation`` presets them
SPECIALISATION_SWITCHES = (
    "skills_move",
    "scarce_hunting_talent",
    "large_deals_need_hunters",
    "fragmented_weeks",
    "large_client_care",
)

#: keys an intervention cannot change: the run's identity and horizon, and what the market was created from
FIXED_KEYS = (
    "name",
    "description",
    "years",
    "interventions",
    "calibrated_from",
    "market_size",
    "client_size_sigma",
    "base_annual_value",
    "buying_centre_min",
    "buying_centre_max",
    "cross_sell_lines_mean",
    "cross_sell_line_value",
)


class Intervention(BaseModel):
    """A change the organisation makes during the run: at ``week``, the keys in ``set`` take new values.

    Structure and incentive switches, headcount changes (``salespeople``,
    ``account_managers`` are the headcount from that week on) and parameter
    changes (e.g. ``spoiledness`` after a process change) all work this way;
    see ``docs/policies/interventions.md``.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    week: int = Field(description="Week the change takes effect (before that week's work).", ge=1)
    set: dict[str, bool | int | float | str] = Field(description="Scenario keys and their new values.")
    note: str = Field("", description="Why, in a few words (for reports).")


def intervention_changes(current: Scenario, changes: dict[str, Any]) -> dict[str, Any]:
    """The keys an intervention changes, including the implied ones.

    A switch to a structure that never hands clients over implies
    ``account_managers = 0`` (its account managers leave) unless the
    intervention says otherwise.
    """
    from orgmodel.policies import structures

    out = dict(changes)
    name = out.get("structure", current.structure)
    if "structure" in out and "account_managers" not in out:
        try:
            hands_over = structures.get(name).hands_over
        except (KeyError, ValueError):
            return out
        if not hands_over:
            out["account_managers"] = 0
    return out


def _f(default: Any, description: str, source: str, why: str = "", **kw: Any) -> Any:
    """A field with its meaning, the source of its default and, for a tightened range, why it ends there."""
    extra = {"source": source, "range_reason": why} if why else {"source": source}
    return Field(default, description=description, json_schema_extra=extra, **kw)


def range_reason(key: str) -> str:
    """Why a key's allowed range ends where it does ('' if it is simply the natural range)."""
    extra = Scenario.model_fields[key].json_schema_extra or {}
    return str(extra.get("range_reason", ""))  # type: ignore[union-attr]


def _choice(default: str, choices: tuple[str, ...], description: str, source: str) -> Any:
    """A text field that takes one of a few named values (checked in ``Scenario._consistent``)."""
    return Field(default, description=description, json_schema_extra={"source": source, "choices": list(choices)})


def key_choices(key: str) -> tuple[str, ...]:
    """The named values a choice key accepts (empty for other keys)."""
    extra = Scenario.model_fields[key].json_schema_extra or {}
    return tuple(extra.get("choices", ()))  # type: ignore[union-attr]


class Scenario(BaseModel):
    """All inputs of one simulated sales organisation.

    Unknown keys are rejected (a typo must not silently fall back to a
    default). Cross-field rules (e.g. a scheme that pays an account manager
    needs a structure that has one) live in :meth:`_consistent`.
    """

    # strict: a value of the wrong type is refused, not converted ("5", 5.0 or true for an integer, "yes"
    # for true or false): a file that says `salespeople = "5"` is a mistake to point out, not to guess at.
    # Integers are accepted for numbers; numpy scalars (from arrays passed to Mesa's batch_run or read back
    # from results) count as the Python value they hold (see _plain_values).
    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False, strict=True)

    # --- run -----------------------------------------------------------------
    name: str = _f("custom", "Label for reports.", "assumption")
    description: str = _f("", "What this scenario shows, in one sentence.", "assumption")
    years: int = _f(10, "Horizon in years (one step is one week, 52 per year).", "issue #2", ge=1, le=50)
    interventions: list[Intervention] = _f(
        [],
        "Changes scheduled during the run: [[interventions]] tables with week, set (keys and new values) and note.",
        "assumption (issue #3: interventions over time)",
    )
    # --- calibration (issue #11) ---------------------------------------------------
    calibrated_from: str = _f(
        "",
        "Which company data and period this scenario was calibrated to (empty: literature defaults and assumptions).",
        "assumption (label only; written by orgmodel calibrate, issue #11)",
    )

    # --- report (issue 15) -------------------------------------------------------
    # How reports name money; labels only, no effect on the simulation.
    currency: str = _f(
        "",
        "Currency of every amount, as reports name it (e.g. EUR, USD); empty = unnamed currency units.",
        "assumption (a label only)",
    )

    # --- organisation ----------------------------------------------------------
    structure: str = _f(
        "full_cycle",
        "Organisational structure: who owns a client after the sale.",
        "essay (status quo); Cron & DeCarlo 2010: ~85% of B2B sales forces are generalist",
    )
    incentive: str = _f("volume_commission", "Incentive scheme (pay rule).", "essay (status quo)")
    salespeople: int = _f(
        20, "Salespeople (hunters in split structures).", "assumption (reference size, issue #2)", ge=1, le=5000
    )
    account_managers: int = _f(0, "Account managers at the start.", "assumption", ge=0, le=5000)
    hire_account_managers: bool = _f(True, "Add an account manager when the existing ones are fully loaded.", "issue #2")
    market_size: int = _f(
        3000, "Potential client companies in the market.", "assumption (reference size, issue #2)", ge=10, le=1_000_000
    )

    # --- people and their week -------------------------------------------------
    hours_per_week: float = _f(
        45.0,
        "Contracted weekly hours of client-facing staff.",
        "assumption",
        ge=5,
        le=80,
        why="below 5 hours a week not one lead (4 h) can be worked; above 80 is no contract",
    )
    overhead_share: float = _f(
        0.40,
        "Share of the week lost to travel and general admin.",
        "Proudfoot 2005 (travel 21%, admin 27%; part of admin is order paperwork, modelled as servicing)",
        ge=0,
        le=0.9,
        why="at 0.9 a 45-hour week leaves 4.5 client-facing hours; all overhead leaves no work at all",
    )
    skill_mean: float = _f(
        1.0,
        "Mean of the skill distribution (hunting and service alike).",
        "assumption",
        ge=0.1,
        le=10,
        why="skill scales the hours work takes: beyond a tenth to ten times the reference the calibration means nothing "
        "(and 1e300 overflows to NaN)",
    )
    skill_sd: float = _f(0.15, "Spread of skills (lognormal sigma).", "assumption", ge=0, le=1)
    same_skill_distribution: bool = _f(
        True, "Hunting and service skills drawn from one distribution.", "essay: the competences are the same"
    )

    # --- market ----------------------------------------------------------------
    client_size_sigma: float = _f(1.0, "Lognormal sigma of client company size (heavy tail).", "assumption", ge=0, le=3)
    base_annual_value: float = _f(
        30_000.0,
        "Annual value of the first sale for a median-size client.",
        "assumption (scale only)",
        ge=1,
        le=1e9,
        why=_MONEY_WHY,
    )
    buying_centre_min: int = _f(5, "Smallest buying centre (people).", "CEB/Challenger: 5.4 (2014), 6.8 (2016)", ge=1, le=20)
    buying_centre_max: int = _f(7, "Largest buying centre (people).", "CEB/Challenger; Gartner 6-10", ge=1, le=20)
    cross_sell_lines_mean: float = _f(2.0, "Mean number of further product lines a client can add.", "assumption", ge=0, le=20)
    cross_sell_line_value: float = _f(
        1.2,
        "Mean value of one further line relative to the first sale.",
        "essay: developed volume is several times the first sale (assumption for the number)",
        gt=0,
        le=5,
    )

    # --- servicing (the essay's 'kit A x 20') -----------------------------------
    spoiledness: float = _f(
        0.67, "Share of specification work the client leaves to the supplier.", "essay: about two thirds", ge=0, le=1
    )
    order_interval_weeks: float = _f(4.0, "Mean weeks between a serial client's orders.", "assumption", gt=0, le=52)
    spec_hours_per_line: float = _f(
        3.0,
        "Hours to specify one product line of an order if the supplier does all of it.",
        "assumption",
        ge=0,
        le=400,
        why=_HOURS_WHY,
    )
    line_scale_exponent: float = _f(0.8, "How specification hours grow with lines ordered (lines**x).", "assumption", ge=0, le=2)
    service_size_exponent: float = _f(
        0.3, "How service hours per order grow with client size (size**x).", "assumption", ge=0, le=1
    )
    shipment_hours_per_order: float = _f(
        0.5,
        "Shipment follow-up per order.",
        "assumption",
        ge=0,
        le=400,
        why=_HOURS_WHY,
    )
    problem_rate: float = _f(
        0.15,
        "Chance an order hits a shortage, paperwork or delivery problem.",
        "IPG survey: 23% of time on problems, mistakes and expediting",
        ge=0,
        le=1,
    )
    problem_hours: float = _f(
        2.0,
        "Hours to sort out one problem.",
        "assumption",
        ge=0,
        le=400,
        why=_HOURS_WHY,
    )
    complaint_rate: float = _f(0.3, "Chance a problem turns into a complaint.", "assumption", ge=0, le=1)
    complaint_hours: float = _f(
        4.0,
        "Hours to settle a complaint.",
        "assumption",
        ge=0,
        le=400,
        why=_HOURS_WHY,
    )
    backlog_complaint_weeks: float = _f(
        3.0,
        "Service work left undone this many weeks' worth makes the buyer complain.",
        "assumption",
        gt=0,
        le=520,
        why="at most ten years of undone work",
    )
    knowledge_penalty: float = _f(
        1.0,
        "Extra service time without client knowledge (1.0 = twice as long).",
        "essay: who knows what is in 'kit A' (assumption for the number)",
        ge=0,
        le=10,
    )
    knowledge_learning_hours: float = _f(
        40.0,
        "Service hours to learn most of a client's specifics.",
        "assumption",
        gt=0,
        le=400,
        why=_HOURS_WHY,
    )

    # --- pipeline ----------------------------------------------------------------
    hours_per_lead: float = _f(
        4.0,
        "Prospecting hours to open one lead.",
        "IPG: prospecting 6-8% of time; Houghton et al. 2016 (assumption)",
        gt=0,
        le=400,
        why=_HOURS_WHY,
    )
    lead_hours: float = _f(
        2.0,
        "Hours to qualify a lead.",
        "Houghton et al. 2016: ~4 h per simple sale",
        ge=0,
        le=400,
        why=_HOURS_WHY,
    )
    qualified_hours: float = _f(
        8.0,
        "Hours from qualified to proposal (needs, solution, visits).",
        "assumption",
        ge=0,
        le=400,
        why=_HOURS_WHY,
    )
    proposal_hours: float = _f(
        6.0,
        "Hours to negotiate and close a proposal.",
        "assumption",
        ge=0,
        le=400,
        why=_HOURS_WHY,
    )
    lead_min_weeks: int = _f(
        1,
        "Minimum weeks in the lead stage.",
        "assumption",
        ge=0,
        le=52,
        why="at most a year: reported sales cycles are 1 to 6 months in all",
    )
    qualified_min_weeks: int = _f(
        4,
        "Minimum weeks in the qualified stage.",
        "vendor surveys: 1-6 month cycles",
        ge=0,
        le=104,
        why="at most two years: reported sales cycles are 1 to 6 months in all",
    )
    proposal_min_weeks: int = _f(
        4,
        "Minimum weeks in the proposal stage.",
        "vendor surveys: 1-6 month cycles",
        ge=0,
        le=104,
        why="at most two years: reported sales cycles are 1 to 6 months in all",
    )
    lead_qualify_rate: float = _f(
        0.45,
        "Chance a worked lead qualifies.",
        "assumption",
        gt=0,
        le=1,
        why="above 0: if no lead ever qualifies there is no sale to study",
    )
    proposal_rate: float = _f(
        0.65,
        "Chance a qualified deal reaches a proposal.",
        "assumption",
        gt=0,
        le=1,
        why="above 0: if no deal ever reaches a proposal there is no sale to study",
    )
    stale_weeks: int = _f(
        12,
        "A deal that still needs work and gets none for longer than this is lost.",
        "Houghton et al. 2016: ~3 month lead shelf life",
        ge=1,
        le=520,
        why="at most ten years",
    )
    reapproach_weeks: int = _f(
        26,
        "A prospect that dropped out can be approached again after.",
        "assumption",
        ge=0,
        le=2600,
        why=_WEEKS_WHY,
    )
    implementation_weeks: int = _f(
        10,
        "Weeks of implementation before serial buying.",
        "essay (assumption for the number)",
        ge=1,
        le=104,
        why="at most two years of implementation",
    )
    implementation_hours: float = _f(
        5.0,
        "Weekly support hours during implementation.",
        "essay: heavy support (assumption)",
        ge=0,
        le=400,
        why=_HOURS_WHY,
    )

    # --- relationships and the buying centre --------------------------------------
    relationship_half_life_weeks: float = _f(
        26.0,
        "Half-life of a relationship without contact.",
        "assumption",
        gt=0,
        le=2600,
        why=_WEEKS_WHY,
    )
    relationship_gain_per_hour: float = _f(
        0.35,
        "Strength gained per hour with a person (1-exp(-g h)).",
        "assumption",
        gt=0,
        le=10,
        why="at 10 per hour one hour already gives full strength; larger values add nothing but overflow",
    )
    support_at_no_relationship: float = _f(
        0.70,
        "Chance a buying-centre member backs a purchase with no supplier relationship.",
        "calibrated to CEB: purchase likelihood 81% (1 person) to 31% (6 people)",
        ge=0,
        le=1,
    )
    support_at_full_relationship: float = _f(
        0.95, "Chance a member backs a purchase with a full-strength relationship.", "calibrated to CEB (as above)", ge=0, le=1
    )
    decision_maker_weight: float = _f(
        2.0, "Weight of the decision maker in coverage.", "assumption", ge=0, le=100, why="at most 100 times an ordinary member"
    )

    # --- clients staying or leaving ---------------------------------------------------
    churn_base: float = _f(
        0.05,
        "Annual churn of a well-served, well-covered client.",
        "Houghton et al. 2016: 120-month lifetime (~10%/yr in all; the model's total lands near it); 74-86% retention (weak)",
        ge=0,
        le=1,
    )
    churn_weak_relationship: float = _f(0.08, "Extra annual churn at zero relationship coverage.", "assumption", ge=0, le=1)
    churn_dissatisfied: float = _f(0.40, "Extra annual churn at zero satisfaction.", "assumption", ge=0, le=1)
    review_interval_weeks: int = _f(
        13, "A buyer reviews the supplier every this many weeks.", "assumption", ge=1, le=520, why="at most ten years"
    )
    reapproach_after_churn_weeks: int = _f(
        52,
        "A lost client can be approached again after.",
        "assumption",
        ge=0,
        le=2600,
        why=_WEEKS_WHY,
    )

    # --- cross-sell ----------------------------------------------------------------------
    cross_sell_hours: float = _f(
        12.0,
        "Hours to develop one cross-sell project.",
        "assumption",
        gt=0,
        le=400,
        why=_HOURS_WHY,
    )
    cross_sell_min_weeks: int = _f(
        4, "Minimum weeks for a cross-sell project.", "assumption", ge=0, le=104, why="at most two years"
    )
    cross_sell_cooldown_weeks: int = _f(
        13,
        "After a refused cross-sell, wait this long.",
        "assumption",
        ge=0,
        le=2600,
        why=_WEEKS_WHY,
    )
    cross_sell_implementation_hours: float = _f(
        6.0,
        "Support hours when a new line starts.",
        "assumption",
        ge=0,
        le=400,
        why=_HOURS_WHY,
    )

    # --- handover (split structures) --------------------------------------------------
    handover_relationship_carryover: float = _f(
        0.3, "Share of the hunter's relationship strength the new owner starts with.", "assumption", ge=0, le=1
    )
    handover_knowledge_carryover: float = _f(
        0.3, "Share of client knowledge that survives a handover.", "essay: 'kit A' knowledge (assumption)", ge=0, le=1
    )
    handover_hours: float = _f(
        4.0,
        "Joint-visit hours each side spends on one handover.",
        "assumption",
        ge=0,
        le=400,
        why=_HOURS_WHY,
    )
    handover_timing: str = _choice(
        "after_implementation",
        ("after_implementation", "after_serial_weeks"),
        "When a client changes hands: when implementation ends, or after handover_after_weeks of serial buying "
        "(the hunter services it meanwhile).",
        "assumption (issue #3; after_implementation is the core's rule)",
    )
    handover_after_weeks: int = _f(
        26, "Weeks of serial buying before the handover when handover_timing = 'after_serial_weeks'.", "assumption", ge=1, le=520
    )
    handover_receiver: str = _choice(
        "least_loaded",
        ("least_loaded", "by_segment"),
        "Who receives a handed-over client: the least loaded account manager, or the least loaded one "
        "specialised in the client's size segment.",
        "assumption (issue #3)",
    )
    client_segments: int = _f(
        3,
        "Size bands (equal shares of the market by company size) account managers specialise in "
        "when handover_receiver = 'by_segment'.",
        "assumption",
        ge=1,
        le=20,
    )
    portfolio_cap: int = _f(15, "Clients a salesperson keeps in the capped_portfolio structure.", "assumption", ge=0, le=1000)
    split_weeks: int = _f(
        52,
        "Weeks the hunter is paid on a new client under split_commission.",
        "assumption",
        ge=0,
        le=2600,
        why=_WEEKS_WHY,
    )
    pod_size: int = _f(
        4, "Hunters per pod in the pod structure (pods = salespeople / pod_size, rounded up).", "assumption", ge=1, le=1000
    )
    key_account_share: float = _f(
        0.10,
        "Share of the market's companies, the largest by potential (first sale plus all further lines), "
        "that go to key-account managers in the key_accounts structure.",
        "assumption",
        ge=0,
        le=1,
    )

    # --- service desk (service_desk structure) -------------------------------------
    service_desk_staff: int = _f(
        2, "Service-desk agents at the start (and after an intervention that sets it).", "assumption", ge=0, le=5000
    )
    hire_service_desk_staff: bool = _f(
        True,
        "Add a desk agent when the desk is fully loaded (account_manager_load_limit).",
        "assumption (as for account managers)",
    )
    desk_knows_client_kits: bool = _f(
        False,
        "The desk has each client's kit contents on file; if not, specification costs it more and part needs the salesperson.",
        "essay: who knows better than the salesperson what goes into each kit (assumption for the choice)",
    )
    desk_spec_input_share: float = _f(
        0.3,
        "Share of an order's specification work only the salesperson can do when the desk does not know the kits.",
        "assumption",
        ge=0,
        le=1,
    )
    desk_overhead_share: float = _f(
        0.20,
        "Share of a desk agent's week lost to general admin and meetings (no travel).",
        "assumption (cf. Proudfoot 2005: of the field's 48% overhead, 21% is travel)",
        ge=0,
        le=0.9,
        why="at 0.9 a desk agent has a tenth of the week for orders; all overhead leaves no work at all",
    )
    desk_base_salary: float = _f(
        35_000.0,
        "Annual base salary of a service-desk agent (no variable pay).",
        "assumption",
        ge=0,
        le=1e9,
        why=_MONEY_WHY,
    )

    # --- hiring -------------------------------------------------------------------------
    account_manager_load_limit: float = _f(
        0.85,
        "Service load (share of hours) at which an account manager or a service-desk agent counts as full.",
        "assumption",
        gt=0,
        le=1.5,
    )
    hiring_delay_weeks: int = _f(
        12, "Weeks from a decision to hire to the first day.", "assumption", ge=0, le=520, why="at most ten years"
    )
    ramp_up_weeks: int = _f(
        13, "Weeks for a new hire to reach full productivity.", "assumption", ge=0, le=520, why="at most ten years"
    )

    # --- management response --------------------------------------------------------------
    management_response: str = _f(
        "fixed_headcount",
        "What management does about headcount and targets during the run (docs/policies/responses.md).",
        "assumption (issue #3: fixed headcount by default)",
    )
    revenue_budget_share: float = _f(
        0.10,
        "hire_on_revenue: sales-staff cost (base and variable pay of all client-facing staff) is kept "
        "at this share of the last 52 weeks' revenue; salespeople are hired when the budget allows.",
        "Chung, Steenburgh & Sudhir 2014: sales force cost ~10% of revenue; Forrester 1968: the sales budget follows revenue",
        gt=0,
        le=1,
    )
    revenue_review_weeks: int = _f(
        13,
        "hire_on_revenue: weeks between budget reviews (the first after 52 weeks of revenue).",
        "assumption (quarterly)",
        ge=1,
        le=52,
    )
    low_performer_share: float = _f(
        0.10,
        "replace_low_performers: share of salespeople let go at each year end (those with the fewest new clients "
        "that year) and replaced by new hires.",
        "assumption (the 'bottom 10%' of forced-ranking practice)",
        ge=0,
        le=0.5,
    )
    push_harder_week: int = _f(
        209,
        "push_harder: week from which targets and headcount are raised.",
        "assumption (start of year 5)",
        ge=1,
        le=2600,
        why=_WEEKS_WHY,
    )
    push_harder_target_factor: float = _f(
        1.2,
        "push_harder: every target of the incentive scheme (quotas, the growth bar) is multiplied by this from push_harder_week.",
        "assumption",
        ge=1,
        le=5,
    )
    push_harder_hiring_share: float = _f(
        0.10,
        "push_harder: salespeople requisitioned at push_harder_week, as a share of those employed then (rounded); "
        "they start after hiring_delay_weeks.",
        "assumption",
        ge=0,
        le=5,
    )

    # --- money -----------------------------------------------------------------------------
    gross_margin: float = _f(0.30, "Gross margin on revenue.", "assumption (distribution business)", ge=0, le=1)
    base_salary: float = _f(
        50_000.0,
        "Annual base salary of a salesperson or account manager.",
        "assumption",
        ge=0,
        le=1e9,
        why=_MONEY_WHY,
    )
    commission_rate: float = _f(
        0.03,
        "Commission on revenue.",
        "Chung et al. 2014: sales force cost ~10% of revenue (rate chosen to land near it)",
        ge=0,
        le=1,
    )
    new_client_bonus: float = _f(
        4_000.0,
        "Bonus per client won (new_client_bonus scheme).",
        "assumption",
        ge=0,
        le=1e9,
        why=_MONEY_WHY,
    )
    bonus_commission_rate: float = _f(0.01, "Lower commission that goes with the new-client bonus.", "assumption", ge=0, le=1)
    margin_commission_rate: float = _f(
        0.10,
        "Commission on credited margin (gross margin less standard service hours at staff cost), margin_commission scheme.",
        "assumption",
        ge=0,
        le=1,
    )
    initial_quota: float = _f(
        500_000.0,
        "First-year annual quota on credited revenue per person (quota_bonus scheme).",
        "assumption",
        ge=0,
        le=1e9,
        why=_MONEY_WHY,
    )
    quota_bonus: float = _f(
        5_000.0,
        "Bonus for reaching the annual quota (quota_bonus scheme).",
        "assumption",
        ge=0,
        le=1e9,
        why=_MONEY_WHY,
    )
    quota_accelerator_rate: float = _f(
        0.05, "Commission on credited revenue above the quota (quota_bonus scheme).", "assumption", ge=0, le=1
    )
    quota_ratchet: float = _f(
        0.5,
        "Weight of last year's credited sales in this year's quota (the rest: last year's quota).",
        "Leone, Misra & Zimmerman 2004: quotas ratchet up with past sales (the weight is an assumption)",
        ge=0,
        le=1,
    )
    growth_bonus_share: float = _f(
        0.10,
        "Share of the year-over-year growth of credited revenue paid in December (growth_bonus scheme).",
        "assumption",
        ge=0,
        le=1,
    )
    growth_commission_rate: float = _f(
        0.01, "Small base commission on credited revenue that goes with the growth bonus.", "assumption", ge=0, le=1
    )
    team_bonus_rate: float = _f(
        0.03, "Share of company revenue paid as a team pool, split equally (team_bonus scheme).", "assumption", ge=0, le=1
    )
    mixed_components: str = _f(
        "volume_commission:0.5,new_client_bonus:0.5",
        "Schemes and weights the mixed scheme combines, as 'name:weight,name:weight'.",
        "assumption",
    )

    # --- behaviour --------------------------------------------------------------------------
    discount_per_week: float = _f(
        0.05,
        "Hyperbolic discount k in 1/(1+k*weeks) applied to future pay.",
        "Chung et al. 2014: reps discount the future steeply (assumption for the number)",
        ge=0,
        le=10,
    )
    pay_horizon_weeks: int = _f(
        104,
        "How far ahead a person counts pay from an outcome.",
        "assumption",
        ge=1,
        le=520,
        why="at most ten years ahead (pay is projected week by week over the horizon)",
    )
    allocation_sharpness: float = _f(
        2.0, "How strongly time follows pay per hour (shares ~ value**x).", "assumption", ge=0, le=20
    )
    fixed_hunting_share: float | None = _f(
        None,
        "For controlled experiments: fix the share of hunters' client-facing hours spent on prospecting "
        "and pipeline (reserved before servicing), overriding the incentive-driven rule; unset = the rule decides.",
        "assumption (research control, off by default)",
        gt=0,
        why="above 0: with no prospecting at all no client is ever won",
        le=1,
    )

    # --- specialisation mechanisms (structure or capacity) ----------------------------------
    # Issue #18: the mechanisms through which specialisation could matter. Every one is OFF by
    # default (switch False): with the defaults the model is the model without them, draw for
    # draw. Each switch turns on one mechanism; its parameters are read only when it is on.
    specialisation: str = _choice(
        "none",
        ("none", "all", *SPECIALISATION_SWITCHES),
        "Preset for the mechanisms below: 'all' turns every one on, a switch's name turns that one on; "
        "'none' leaves each switch as set (the preset wins over a switch set to false).",
        "assumption (issue #18: off by default)",
    )
    skills_move: bool = _f(
        False,
        "Hunting and service skill grow with practice and fade without it (orgmodel/model/skills.py); off = constant skills.",
        "assumption (issue #18: off by default)",
    )
    learning_exponent: float = _f(
        0.3,
        "skills_move: skill = innate skill x (practice stock / reference stock) ** this (power law of practice).",
        "Newell & Rosenbloom 1981: power law of practice (the exponent is an assumption)",
        ge=0,
        le=2,
    )
    forgetting_half_life_weeks: float = _f(
        52.0,
        "skills_move: half-life of the practice stock without practice (experience depreciates).",
        "Argote, Beckman & Epple 1990: knowledge depreciates (the half-life is an assumption)",
        gt=0,
        le=2600,
        why=_WEEKS_WHY,
    )
    skill_practice_hours: float = _f(
        10.0,
        "skills_move: weekly hours of practice at which a skill stays at its innate level (everyone starts there).",
        "assumption",
        gt=0,
        le=80,
        why="at most a full week (80 h, the longest hours_per_week)",
    )
    skill_floor: float = _f(
        0.5, "skills_move: a skill never falls below this share of the innate skill.", "assumption", gt=0, le=1
    )
    skill_ceiling: float = _f(
        2.0, "skills_move: a skill never rises above this multiple of the innate skill.", "assumption", ge=1, le=10
    )
    scarce_hunting_talent: bool = _f(
        False,
        "Hunting skill is heavier-tailed (hunting_skill_sd) and new hires come from a hiring pool that "
        "fast hiring depletes (orgmodel/model/hiring_pool.py); off = one skill distribution, fresh draws.",
        "assumption (issue #18: off by default)",
    )
    hunting_skill_sd: float = _f(
        0.5,
        "scarce_hunting_talent: lognormal sigma of hunting skill (service skill keeps skill_sd).",
        "O'Boyle & Aguinis 2012: individual performance is heavy-tailed (the sigma is an assumption)",
        ge=0,
        le=2,
    )
    hiring_pool_size: int = _f(
        20,
        "scarce_hunting_talent: candidates the labour market offers at most at one time; each hire takes the best "
        "left (by hunting skill for salespeople, service skill for others); an empty pool gives random draws.",
        "assumption",
        ge=1,
        le=10_000,
    )
    hiring_pool_arrivals_per_week: float = _f(
        0.5, "scarce_hunting_talent: new candidates joining the pool per week.", "assumption", ge=0, le=1000
    )
    large_deals_need_hunters: bool = _f(
        False,
        "The owner's hunting skill tips large clients' purchase decisions and sizes their first sale "
        "(orgmodel/model/large_clients.py); off = the buying centre alone decides and the first sale is the base value.",
        "assumption (issue #18: off by default)",
    )
    large_deal_skill_weight: float = _f(
        0.5,
        "large_deals_need_hunters: k in (hunting skill / skill_mean) ** (k x ln size), for clients above median size.",
        "assumption",
        ge=0,
        le=5,
    )
    fragmented_weeks: bool = _f(
        False,
        "Service requests arriving through the week cost a hunter switch_cost_hours of selling time each "
        "(orgmodel/model/fragmentation.py); off = switching is free.",
        "assumption (issue #18: off by default)",
    )
    switch_cost_hours: float = _f(
        0.4,
        "fragmented_weeks: selling hours lost per client with service work waiting in a hunter's week (resuming "
        "interrupted work).",
        "Mark, Gudith & Klocke 2008: interrupted work costs time and stress (the hours are an assumption)",
        ge=0,
        le=10,
    )
    large_client_care: bool = _f(
        False,
        "Large clients whose owner has time and service skill for them churn less and buy bigger further lines "
        "(orgmodel/model/large_clients.py); off = who serves a client changes nothing beyond hours and ties.",
        "assumption (issue #18: off by default)",
    )
    large_client_churn_cut: float = _f(
        0.5,
        "large_client_care: largest cut of a large client's annual churn under full attention.",
        "assumption",
        ge=0,
        le=1,
    )
    large_client_cross_sell_gain: float = _f(
        0.3,
        "large_client_care: largest extra value of a large client's further line under full attention.",
        "assumption",
        ge=0,
        le=5,
    )
    budget_path_start: float = _f(
        1_000_000.0,
        "fixed_budget_path: annual budget for sales-staff base pay (everyone client-facing and on the desk, "
        "requisitions included) at the start of the run; variable pay is not counted against it.",
        "assumption (20 base salaries: the reference team)",
        gt=0,
        le=1e9,
        why=_MONEY_WHY,
    )
    budget_path_growth: float = _f(
        0.20,
        "fixed_budget_path: yearly growth of that budget (compounded weekly).",
        "assumption (doubling in about four years)",
        ge=-0.5,
        le=2,
    )
    # --- end of specialisation mechanisms -----------------------------------------------------

    # --- costs of growth and change (issue #12) -------------------------------------------------------
    voluntary_turnover_salespeople: float = _f(
        0.20,
        "Annual chance that a salesperson quits for reasons the model does not represent (the base rate of "
        "voluntary turnover, before pay shortfall and overload).",
        "assumption (published sales-force turnover, voluntary and involuntary, is 27-28% a year: DePaul "
        "University Center for Sales Leadership benchmark survey 2010, HBR; the voluntary part is an assumption)",
        ge=0,
        le=1,
    )
    voluntary_turnover_account_managers: float = _f(
        0.15,
        "Annual base rate of voluntary turnover of account managers (less pay at risk than hunters).",
        "assumption (below the salespeople's rate: farmers' pay depends less on new deals)",
        ge=0,
        le=1,
    )
    turnover_pay_shortfall_effect: float = _f(
        2.0,
        "Extra annual quit rate per unit of relative pay shortfall: how far the last months' pay falls short of "
        "what the person earned before (2.0: a 10% shortfall adds 0.2 a year).",
        "assumption (pay is the most cited cause of salespeople's voluntary turnover; DePaul survey 2010: "
        "'limited earning potential' among the ranked causes)",
        ge=0,
        le=20,
    )
    pay_reference_months: int = _f(
        12,
        "Months over which 'what the person earned before' is averaged (exponential smoothing); the last months' "
        "pay is smoothed over 3 months.",
        "assumption (a year of pay statements)",
        ge=3,
        le=60,
    )
    turnover_overload_threshold: float = _f(
        1.25,
        "Sustained service load (smoothed weekly demand over available hours) above which overload raises the quit rate.",
        "assumption (a quarter more client work than the week holds, for weeks on end)",
        ge=0,
        le=3,
    )
    turnover_overload_effect: float = _f(
        0.5,
        "Extra annual quit rate per unit of load above turnover_overload_threshold.",
        "assumption (DePaul survey 2010: 'job demands overwhelm personal life' among the ranked causes)",
        ge=0,
        le=10,
    )
    replace_leavers: bool = _f(
        True,
        "A client-facing person who quits is replaced: a requisition for the same role (and team) opens the day they go.",
        "assumption (management keeps the headcount it decided on)",
    )
    clients_follow_share: float = _f(
        0.20,
        "Share of the clients who relied on a leaver (the leaver held the strongest tie to their buyer) who follow "
        "the leaver to a competitor at once.",
        "assumption (direction: Bendapudi & Leone 2002, J. Marketing 66(2); Palmatier, Scheer & Steenkamp 2007, "
        "J. Marketing Research 44(2): loyalty owned by the salesperson leaves with them)",
        ge=0,
        le=1,
    )
    leaver_churn_extra: float = _f(
        0.30,
        "Extra annual churn, for leaver_churn_weeks, of the clients who relied on a leaver and stayed.",
        "assumption",
        ge=0,
        le=1,
    )
    leaver_churn_weeks: int = _f(
        26, "How long a client who relied on a leaver stays at raised churn risk.", "assumption", ge=0, le=520
    )
    recruiting_cost_per_hire: float = _f(
        10_000.0,
        "Money spent per hire (advertising, agency fee, assessment), booked in the cost of sales on the first day.",
        "assumption (an agency fee of about 20% of base salary; DePaul survey 2010: $35,001 per capita cost of "
        "turnover including lost sales, which the model's ramp-up and handovers produce themselves)",
        ge=0,
        le=1_000_000,
    )
    recruiting_manager_hours_per_hire: float = _f(
        20.0,
        "Sales manager's hours per hire (interviews, onboarding), costed at the manager's hourly pay.",
        "assumption",
        ge=0,
        le=1000,
    )
    new_hire_skill_ratio: float = _f(
        1.0,
        "Mean skill of people hired from the labour market during the run, relative to skill_mean (same spread).",
        "assumption (1.0: the market offers people like the current staff)",
        gt=0,
        le=5,
    )
    recruited_in_advance: bool = _f(
        False,
        "People an intervention adds were recruited ahead of its week and start then (ramping up); if false they "
        "start after hiring_delay_weeks like any requisition.",
        "assumption (issue #12)",
    )
    span_of_control: int = _f(
        8,
        "Client-facing people per first-line sales manager (managers = client-facing staff / span, rounded up).",
        "assumption (benchmarks: first-line sales managers average 8.5 direct reports, range 2-38, Alexander Group; "
        "6-8 recommended, Objective Management Group)",
        ge=1,
        le=100,
    )
    sales_manager_salary: float = _f(
        90_000.0,
        "Annual pay of a first-line sales manager (counted in the cost of sales).",
        "assumption",
        ge=0,
        le=1e9,
        why=_MONEY_WHY,
    )
    pay_guarantee_weeks: int = _f(
        0,
        "Transition policy: for this many weeks after an intervention that changes the structure or the incentive, "
        "each client-facing person's variable pay is topped up to what they earned before (their reference pay).",
        "assumption (issue #12: a draw or protection of last year's variable pay; 0 = none)",
        ge=0,
        le=260,
    )
    handover_bonus: float = _f(
        0.0,
        "Transition policy: one-off bonus per client a person hands over in a restructure, paid with the next month's pay.",
        "assumption (issue #12; 0 = none)",
        ge=0,
        le=1_000_000,
    )
    # --- end of costs of growth and change ---------------------------------------------------------------

    @model_validator(mode="before")
    @classmethod
    def _plain_values(cls, data: Any) -> Any:
        """NumPy scalars as the Python values they hold, so strict types judge the value, not its container.

        A negative zero becomes zero: ``-0.0`` passes ``ge=0`` but numpy's samplers refuse it as a
        negative spread (``skill_sd = -0`` crashed a run).
        """
        if not isinstance(data, dict):
            return data
        out = {}
        for key, value in data.items():
            if isinstance(value, np.generic):
                value = value.item()
            if isinstance(value, float) and value == 0.0:
                value = 0.0
            out[key] = value
        return out

    @model_validator(mode="before")
    @classmethod
    def _specialisation_preset(cls, data: Any) -> Any:
        """``specialisation = 'all'`` (or a switch's name) turns those mechanisms on (issue #18)."""
        if isinstance(data, dict):
            preset = data.get("specialisation", "none")
            switches = SPECIALISATION_SWITCHES if preset == "all" else (preset,) if preset in SPECIALISATION_SWITCHES else ()
            if switches:
                data = {**data, **dict.fromkeys(switches, True)}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        """Cross-field rules, each with a message that says what is allowed."""
        from orgmodel.policies import incentives, responses, structures

        structures.check_name(self.structure)
        incentives.check_name(self.incentive)
        responses.get(self.management_response).check(self)
        for key, field in Scenario.model_fields.items():
            choices = (field.json_schema_extra or {}).get("choices")  # type: ignore[union-attr]
            if choices and getattr(self, key) not in choices:
                raise ValueError(f"{key} must be one of: {', '.join(choices)}; got {getattr(self, key)!r}")
        if self.buying_centre_min > self.buying_centre_max:
            raise ValueError(
                f"buying_centre_min ({self.buying_centre_min}) must not exceed buying_centre_max ({self.buying_centre_max})"
            )
        # --- nothing meaningless: a run in which no client can be won, or staff without any company to serve
        first = self.lead_min_weeks + self.qualified_min_weeks + self.proposal_min_weeks + self.implementation_weeks
        if first >= self.weeks:
            raise ValueError(
                f"the first revenue comes {first} weeks after the first lead at the earliest (lead_min_weeks + "
                "qualified_min_weeks + proposal_min_weeks + implementation_weeks), not within the horizon of "
                f"{self.weeks} weeks (years = {self.years}): the run could have no revenue; shorten those stages or raise years"
            )
        staff = self.salespeople + self.account_managers
        if staff > self.market_size:
            raise ValueError(
                f"salespeople + account_managers ({staff}) exceed market_size ({self.market_size}): more client-facing "
                "staff than companies in the market, so some could never have a client; raise market_size or hire fewer"
            )
        if self.support_at_no_relationship > self.support_at_full_relationship:
            raise ValueError("support_at_no_relationship must not exceed support_at_full_relationship")
        structure = structures.get(self.structure)
        scheme = incentives.get(self.incentive)
        from orgmodel.policies.incentives.mixed import parse_components

        components = parse_components(self.mixed_components)
        if self.incentive == "mixed":
            needy = [n for n, w in components if w > 0 and incentives.get(n).needs_handover and not structure.hands_over]
            if needy:
                raise ValueError(
                    f"mixed_components names {', '.join(needy)}, which pays whoever takes a client over, "
                    f"but structure '{self.structure}' never hands clients over"
                )
        if scheme.needs_handover and not structure.hands_over:
            raise ValueError(
                f"incentive '{self.incentive}' pays whoever takes a client over, but structure "
                f"'{self.structure}' never hands clients over; use it with one of: "
                f"{', '.join(structures.names(hands_over=True))}"
            )
        if not structure.hands_over and self.account_managers > 0:
            raise ValueError(
                f"account_managers must be 0 in structure '{self.structure}' (nobody hands clients to them); "
                f"got {self.account_managers}"
            )
        if structure.hands_over and self.account_managers == 0 and not self.hire_account_managers:
            raise ValueError(
                f"structure '{self.structure}' hands clients to account managers: with "
                "hire_account_managers = false, account_managers must be at least 1"
            )
        structure.check_scenario(self)
        self._check_interventions()
        return self

    def _check_interventions(self) -> None:
        """Each intervention within the horizon, changing known keys to values consistent with what came before."""
        if not self.interventions:
            return
        from orgmodel.scenario.files import allowed_values

        current = self.model_copy(update={"interventions": []})
        order = sorted(range(len(self.interventions)), key=lambda i: self.interventions[i].week)
        for i in order:
            iv = self.interventions[i]
            where = f"interventions[{i}]"
            if iv.week > self.weeks:
                raise ValueError(
                    f"{where}.week ({iv.week}) is beyond the horizon: it must be between 1 and {self.weeks} "
                    f"(years * 52 with years = {self.years})"
                )
            if not iv.set:
                raise ValueError(f"{where}.set is empty: name at least one scenario key to change")
            for key in iv.set:
                if key not in Scenario.model_fields:
                    import difflib

                    close = difflib.get_close_matches(key, list(Scenario.model_fields), n=3, cutoff=0.6)
                    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
                    raise ValueError(f"{where}.set.{key}: unknown scenario key{hint} (all keys: orgmodel scenarios --keys)")
                if key in FIXED_KEYS:
                    raise ValueError(
                        f"{where}.set.{key}: cannot change during a run (fixed at the start: {', '.join(FIXED_KEYS)})"
                    )
            changes = intervention_changes(current, iv.set)
            try:
                current = Scenario.model_validate({**current.model_dump(), **changes})
            except ValidationError as exc:
                error = exc.errors(include_url=False)[0]
                loc = error.get("loc") or ()
                if loc:
                    key = str(loc[0])
                    msg = str(error["msg"]).removeprefix("Value error, ")
                    raise ValueError(
                        f"{where}.set.{key}: {msg}, got {changes.get(key)!r}; allowed: {allowed_values(key)}"
                    ) from None
                cause = (error.get("ctx") or {}).get("error")
                text = str(cause) if cause is not None else str(error["msg"]).removeprefix("Value error, ")
                key = next((k for k in iv.set if k in text), next(iter(iv.set)))
                raise ValueError(f"{where}.set.{key}: {text} (at week {iv.week}, after earlier interventions)") from None

    @property
    def weeks(self) -> int:
        """Horizon in weeks."""
        return self.years * WEEKS_PER_YEAR

    @property
    def available_hours(self) -> float:
        """Client-facing hours per person per week, after travel and admin."""
        return self.hours_per_week * (1.0 - self.overhead_share)

    @property
    def desk_available_hours(self) -> float:
        """Hours a service-desk agent works on orders per week, after general admin (no travel)."""
        return self.hours_per_week * (1.0 - self.desk_overhead_share)

    def with_(self, **changes: Any) -> Scenario:
        """A validated copy with some keys changed."""
        return Scenario.model_validate({**self.model_dump(), **changes})

    @classmethod
    def field_sources(cls) -> dict[str, tuple[Any, str, str]]:
        """Each key's default, meaning and source, for the parameter table."""
        out = {}
        for key, field in cls.model_fields.items():
            extra = field.json_schema_extra or {}
            out[key] = (field.default, field.description or "", str(extra.get("source", "")))
        return out
