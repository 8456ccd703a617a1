"""Two ordinary concurrent queries must not break ``/sparql`` (issue 22 item 2).

On a fresh server, concurrent first queries of different forms used to
break rdflib's parser for good (every later SELECT/ASK/CONSTRUCT a 500
``TypeError``) on 5 of 7 starts. Each case starts a fresh app on a loopback
port, releases eight GETs of every form together, then asks every form again.
"""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from kg import Settings
from tests.conftest import ENCODER_CACHE, free_port
from web import ServerThread, Services, create_app

QUERIES = [
    "SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s schema:name ?o FILTER(STRLEN(?o) > 2) } GROUP BY ?s LIMIT 5",
    "ASK { ?s a schema:Person ; rdfs:label ?l FILTER(LANG(?l) = 'en') }",
    "CONSTRUCT { ?s schema:name ?n } WHERE { GRAPH ?g { ?s rdfs:label ?n } OPTIONAL { ?s skos:altLabel ?a } }",
    "DESCRIBE ?s WHERE { ?s schema:jobTitle ?t VALUES ?t { 'minister' 'spokesman' } }",
    "SELECT * WHERE { { ?s ?p ?o } UNION { ?s schema:x ?o } MINUS { ?s schema:y ?o } BIND(STR(?o) AS ?t) }",
    "SELECT (SAMPLE(?o) AS ?x) WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), '^a', 'i') || ?o IN (1, 2)) }",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p HAVING (COUNT(*) > 1) ORDER BY DESC(?n)",
    "ASK { FILTER(NOT EXISTS { ?s schema:name 'nobody' }) }",
]


@pytest.mark.parametrize("start", range(3))
def test_concurrent_first_queries_on_a_fresh_server(tmp_path: Path, start: int) -> None:
    port = free_port()
    settings = Settings(data_dir=tmp_path / "built", encoder_cache=ENCODER_CACHE, port=port,
                        base_iri=f"http://127.0.0.1:{port}/id/", query_timeout=20.0, client_queries=len(QUERIES))
    services = Services(settings, ingest_shipped=False)
    try:
        with ServerThread(create_app(services), port=port) as url:
            barrier = threading.Barrier(len(QUERIES))
            first: dict[str, int] = {}

            def ask(query: str) -> None:
                barrier.wait()
                first[query] = httpx.get(f"{url}/sparql", params={"query": query}, timeout=60).status_code

            threads = [threading.Thread(target=ask, args=(q,)) for q in QUERIES]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=90)
            assert set(first.values()) == {200}, first
            again = {q: httpx.get(f"{url}/sparql", params={"query": q}, timeout=60).status_code for q in QUERIES}
            assert set(again.values()) == {200}, again
    finally:
        services.close()
