"""What only Virtuoso does, on a second throwaway Virtuoso with tight limits (1 s, 20 rows).

The store suite (tests/test_store.py and the other ``graph`` tests) already runs
on the session's Virtuoso; these tests set the server's own limits low to see
that kgqa reads them right: a result Virtuoso cut at ``ResultSetMaxRows`` is
flagged (a user query) or refused (kgqa's own reads), a query its
``MaxQueryExecutionTime`` stopped is a timeout, anonymous ``/sparql`` cannot
write, and its system graphs stay out of the union default graph.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from kg import KnowledgeGraph, QueryTimeout, Settings, StoreError

from ._virtuoso import VirtuosoServer
from .conftest import virtuoso_settings

pytestmark = [pytest.mark.remote, pytest.mark.scaleout]

SERVER_ROWS = 20
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def tight() -> Iterator[VirtuosoServer]:
    try:
        server = VirtuosoServer(timeout_s=1, max_rows=SERVER_ROWS)
    except RuntimeError as exc:
        pytest.fail(f"cannot start Virtuoso: {exc}")
    yield server
    server.stop()


@pytest.fixture
def kg(tight: VirtuosoServer, settings: Settings) -> Iterator[KnowledgeGraph]:
    tight.clear()
    graph = KnowledgeGraph(virtuoso_settings(settings, tight))
    lines = "\n".join(f"<http://x.example/s{i}> <http://x.example/p> {i} ." for i in range(300))
    graph.store.replace_graph("http://test.example/id/article/big", lines)
    yield graph
    graph.close()
    tight.clear()


def test_a_result_cut_by_the_server_is_flagged_not_passed_off_as_whole(kg: KnowledgeGraph) -> None:
    result = kg.query("SELECT ?s WHERE { ?s <http://x.example/p> ?o }")
    assert len(result.rows) == SERVER_ROWS and result.truncated
    small = kg.query(f"SELECT ?s WHERE {{ ?s <http://x.example/p> ?o }} LIMIT {SERVER_ROWS - 5}")
    assert len(small.rows) == SERVER_ROWS - 5 and not small.truncated


def test_kgqas_own_reads_refuse_a_cut_result(kg: KnowledgeGraph) -> None:
    """Export, reindex and repair act on the whole list or not at all."""
    with pytest.raises(StoreError, match="ResultSetMaxRows"):
        kg.store.select("SELECT ?s ?o WHERE { GRAPH ?g { ?s <http://x.example/p> ?o } }")


def test_a_query_the_server_stopped_is_a_timeout(kg: KnowledgeGraph) -> None:
    """kgqa's deadline (10 s) is far; Virtuoso's MaxQueryExecutionTime (1 s) stops the query first."""
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        kg.query(CROSS_PRODUCT, timeout=10)
    assert time.monotonic() - started < 8
    assert kg.query("ASK { ?s <http://x.example/p> 7 }").boolean is True


def test_anonymous_sparql_cannot_write(tight: VirtuosoServer, settings: Settings) -> None:
    """Only the user behind /sparql-auth writes: without credentials kgqa's write fails loudly."""
    reply = httpx.post(tight.query_url, data={"update": "INSERT DATA { GRAPH <http://x.example/g> { "
                                                         "<http://x.example/a> <http://x.example/b> 1 } }"},
                       timeout=10)
    assert reply.status_code >= 400
    anonymous = settings.replace(store_url=tight.query_url, store_update_url=tight.update_url)
    with pytest.raises(StoreError, match="HTTP 401"):
        KnowledgeGraph(anonymous).close()  # opening writes the ontology graph


def test_system_graphs_are_out_of_the_union_default_graph(tight: VirtuosoServer, settings: Settings) -> None:
    tight.clear()
    with KnowledgeGraph(virtuoso_settings(settings, tight)) as graph:  # writes the ontology graph, nothing else
        everything = graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").values("n")
        assert everything == graph.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/kgqa/ns> "
                                         "{ ?s ?p ?o } }").values("n")
        graphs = graph.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g").values("g")
        assert graphs == ["https://w3id.org/kgqa/ns"]
