"""The graph's IRIs dereferenced (HTML, Turtle, JSON-LD, N-Triples), and the neighbourhood the entity page lists.

Seed-article tests use the shared session app (read-only). The hostile
article lives in its own library in a temp folder (``hostile_site``), so no
other test sees it; the browser test in ``test_graph_browser.py`` reuses it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg import Settings, sparql_literal
from tests.conftest import ENCODER_CACHE, free_port
from web import ServerThread, Services, create_app
from web._linked_data import negotiate
from web._neighbourhood import find_entities, is_safe_iri, neighbourhood

SCHEMA = "http://schema.org/"

HOSTILE_TITLE = "Garden club notes 7f3c"
HOSTILE_TEXT = (
    "The garden club met on Tuesday. <script>window.__pwned=1</script> The tomato harvest was large. "
    '<img src=x onerror="window.__pwned=1"> Members may read <a href="javascript:window.__pwned=1">click</a> '
    "for the minutes.\n\nNobody mentioned the weather."
)


def _one(services: Services, sparql: str) -> str:
    rows = services.graph.select(sparql)
    assert rows, sparql
    return rows[0][0][1]  # type: ignore[index]


def _entity(services: Services, label: str) -> str:
    return _one(services, f"SELECT ?e WHERE {{ GRAPH ?g {{ ?e <{RDFS}label> {sparql_literal(label)} ; a ?t }} "
                          f"FILTER(STRSTARTS(STR(?e), {sparql_literal(services.settings.base_iri + 'entity/')})) }}")


def _path(iri: str, services: Services) -> str:
    base = services.settings.base_iri
    return "/id/" + iri[len(base):]


@pytest.fixture(scope="module")
def hatami(services: Services) -> str:
    return _entity(services, "Amir Hatami")


@pytest.fixture(scope="module")
def seed_article(services: Services) -> str:
    return _one(services, f"SELECT ?a WHERE {{ GRAPH ?a {{ ?a a <{SCHEMA}NewsArticle> ; <{SCHEMA}headline> ?h }} "
                          "FILTER(CONTAINS(?h, \"Iran-Syria\")) }")


HOSTILE_RECORD = {
    "title": "Harbour notes <b>9d2e</b>", "url": "javascript:window.__pwned=1", "source": "<i>Harbour</i> Post",
    "author": "Ann <script>x</script> Lee", "published_at": "2020-05-01T10:00:00Z",
    "body": "The harbour opened on Monday. Boats came in early.",
}


@dataclass
class HostileSite:
    """A separate library holding only hostile articles, served by the real app on its own loopback port."""

    services: Services
    url: str
    article_path: str  # markup in the text
    record_path: str  # markup in the metadata, a javascript: URL


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileSite]:
    port = free_port()
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("hostile")) / "built",
                        base_iri=f"http://127.0.0.1:{port}/id/", port=port, query_timeout=5.0, writes="open",
                        encoder_cache=ENCODER_CACHE)
    services = Services(settings, ingest_shipped=False)
    try:
        result = services.add_text(HOSTILE_TEXT, title=HOSTILE_TITLE)
        assert result.ok and len(result.articles) == 1, result
        record = services.add_file("harbour.json", json.dumps(HOSTILE_RECORD).encode())
        assert record.ok and len(record.articles) == 1, record
        with ServerThread(create_app(services), port=port) as url:
            yield HostileSite(services, url, f"/id/article/{result.articles[0]}", f"/id/article/{record.articles[0]}")
    finally:
        services.close()


# --- content negotiation ---------------------------------------------------------------------


@pytest.mark.parametrize("accept, expected", [
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
    ("*/*", "html"),
    ("text/turtle", "turtle"),
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "jsonld"),
    ("application/n-triples", "nt"),
    ("text/*", "html"),
    ("image/png", None),
    ("text/turtle;q=0", None),
])
def test_negotiate(accept: str, expected: str | None) -> None:
    assert negotiate(accept) == expected


# --- entity pages ------------------------------------------------------------------------------

#: The only script tags a linked-data page may hold: the app's own graph files, loaded from /static.
GRAPH_SCRIPTS = ('<script src="/static/cytoscape.min.js" defer></script>',
                 '<script src="/static/kgqa-graph.js" defer></script>')


def _assert_only_the_graph_scripts(page: str) -> None:
    """No script but the interactive graph's two files: no inline script, nothing an article could inject."""
    tags = re.findall(r"<script\b[^>]*>.*?</script>", page, flags=re.IGNORECASE | re.DOTALL)
    assert tags == list(GRAPH_SCRIPTS), tags
    assert page.lower().count("<script") == 2


