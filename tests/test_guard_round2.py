"""Issue 22 regression tests at the graph level: parser mismatches, a second way past the guard.

The guard (rdflib) and the engine (Oxigraph) read comments and codepoint
escapes differently: Oxigraph ends a ``#`` comment at a bare carriage
return, rdflib expands ``\\u000A`` inside a comment. Each case here hid a
``SERVICE`` or ``LOAD`` from one parser and showed it to the other. Now both
get one canonical text (:mod:`kg.sparql_text`): every case is refused or runs
harmlessly, never with a 5xx, and a loopback listener sees no connection, on
the embedded store and on ``oxigraph serve``.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from kg import KgqaError, KnowledgeGraph

from .test_guard_attacks import GRAPH, STORES, _settle, listener  # noqa: F401 (listener is a fixture)
from .test_sparql_safety import CountingListener


# {url}: the listener. Before issue 22 each of these passed the guard and reached the engine with its SERVICE.
SMUGGLED_QUERIES = {
    "comment-ends-at-bare-cr": "SELECT * WHERE {{ # x\rSERVICE <{url}> {{ ?a ?b ?c }}\n}}",
    "comment-ends-at-bare-cr-lowercase": "select * where {{ ?s ?p ?o # x\rservice silent <{url}> {{ ?a ?b ?c }}\n}}",
    "escaped-newline-opens-long-string": "SELECT * WHERE {{ # x\\u000A ?s ?p '''\nSERVICE <{url}> {{ ?a ?b ?c }} "
                                         "# '''\n}}",
    "escaped-cr-ends-comment": "SELECT * WHERE {{ ?s ?p ?o # x\\u000DSERVICE <{url}> {{ ?a ?b ?c }}\n}}",
    "cr-inside-subquery": "SELECT * WHERE {{ {{ SELECT * WHERE {{ # x\rSERVICE <{url}> {{ ?a ?b ?c }}\n}} }} }}",
}

SMUGGLED_UPDATES = {
    "load-after-bare-cr": "INSERT DATA {{ GRAPH <{graph}> {{ <http://a.example/s> <http://a.example/p> 1 }} }} "
                          "# x\r; LOAD <{url}>",
    "load-into-graph-after-bare-cr": "INSERT DATA {{ GRAPH <{graph}> {{ <http://a.example/s> <http://a.example/p> 1 "
                                     "}} }} # x\r; LOAD <{url}> INTO GRAPH <{graph}>",
    "load-after-escaped-newline-string": "INSERT DATA {{ GRAPH <{graph}> {{ <http://a.example/s> <http://a.example/p> "
                                         "1 }} }} # x\\u000A ; INSERT DATA {{ GRAPH <{graph}> {{ <http://a.example/s> "
                                         "<http://a.example/p> '''\n}} }} ; LOAD <{url}> # '''\n}} }}",
    "service-in-where-after-bare-cr": "INSERT {{ GRAPH <{graph}> {{ ?a ?b ?c }} }} WHERE {{ # x\rSERVICE <{url}> "
                                      "{{ ?a ?b ?c }}\n}}",
}


def _harmless(exc: BaseException | None) -> bool:
    """Refused with a client error, or ran (without the hidden part)."""
    return exc is None or (isinstance(exc, KgqaError) and 400 <= exc.status < 500)


@pytest.mark.parametrize("graph", STORES, indirect=True)
@pytest.mark.parametrize("attack", list(SMUGGLED_QUERIES))
def test_service_smuggled_through_a_parser_mismatch_never_runs(graph: KnowledgeGraph, listener: CountingListener,
                                                               attack: str) -> None:
    """Issue 22 item 1 (queries): before, `comment-ends-at-bare-cr` passed the guard (500 on the embedded
    store, where only seccomp stopped the socket; a connection from `oxigraph serve`)."""
    query = SMUGGLED_QUERIES[attack].format(url=f"http://127.0.0.1:{listener.port}/x")
    error: BaseException | None = None
    try:
        graph.query(query, timeout=5)
    except KgqaError as exc:
        error = exc
    assert _settle(listener) == 0, f"the store connected to the listener ({listener.connections}x)"
    assert _harmless(error), f"{type(error).__name__} ({getattr(error, 'status', '?')}): {error}"


@pytest.mark.parametrize("graph", STORES, indirect=True)
@pytest.mark.parametrize("attack", list(SMUGGLED_UPDATES))
def test_load_smuggled_through_a_parser_mismatch_never_runs(graph: KnowledgeGraph, listener: CountingListener,
                                                            attack: str) -> None:
    """Issue 22 item 1 (updates): before, `load-after-bare-cr` passed the guard and the server process fetched
    the listener's page."""
    update = SMUGGLED_UPDATES[attack].format(graph=GRAPH, url=f"http://127.0.0.1:{listener.port}/secret")
    error: BaseException | None = None
    try:
        graph.update(update)
    except KgqaError as exc:
        error = exc
    assert _settle(listener) == 0, f"the update connected to the listener ({listener.connections}x)"
    assert _harmless(error), f"{type(error).__name__} ({getattr(error, 'status', '?')}): {error}"


