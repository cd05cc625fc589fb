"""Export a session: every decision and every team's quarters as Parquet and CSV, and the debrief as HTML."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from orgmodel.workshop import views

if TYPE_CHECKING:
    from orgmodel.workshop.game import Game


def export_session(game: Game, debrief_html: str) -> Path:
    """Write a new folder beside the session's database (never over an earlier export) and return it."""
    base = game.store.path.parent / "exports"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = base / f"round-{game.played:02d}-{stamp}"
    n = 1
    while folder.exists():
        n += 1
        folder = base / f"round-{game.played:02d}-{stamp}-{n}"
    staging = base / f".{folder.name}.partial"
    staging.mkdir(parents=True)
    for name, frame in views.session_tables(game).items():
        frame.to_parquet(staging / f"{name}.parquet", index=False)
        frame.to_csv(staging / f"{name}.csv", index=False)
    for team in game.teams:
        (staging / f"{team.name.replace(' ', '_').lower()}_scenario.toml").write_text(_scenario_toml(game, team.code))
    (staging / "debrief.html").write_text(debrief_html, encoding="utf-8")
    staging.rename(folder)  # the whole export appears at once
    return folder


def _scenario_toml(game: Game, code: str) -> str:
    """A team's game as a scenario file: ``orgmodel run`` of it replays the team's company."""
    from orgmodel.scenario.files import dump_scenario_toml

    return dump_scenario_toml(game.team_scenario(code), seed=game.config.seed)
