"""The workshop's web pages: a join page, one page per team, the facilitator's console and the debrief.

Plain server-rendered HTML (Starlette and Jinja2, no front-end library, so it
works with no internet): a team's page polls a small JSON state every few
seconds and reloads when the facilitator plays a round. Every decision and
round is in the session's SQLite file before the page says it is accepted,
so a refresh, a closed lid or a server restart loses nothing.

Who may do what: a team acts only through its own code (its page's address),
the facilitator through a token in the console's address. Requests must name
this server's own host (localhost names unless the facilitator serves on the
network with ``--host``), and form posts must come from its own pages
(their ``Origin``), so no other web page the participants visit can act for them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

import pandas as pd
import segno
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Receive, Scope, Send

from orgmodel.policies import incentives, structures
from orgmodel.workshop import views
from orgmodel.workshop.charts import debrief_chart, management_charts
from orgmodel.workshop.export import export_session
from orgmodel.workshop.game import DecisionError, Game
from orgmodel.workshop.pacing import Pacing
from orgmodel.workshop.rules import WEEKS_PER_ROUND, Decision

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]", "::1")
_BOOL = {"true": True, "false": False}


class SameOrigin:
    """Refuse a state-changing request whose ``Origin`` is not this server (cross-site form posts)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass a request on, unless it changes something and names another site as its origin."""
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(scope["headers"])
            origin = headers.get(b"origin", b"").decode("latin-1")
            host = headers.get(b"host", b"").decode("latin-1")
            if origin and origin.split("://", 1)[-1] != host:
                await PlainTextResponse("cross-origin request refused", status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _labels(registry: Any) -> list[tuple[str, str, str]]:
    """(name, label, summary) of every registered policy, for the selects."""
    return [(n, n.replace("_", " ").capitalize(), registry.get(n).summary) for n in registry.names()]


def _money(x: float) -> str:
    return f"{x / 1e6:,.2f} M"


def _table(q: pd.DataFrame, columns: dict[str, tuple[str, str]]) -> str:
    """A quarters table as HTML with readable headings and units."""
    shown = pd.DataFrame({label: q[col].map(fmt.format) for col, (label, fmt) in columns.items()})
    return shown.to_html(index=False, border=0, na_rep="-", escape=True)


MANAGEMENT_COLUMNS = {
    "quarter": ("Quarter", "{:.0f}"),
    "revenue": ("Revenue (M)", "{:,.2f}"),
    "new_clients": ("New clients", "{:.0f}"),
    "new_clients_per_salesperson": ("New clients per salesperson (a year)", "{:.1f}"),
    "cost_of_sales": ("Cost of sales (M)", "{:,.2f}"),
    "contribution": ("Contribution (M)", "{:,.2f}"),
    "salespeople": ("Salespeople", "{:.0f}"),
    "account_managers": ("Account managers", "{:.0f}"),
    "lost_clients": ("Clients lost", "{:.0f}"),
    "people_left": ("People who left", "{:.0f}"),
    "clients_lost_with_leaver": ("Clients who followed them", "{:.0f}"),
    "active_clients": ("Active clients", "{:.0f}"),
}
WHY_COLUMNS = {
    **{k: v for k, v in MANAGEMENT_COLUMNS.items() if k not in ("new_clients", "cost_of_sales", "active_clients")},
    "hunting_share": ("Hours hunting (%)", "{:.0%}"),
    "service_share": ("Hours servicing (%)", "{:.0%}"),
    "complaints": ("Complaints", "{:.0f}"),
}
_MILLIONS = ("revenue", "cost_of_sales", "contribution")


def _scaled(q: pd.DataFrame) -> pd.DataFrame:
    q = q.copy()
    for c in _MILLIONS:
        q[c] = q[c] / 1e6
    return q


def _leaderboard(rows: list[dict[str, Any]]) -> str:
    frame = pd.DataFrame(rows)
    if frame.empty:
        return ""
    frame = frame.assign(revenue=frame["revenue"].map(_money), contribution=frame["contribution"].map(_money))
    frame = frame.drop(columns=["code"]).rename(
        columns={
            "team": "Team",
            "revenue": "Revenue",
            "contribution": "Contribution",
            "people": "People now",
            "clients_lost": "Clients lost",
            "people_left": "People who left",
            "active_clients": "Active clients",
            "decisions": "Changes made",
        }
    )
    return frame.to_html(index=False, border=0, escape=True)


class Workshop:
    """The running session behind the pages: the game and what each page shows, cached per round."""

    def __init__(self, game: Game, join_url: str) -> None:
        self.game = game
        self.join_url = join_url
        self._cache: dict[tuple[str, int], Any] = {}

    def cached(self, key: str, make: Any) -> Any:
        """``make()`` once per round (pages stay fast while a round runs: they read the last one)."""
        k = (key, self.game.played)
        if k not in self._cache:
            with self.game.lock:
                self._cache[k] = make()
        return self._cache[k]


def build_app(game: Game, join_url: str, allowed_hosts: list[str] | None = None, pacing: Pacing | None = None) -> Starlette:
    """The Starlette app for one session (``pacing``: when rounds play by themselves, shown on the console)."""
    ws = Workshop(game, join_url)
    pacing = pacing or Pacing()

    def render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
        message = request.query_params.get("message", "")
        kind = request.query_params.get("kind", "info")
        context = {"message": message, "message_kind": kind if kind in ("ok", "err", "info") else "info", **context}
        return TEMPLATES.TemplateResponse(request, name, context, status_code=status)

    def team_or_404(code: str) -> Any:
        try:
            return game.team(code.strip().upper())
        except KeyError:
            return None

    def facilitator_ok(token: str) -> bool:
        return token == game.token

    async def join(request: Request) -> Response:
        return render(request, "join.html")

    async def join_code(request: Request) -> Response:
        code = request.query_params.get("code", "").strip().upper()
        if team_or_404(code) is None:
            return render(
                request,
                "join.html",
                status=404,
                message="No team has that code; check it with your facilitator.",
                message_kind="err",
            )
        return RedirectResponse(request.url_for("team", code=code), status_code=303)

    async def team_page(request: Request) -> Response:
        team = team_or_404(request.path_params["code"])
        if team is None:
            return render(request, "join.html", status=404, message="No team has that code.", message_kind="err")
        q = ws.cached(f"q:{team.code}", lambda: views.team_quarters(game, team))
        chart = ws.cached(f"chart:{team.code}", lambda: management_charts(q))
        budget = ws.cached(f"budget:{team.code}", lambda: game.budget(team))
        decision = team.decisions.get(game.played + 1) or team.in_force(game.played)
        start = game.config.round_start(game.played + 1)
        share = budget[0] / budget[1] if budget[1] > 0 else 0.0
        return render(
            request,
            "team.html",
            team=team,
            state=game.describe(),
            chart=chart,
            table=_table(_scaled(q), MANAGEMENT_COLUMNS),
            d=decision,
            submitted=(game.played + 1) in team.decisions,
            at_work=(len(team.model.salespeople), len(team.model.account_managers)),
            structures=_labels(structures),
            incentives=_labels(incentives),
            budget=_money(budget[0]),
            budget_note=f"{share:.0%} of last year's revenue, base pay plus last year's variable pay",
            round_weeks=(start, start + WEEKS_PER_ROUND - 1),
            timeline=ws.cached(f"timeline:{team.code}", lambda: views.decision_timeline(game, team)),
        )

    async def decide(request: Request) -> Response:
        team = team_or_404(request.path_params["code"])
        if team is None:
            return PlainTextResponse("unknown team", status_code=404)
        form = await _form(request)
        back = request.url_for("team", code=team.code)
        try:
            round_ = int(str(form.get("round", "0")))
            values = {k: v for k, v in form.items() if k != "round"}
            for key in ("hire_account_managers", "fire_bottom_performers"):
                values[key] = _BOOL.get(str(values.get(key, "")).lower(), values.get(key))
            decision = Decision.model_validate(values)
            await run_in_threadpool(game.submit, team.code, decision, round_)
        except (DecisionError, ValueError) as exc:
            text = str(exc).splitlines()[0] if str(exc) else "not a valid decision"
            if hasattr(exc, "errors"):
                first = exc.errors()[0]
                text = f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
            return _back(back, "Not accepted: " + text, "err")
        return _back(back, f"Decision for round {round_} saved.", "ok")  # round_: what the team decided for

    async def team_state(request: Request) -> Response:
        team = team_or_404(request.path_params["code"])
        if team is None:
            return JSONResponse({"error": "unknown team"}, status_code=404)
        return JSONResponse({"round": game.played, "over": game.over, "submitted": (game.played + 1) in team.decisions})

    async def facilitator(request: Request) -> Response:
        token = request.path_params["token"]
        if not facilitator_ok(token):
            return PlainTextResponse("not the facilitator's address", status_code=403)
        submitted = game.submitted()
        qr = segno.make(ws.join_url, error="m").svg_inline(scale=4)
        return render(
            request,
            "facilitator.html",
            state=game.describe(),
            token=token,
            teams=game.teams,
            submitted=submitted,
            n_submitted=sum(submitted.values()),
            join_url=ws.join_url,
            qr=qr,
            leaderboard=_leaderboard(ws.cached("standings", lambda: views.standings(game))),
            pacing=_pacing_note(pacing, game),
        )

    async def facilitator_state(request: Request) -> Response:
        if not facilitator_ok(request.path_params["token"]):
            return JSONResponse({"error": "forbidden"}, status_code=403)
        return JSONResponse({"round": game.played, "over": game.over, "submitted": sum(game.submitted().values())})

    async def advance(request: Request) -> Response:
        token = request.path_params["token"]
        if not facilitator_ok(token):
            return PlainTextResponse("not the facilitator's address", status_code=403)
        form = await _form(request)
        back = request.url_for("facilitator", token=token)
        round_ = int(str(form.get("round", "0")))
        started = time.perf_counter()
        try:
            await run_in_threadpool(game.advance, round_)  # a double click or a second console plays nothing twice
        except DecisionError as exc:
            return _back(back, str(exc), "err")
        took = time.perf_counter() - started
        text = f"Round {game.played} played for {len(game.teams)} teams in {took:.1f} s."
        return _back(back, text, "ok")

    def debrief_context() -> dict[str, Any]:
        base = views.baselines(game)
        quarters = {t.name: views.team_quarters(game, t) for t in game.teams}
        return {
            "chart": debrief_chart(quarters, base),
            "leaderboard": _leaderboard(views.standings(game)),
            "teams": [
                {
                    "name": t.name,
                    "timeline": views.decision_timeline(game, t),
                    "table": _table(_scaled(quarters[t.name]), WHY_COLUMNS),
                }
                for t in game.teams
            ],
            "state": game.describe(),
        }

    async def debrief(request: Request) -> Response:
        token = request.path_params["token"]
        if not facilitator_ok(token):
            return PlainTextResponse("not the facilitator's address", status_code=403)
        context = await run_in_threadpool(ws.cached, "debrief", debrief_context)
        return render(request, "debrief.html", token=token, export_form=True, **context)

    async def export(request: Request) -> Response:
        token = request.path_params["token"]
        if not facilitator_ok(token):
            return PlainTextResponse("not the facilitator's address", status_code=403)
        context = await run_in_threadpool(ws.cached, "debrief", debrief_context)
        page = TEMPLATES.get_template("debrief.html").render(
            {"request": request, "token": token, "export_form": False, "message": "", "url_for": request.url_for, **context}
        )
        folder = await run_in_threadpool(export_session, game, page)
        back = request.url_for("debrief", token=token)
        return _back(back, f"Exported to {folder}", "ok")

    routes = [
        Route("/", join, name="join"),
        Route("/join", join_code, name="join_code"),
        Route("/team/{code}", team_page, name="team"),
        Route("/team/{code}/decide", decide, methods=["POST"], name="decide"),
        Route("/team/{code}/state", team_state, name="team_state"),
        Route("/facilitator/{token}", facilitator, name="facilitator"),
        Route("/facilitator/{token}/state", facilitator_state, name="facilitator_state"),
        Route("/facilitator/{token}/advance", advance, methods=["POST"], name="advance"),
        Route("/facilitator/{token}/debrief", debrief, name="debrief"),
        Route("/facilitator/{token}/export", export, methods=["POST"], name="export"),
    ]
    hosts = list(allowed_hosts or LOCAL_HOSTS)
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=hosts), Middleware(SameOrigin)]
    return Starlette(routes=routes, middleware=middleware)


def _pacing_note(pacing: Pacing, game: Game) -> str:
    """One line on when the round plays by itself, if it does."""
    notes = []
    left = pacing.seconds_left(game)
    if left is not None:
        notes.append(f"the timer plays it in {int(left) // 60}:{int(left) % 60:02d}")
    if pacing.when_all_decided:
        notes.append("it plays as soon as every team has decided")
    return ("Without your click: " + "; ".join(notes) + ".") if notes else ""


async def _form(request: Request) -> dict[str, str]:
    """A posted HTML form (urlencoded: the only kind these pages send), last value of each field."""
    body = (await request.body())[:65536].decode("utf-8", errors="replace")
    return {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}


def _back(url: Any, message: str, kind: str) -> RedirectResponse:
    """Back to a page (post/redirect/get), with a one-line message for it to show."""
    return RedirectResponse(f"{url}?message={quote(message)}&kind={kind}", status_code=303)
