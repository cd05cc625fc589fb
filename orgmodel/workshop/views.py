"""What each screen shows: a team's management view, the leaderboard and the debrief.

Teams see what management sees in a real company: revenue, new clients per
salesperson, cost of sales, headcount and clients lost, by quarter. How the
salespeople's hours split between hunting and servicing is kept for the
debrief, where the facilitator reveals it beside what management saw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from orgmodel.model.model import SalesOrgModel
from orgmodel.scenario.schema import Intervention, Scenario
from orgmodel.workshop.rules import WEEKS_PER_ROUND

if TYPE_CHECKING:
    from orgmodel.workshop.game import Game, Team

#: columns of a team's quarterly table: what management sees
MANAGEMENT = (
    "revenue",
    "new_clients",
    "new_clients_per_salesperson",
    "cost_of_sales",
    "contribution",
    "salespeople",
    "account_managers",
    "lost_clients",
    "active_clients",
)
#: what the debrief reveals beside it
WHY = ("hunting_share", "service_share", "service_backlog_hours", "complaints")
#: the essay's restructure, the debrief's second comparison
ESSAY_RESTRUCTURE = {"structure": "hunter_farmer", "incentive": "split_commission", "hire_account_managers": True}


def quarterly(weekly: pd.DataFrame, gross_margin: float, start_week: int) -> pd.DataFrame:
    """Quarter-by-quarter figures from a weekly table, from the quarter before the game on.

    Quarters are counted from the game's first week (quarter 1 is the first
    round; quarter 0 the quarter before it, what every team starts from).
    """
    w = weekly.copy()
    w["quarter"] = (w["week"] - start_week) // WEEKS_PER_ROUND + 1
    w = w[w["quarter"] >= 0]
    summed = ["revenue", "new_clients", "cost_of_sales", "lost_clients", "complaints", "people_left", "clients_lost_with_leaver"]
    sums = w.groupby("quarter")[summed].sum()
    ends = w.groupby("quarter")[["salespeople", "account_managers", "active_clients", "service_backlog_hours"]].last()
    means = w.groupby("quarter")[["hunting_share", "service_share"]].mean()
    q = pd.concat([sums, ends, means], axis=1)
    q["contribution"] = gross_margin * q["revenue"] - q["cost_of_sales"]
    q["new_clients_per_salesperson"] = q["new_clients"] * 4 / q["salespeople"].where(q["salespeople"] > 0)
    return q.reset_index()


def team_quarters(game: Game, team: Team) -> pd.DataFrame:
    """A team's quarters so far."""
    return quarterly(team.weekly(), team.model.cfg.gross_margin, game.config.start_week)


def standings(game: Game) -> list[dict[str, Any]]:
    """The leaderboard: the game's quarters summed per team, best contribution first."""
    rows = []
    for team in game.teams:
        q = team_quarters(game, team)
        played = q[q["quarter"] >= 1]
        rows.append(
            {
                "team": team.name,
                "code": team.code,
                "revenue": float(played["revenue"].sum()),
                "contribution": float(played["contribution"].sum()),
                "people": int(len(team.model.staff) + len(team.model.desk_agents)),
                "clients_lost": int(played["lost_clients"].sum()),
                "people_left": int(played["people_left"].sum()),
                "active_clients": int(q["active_clients"].iloc[-1]) if len(q) else 0,
                "decisions": sum(1 for r in team.decisions if r <= game.played),
            }
        )
    return sorted(rows, key=lambda r: -r["contribution"])


def decision_timeline(game: Game, team: Team) -> list[dict[str, Any]]:
    """Each round's change, in words, with the week it took effect."""
    out = []
    for iv in game.interventions({r: d for r, d in team.decisions.items() if r <= game.played}):
        round_ = (iv.week - game.config.start_week) // WEEKS_PER_ROUND + 1
        what = ", ".join(f"{k} = {v}" for k, v in iv.set.items())
        out.append({"round": round_, "week": iv.week, "change": what, "note": iv.note})
    return out


def baselines(game: Game) -> dict[str, pd.DataFrame]:
    """What the same company does with no decisions, and with the essay's restructure at the first round.

    Both are runs of the session's scenario and seed to the last round played,
    so they share the teams' start exactly.
    """
    end = game.week
    runs: dict[str, Scenario] = {
        "no decisions": game.scenario,
        "the essay's restructure": game.scenario.model_copy(
            update={
                "interventions": sorted(
                    [
                        *game.scenario.interventions,
                        Intervention(week=game.config.start_week, set=ESSAY_RESTRUCTURE, note="the essay's restructure"),
                    ],
                    key=lambda iv: iv.week,
                )
            }
        ),
    }
    out = {}
    for label, scenario in runs.items():
        model = SalesOrgModel(rng=game.config.seed, scenario=scenario)
        model.run_until(end)
        weekly = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        out[label] = quarterly(weekly, scenario.gross_margin, game.config.start_week)
    return out


def session_tables(game: Game) -> dict[str, pd.DataFrame]:
    """Every decision and every team's quarters, for the export."""
    quarters = []
    decisions = []
    for team in game.teams:
        q = team_quarters(game, team)
        q.insert(0, "team", team.name)
        quarters.append(q)
        for r, d in sorted(team.decisions.items()):
            decisions.append({"team": team.name, "round": r, "played": r <= game.played, **d.model_dump()})
    return {"quarters": pd.concat(quarters, ignore_index=True), "decisions": pd.DataFrame(decisions)}