def test_entity_html_shows_label_type_post_and_statement_with_its_sentence(client, services, hatami) -> None:
    r = client.get(_path(hatami, services), headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "<h1>Amir Hatami</h1>" in page
    assert "schema:Person" in page
    assert "Brigadier General" in page  # rank
    assert "Defense Minister" in page and ">Iran</a>" in page  # the post and its country
    assert "world war against Syria" in page  # a statement attributed to him
    sentence = _one(services, f"SELECT ?s WHERE {{ GRAPH ?g {{ ?q <{SCHEMA}creator> <{hatami}> ; "
                              f"<{SCHEMA}text> ?t ; <http://www.w3.org/ns/prov#wasDerivedFrom> ?s "
                              'FILTER(CONTAINS(?t, "world war")) } }')
    assert re.search(r"#char=\d+,\d+$", sentence)
    assert f'href="{_path(sentence, services)}"' in page  # ... linked to its sentence in the article
    assert "Articles mentioning Amir Hatami" in page
    assert 'rel="alternate" type="text/turtle"' in page
    _assert_only_the_graph_scripts(page)
    policy = r.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self';" in policy and "connect-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]  # no inline script allowed


def test_entity_turtle_parses_and_describes_it(client, services, hatami) -> None:
    r = client.get(_path(hatami, services), headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert "Accept" in r.headers["vary"]
    g = Graph().parse(data=r.text, format="turtle")
    me = URIRef(hatami)
    assert (me, RDFS.label, Literal("Amir Hatami")) in g
    assert (me, RDF.type, URIRef(f"{SCHEMA}Person")) in g
    assert list(g.objects(me, URIRef("http://www.w3.org/ns/org#holds")))
    assert list(g.subjects(URIRef(f"{SCHEMA}creator"), me)), "his quotations point at him"


def test_entity_jsonld_and_ntriples_parse(client, services, hatami) -> None:
    r = client.get(_path(hatami, services), headers={"Accept": "application/ld+json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    g = Graph().parse(data=r.text, format="json-ld")
    assert (URIRef(hatami), RDFS.label, Literal("Amir Hatami")) in g
    r = client.get(_path(hatami, services) + "?format=nt")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/n-triples")
    assert (URIRef(hatami), RDFS.label, Literal("Amir Hatami")) in Graph().parse(data=r.text, format="nt")
    link = r.headers["link"]
    assert 'rel="alternate"' in link and "format=turtle" in link and "format=jsonld" in link


def test_head_and_unacceptable_and_unknown_format(client, services, hatami) -> None:
    assert client.head(_path(hatami, services)).status_code == 200
    r = client.get(_path(hatami, services), headers={"Accept": "image/png"})
    assert r.status_code == 406 and r.json()["error"]["status"] == 406
    r = client.get(_path(hatami, services) + "?format=rdfxml")
    assert r.status_code == 400 and r.json()["error"]["type"] == "WebError"


def test_entity_page_says_which_words_were_taken_for_it_and_why(client, services) -> None:
    page = client.get(_path(_entity(services, "Abolghassem Alinejad"), services)).text
    names = page.split("<h2>Names resolved to it</h2>", 1)[1].split("</ul>", 1)[0]
    assert "“Alinejad”" in names and "same-article" in names and "1 article<" in names
    assert "“Abolghassem Alinejad”" not in names  # his own label needs no reason


def test_post_page_links_holder_and_country(client, services) -> None:
    post = _entity(services, "Defense Minister of Iran")
    page = client.get(_path(post, services)).text
    assert "held by" in page and "Amir Hatami</a>" in page
    assert "post in" in page and ">Iran</a>" in page


# --- article pages -----------------------------------------------------------------------------


def test_article_page_marks_every_sentence_and_highlights_the_target(client, services, seed_article) -> None:
    r = client.get(_path(seed_article, services))
    assert r.status_code == 200
    page = r.text
    article_id = seed_article.rsplit("/", 1)[-1]
    sentences = services.graph.sentences([article_id])
    assert sentences
    for s in sentences:
        assert f'id="char={s.start},{s.end}"' in page, s.text
    assert re.search(r"\.s:target\{[^}]*background", page)
    assert "Official Iran-Syria military agreement" in page
    assert "Amir Toumaj" in page  # the author
    # the reader's comment is labelled as such, apart from the article's body
    assert re.search(r'<section class="comment"[^>]*><p class="comment-label">comment by Thomas J Irwin</p>', page)
    assert "Entities mentioned" in page and "Amir Hatami</a>" in page


def test_article_turtle_has_its_sentences(client, services, seed_article) -> None:
    r = client.get(_path(seed_article, services), headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.text, format="turtle")
    nif = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
    assert (URIRef(seed_article), RDF.type, URIRef(f"{SCHEMA}NewsArticle")) in g
    assert len(set(g.subjects(RDF.type, URIRef(f"{nif}Sentence")))) == len(
        services.graph.sentences([seed_article.rsplit("/", 1)[-1]]))


# --- not found and hostile paths ---------------------------------------------------------------


def test_unknown_iri_is_a_404_in_the_error_shape(client) -> None:
    r = client.get("/id/entity/person/nobody-at-all", headers={"Accept": "application/json"})
    assert r.status_code == 404
    assert r.json()["error"]["status"] == 404 and r.json()["error"]["type"] == "NotFound"
    r = client.get("/id/entity/person/nobody-at-all", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "Not found" in r.text


@pytest.mark.parametrize("path", [
    "/id/entity/person/x%3E%20%7D%20UNION%20%7B%20%3Fs%20%3Fp%20%3Fo",
    '/id/entity/person/x"> } DROP ALL #',
    "/id/entity/<script>alert(1)</script>",
    "/id/article/%00%0A",
    "/id/entity/" + "a" * 3000,
])
def test_hostile_paths_are_refused_not_crashes(client, path: str) -> None:
    r = client.get(path, headers={"Accept": "application/json"})
    assert r.status_code in (400, 404), r.text
    assert r.json()["error"]["status"] == r.status_code
    html_page = client.get(path, headers={"Accept": "text/html"}).text
    assert "<script>alert(1)</script>" not in html_page


def test_hostile_article_text_is_escaped(hostile_site: HostileSite) -> None:
    with TestClient(create_app(hostile_site.services), base_url=hostile_site.url) as c:
        page = c.get(hostile_site.article_path).text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert 'href="javascript:' not in page.lower()


def test_hostile_metadata_is_escaped_and_a_javascript_url_is_no_link(hostile_site: HostileSite) -> None:
    with TestClient(create_app(hostile_site.services), base_url=hostile_site.url) as c:
        page = c.get(hostile_site.record_path).text
        entity_pages = [c.get(p).text for p in re.findall(r'href="(/id/entity/[^"#]+)"', page)]
    assert "Harbour notes &lt;b&gt;9d2e&lt;/b&gt;" in page
    assert "javascript:window.__pwned=1" not in page  # not an http(s) URL: never stored ...
    assert 'href="javascript:' not in page.lower()  # ... and never a link
    assert "<script" not in page.lower() and "<b>" not in page and "<i>" not in page
    assert entity_pages
    for entity_page_html in entity_pages:
        _assert_only_the_graph_scripts(entity_page_html)


# --- the neighbourhood -----------------------------------------------------------------------


def test_neighbourhood_of_hatami(services, hatami) -> None:
    hood = neighbourhood(services.graph, hatami)
    assert hood is not None and hood.centre.label == "Amir Hatami"
    labels = {n.label: n for n in hood.nodes}
    assert "Iran" in labels
    assert any(e.label == "Defense Minister" and e.target == labels["Iran"].iri for e in hood.edges)
    quotes = [n for n in hood.nodes if n.kind == "quote"]
    assert quotes and all(re.search(r"#char=\d+,\d+$", q.link or "") for q in quotes)
    assert neighbourhood(services.graph, hatami + "> } #") is None


def test_find_entities(services, hatami) -> None:
    assert find_entities(services.graph, "Hatami")[0].iri == hatami
    assert find_entities(services.graph, "IRGC")[0].label == "Islamic Revolutionary Guard Corps"
    assert find_entities(services.graph, '") } DROP ALL ; #') == []
    assert find_entities(services.graph, "   ") == []


def test_is_safe_iri() -> None:
    base = "http://127.0.0.1:1/id/"
    assert is_safe_iri(base + "entity/person/a-b", base)
    for bad in (base + "a b", base + "a>", base + 'a"', base + "a{", base + "a\\", "http://other/id/x"):
        assert not is_safe_iri(bad, base)


def test_entity_search_sees_an_article_stored_after_it_was_first_asked(hostile_site: HostileSite) -> None:
    graph = hostile_site.services.graph
    assert find_entities(graph, "Quillon") == []
    stored = hostile_site.services.add_text("Dr. Bertram Quillon spoke in Oslo on Monday about the harbour.",
                                            title="Harbour talk 5b1a")
    assert stored.ok, stored
    found = find_entities(graph, "Quillon")
    assert found and found[0].label == "Bertram Quillon" and found[0].kind == "person"
