"""The workshop's memory: an SQLite file in the session folder.

Everything the game needs to come back after a server restart or a team's
lost connection is here: the set-up, the teams and their codes, every
decision and which rounds have been played. The models themselves are not
stored: they are rebuilt from the same scenario, seed and decisions, which
gives the same company week for week (see :meth:`orgmodel.workshop.game.Game.open`).
"""

from __future__ import annotations

import fcntl
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS teams (code TEXT PRIMARY KEY, idx INTEGER NOT NULL UNIQUE, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
    team TEXT NOT NULL, round INTEGER NOT NULL, decision TEXT NOT NULL, submitted REAL NOT NULL,
    PRIMARY KEY (team, round)
);
CREATE TABLE IF NOT EXISTS rounds (round INTEGER PRIMARY KEY, advanced REAL NOT NULL);
"""
FILE = "workshop.db"
LOCK = "workshop.lock"


class SessionBusy(FileExistsError):
    """Another server has this session open."""


class Store:
    """One session's SQLite file; every write is its own transaction, committed at once."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / FILE
        # one server per session: two would each replay the teams and then disagree about the rounds
        self._held = (Path(folder) / LOCK).open("a")
        try:
            fcntl.flock(self._held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._held.close()
            raise SessionBusy(f"{folder}: another workshop server has this session open; stop it first") from None
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a decision a team saw accepted survives a power cut
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the file and let another server open the session."""
        self._db.close()
        self._held.close()

    def _write(self, sql: str, args: tuple[Any, ...]) -> None:
        with self._lock:
            self._db.execute(sql, args)

    def set_meta(self, key: str, value: Any) -> None:
        """Keep one set-up value (as JSON)."""
        self._write("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    def meta(self, key: str) -> Any:
        """A set-up value, or None."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def add_team(self, code: str, idx: int, name: str) -> None:
        """Register a team and its join code."""
        self._write("INSERT INTO teams VALUES (?, ?, ?)", (code, idx, name))

    def teams(self) -> list[tuple[str, int, str]]:
        """(code, index, name) of every team, in order."""
        return self._db.execute("SELECT code, idx, name FROM teams ORDER BY idx").fetchall()

    def save_decision(self, team: str, round_: int, decision: dict[str, Any]) -> None:
        """A team's decision for a round (a later one for the same round replaces it)."""
        self._write("INSERT OR REPLACE INTO decisions VALUES (?, ?, ?, ?)", (team, round_, json.dumps(decision), time.time()))

    def decisions(self, team: str) -> dict[int, dict[str, Any]]:
        """A team's decisions by round."""
        rows = self._db.execute("SELECT round, decision FROM decisions WHERE team = ? ORDER BY round", (team,))
        return {r: json.loads(d) for r, d in rows.fetchall()}

    def mark_played(self, round_: int) -> None:
        """A round has been run for every team."""
        self._write("INSERT INTO rounds VALUES (?, ?)", (round_, time.time()))

    def rounds_played(self) -> int:
        """How many rounds have been run."""
        (n,) = self._db.execute("SELECT count(*) FROM rounds").fetchone()
        return int(n)
