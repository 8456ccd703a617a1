"""``/sparql``: the SPARQL 1.1 Protocol in-process (formats, forms, errors, limits, origins), then real clients
(SPARQLWrapper, rdflib's SPARQLStore) over HTTP, then admin-only updates on a library of their own.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import time
from collections.abc import Iterator

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib import Namespace
from rdflib.namespace import RDF, RDFS

from kg import Settings
from kg.query_guard import MAX_QUERY_CHARS
from tests.conftest import ENCODER_CACHE, SEED, free_port
from web import ServerThread, Services, create_app
from web._sparql import MAX_BODY_BYTES, TRUNCATED_HEADER

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SCHEMA = Namespace("http://schema.org/")

PEOPLE = "SELECT DISTINCT ?name WHERE { ?p a schema:Person ; rdfs:label ?name } ORDER BY ?name"
LABELS = "CONSTRUCT { ?p rdfs:label ?name } WHERE { ?p a schema:Person ; rdfs:label ?name }"
HATAMI = "ASK { ?p rdfs:label \"Amir Hatami\" ; org:holds ?post }"


def _error(response, status: int, kind: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == status and error["message"]
    if kind:
        assert error["type"] == kind
    return error


@pytest.fixture(scope="module")
def people(services: Services) -> list[str]:
    """The names the PEOPLE query must return, straight from the graph (not through HTTP)."""
    names = services.graph.query(PEOPLE).values("name")
    assert "Amir Hatami" in names and len(names) >= 5
    return names


# --- queries and formats ----------------------------------------------------------------------------------

def test_select_defaults_to_sparql_json(client: TestClient, people: list[str]) -> None:
    r = client.get("/sparql", params={"query": PEOPLE})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/sparql-results+json"
    assert r.headers[TRUNCATED_HEADER] == "false"
    data = r.json()
    assert data["head"]["vars"] == ["name"]
    assert [b["name"]["value"] for b in data["results"]["bindings"]] == people
    assert all(b["name"]["type"] == "literal" for b in data["results"]["bindings"])


@pytest.mark.parametrize("accept, media", [
    ("application/json", "application/json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.2, application/sparql-results+xml;q=0.8, */*;q=0.1", "application/sparql-results+xml"),
    ("application/sparql-results+json;q=0.3, text/tab-separated-values", "text/tab-separated-values"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/xml"),  # a browser
])
def test_select_in_every_format(client: TestClient, people: list[str], accept: str, media: str) -> None:
    r = client.get("/sparql", params={"query": PEOPLE}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    if media.endswith("json"):
        names = [b["name"]["value"] for b in r.json()["results"]["bindings"]]
    elif media.endswith("xml"):
        result = rdflib.query.Result.parse(io.BytesIO(r.content), format="xml")
        names = [str(row[0]) for row in result]
    elif media == "text/csv":
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0] == ["name"]
        names = [row[0] for row in rows[1:]]
    else:
        lines = r.text.splitlines()
        assert lines[0] == "?name"
        names = [json.loads(line) for line in lines[1:]]  # N-Triples literals, here plain strings
    assert names == people


def test_ask_as_json_and_xml(client: TestClient) -> None:
    assert client.get("/sparql", params={"query": HATAMI}).json()["boolean"] is True
    no = client.get("/sparql", params={"query": 'ASK { ?p rdfs:label "Nobody Atall" }'}).json()
    assert no["boolean"] is False
    r = client.get("/sparql", params={"query": HATAMI}, headers={"Accept": "application/sparql-results+xml"})
    assert rdflib.query.Result.parse(io.BytesIO(r.content), format="xml").askAnswer is True


@pytest.mark.parametrize("accept, media, rdflib_format", [
    (None, "text/turtle", "turtle"),
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
])
def test_construct_in_every_rdf_format(client: TestClient, people: list[str], accept: str | None, media: str,
                                       rdflib_format: str) -> None:
    headers = {"Accept": accept} if accept else {}
    r = client.get("/sparql", params={"query": LABELS}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    graph = rdflib.Graph().parse(data=r.text, format=rdflib_format)
    assert sorted(set(str(o) for o in graph.objects(None, RDFS.label))) == sorted(people)
    assert all(str(s).startswith("http://127.0.0.1:") for s in graph.subjects())
    if media == "text/turtle":
        assert "@prefix rdfs:" in r.text  # kgqa's prefixes are bound, so the Turtle is readable


def test_post_forms(client: TestClient, people: list[str]) -> None:
    form = client.post("/sparql", data={"query": PEOPLE}, headers={"Accept": "text/csv"})
    assert form.status_code == 200 and form.text.splitlines()[1:] == people
    direct = client.post("/sparql", content=PEOPLE.encode(),
                         headers={"Content-Type": "application/sparql-query; charset=UTF-8"})
    assert [b["name"]["value"] for b in direct.json()["results"]["bindings"]] == people
    construct = client.post("/sparql", content=LABELS, headers={"Content-Type": "application/sparql-query",
                                                                "Accept": "application/n-triples"})
    assert len(rdflib.Graph().parse(data=construct.text, format="nt")) >= len(people)


def test_not_acceptable_is_406_with_the_error_shape(client: TestClient) -> None:
    error = _error(client.get("/sparql", params={"query": PEOPLE}, headers={"Accept": "image/png"}), 406,
                   "NotAcceptable")
    assert "text/csv" in error["message"]
    _error(client.get("/sparql", params={"query": LABELS}, headers={"Accept": "text/csv"}), 406)
    _error(client.get("/sparql", params={"query": PEOPLE}, headers={"Accept": "application/json;q=0"}), 406)


# --- refusals and errors ------------------------------------------------------------------------------------

def test_syntax_error_is_400_with_line_and_column(client: TestClient) -> None:
    error = _error(client.get("/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p \n}"}), 400, "QuerySyntaxError")
    assert error["line"] == 3 and error["column"] in (1, 2)  # at the "}" where a triple's object should be
    assert f"line 3, column {error['column']}" in error["message"]
    undeclared = _error(client.post("/sparql", data={"query": "SELECT * { ?s foo:bar ?o }"}), 400)
    assert (undeclared["line"], undeclared["column"]) == (1, 15)


def test_service_is_refused_before_anything_runs(client: TestClient) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    error = _error(client.get("/sparql", params={"query": query}), 403, "ForbiddenQuery")
    assert "SERVICE" in error["message"]
    _error(client.get("/sparql", params={"query": "SELECT * FROM <http://example.org/g> { ?s ?p ?o }"}), 403,
           "ForbiddenQuery")


def test_updates_are_refused_without_the_admin_token(client: TestClient, services: Services) -> None:
    assert services.settings.writes == "admin"
    before = services.graph.stats()["triples"]
    insert = "INSERT DATA { GRAPH <http://127.0.0.1:1/id/x> { <http://127.0.0.1:1/s> rdfs:label 'x' } }"
    missing = client.post("/sparql", content=insert, headers={"Content-Type": "application/sparql-update"})
    _error(missing, 401, "Unauthorized")
    assert missing.headers["www-authenticate"].startswith("Bearer")
    _error(client.post("/sparql", data={"update": insert}, headers={"Authorization": "Bearer guess"}), 403,
           "Forbidden")
    _error(client.post("/sparql", data={"query": insert}), 403, "ForbiddenQuery")  # an update sent as a query
    _error(client.get("/sparql", params={"update": insert}), 400)  # updates only by POST
    assert services.graph.stats()["triples"] == before


def test_bad_requests(client: TestClient) -> None:
    _error(client.post("/sparql", content=PEOPLE, headers={"Content-Type": "text/plain"}), 415)
    _error(client.post("/sparql", data={"query": PEOPLE, "update": "CLEAR ALL"}), 400)
    _error(client.post("/sparql", data={"nothing": "here"}), 400)
    _error(client.get("/sparql", params={"query": PEOPLE, "default-graph-uri": "http://example.org/g"}), 400)
    _error(client.get("/sparql", params={"query": ""}), 400, "QuerySyntaxError")
    _error(client.post("/sparql", content=b"SELECT \xff", headers={"Content-Type": "application/sparql-query"}), 400)


def test_oversized_queries_and_bodies_are_413(client: TestClient) -> None:
    long_query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * MAX_QUERY_CHARS
    _error(client.post("/sparql", content=long_query, headers={"Content-Type": "application/sparql-query"}), 413,
           "PayloadTooLarge")
    _error(client.post("/sparql", content=b"#" * (MAX_BODY_BYTES + 1),
                       headers={"Content-Type": "application/sparql-query"}), 413)


def test_row_cap_is_announced(client: TestClient, services: Services) -> None:
    limit = services.settings.row_limit
    side = int(limit ** 0.5) + 1  # side * side rows: just over the cap, whatever the data
    values = " ".join(str(i) for i in range(side))
    query = f"SELECT ?x ?y WHERE {{ VALUES ?x {{ {values} }} VALUES ?y {{ {values} }} }}"
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 200
    assert r.headers[TRUNCATED_HEADER] == "true"
    assert r.headers["x-kgqa-row-limit"] == str(limit)
    assert len(r.json()["results"]["bindings"]) == limit and r.json()["truncated"] is True
    small = client.get("/sparql", params={"query": f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} }}"})
    assert small.headers[TRUNCATED_HEADER] == "false" and len(small.json()["results"]["bindings"]) == side


def test_deadline_is_504(client: TestClient, services: Services) -> None:
    # Three unrelated triple patterns: billions of combinations on the seed, far past the deadline.
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    error = _error(client.get("/sparql", params={"query": query}), 504, "QueryTimeout")
    assert services.settings.query_timeout <= time.monotonic() - started < services.settings.query_timeout + 10
    assert "deadline" in error["message"]
    assert client.get("/sparql", params={"query": HATAMI}).json()["boolean"] is True  # and the next query answers


# --- the service description ---------------------------------------------------------------------------------

def test_service_description(client: TestClient) -> None:
    r = client.get("/sparql")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=r.text, format="turtle")
    service = next(graph.subjects(RDF.type, SD.Service))
    assert str(graph.value(service, SD.endpoint)) == str(client.base_url) + "/sparql"
    # the session's app has an admin token, so updates are possible (with it)
    assert set(graph.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query, SD.SPARQL11Update}
    assert SD.UnionDefaultGraph in set(graph.objects(service, SD.feature))
    formats = {str(f).rsplit("/", 1)[1] for f in graph.objects(service, SD.resultFormat)}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
            "JSON-LD", "N-Triples"} <= formats
    as_jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert as_jsonld.headers["content-type"].startswith("application/ld+json")
    assert rdflib.Graph().parse(data=as_jsonld.text, format="json-ld").isomorphic(graph)
    as_nt = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert rdflib.Graph().parse(data=as_nt.text, format="nt").isomorphic(graph)


def test_service_description_page_for_browsers(client: TestClient) -> None:
    r = client.get("/sparql", params={"x": "<script>"},
                   headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert '<a href="/">' in r.text and "SPARQL" in r.text
    assert "<script>" not in r.text  # the URL shown is escaped and carries no query string
    assert "frame-ancestors" in r.headers["content-security-policy"]


# --- origins ------------------------------------------------------------------------------------------------

def test_allowed_origin_gets_cors_and_others_are_refused(  # type: ignore[no-untyped-def]
        client: TestClient, allowed_host, other_host) -> None:
    ok = client.get("/sparql", params={"query": HATAMI}, headers={"Origin": allowed_host.origin})
    assert ok.status_code == 200 and ok.json()["boolean"] is True
    assert ok.headers["access-control-allow-origin"] == allowed_host.origin
    assert TRUNCATED_HEADER in ok.headers["access-control-expose-headers"]
    preflight = client.options("/sparql", headers={"Origin": allowed_host.origin,
                                                   "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == allowed_host.origin
    refused = client.post("/sparql", data={"query": HATAMI}, headers={"Origin": other_host.origin})
    _error(refused, 403, "ForbiddenOrigin")
    assert "access-control-allow-origin" not in refused.headers


# --- real clients over HTTP ---------------------------------------------------------------------------------

def test_sparqlwrapper_select_ask_construct(live_url: str, people: list[str]) -> None:
    from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper

    endpoint = SPARQLWrapper(live_url + "/sparql")
    endpoint.setTimeout(30)
    endpoint.setQuery(PEOPLE)
    endpoint.setReturnFormat(JSON)
    rows = endpoint.query().convert()["results"]["bindings"]
    assert [row["name"]["value"] for row in rows] == people

    endpoint.setQuery(PEOPLE)
    endpoint.setReturnFormat(XML)
    endpoint.setMethod("POST")
    document = endpoint.query().convert()  # an xml.dom document of SPARQL XML results
    assert [n.firstChild.data for n in document.getElementsByTagName("literal")] == people

    endpoint.setMethod("GET")
    endpoint.setQuery(HATAMI)
    endpoint.setReturnFormat(JSON)
    assert endpoint.query().convert()["boolean"] is True

    endpoint.setQuery(LABELS)
    endpoint.setReturnFormat(TURTLE)
    turtle = endpoint.query().convert()
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    assert sorted(set(str(o) for o in graph.objects(None, RDFS.label))) == sorted(people)


def test_rdflib_sparqlstore(live_url: str, people: list[str]) -> None:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    # rdflib declares its own prefixes on top of every query (its schema: is https://schema.org/), so full IRIs.
    people_query = f"SELECT DISTINCT ?name WHERE {{ ?p a <{SCHEMA.Person}> ; <{RDFS.label}> ?name }} ORDER BY ?name"
    labels_query = f"CONSTRUCT {{ ?p <{RDFS.label}> ?n }} WHERE {{ ?p a <{SCHEMA.Person}> ; <{RDFS.label}> ?n }}"
    store = SPARQLStore(live_url + "/sparql", returnFormat="json")
    graph = rdflib.Graph(store=store)
    assert [str(row[0]) for row in graph.query(people_query)] == people
    assert graph.query(HATAMI).askAnswer is True
    xml_store = rdflib.Graph(store=SPARQLStore(live_url + "/sparql"))  # rdflib's default: XML results, RDF/XML graphs
    assert [str(row[0]) for row in xml_store.query(people_query)] == people
    constructed = xml_store.query(labels_query).graph
    assert sorted(set(str(o) for o in constructed.objects(None, RDFS.label))) == sorted(people)
    store.close()


# --- updates with the admin token, on a library of their own --------------------------------------------------

@pytest.fixture(scope="module")
def admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, TestClient, str, str]]:
    """Services with an admin token on their own copy of the seed (the session's library stays untouched)."""
    port = free_port()
    token = secrets.token_urlsafe(24)
    settings = Settings(data_dir=tmp_path_factory.mktemp("admin") / "built", base_iri=f"http://127.0.0.1:{port}/id/",
                        port=port, admin_token=token, query_timeout=5.0, encoder_cache=ENCODER_CACHE)
    services = Services(settings, ingest_shipped=False)
    try:
        services.library.ingest([SEED])
        app = create_app(services)
        with TestClient(app, base_url=f"http://127.0.0.1:{port}") as client, ServerThread(app, port=port) as url:
            yield services, client, token, url
    finally:
        services.close()


def _names_in(client: TestClient, graph: str) -> list[str]:
    query = f"SELECT ?name WHERE {{ GRAPH <{graph}> {{ ?s rdfs:label ?name }} }} ORDER BY ?name"
    return [b["name"]["value"] for b in client.get("/sparql", params={"query": query}).json()["results"]["bindings"]]


def test_admin_update_needs_the_right_token(admin) -> None:  # type: ignore[no-untyped-def]
    services, client, token, _ = admin
    graph = services.settings.base_iri + "curated"
    insert = f"INSERT DATA {{ GRAPH <{graph}> {{ <{graph}#a> rdfs:label \"Curated A\" }} }}"
    sd = rdflib.Graph().parse(data=client.get("/sparql").text, format="turtle")
    assert SD.SPARQL11Update in set(sd.objects(None, SD.supportedLanguage))

    missing = client.post("/sparql", content=insert, headers={"Content-Type": "application/sparql-update"})
    _error(missing, 401, "Unauthorized")
    assert missing.headers["www-authenticate"].startswith("Bearer")
    _error(client.post("/sparql", data={"update": insert}, headers={"Authorization": f"Bearer {token}x"}), 403)
    _error(client.post("/sparql", data={"update": insert}, headers={"Authorization": f"Basic {token}"}), 401)
    assert _names_in(client, graph) == []

    ok = client.post("/sparql", content=insert, headers={"Content-Type": "application/sparql-update",
                                                         "Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.json()["updated"] is True, ok.text
    assert _names_in(client, graph) == ["Curated A"]
    assert client.get("/sparql", params={"query": 'ASK { ?s rdfs:label "Curated A" }'}).json()["boolean"] is True

    # Even the admin gets no SERVICE and no LOAD; a bad update says where it is wrong.
    auth = {"Authorization": f"Bearer {token}"}
    _error(client.post("/sparql", data={"update": f"LOAD <file:///etc/passwd> INTO GRAPH <{graph}>"}, headers=auth),
           403, "ForbiddenQuery")
    bad = _error(client.post("/sparql", data={"update": "INSERT DATA {\n  <http://a> <http://b> }"}, headers=auth),
                 400, "QuerySyntaxError")
    assert bad["line"] == 2
    assert _names_in(client, graph) == ["Curated A"]


def test_admin_update_keeps_the_passage_index_in_step(admin) -> None:  # type: ignore[no-untyped-def]
    services, client, token, _ = admin
    auth = {"Authorization": f"Bearer {token}"}
    generation = services.library.generation
    assert all("Zorblaxian" not in c.sentence for c in services.search("Zorblaxian envoys", k=5))
    rewrite = """DELETE { GRAPH ?g { ?s nif:anchorOf ?text } } INSERT { GRAPH ?g { ?s nif:anchorOf ?new } }
                 WHERE { GRAPH ?g { ?s a nif:Sentence ; nif:anchorOf ?text FILTER(STRSTARTS(?text, "He specified")) }
                         BIND(CONCAT("Zorblaxian envoys specified", SUBSTR(?text, 13)) AS ?new) }"""
    r = client.post("/sparql", data={"update": rewrite}, headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["articles"] == [services.graph.articles()[0].id]  # GRAPH ?g: every article re-read
    assert services.library.generation > generation
    top = services.search("Zorblaxian envoys", k=1)
    assert top and top[0].sentence.startswith("Zorblaxian envoys specified")

    article = services.graph.articles()[0]
    dropped = client.post("/sparql", data={"update": f"DROP GRAPH <{article.iri}>"}, headers=auth)
    assert dropped.status_code == 200 and dropped.json()["articles"] == [article.id]
    assert services.graph.article_hashes() == {}
    assert len(services.library.index) == 0  # graph and passage index agree: the article is gone from both


def test_sparqlwrapper_update_with_the_token(admin) -> None:  # type: ignore[no-untyped-def]
    from SPARQLWrapper import POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import Unauthorized

    services, client, token, url = admin
    graph = services.settings.base_iri + "wrapped"
    endpoint = SPARQLWrapper(url + "/sparql", updateEndpoint=url + "/sparql")
    endpoint.setTimeout(30)
    endpoint.setMethod(POST)
    endpoint.addCustomHttpHeader("Authorization", f"Bearer {token}")
    endpoint.setQuery(f"INSERT DATA {{ GRAPH <{graph}> {{ <{graph}#b> rdfs:label \"Wrapped B\" }} }}")
    endpoint.query()
    assert _names_in(client, graph) == ["Wrapped B"]

    anonymous = SPARQLWrapper(url + "/sparql", updateEndpoint=url + "/sparql")
    anonymous.setMethod(POST)
    anonymous.setQuery(f"DROP GRAPH <{graph}>")
    with pytest.raises(Unauthorized):
        anonymous.query()
    assert _names_in(client, graph) == ["Wrapped B"]


# --- the update path under the endpoint, on both store kinds ------------------------------------------------

def test_graph_update_on_embedded_and_remote_stores(graph) -> None:  # type: ignore[no-untyped-def]
    """``KnowledgeGraph.update`` (what an admin's POST runs) on Oxigraph embedded and on ``oxigraph serve``."""
    from kg import ForbiddenQuery, QuerySyntaxError

    target = graph.settings.base_iri + "curated"
    report = graph.update(f"INSERT DATA {{ GRAPH <{target}> {{ <{target}#a> rdfs:label \"Curated\" ; "
                          f"schema:name \"C\" }} }}")
    assert report.articles == ()  # not an article graph: the passage index has nothing to re-read
    assert graph.query(f"SELECT ?l WHERE {{ <{target}#a> rdfs:label ?l }}").values("l") == ["Curated"]
    with pytest.raises(ForbiddenQuery):
        graph.update(f"LOAD <http://127.0.0.1:9/data.ttl> INTO GRAPH <{target}>")
    with pytest.raises(ForbiddenQuery):
        graph.update(f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} "
                     "WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    with pytest.raises(QuerySyntaxError) as bad:
        graph.update(f"DELETE DATA {{ GRAPH <{target}> {{\n  <{target}#a> rdfs:label }} }}")
    assert bad.value.lineno == 2
    graph.update(f"DELETE WHERE {{ GRAPH <{target}> {{ <{target}#a> schema:name ?n }} }}")
    assert graph.query(f"ASK {{ <{target}#a> schema:name ?n }}").boolean is False
    assert graph.query(f"ASK {{ <{target}#a> rdfs:label ?n }}").boolean is True
