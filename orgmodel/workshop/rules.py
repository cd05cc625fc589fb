"""What a workshop is set up with and what a team may decide each round.

A decision is what management can decide in a quarter: headcounts, the
structure and pay scheme, whether account managers are hired as they fill up,
an order desk, a sales target, and whether the bottom performers are let go
each year. Each maps onto scenario keys, so it becomes one intervention and is
checked by the same rules as a scenario file (e.g. ``split_commission`` only
where clients are handed over).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from orgmodel.scenario.schema import WEEKS_PER_YEAR, Scenario

WEEKS_PER_ROUND = 13  # a quarter
MAX_TEAMS = 15
#: management responses a team can pick (the game's "fire the bottom performers" switch)
KEEP_PEOPLE = "fixed_headcount"
FIRE_BOTTOM = "replace_low_performers"
#: the structure with an order desk, the only one whose desk staff a team sets
DESK_STRUCTURE = "service_desk"


class WorkshopConfig(BaseModel):
    """How the facilitator sets up a session.

    The default is the essay's status quo at the start of year 3, before the
    stall (week 105), played for 16 quarters (four years).
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    scenario: str = Field("status_quo", description="Built-in scenario name or a scenario file (a calibrated one too).")
    seed: int = Field(1, ge=0, description="Every team's company is built from this seed.")
    teams: int = Field(4, ge=1, le=MAX_TEAMS, description="Number of teams.")
    rounds: int = Field(16, ge=1, le=40, description="Rounds, a quarter (13 weeks) each.")
    start_week: int = Field(105, ge=1, description="The first week the teams decide for (105 = start of year 3).")
    budget_share: float | None = Field(
        None,
        gt=0,
        le=1,
        description="Yearly cost of client-facing staff a team may plan, as a share of the last 52 weeks' revenue "
        "(default: the scenario's revenue_budget_share, Chung et al. 2014).",
    )

    @property
    def end_week(self) -> int:
        """The last week of the last round."""
        return self.start_week - 1 + self.rounds * WEEKS_PER_ROUND

    def round_start(self, round_: int) -> int:
        """First week of a round (rounds count from 1)."""
        return self.start_week + (round_ - 1) * WEEKS_PER_ROUND

    def years(self) -> int:
        """The model's horizon: enough whole years to hold every round."""
        return -(-self.end_week // WEEKS_PER_YEAR)


class Decision(BaseModel):
    """One team's decision for one round; every field as it should be from that round on.

    Headcounts are what management decided, not who is at work this week:
    people quit and their replacements arrive on their own (the model's
    turnover), so a team that keeps its numbers changes nothing.
    """

    model_config = ConfigDict(extra="forbid")

    salespeople: int = Field(ge=0, le=500, description="Salespeople from this quarter on (hire or let go).")
    account_managers: int = Field(ge=0, le=500, description="Account managers from this quarter on.")
    structure: str = Field(description="Who hunts and who keeps the client.")
    incentive: str = Field(description="The pay scheme.")
    hire_account_managers: bool = Field(description="Hire account managers as the existing ones fill up.")
    service_desk_staff: int = Field(0, ge=0, le=200, description="Order-desk staff (service_desk structure).")
    initial_quota: float = Field(gt=0, description="Annual sales target per salesperson (quota schemes).")
    fire_bottom_performers: bool = Field(description="Let the bottom performers go at each year end and replace them.")
    pay_guarantee_weeks: int = Field(
        0, ge=0, le=104, description="Weeks of protected variable pay after a change of structure or pay scheme."
    )
    handover_bonus: float = Field(0.0, ge=0, le=100_000, description="Bonus per client a person hands over in a restructure.")
    note: str = Field("", max_length=200, description="Why, in the team's words.")

    @classmethod
    def in_force(cls, cfg: Scenario, salespeople: int, account_managers: int) -> Decision:
        """The decision that changes nothing: what is in force now."""
        return cls(
            salespeople=salespeople,
            account_managers=account_managers,
            structure=cfg.structure,
            incentive=cfg.incentive,
            hire_account_managers=cfg.hire_account_managers,
            service_desk_staff=cfg.service_desk_staff if cfg.structure == DESK_STRUCTURE else 0,
            initial_quota=cfg.initial_quota,
            fire_bottom_performers=cfg.management_response == FIRE_BOTTOM,
            pay_guarantee_weeks=cfg.pay_guarantee_weeks,
            handover_bonus=cfg.handover_bonus,
        )

    def scenario_keys(self) -> dict[str, Any]:
        """The scenario keys this decision sets."""
        keys = self.model_dump(exclude={"note", "fire_bottom_performers"})
        if self.structure != DESK_STRUCTURE:  # desk staff mean nothing without a desk
            del keys["service_desk_staff"]
        keys["management_response"] = FIRE_BOTTOM if self.fire_bottom_performers else KEEP_PEOPLE
        return keys

    def changes(self, now: Decision) -> dict[str, Any]:
        """The keys that differ from what is in force (an empty dict: no intervention)."""
        mine, theirs = self.scenario_keys(), now.scenario_keys()
        return {k: v for k, v in mine.items() if theirs.get(k) != v}

    def yearly_base_pay(self, cfg: Scenario) -> float:
        """Base pay a year of the people this decision keeps."""
        desk = self.service_desk_staff if self.structure == DESK_STRUCTURE else 0
        return (self.salespeople + self.account_managers) * cfg.base_salary + desk * cfg.desk_base_salary
