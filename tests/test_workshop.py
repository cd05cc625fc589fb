"""The workshop game: decisions become interventions, the game survives a restart, the pages refuse outsiders.

A small company (6 salespeople, 600 companies) starting in week 53 keeps every
test to a second or two.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from orgmodel import simulate
from orgmodel.workshop import Decision, Game, WorkshopConfig
from orgmodel.workshop.game import DecisionError
from orgmodel.workshop.server import build_app

#: nobody quits (issue #12's turnover): these tests follow the headcount the teams decide
COMPANY = "salespeople = 6\nmarket_size = 600\nyears = 2\n"  # turnover on, as by default: a team's game still replays exactly


@pytest.fixture
def company(tmp_path: Path) -> Path:
    path = tmp_path / "company.toml"
    path.write_text(COMPANY)
    return path


def new_game(company: Path, folder: Path, teams: int = 3, rounds: int = 4) -> Game:
    config = WorkshopConfig(scenario=str(company), teams=teams, rounds=rounds, start_week=53, seed=4, budget_share=0.6)
    return Game.create(config, folder)


def change(game: Game, team, **keys) -> Decision:
    return team.in_force(game.played).model_copy(update=keys)


def test_a_teams_game_is_orgmodel_run_of_its_decisions(company: Path, tmp_path: Path) -> None:
    game = new_game(company, tmp_path / "s")
    a, b, c = game.teams
    game.submit(a.code, change(game, a, structure="hunter_farmer", incentive="split_commission", account_managers=2))
    game.submit(b.code, change(game, b, salespeople=8))
    game.advance()
    game.submit(c.code, change(game, c, fire_bottom_performers=True))
    game.advance()
    game.submit(b.code, change(game, b, salespeople=5))
    game.advance()
    for team in game.teams:
        scenario = game.team_scenario(team.code)
        replay = simulate(scenario, seed=4).timeseries.iloc[: game.week].reset_index(drop=True)
        assert team.weekly().equals(replay)
    # the decisions made the companies differ, from the same start
    revenue = [float(t.weekly()["revenue"].sum()) for t in game.teams]
    assert len(set(revenue)) == 3
    assert [len(game.team_scenario(t.code).interventions) for t in game.teams] == [1, 2, 1]


def test_a_restarted_server_rebuilds_every_team_where_it_was(company: Path, tmp_path: Path) -> None:
    game = new_game(company, tmp_path / "s")
    a, b, _ = game.teams
    game.submit(a.code, change(game, a, salespeople=8, note="grow"))
    game.advance()
    game.submit(b.code, change(game, b, salespeople=4))  # submitted for round 2, not yet played
    game.store.close()
    again = Game.open(tmp_path / "s")
    assert again.played == 1
    for before, after in zip(game.teams, again.teams, strict=True):
        assert before.code == after.code
        assert before.weekly().equals(after.weekly())
    assert again.submitted() == {a.code: False, b.code: True, game.teams[2].code: False}
    again.advance()
    assert again.team(b.code).model.cfg.salespeople == 4


def test_decisions_the_rules_refuse_say_why(company: Path, tmp_path: Path) -> None:
    game = new_game(company, tmp_path / "s", rounds=1)
    a = game.teams[0]
    with pytest.raises(DecisionError, match="structure 'full_cycle' never hands clients over"):
        game.submit(a.code, change(game, a, incentive="split_commission"))
    with pytest.raises(DecisionError, match="over budget"):
        game.submit(a.code, change(game, a, salespeople=200))
    assert not game.submitted()[a.code]
    game.advance()
    with pytest.raises(DecisionError, match="over"):
        game.submit(a.code, change(game, a, salespeople=7))


def test_a_second_session_in_the_same_folder_is_refused(company: Path, tmp_path: Path) -> None:
    new_game(company, tmp_path / "s").store.close()
    with pytest.raises(FileExistsError):
        new_game(company, tmp_path / "s")


@pytest.fixture
def client(company: Path, tmp_path: Path) -> tuple[TestClient, Game]:
    game = new_game(company, tmp_path / "s")
    app = build_app(game, join_url="http://127.0.0.1/")
    return TestClient(app, base_url="http://127.0.0.1"), game


def _form(game: Game, team, round_: int, **keys) -> dict[str, str]:
    d = change(game, team, **keys).model_dump()
    return {"round": str(round_), **{k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in d.items()}}


def test_a_team_decides_through_its_page_and_sees_the_round(client) -> None:
    http, game = client
    team = game.teams[0]
    page = http.get(f"/team/{team.code.lower()}")
    assert page.status_code == 200 and "Your decision for round 1" in page.text
    assert "Hours servicing" not in page.text  # management's view: no hours split before the debrief
    r = http.post(f"/team/{team.code}/decide", data=_form(game, team, 1, salespeople=7), headers={"origin": "http://127.0.0.1"})
    assert r.status_code == 200 and "Decision for round 1 saved" in r.text
    assert game.submitted()[team.code]
    stale = http.post(f"/team/{team.code}/decide", data=_form(game, team, 3, salespeople=9))
    assert "already been played" in stale.text and game.team(team.code).decisions[1].salespeople == 7
    refused = http.post(f"/team/{team.code}/decide", data=_form(game, team, 1, salespeople=-1))
    assert "Not accepted: salespeople" in refused.text


def test_only_the_facilitator_plays_a_round(client) -> None:
    http, game = client
    assert http.post("/facilitator/wrong-token/advance", data={"round": "1"}).status_code == 403
    assert http.get("/facilitator/wrong-token").status_code == 403
    assert game.played == 0
    r = http.post(f"/facilitator/{game.token}/advance", data={"round": "1"})
    assert r.status_code == 200 and game.played == 1 and "Round 1 played" in r.text
    again = http.post(f"/facilitator/{game.token}/advance", data={"round": "1"})  # a double click
    assert game.played == 1 and "already been played" in again.text
    debrief = http.get(f"/facilitator/{game.token}/debrief")
    assert debrief.status_code == 200 and "Hours servicing" in debrief.text and "no decisions" in debrief.text


def test_other_sites_and_hosts_are_refused(client) -> None:
    http, game = client
    team = game.teams[0]
    evil = http.post(
        f"/team/{team.code}/decide", data=_form(game, team, 1, salespeople=7), headers={"origin": "http://evil.example"}
    )
    assert evil.status_code == 403 and not game.submitted()[team.code]
    assert http.get("/", headers={"host": "evil.example"}).status_code == 400
    assert (
        http.post(
            f"/facilitator/{game.token}/advance", data={"round": "1"}, headers={"origin": "http://evil.example"}
        ).status_code
        == 403
    )
    assert game.played == 0


def test_the_export_writes_a_new_folder_that_replays(client, tmp_path: Path) -> None:
    http, game = client
    team = game.teams[1]
    game.submit(team.code, change(game, team, salespeople=8))
    game.advance()
    http.post(f"/facilitator/{game.token}/export")
    http.post(f"/facilitator/{game.token}/export")
    exports = sorted((tmp_path / "s" / "exports").iterdir())
    assert len(exports) == 2 and not any(p.name.startswith(".") for p in exports)
    folder = exports[0]
    assert {"quarters.parquet", "quarters.csv", "decisions.parquet", "debrief.html"} <= {p.name for p in folder.iterdir()}
    out = tmp_path / "replay"
    run = subprocess.run(
        [sys.executable, "-m", "orgmodel", "run", str(folder / "team_2_scenario.toml"), "--seed", "4", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    import pandas as pd

    ts = pd.read_parquet(out / "timeseries.parquet").iloc[: game.week].reset_index(drop=True)
    assert ts["revenue"].equals(team.weekly()["revenue"])


def test_the_command_refuses_bad_set_ups_in_one_line(company: Path, tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "orgmodel", "workshop", str(company), "--teams", "16", "--dir", str(tmp_path / "w")],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and run.stderr.startswith("error: --teams") and "Traceback" not in run.stderr
    assert not (tmp_path / "w").exists()


def test_a_session_is_served_by_one_server_at_a_time(company: Path, tmp_path: Path) -> None:
    game = new_game(company, tmp_path / "s")
    with pytest.raises(FileExistsError, match="another workshop server"):
        Game.open(tmp_path / "s")
    game.store.close()
    Game.open(tmp_path / "s").store.close()


def test_a_round_plays_itself_when_every_team_has_decided_or_the_timer_runs_out(company: Path, tmp_path: Path) -> None:
    from orgmodel.workshop.pacing import Pacing

    game = new_game(company, tmp_path / "s", teams=2)
    a, b = game.teams
    eager = Pacing(when_all_decided=True)
    game.submit(a.code, change(game, a, salespeople=7))
    assert not eager.due(game)
    game.submit(b.code, change(game, b, salespeople=5))
    assert eager.due(game)
    timer = Pacing(round_minutes=2.0)
    assert timer.seconds_left(game, now=100.0) == 120.0 and not timer.due(game, now=219.0)
    assert timer.due(game, now=220.0)
    game.advance(1)
    assert timer.seconds_left(game, now=300.0) == 120.0  # the clock starts again with the new round
    with pytest.raises(DecisionError, match="already been played"):
        game.advance(1)  # the facilitator's click and the timer play round 1 once
    assert game.played == 1


def test_a_damaged_session_file_is_refused_in_one_line_and_left_as_it_was(company: Path, tmp_path: Path) -> None:
    new_game(company, tmp_path / "s").store.close()
    db = tmp_path / "s" / "workshop.db"
    db.write_bytes(b"not a database" * 100)
    before = db.read_bytes()
    run = subprocess.run(
        [sys.executable, "-m", "orgmodel", "workshop", "--resume", str(tmp_path / "s")], capture_output=True, text=True
    )
    assert run.returncode == 2 and run.stderr.startswith("error: --resume") and "Traceback" not in run.stderr
    assert run.stderr.count("\n") == 1 and db.read_bytes() == before
