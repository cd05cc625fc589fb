"""The game: one model per team, rounds of a quarter, decisions as interventions.

Every team's company is built from the same scenario and seed and run to the
week before the first round, so the teams start from the same company and any
difference later comes from their decisions. A decision becomes an
:class:`~orgmodel.scenario.schema.Intervention` at the round's first week,
scheduled on the running model exactly as the dashboard's "restructure now"
does. Scheduling an intervention on a running model gives the same run as
having it in the scenario from the start (the event is applied at the same
moment either way and scheduling draws no random number), which is what makes
a team's game equal to ``orgmodel run`` of :meth:`Game.team_scenario` and lets
:meth:`Game.open` rebuild every team after a server restart.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from orgmodel.model.model import SalesOrgModel
from orgmodel.scenario.files import ScenarioError, load_scenario, validate
from orgmodel.scenario.schema import WEEKS_PER_YEAR, Intervention, Scenario
from orgmodel.workshop.rules import WEEKS_PER_ROUND, Decision, WorkshopConfig
from orgmodel.workshop.store import Store

CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on a projector


class DecisionError(ValueError):
    """A decision the rules refuse; ``str(error)`` is one line for the team's page."""


@dataclass
class Team:
    """One team: its code, its company (a running model) and its decisions by round."""

    code: str
    index: int
    name: str
    model: SalesOrgModel
    decisions: dict[int, Decision] = field(default_factory=dict)
    initial: Decision | None = None  # the company's own set-up, what every team starts from

    def weekly(self) -> pd.DataFrame:
        """The company's weekly table so far."""
        return self.model.datacollector.get_model_vars_dataframe().reset_index(drop=True)

    def in_force(self, played: int) -> Decision:
        """The latest decision played (``played`` rounds so far), or the company's own set-up before any."""
        done = [r for r in self.decisions if r <= played]
        if done:
            return self.decisions[max(done)]
        assert self.initial is not None, "the team's starting decision is set when the game is built"
        return self.initial


def new_code(taken: set[str]) -> str:
    """A six-letter join code no other team has (not from the model's random stream: codes are not the game)."""
    while True:
        code = "".join(secrets.choice(CODE_LETTERS) for _ in range(6))
        if code not in taken:
            return code


