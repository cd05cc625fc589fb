"""When a round is played without the facilitator's click: once every team has decided, or on a timer.

The facilitator still plays rounds from the console; these two options only
add a trigger. The clock starts when a round opens (the session starts, or
the previous round is played), so a restart gives the teams a full round again.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field

from orgmodel.workshop.game import DecisionError, Game


@dataclass
class Pacing:
    """Rules for playing a round automatically.

    Attributes:
        when_all_decided: play as soon as every team has submitted a decision.
        round_minutes: play when this many minutes have passed since the round opened (None: no timer).

    """

    when_all_decided: bool = False
    round_minutes: float | None = None
    opened_at: float = field(default_factory=time.monotonic)
    _round: int = -1

    def seconds_left(self, game: Game, now: float | None = None) -> float | None:
        """Seconds until the timer plays the round (None without a timer)."""
        now = time.monotonic() if now is None else now
        if game.played != self._round:  # a new round opened: restart the clock
            self._round = game.played
            self.opened_at = now
        if self.round_minutes is None:
            return None
        return max(0.0, self.opened_at + self.round_minutes * 60 - now)

    def due(self, game: Game, now: float | None = None) -> bool:
        """Whether the coming round should be played now."""
        if game.over:
            return False
        left = self.seconds_left(game, now)
        if left is not None and left <= 0:
            return True
        return self.when_all_decided and all(game.submitted().values())

    def run(self, game: Game, stop: threading.Event, every: float = 1.0) -> None:
        """Check once a second and play the round when due (for a daemon thread next to the server)."""
        while not stop.wait(every):
            round_ = game.played + 1  # the round judged due; if someone plays it first, nothing happens twice
            if self.due(game):
                with contextlib.suppress(DecisionError):  # the facilitator played it first
                    game.advance(round_)
