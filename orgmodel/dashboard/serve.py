"""Start the dashboard's web server: what ``orgmodel app`` runs.

The server is ``solara run`` on :mod:`orgmodel.dashboard.app` (through
:mod:`orgmodel.dashboard.launch`, which adds the origin guard of
:mod:`orgmodel.dashboard.guard` and prints the URL once the server listens),
bound to 127.0.0.1 (a trainer's laptop, not the room's network) unless
``--host`` names another address, on a free port unless one is given, in
production mode (no reloader), with Solara's usage telemetry off (the machines
have no internet, and a workshop should not phone home) and its "runs on
Solara" banner hidden (it sits over the charts' corner).
"""

from __future__ import annotations

import os
import socket
import sys
from typing import NoReturn

from orgmodel.dashboard import assets, guard, launch

APP_MODULE = "orgmodel.dashboard.app"
HOST = "127.0.0.1"


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def host_problem(host: str) -> str | None:
    """Why the dashboard cannot serve on ``host`` (not an address of this machine), or None."""
    try:
        free_port(host)
    except OSError as exc:
        return f"--host {host} cannot be served on here ({exc.strerror or exc}); give an address of this machine, e.g. 127.0.0.1"
    return None


def free_port(host: str = HOST) -> int:
    """A port nobody listens on right now (the OS picks it)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def port_is_free(port: int, host: str = HOST) -> bool:
    """Whether ``port`` can be bound on ``host``."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def command(port: int, host: str = HOST, access_log: bool = False) -> list[str]:
    """The command line of the dashboard's server: ``solara run`` through :mod:`orgmodel.dashboard.launch`."""
    launch = [sys.executable, "-m", "orgmodel.dashboard.launch"]
    cmd = [*launch, "run", APP_MODULE, "--host", host, "--port", str(port), "--production", "--no-open"]
    if access_log:  # one line per request, so a test can see a 404 for a missing front-end file
        cmd += ["--log-level-uvicorn", "info", "--access-log"]
    return cmd


def environment(port: int | None = None, host: str = HOST) -> dict[str, str]:
    """The server's environment: this one, with Solara's telemetry off and its corner banner hidden (it covers a chart).

    With ``port``, also what :mod:`orgmodel.dashboard.launch` needs: the URL to
    print once the server listens and whether to answer localhost names only.
    """
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false", "SOLARA_THEME_SHOW_BANNER": "false"}
    if port is not None:
        env[launch.URL_VARIABLE] = url(port, host)
        env[launch.LOCAL_ONLY_VARIABLE] = "1" if guard.is_loopback(host) else "0"
    return env


def url(port: int, host: str = HOST) -> str:
    """Where the browser goes (on this machine's own name when serving on every interface)."""
    shown = {"0.0.0.0": socket.gethostname(), "::": socket.gethostname()}.get(host, host)
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def serve(port: int | None = None, host: str = HOST) -> NoReturn:
    """Become the server (it runs until Ctrl-C or a signal); it prints the URL once it listens.

    The process replaces itself with the server rather than starting it as
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
    if not guard.is_loopback(host):
        sys.stderr.write(f"warning: serving on {host}: anyone on the network who can reach this machine can open the dashboard\n")
    sys.stdout.flush()
    sys.stderr.flush()
    cmd = command(chosen, host)
    os.execve(cmd[0], cmd, environment(chosen, host))