class Game:
    """A workshop session: its set-up, its teams and the rounds played.

    Use :meth:`create` for a new session in a folder and :meth:`open` to come
    back to one; both leave every team's model at the week before the next
    round. ``lock`` is held while models change (a round, a decision), so a
    web server can call these methods from several threads.
    """

    def __init__(self, config: WorkshopConfig, scenario: Scenario, store: Store, token: str) -> None:
        self.config = config
        self.scenario = scenario.model_copy(update={"years": max(scenario.years, config.years())})
        self.store = store
        self.token = token
        self.teams: list[Team] = []
        self.played = 0
        self.lock = threading.RLock()

    # --- set-up and restart ----------------------------------------------------------------------
    @classmethod
    def create(cls, config: WorkshopConfig, folder: str | Path) -> Game:
        """Start a new session in ``folder`` (which must not hold one already)."""
        scenario = load_scenario(config.scenario)  # a bad scenario is refused before anything is written
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        store = Store(folder)
        if store.meta("config") is not None:
            store.close()
            raise FileExistsError(
                f"--dir: {folder} already holds a workshop session; reopen it with --resume {folder} or pick another folder"
            )
        token = secrets.token_urlsafe(12)
        store.set_meta("config", config.model_dump())
        store.set_meta("scenario", scenario.model_dump(mode="json"))
        store.set_meta("token", token)
        game = cls(config, scenario, store, token)
        taken: set[str] = set()
        for i in range(config.teams):
            code = new_code(taken)
            taken.add(code)
            store.add_team(code, i, f"Team {i + 1}")
        game._build_teams()
        first = game.teams[0].model
        # headcounts as management set them (people quit and are replaced meanwhile, so not the count at work)
        initial = Decision.in_force(first.cfg, first.cfg.salespeople, first.cfg.account_managers)
        store.set_meta("initial", initial.model_dump())
        for team in game.teams:
            team.initial = initial
        return game

    @classmethod
    def open(cls, folder: str | Path) -> Game:
        """Come back to a session: rebuild every team's company from its decisions."""
        store = Store(Path(folder))
        raw = store.meta("config")
        if raw is None:
            store.close()
            raise FileNotFoundError(f"{folder} holds no workshop session")
        config = WorkshopConfig.model_validate(raw)
        scenario = Scenario.model_validate(store.meta("scenario"))
        game = cls(config, scenario, store, store.meta("token"))
        game.played = store.rounds_played()
        game._build_teams()
        return game

    def _build_teams(self) -> None:
        """Every team's model, replayed to the week before the next round."""
        for code, idx, name in self.store.teams():
            stored = {r: Decision.model_validate(d) for r, d in self.store.decisions(code).items()}
            applied = {r: d for r, d in stored.items() if r <= self.played}
            model = SalesOrgModel(rng=self.config.seed, scenario=self.scenario_with(applied))
            model.run_until(self.config.round_start(self.played + 1) - 1)
            initial = self._initial_decision() if self.store.meta("initial") is not None else None
            self.teams.append(Team(code, idx, name, model, stored, initial))

    # --- decisions -------------------------------------------------------------------------------
    def interventions(self, decisions: dict[int, Decision]) -> list[Intervention]:
        """The interventions a team's decisions make, one per round that changed something.

        The changes are worked out against the decisions before them, so a
        round's intervention holds only what that round changed.
        """
        out: list[Intervention] = []
        if not decisions:
            return out
        now = self._initial_decision()
        for r in sorted(decisions):
            d = decisions[r]
            change = d.changes(now)
            if change:
                out.append(Intervention(week=self.config.round_start(r), set=change, note=d.note or f"round {r}"))
            now = d
        return out

    def _initial_decision(self) -> Decision:
        """What is in force at the first round (every team starts the same; kept when the session is created)."""
        return Decision.model_validate(self.store.meta("initial"))

    def scenario_with(self, decisions: dict[int, Decision]) -> Scenario:
        """The scenario whose run is the team's game: the company plus its decisions as interventions."""
        ivs = sorted([*self.scenario.interventions, *self.interventions(decisions)], key=lambda iv: iv.week)
        return self.scenario.model_copy(update={"interventions": ivs})

    def team_scenario(self, code: str) -> Scenario:
        """A team's game so far as a scenario (``orgmodel run`` of it gives the same company)."""
        team = self.team(code)
        played = {r: d for r, d in team.decisions.items() if r <= self.played}
        return self.scenario_with(played)

    def team(self, code: str) -> Team:
        """The team with this join code."""
        for t in self.teams:
            if t.code == code:
                return t
        raise KeyError(code)

    def budget(self, team: Team) -> tuple[float, float, float]:
        """(yearly cost the team may plan, last year's revenue, last year's variable pay)."""
        weekly = team.weekly()
        last = weekly.tail(WEEKS_PER_YEAR)
        revenue = float(last["revenue"].sum()) * WEEKS_PER_YEAR / max(len(last), 1)
        variable = float(last["variable_pay"].sum()) * WEEKS_PER_YEAR / max(len(last), 1)
        share = self.config.budget_share or team.model.cfg.revenue_budget_share
        return share * revenue, revenue, variable

    def check(self, team: Team, decision: Decision) -> Decision:
        """Refuse a decision the rules do not allow, with one line saying why."""
        if self.over:
            raise DecisionError("the game is over: no more decisions")
        now = team.in_force(self.played)
        change = decision.changes(now)
        cfg = team.model.cfg
        budget, revenue, variable = self.budget(team)
        cost = decision.yearly_base_pay(cfg) + variable
        if decision.yearly_base_pay(cfg) > now.yearly_base_pay(cfg) and cost > budget:
            raise DecisionError(
                f"over budget: this plan's people cost {cost / 1e6:.2f} M a year (base pay plus last year's "
                f"variable pay); the budget is {budget / 1e6:.2f} M ({budget / revenue:.0%} of last year's revenue "
                f"of {revenue / 1e6:.1f} M)"
                if revenue > 0
                else "over budget: no revenue in the last year pays for more people"
            )
        if change:
            round_ = self.played + 1
            candidate = {**team.decisions, round_: decision}
            played = {r: d for r, d in candidate.items() if r <= round_}
            try:
                validate(self.scenario_with(played).model_dump())
            except ScenarioError as exc:
                raise DecisionError(str(exc)) from None
        return decision

    def submit(self, code: str, decision: Decision, round_: int | None = None) -> None:
        """A team's decision for the coming round (it may change it until the round is played).

        ``round_`` is the round the team decided for (what its page showed);
        if the facilitator has played it meanwhile, the decision is refused
        rather than carried into a round the team has not seen.
        """
        with self.lock:
            if round_ is not None and round_ != self.played + 1:
                raise DecisionError(f"round {round_} has already been played: look at the new figures and decide again")
            team = self.team(code)
            self.check(team, decision)
            round_ = self.played + 1
            team.decisions[round_] = decision
            self.store.save_decision(code, round_, decision.model_dump())

    def submitted(self) -> dict[str, bool]:
        """Which teams have decided for the coming round."""
        return {t.code: (self.played + 1) in t.decisions for t in self.teams}

    # --- rounds ----------------------------------------------------------------------------------
    @property
    def over(self) -> bool:
        """Every round has been played."""
        return self.played >= self.config.rounds

    def advance(self, round_: int | None = None) -> None:
        """Play the coming round for every team at once: apply decisions, run the quarter.

        ``round_``, if given, is the round the caller means to play; if it has
        been played meanwhile (a double click, a second console, the timer)
        nothing happens twice: :class:`DecisionError` says so.
        """
        with self.lock:
            if self.over:
                raise DecisionError("the game is over")
            if round_ is not None and round_ != self.played + 1:
                raise DecisionError(f"round {round_} has already been played")
            round_ = self.played + 1
            start = self.config.round_start(round_)
            for team in self.teams:
                decision = team.decisions.get(round_)
                if decision is not None:
                    change = decision.changes(team.in_force(round_ - 1))
                    if change:
                        iv = Intervention(week=start, set=change, note=decision.note or f"round {round_}")
                        team.model.schedule_intervention(iv)
                team.model.run_until(start + WEEKS_PER_ROUND - 1)
            self.played = round_
            self.store.mark_played(round_)

    @property
    def week(self) -> int:
        """The last week every team's company has run."""
        return self.config.round_start(self.played + 1) - 1

    def describe(self) -> dict[str, Any]:
        """The session at a glance (for pages and the export)."""
        return {
            "round": self.played,
            "rounds": self.config.rounds,
            "week": self.week,
            "over": self.over,
            "teams": [{"code": t.code, "name": t.name} for t in self.teams],
        }
