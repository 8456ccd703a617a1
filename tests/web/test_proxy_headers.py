"""Issue 22 item 4: ``X-Forwarded-For`` is honoured only from proxies listed in ``KGQA_TRUSTED_PROXIES``.

uvicorn's defaults (``proxy_headers=True``, ``FORWARDED_ALLOW_IPS=127.0.0.1``)
let any client on loopback claim a new address per request: the per-client
query limit then never applied. Both ways kgqa runs uvicorn are checked
(``ServerThread`` in-process, ``serve`` in a child process), with a tiny app
that echoes the client address uvicorn gives it, and the real app's per-client
limit is checked end to end.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from kg import ConfigError, Settings
from tests.conftest import ROOT, free_port
from tests.test_sparql_safety import CROSS_PRODUCT
from web import ServerThread

from ._attack_tools import LiveApp, error_of, start_live_app, stop_live_app

FORGED = "203.0.113.7"
T = 30.0


async def echo_client(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
    """An ASGI app answering with the client address uvicorn put in the scope."""
    if scope["type"] != "http":
        return
    body = (scope.get("client") or ("?", 0))[0].encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})


def _seen(url: str, forwarded: str | None) -> str:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return httpx.get(url + "/", headers=headers, timeout=T, trust_env=False).text


def test_server_thread_ignores_forwarded_for_by_default() -> None:
    """Before: uvicorn trusted 127.0.0.1, so the echo said 203.0.113.7. After: the socket's peer."""
    with ServerThread(echo_client) as url:
        assert _seen(url, FORGED) == "127.0.0.1"
        assert _seen(url, None) == "127.0.0.1"


def test_server_thread_honours_forwarded_for_from_a_trusted_proxy() -> None:
    """Control: listing the proxy (here the test itself, on loopback) makes the header count."""
    with ServerThread(echo_client, trusted_proxies=("127.0.0.1",)) as url:
        assert _seen(url, FORGED) == FORGED
    with ServerThread(echo_client, trusted_proxies=("10.0.0.0/8",)) as url:  # another proxy: not us
        assert _seen(url, FORGED) == "127.0.0.1"


_SERVE = r"""
import sys
from tests.web.test_proxy_headers import echo_client
from web import serve
serve(echo_client, "127.0.0.1", int(sys.argv[1]))
"""


@pytest.fixture
def served_echo(tmp_path: Path) -> Iterator[str]:
    """``web.serve`` (what ``python app.py`` runs) in a child process, with uvicorn's own env override set."""
    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "FORWARDED_ALLOW_IPS": "*"}
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-c", _SERVE, str(port)], cwd=str(ROOT), env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError((tmp_path / "serve.log").read_text(errors="replace")[-2000:])
            try:
                _seen(url, None)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def test_serve_ignores_forwarded_for_by_default(served_echo: str) -> None:
    """Before: ``serve`` ran uvicorn's defaults (and FORWARDED_ALLOW_IPS from the environment). After: ignored."""
    assert _seen(served_echo, FORGED) == "127.0.0.1"


def test_trusted_proxies_setting_parses_addresses_and_networks() -> None:
    s = Settings.from_env({"KGQA_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/24,::1"})
    assert s.trusted_proxies == ("127.0.0.1", "10.0.0.0/24", "::1")
    assert Settings.from_env({}).trusted_proxies == ()
    for bad in ("*", "proxy.example", "10.0.0.0/33"):
        with pytest.raises(ConfigError):
            Settings.from_env({"KGQA_TRUSTED_PROXIES": bad})


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """The real app, one SPARQL query per client address, a short deadline, no trusted proxy."""
    live = start_live_app(tmp_path_factory.mktemp("xff") / "built", {
        "KGQA_CLIENT_QUERIES": "1",
        "KGQA_QUERY_TIMEOUT": "3",
    })
    yield live
    stop_live_app(live)


def test_forged_forwarded_for_does_not_lift_the_per_client_limit(limited: LiveApp) -> None:
    """The issue's attack: heavy queries, each with its own forged X-Forwarded-For, from one client.
    Before: every one ran (no 429). After: the client is 127.0.0.1 for all, so all but one get 429."""
    replies: list[httpx.Response | Exception] = []
    lock = threading.Lock()

    def heavy(i: int) -> None:
        try:
            with limited.client(timeout=T, headers={"X-Forwarded-For": f"198.51.100.{i + 1}"}) as c:
                r: httpx.Response | Exception = c.get("/sparql", params={"query": CROSS_PRODUCT})
        except httpx.HTTPError as exc:
            r = exc
        with lock:
            replies.append(r)

    with ThreadPoolExecutor(max_workers=3) as pool:
        for f in [pool.submit(heavy, i) for i in range(3)]:
            f.result(timeout=60)
    statuses = [r.status_code if isinstance(r, httpx.Response) else type(r).__name__ for r in replies]
    limited_replies = [r for r in replies if isinstance(r, httpx.Response) and r.status_code == 429]
    assert len(limited_replies) >= 2, statuses
    assert all(error_of(r)["type"] == "TooManyRequests" for r in limited_replies)
