"""KGQA_STORE_USER / KGQA_STORE_PASSWORD: sent only when a store endpoint asks, in the scheme it names.

Digest is exercised by every write to Virtuoso's /sparql-auth in the store suite; here a loopback endpoint
that asks for Basic (as Fuseki behind a proxy may) and one that asks for nothing.
"""

from __future__ import annotations

import base64
import http.server
import threading
from collections.abc import Iterator

import pytest

from kg import StoreError
from kg.store import RemoteStore


class _Endpoint(http.server.BaseHTTPRequestHandler):
    """Accepts updates on /basic with user:secret (401 with a Basic challenge otherwise) and on /open."""

    seen: list[str | None] = []

    def do_POST(self) -> None:  # noqa: N802 (the handler's name)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        given = self.headers.get("Authorization")
        type(self).seen.append(given)
        wanted = "Basic " + base64.b64encode(b"user:secret").decode()
        if self.path == "/basic" and given != wanted:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="store"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def endpoint() -> Iterator[str]:
    _Endpoint.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_basic_challenge_is_answered_and_remembered(endpoint: str) -> None:
    store = RemoteStore(f"{endpoint}/open", f"{endpoint}/basic", auth=("user", "secret"))
    try:
        store.drop_graph("http://x.example/g")
        store.drop_graph("http://x.example/g")
    finally:
        store.close()
    # first request unsigned, challenged, answered; the second signed from the start
    assert _Endpoint.seen[0] is None and _Endpoint.seen[1:] == [_Endpoint.seen[1]] * 2
    assert _Endpoint.seen[1] is not None and _Endpoint.seen[1].startswith("Basic ")


def test_no_credentials_where_none_are_asked_for(endpoint: str) -> None:
    store = RemoteStore(f"{endpoint}/open", f"{endpoint}/open", auth=("user", "secret"))
    try:
        store.drop_graph("http://x.example/g")
    finally:
        store.close()
    assert _Endpoint.seen == [None]


def test_wrong_password_is_a_store_error(endpoint: str) -> None:
    store = RemoteStore(f"{endpoint}/open", f"{endpoint}/basic", auth=("user", "wrong"))
    try:
        with pytest.raises(StoreError, match="HTTP 401"):
            store.drop_graph("http://x.example/g")
    finally:
        store.close()
