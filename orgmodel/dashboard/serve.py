"""Start the dashboard's web server: what ``orgmodel app`` runs.

The server is ``solara run`` on :mod:`orgmodel.dashboard.app`, bound to
127.0.0.1 (a trainer's laptop, not the room's network) on a free port unless
one is given, in production mode (no reloader), with Solara's usage telemetry
off (the machines have no internet, and a workshop should not phone home) and
its "runs on Solara" banner hidden (it sits over the charts' corner).
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import NoReturn

from orgmodel.dashboard import assets

APP_MODULE = "orgmodel.dashboard.app"
HOST = "127.0.0.1"


def free_port(host: str = HOST) -> int:
    """A port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def port_is_free(port: int, host: str = HOST) -> bool:
    """Whether ``port`` can be bound on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def command(port: int, host: str = HOST, access_log: bool = False) -> list[str]:
    """The ``solara run`` command line for the dashboard."""
    solara = Path(sys.executable).with_name("solara")
    cmd = [str(solara), "run", APP_MODULE, "--host", host, "--port", str(port), "--production", "--no-open"]
    if access_log:  # one line per request, so a test can see a 404 for a missing front-end file
        cmd += ["--log-level-uvicorn", "info", "--access-log"]
    return cmd


def environment() -> dict[str, str]:
    """The server's environment: this one, with Solara's telemetry off and its corner banner hidden (it covers a chart)."""
    return {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false", "SOLARA_THEME_SHOW_BANNER": "false"}


def url(port: int, host: str = HOST) -> str:
    """Where the browser goes."""
    return f"http://{host}:{port}/"


def serve(port: int | None = None, host: str = HOST) -> NoReturn:
    """Print the URL, then become the server (it runs until Ctrl-C or a signal).

    The process replaces itself with ``solara run`` rather than starting it as
    a child, so stopping ``orgmodel app`` (Ctrl-C, a test's terminate) stops
    the server too and never leaves one running on its port. Missing
    front-end files are reported (offline the page would stay blank) but do
    not stop the server: with internet access Solara fetches them itself.
    """
    chosen = port if port is not None else free_port(host)
    lacking = assets.missing()
    if lacking:
        sys.stderr.write(
            f"warning: Solara's front-end files are missing ({', '.join(lacking)}); offline the page stays blank. "
            "Fetch them with `make install` or `python -m orgmodel.dashboard.assets`.\n"
        )
    print(f"Workshop dashboard: {url(chosen, host)}  (Ctrl-C stops it)", flush=True)
    sys.stderr.flush()
    cmd = command(chosen, host)
    os.execve(cmd[0], cmd, environment())
