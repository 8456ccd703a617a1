"""Issue 11 regression tests at the graph level: SPARQL-escape tricks that hid SERVICE and LOAD from the guard.

Every hostile query or update here is refused with a 4xx ``kg`` error
(``ForbiddenQuery`` 403 or ``QuerySyntaxError`` 400), and a loopback listener
counting connection attempts sees none, on the embedded store, on
``oxigraph serve`` and on Virtuoso. The embedded store's query processes must not be able to
open a socket even when the guard is bypassed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from kg import ForbiddenQuery, KgqaError, KnowledgeGraph, QuerySyntaxError

from .conftest import STORE_KINDS
from .test_sparql_safety import CountingListener

STORES = STORE_KINDS  # embedded, `oxigraph serve` and Virtuoso (which would run SERVICE and LOAD if let through)
GRAPH = "http://test.example/id/article/attack"


@pytest.fixture
def listener() -> Iterator[CountingListener]:
    lst = CountingListener()
    yield lst
    lst.close()


def _url(listener: CountingListener, path: str = "sparql") -> str:
    return f"http://127.0.0.1:{listener.port}/{path}"


def _settle(listener: CountingListener) -> int:
    time.sleep(0.3)  # the listener thread accepts within 0.2 s
    return listener.connections


def _refused(exc: BaseException) -> bool:
    return isinstance(exc, (ForbiddenQuery, QuerySyntaxError)) and 400 <= exc.status < 500


# Each template gets {url}: the listener's SPARQL endpoint. The first ones fooled the old hand lexer.
QUERY_ATTACKS = {
    "hash-escape": "SELECT * WHERE {{ OPTIONAL {{ ?s ?p schema:a\\# }} SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "dot-hash-escape": "SELECT * WHERE {{ OPTIONAL {{ ?s ?p schema:a\\.\\# }} SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "quote-escape": "SELECT * WHERE {{ OPTIONAL {{ ?s ?p schema:a\\' }} SERVICE <{url}> {{ ?s ?p ?o }} "
                    "OPTIONAL {{ ?s ?p <http://x.example/'> }} }}",
    "hash-escape-in-subquery": "SELECT * WHERE {{ {{ SELECT * WHERE {{ OPTIONAL {{ ?s ?p schema:a\\# }} "
                               "SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    "hash-escape-in-optional": "SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ ?s ?p schema:b\\# }} OPTIONAL {{ "
                               "SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }}",
    "hash-escape-in-union": "SELECT * WHERE {{ {{ ?s ?p schema:a\\# }} UNION {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "hash-escape-lowercase": "select * where {{ optional {{ ?s ?p schema:a\\# }} service <{url}> {{ ?s ?p ?o }} }}",
    "unicode-escape-keyword": "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    "plain-nested-lowercase": "select * where {{ {{ select * where {{ optional {{ service <{url}> "
                              "{{ ?s ?p ?o }} }} }} }} }}",
    "plain-union": "SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
}


@pytest.mark.parametrize("graph", STORES, indirect=True)
@pytest.mark.parametrize("attack", list(QUERY_ATTACKS))
def test_service_hidden_by_escapes_is_refused_and_never_connects(graph: KnowledgeGraph, listener: CountingListener,
                                                                 attack: str) -> None:
    """Issue 11 item 1 (SSRF): SERVICE hidden with SPARQL escapes / nesting is refused; 0 connections."""
    query = QUERY_ATTACKS[attack].format(url=_url(listener))
    with pytest.raises(KgqaError) as info:
        graph.query(query, timeout=5)
    assert _settle(listener) == 0, f"the store connected to the listener ({listener.connections}x)"
    assert _refused(info.value), f"{type(info.value).__name__} ({info.value.status}): {info.value}"


def test_embedded_query_process_cannot_open_sockets(embedded: KnowledgeGraph, listener: CountingListener) -> None:
    """Issue 11 item 1 (defence in depth): a SERVICE call that reaches the embedded store's query process
    (guard bypassed on purpose) fails with a kg error and opens no connection."""
    query = f"SELECT * WHERE {{ SERVICE <{_url(listener)}> {{ ?s ?p ?o }} }}"
    with pytest.raises(KgqaError):
        embedded.store.run_query(query, form="SELECT", prefixes={}, row_limit=10, timeout=5)
    assert _settle(listener) == 0, f"the query process connected to the listener ({listener.connections}x)"


UPDATE_ATTACKS = {
    "load-after-hash-escape": "INSERT DATA {{ GRAPH <{graph}> {{ <http://a.example/s> schema:a\\# "
                              "<http://a.example/o> }} }} ; LOAD <{data}>",
    "load-after-dot-hash-escape": "INSERT DATA {{ GRAPH <{graph}> {{ <http://a.example/s> schema:a\\.\\# "
                                  "<http://a.example/o> }} }} ; LOAD <{data}> INTO GRAPH <{graph}>",
    "load-in-quote-escape": "INSERT DATA {{ GRAPH <{graph}> {{ <http://a.example/s> schema:a\\' <http://a.example/o> "
                            "}} }} ; LOAD <{data}> INTO GRAPH <http://x.example/'>",
    "load-silent-after-hash-escape": "INSERT DATA {{ GRAPH <{graph}> {{ <http://a.example/s> schema:a\\# "
                                     "<http://a.example/o> }} }} ; LOAD SILENT <{data}>",
    "service-in-where-hash-escape": "INSERT {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ OPTIONAL {{ ?s ?p "
                                    "schema:a\\# }} SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "plain-load": "LOAD <{data}>",
    "plain-load-silent": "LOAD SILENT <{data}> INTO GRAPH <{graph}>",
    "lowercase-load": "load <{data}>",
    "plain-service-in-where": "INSERT {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
}


@pytest.mark.parametrize("graph", STORES, indirect=True)
@pytest.mark.parametrize("attack", list(UPDATE_ATTACKS))
def test_load_and_service_in_updates_are_refused_and_never_connect(graph: KnowledgeGraph,
                                                                   listener: CountingListener, attack: str) -> None:
    """Issue 11 item 5: LOAD / SERVICE in an (admin) update, hidden with escapes or plain, is refused;
    0 connections (the old pre-check even fetched twice), and the update changed nothing."""
    update = UPDATE_ATTACKS[attack].format(graph=GRAPH, data=_url(listener, "data.ttl"), url=_url(listener))
    before = graph.article_hashes()
    with pytest.raises(KgqaError) as info:
        graph.update(update)
    assert _settle(listener) == 0, f"the update connected to the listener ({listener.connections}x)"
    assert _refused(info.value), f"{type(info.value).__name__} ({info.value.status}): {info.value}"
    assert graph.article_hashes() == before
    assert not graph.store.select(f"SELECT ?s WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