class SecretServer:
    """A loopback HTTP server standing in for an internal service: every GET answers a secret page."""

    SECRET = "TOPSECRET-internal-page-4f1c"

    def __init__(self) -> None:
        secret = self.SECRET.encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self.send_response(200)
                self.send_header("Content-Type", "text/turtle")
                self.send_header("Content-Length", str(len(secret)))
                self.end_headers()
                self.wfile.write(secret)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/secret"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def secret_server() -> Iterator[SecretServer]:
    server = SecretServer()
    yield server
    server.close()


def test_embedded_updates_run_where_no_socket_opens(embedded: KnowledgeGraph, listener: CountingListener) -> None:
    """Issue 22 item 1 (defence in depth): a LOAD that reaches the embedded store's update (guard bypassed on
    purpose) fails with a kg error and opens no connection; before, the server process fetched the page."""
    with pytest.raises(KgqaError):
        embedded.store.update(f"LOAD <http://127.0.0.1:{listener.port}/secret>")
    assert _settle(listener) == 0, f"the update connected to the listener ({listener.connections}x)"
    embedded.store.update(f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <http://a.example/s> <http://a.example/p> 1 }} }}")
    assert embedded.store.select(f"SELECT ?s WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"), "ordinary writes still work"


def test_store_error_bodies_never_reach_the_client(secret_server: SecretServer, remote_settings) -> None:  # type: ignore[no-untyped-def]
    """Issue 22 item 1: the remote server's error body (here: the page its LOAD fetched, which is no Turtle)
    is logged, not put in the error a client reads. The guard is bypassed on purpose to make the server fetch
    (`oxigraph serve`, and Virtuoso, whose update user may LOAD)."""
    kg = KnowledgeGraph(remote_settings)
    try:
        with pytest.raises(KgqaError) as info:
            kg.store.update(f"LOAD <{secret_server.url}> INTO GRAPH <{GRAPH}>")
        assert SecretServer.SECRET not in str(info.value), str(info.value)
    finally:
        kg.close()


def test_checking_a_query_is_under_its_deadline(embedded: KnowledgeGraph) -> None:
    """Issue 22 item 9: the deadline did not cover parsing; a 48 KB chain of || took 43 s of CPU in the server.
    Now the check runs in a guard process that is ended at the deadline, and the next query is answered."""
    chain = "SELECT * WHERE { ?s ?p ?o FILTER(" + " || ".join(f"?o = {i}" for i in range(5_000)) + ") }"
    assert len(chain) > 48_000
    started = time.monotonic()
    with pytest.raises(KgqaError) as info:
        embedded.query(chain, timeout=2)
    elapsed = time.monotonic() - started
    assert info.value.status == 504, f"{type(info.value).__name__}: {info.value}"
    assert elapsed < 4, f"the check ran {elapsed:.1f} s past a 2 s deadline"
    assert embedded.query("ASK { FILTER(1 = 1) }", timeout=10).boolean is True
