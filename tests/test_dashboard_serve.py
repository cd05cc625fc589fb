"""`orgmodel app`: the URL appears once the page can be opened, and only the dashboard's own page may drive it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("solara")

from orgmodel.cli import app as cli_app
from orgmodel.dashboard import serve
from orgmodel.dashboard.guard import allowed


@pytest.mark.parametrize(
    ("headers", "local_only", "refused"),
    [
        ({"host": "127.0.0.1:8765"}, True, False),
        ({"host": "localhost:8765", "origin": "http://localhost:8765"}, True, False),
        ({"host": "[::1]:8765", "origin": "http://[::1]:8765"}, True, False),
        ({"host": "127.0.0.1:8765", "origin": "http://evil.example"}, True, True),  # another page's WebSocket
        ({"host": "127.0.0.1:8765", "origin": "http://127.0.0.1:9999"}, True, True),  # another local port
        ({"host": "rebound.example:8765"}, True, True),  # DNS rebinding
        ({"host": "trainer-laptop:8765", "origin": "http://trainer-laptop:8765"}, False, False),  # opted in to a network
        ({"host": "trainer-laptop:8765", "origin": "http://evil.example"}, False, True),
    ],
)
def test_only_the_dashboards_own_origin_and_local_names_are_accepted(headers, local_only, refused):
    assert (allowed(headers, "http", local_only) is not None) == refused


def test_a_host_that_is_not_this_machines_is_one_line():
    result = CliRunner().invoke(cli_app, ["app", "--host", "203.0.113.7"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --host 203.0.113.7 cannot be served on here") and result.stderr.count("\n") == 1


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[int, Path]]:
    """The dashboard's server; yields its port and its output's log file."""
    port = serve.free_port()
    log = tmp_path_factory.mktemp("app") / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "orgmodel", "app", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        while "Workshop dashboard: " not in log.read_text():
            assert proc.poll() is None, f"the server exited before printing its URL: {log.read_text()}"
            assert time.monotonic() < deadline, "no URL within 90 s"
            time.sleep(0.05)
        # printed only now: the page opens at once, without retrying
        with urllib.request.urlopen(serve.url(port), timeout=30) as response:
            assert response.status == 200
        yield port, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _handshake(port: int, origin: str, host: str | None = None) -> str:
    """The status line of a WebSocket handshake on the dashboard's kernel channel."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(
            (
                "GET /jupyter/api/kernels/k/channels?session_id=s HTTP/1.1\r\n"
                f"Host: {host or f'127.0.0.1:{port}'}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: {origin}\r\n\r\n"
            ).encode()
        )
        return s.recv(200).split(b"\r\n")[0].decode()


def test_the_url_is_printed_once_the_server_listens_and_no_cookie_advice(server):
    port, log = server
    with urllib.request.urlopen(serve.url(port), timeout=30) as response:  # a page load sets the session cookie
        assert response.status == 200
    printed = log.read_text()
    assert f"Workshop dashboard: http://127.0.0.1:{port}/" in printed
    assert "Cookies with samesite" not in printed


def test_other_pages_and_other_host_names_are_refused(server):
    port, _ = server
    assert _handshake(port, f"http://127.0.0.1:{port}").endswith("101 Switching Protocols")
    assert _handshake(port, "http://evil.example").endswith("403 Forbidden")
    assert _handshake(port, "http://rebound.example", host=f"rebound.example:{port}").endswith("403 Forbidden")
    request = urllib.request.Request(serve.url(port), headers={"Host": f"rebound.example:{port}"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=10)
    assert info.value.code == 403
