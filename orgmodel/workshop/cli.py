"""``orgmodel workshop``: start (or resume) a workshop session and serve its pages."""

from __future__ import annotations

import socket
import sqlite3
import sys
import threading
import time
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from orgmodel.clierrors import fail


def _listen(host: str, port: int) -> socket.socket:
    """Bind and listen before anything is printed, so the printed address answers at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        fail(f"--host/--port: cannot listen on {host}:{port} ({exc.strerror})")
    sock.listen(128)
    return sock


def _network_names(host: str) -> list[str]:
    """Host names the pages may be asked for when serving on the network."""
    names = [host]
    try:
        hostname = socket.gethostname()
        names += [hostname, *socket.gethostbyname_ex(hostname)[2]]
    except OSError:
        pass
    return names


def workshop_command(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario or scenario file (a calibrated one too).")] = "status_quo",
    teams: Annotated[int, typer.Option(help="Number of teams (1-15).")] = 4,
    rounds: Annotated[int, typer.Option(help="Rounds, a quarter each (16 = four years).")] = 16,
    start_week: Annotated[int, typer.Option(help="First week the teams decide for (105 = start of year 3).")] = 105,
    seed: Annotated[int, typer.Option(help="Seed of every team's company.")] = 1,
    budget_share: Annotated[
        float | None, typer.Option(help="Yearly people cost a team may plan, as a share of last year's revenue.")
    ] = None,
    folder: Annotated[Path | None, typer.Option("--dir", help="Session folder (a new one under out/ by default).")] = None,
    resume: Annotated[Path | None, typer.Option(help="Reopen the session in this folder (after a restart).")] = None,
    host: Annotated[
        str, typer.Option(help="Address to serve on: 127.0.0.1 (this laptop only) unless you choose the network, e.g. 0.0.0.0.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: a free one).", min=0, max=65535)] = 8765,
    play_when_all_decided: Annotated[
        bool, typer.Option("--play-when-all-decided", help="Play a round as soon as every team has decided.")
    ] = False,
    round_minutes: Annotated[
        float | None, typer.Option(help="Play a round by itself after this many minutes.", min=0.1, max=600)
    ] = None,
) -> None:
    """Run a workshop game: teams run the same company from their own browsers, quarter by quarter."""
    try:
        import uvicorn

        from orgmodel.workshop.server import LOCAL_HOSTS, build_app
    except ImportError as exc:
        fail(f"the workshop needs the app extra ({exc.name} is missing): run `make app` or pip install -e '.[app]'")
    from orgmodel.scenario.files import ScenarioError
    from orgmodel.workshop.game import Game
    from orgmodel.workshop.pacing import Pacing
    from orgmodel.workshop.rules import WorkshopConfig

    try:
        if resume is not None:
            game = Game.open(resume)
            folder = resume
        else:
            config = WorkshopConfig(
                scenario=scenario, seed=seed, teams=teams, rounds=rounds, start_week=start_week, budget_share=budget_share
            )
            folder = folder or Path("out") / f"workshop-{time.strftime('%Y%m%d-%H%M%S')}"
            game = Game.create(config, folder)
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"--{str(first['loc'][0]).replace('_', '-')}: {first['msg']}")
    except (ScenarioError, FileExistsError, FileNotFoundError) as exc:
        fail(str(exc))
    except sqlite3.DatabaseError as exc:  # a damaged or foreign workshop.db: say so, touch nothing
        fail(f"--resume: {resume}/workshop.db cannot be read as a workshop session ({exc})")

    sock = _listen(host, port)
    bound_port = sock.getsockname()[1]
    local = host in LOCAL_HOSTS
    shown = (
        "127.0.0.1"
        if local
        else (_network_names(host)[2] if host in ("0.0.0.0", "::") and len(_network_names(host)) > 2 else host)
    )
    allowed = list(LOCAL_HOSTS) if local else [*LOCAL_HOSTS, *_network_names(host)]
    base = f"http://{shown}:{bound_port}"
    pacing = Pacing(when_all_decided=play_when_all_decided, round_minutes=round_minutes)
    app = build_app(game, join_url=f"{base}/", allowed_hosts=allowed, pacing=pacing)
    stop = threading.Event()
    if play_when_all_decided or round_minutes is not None:
        threading.Thread(target=pacing.run, args=(game, stop), daemon=True, name="pacing").start()
    print(f"Workshop session in {folder} ({len(game.teams)} teams, round {game.played + 1} of {game.config.rounds} next)")
    print(f"Facilitator's console: {base}/facilitator/{game.token}")
    print(f"Teams join at:         {base}/")
    for t in game.teams:
        print(f"  {t.name}: code {t.code}   ({base}/team/{t.code})")
    if local:
        print(
            "Serving on this computer only; to let teams join from their own devices, restart with --host 0.0.0.0 --resume",
            folder,
        )
    sys.stdout.flush()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    try:
        server.run(sockets=[sock])
    finally:
        stop.set()
