"""Only the dashboard's own page may talk to its server.

The dashboard drives a model over a WebSocket. Browsers let any web page open
a WebSocket to ``127.0.0.1`` (they send the page's ``Origin`` but do not block
it), and a page can reach a local server under its own domain name by DNS
rebinding (then the ``Host`` header carries that name). So every HTTP request
and WebSocket handshake is checked before Solara sees it:

- ``Origin``, when present, must be the server's own origin (scheme, host
  and port of the ``Host`` header): another page cannot drive it;
- on the loopback interface (the default), ``Host`` must be a localhost name
  (``127.0.0.1``, ``localhost``, ``::1``): a rebound domain name is refused.

Serving on a network (``orgmodel app --host 0.0.0.0``, the user's explicit
choice) accepts any ``Host``, and still only same-origin pages.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: the names a browser on this machine uses for the loopback interface
LOCAL_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or name to serve on) is this machine only."""
    return host in LOCAL_NAMES or host.startswith("127.")


def _hostname(host_header: str) -> str:
    """``127.0.0.1:8765`` -> ``127.0.0.1``; ``[::1]:8765`` -> ``::1``; lower case."""
    return (urlsplit(f"//{host_header}").hostname or "").lower()


def allowed(headers: dict[str, str], scheme: str, local_only: bool) -> str | None:
    """Why a request with these headers is refused, or None if it may go on."""
    host = headers.get("host", "")
    if local_only and _hostname(host) not in LOCAL_NAMES and not _hostname(host).startswith("127."):
        return f"host {host!r} is not this machine's; the dashboard answers only to localhost names"
    origin = headers.get("origin")
    if origin is not None:
        own = f"{'https' if scheme in ('https', 'wss') else 'http'}://{host}".lower()
        if origin.lower().rstrip("/") != own:
            return f"origin {origin!r} is not the dashboard's own ({own})"
    return None


class SameOrigin:
    """ASGI middleware: refuse requests and WebSocket handshakes from other origins or (locally) other hosts."""

    def __init__(self, app: ASGIApp, local_only: bool) -> None:
        self.app = app
        self.local_only = local_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer 403 (a refused WebSocket handshake is a 403 too)."""
        if scope["type"] in ("http", "websocket"):
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
            why = allowed(headers, scope.get("scheme", "http"), self.local_only)
            if why is not None:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})  # before accept: the handshake gets 403
                else:
                    body = f"Forbidden: {why}\n".encode()
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 403,
                            "headers": [
                                (b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode()),
                            ],
                        }
                    )
                    await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


__all__ = ["LOCAL_NAMES", "SameOrigin", "allowed", "is_loopback"]
