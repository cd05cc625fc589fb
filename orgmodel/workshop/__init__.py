"""The workshop game: teams run the same company from their own browsers.

Each team's company is a :class:`~orgmodel.model.model.SalesOrgModel` built
from the same scenario and seed; a team's decisions become the model's
interventions, one per round, so a team's game is exactly ``orgmodel run`` of
its decisions written as ``[[interventions]]`` (see :func:`Game.team_scenario`).
The layers: :mod:`.rules` (what a team may decide, validated), :mod:`.game`
(the teams' models, rounds and replay), :mod:`.store` (SQLite, so nothing is
lost when the server restarts), :mod:`.views` (what management sees, the
leaderboard and the debrief), :mod:`.server` (the web pages) and :mod:`.cli`.
"""

from orgmodel.workshop.game import Game
from orgmodel.workshop.rules import Decision, WorkshopConfig

__all__ = ["Decision", "Game", "WorkshopConfig"]
