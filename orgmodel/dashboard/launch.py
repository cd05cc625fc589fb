"""The dashboard's server process: ``solara run`` with the origin guard and a URL printed once it listens.

``orgmodel app`` replaces itself with ``python -m orgmodel.dashboard.launch
<solara run arguments>``. This wraps Solara's ASGI app in
:class:`~orgmodel.dashboard.guard.SameOrigin` before uvicorn loads it, prints
the URL only when the socket listens (a trainer who clicks it at once gets the
page, not "connection refused"), silences Solara's advice about cookies on
plain http when serving this machine only (it is meant for sites embedded
over https), and then hands over to Solara's own command line.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

#: environment variables serve.py sets for this process
URL_VARIABLE = "ORGMODEL_APP_URL"
LOCAL_ONLY_VARIABLE = "ORGMODEL_APP_LOCAL_ONLY"


def _announce_when_listening(url: str) -> None:
    """Print the URL right after uvicorn's sockets listen (not if the start fails)."""
    import uvicorn

    startup = uvicorn.Server.startup

    async def startup_then_announce(self: Any, sockets: Any = None) -> None:
        await startup(self, sockets=sockets)
        if self.started and not self.should_exit:
            print(f"Workshop dashboard: {url}  (Ctrl-C stops it)", flush=True)

    uvicorn.Server.startup = startup_then_announce  # type: ignore[method-assign]


def main(argv: list[str]) -> None:
    """Guard Solara's app, arrange the announcement, then run ``solara`` with ``argv``."""
    from orgmodel.dashboard.guard import SameOrigin
    from orgmodel.dashboard.serve import APP_MODULE

    local_only = os.environ.get(LOCAL_ONLY_VARIABLE, "1") == "1"
    os.environ.setdefault("SOLARA_APP", APP_MODULE)  # Solara reads it when its server module is imported
    if local_only:
        warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    import solara.server.starlette as solara_starlette

    solara_starlette.app = SameOrigin(solara_starlette.app, local_only=local_only)  # uvicorn imports it by name
    if os.environ.get(URL_VARIABLE):
        _announce_when_listening(os.environ[URL_VARIABLE])
    from solara.__main__ import main as solara_main

    sys.argv = ["solara", *argv]
    solara_main()


if __name__ == "__main__":
    main(sys.argv[1:])
