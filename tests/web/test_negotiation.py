"""One content-negotiation helper (``web._negotiation.best_offer``, on python-mimeparse) for every route.

The helper's rules as functions, then the same rules seen through both routes
that use it: the linked-data pages (``/id/...``) and ``/sparql``.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import web._linked_data as linked_data
import web._sparql as sparql
from web import Services
from web._negotiation import MAX_RANGES, best_offer

RESULTS = list(sparql.RESULT_SET_TYPES)
GRAPHS = list(sparql.GRAPH_TYPES)
PEOPLE = "SELECT ?name WHERE { ?p a schema:Person ; rdfs:label ?name }"


@pytest.mark.parametrize("accept, offers, expected", [
    # q-values decide; ties go to the first offer
    ("text/csv;q=0.5, application/sparql-results+xml", RESULTS, "application/sparql-results+xml"),
    ("text/csv, text/tab-separated-values", RESULTS, "text/csv"),
    ("text/tab-separated-values, text/csv", RESULTS, "text/csv"),
    ("application/sparql-results+json;q=0.3, text/tab-separated-values", RESULTS, "text/tab-separated-values"),
    # the most specific range gives an offer its q: q=0 refuses it even under a wildcard
    ("*/*;q=0.1, text/turtle;q=0", GRAPHS, "application/n-triples"),
    ("text/*;q=0.9, text/turtle;q=0.2, */*;q=0.5", GRAPHS, "application/n-triples"),
    ("text/*", ["application/json", "text/csv"], "text/csv"),
    ("*/*", GRAPHS, "text/turtle"),
    ("*", GRAPHS, "text/turtle"),  # Java's URLConnection sends a bare "*"
    # case, spaces and media-type parameters do not stop a match
    ("TEXT/Turtle", GRAPHS, "text/turtle"),
    ("  application/ld+json ; charset=utf-8 ; q=0.8 ", GRAPHS, "application/ld+json"),
    # nothing fits
    ("image/png", GRAPHS, None),
    ("text/turtle;q=0", ["text/turtle"], None),
    ("application/json;q=0", ["application/json"], None),
    # an absent or blank header takes the first offer
    (None, GRAPHS, "text/turtle"),
    ("", RESULTS, "application/sparql-results+json"),
    ("   ", RESULTS, "application/sparql-results+json"),
])
def test_best_offer(accept: str | None, offers: list[str], expected: str | None) -> None:
    assert best_offer(accept, offers) == expected


def test_a_range_that_does_not_parse_is_skipped_not_fatal() -> None:
    assert best_offer("image, a/b/c, ;;;, text/turtle", GRAPHS) == "text/turtle"
    assert best_offer("garbage", GRAPHS) is None
    assert best_offer(",,,", GRAPHS) is None  # ranges there are, none of them a media type
    assert best_offer("text/turtle", []) is None


def test_a_header_is_read_only_up_to_max_ranges() -> None:
    padding = ", ".join(f"x-{i}/y" for i in range(MAX_RANGES))
    assert best_offer(f"{padding}, text/turtle", GRAPHS) is None  # past the bound: never read
    assert best_offer(f"text/turtle, {padding}", GRAPHS) == "text/turtle"
    huge = "text/html;q=0.1, " * 50_000 + "text/turtle"
    assert best_offer(huge, GRAPHS + ["text/html"]) == "text/html"


def test_both_routes_use_the_one_helper() -> None:
    assert sparql.best_offer is best_offer and linked_data.best_offer is best_offer
    for name in ("_accept_ranges", "_quality", "negotiate"):
        assert not hasattr(sparql, name), f"/sparql has its own {name} again"


@pytest.mark.parametrize("accept, fmt", [
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
    ("*/*", "html"),
    ("text/*", "html"),
    ("application/xhtml+xml", "html"),
    ("text/turtle", "turtle"),
    ("application/x-turtle", "turtle"),
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "jsonld"),
    ("application/json", "jsonld"),
    ("application/n-triples", "nt"),
    ("text/plain", "nt"),
    ("*/*;q=0.5, text/html;q=0, application/xhtml+xml;q=0", "turtle"),
    ("image/png", None),
    ("text/turtle;q=0", None),
    (None, "html"),
])
def test_linked_data_formats(accept: str | None, fmt: str | None) -> None:
    assert linked_data.negotiate(accept) == fmt


def _hatami(services: Services) -> str:
    return "/id/" + (services.settings.base_iri + "entity/person/amir-hatami")[len(services.settings.base_iri):]


@pytest.mark.parametrize("accept, linked_type, description_type", [
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json", "application/ld+json"),
    ("*/*;q=0.1, text/turtle;q=0", "text/html", "application/ld+json"),
    ("application/n-triples, text/turtle", "text/turtle", "text/turtle"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html", "text/html"),
])
def test_the_routes_follow_the_same_rules(client: TestClient, services: Services, accept: str, linked_type: str,
                                          description_type: str) -> None:
    """Each route's answer is what ``best_offer`` picks from that route's own offers, in its own order."""
    r = client.get(_hatami(services), headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == linked_type
    r = client.get("/sparql", headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == description_type


@pytest.mark.parametrize("accept", ["image/png", "text/turtle;q=0, */*;q=0", "garbage"])
def test_both_routes_refuse_with_406_in_the_one_error_shape(client: TestClient, services: Services,
                                                            accept: str) -> None:
    for response in (client.get(_hatami(services), headers={"Accept": accept}),
                     client.get("/sparql", params={"query": PEOPLE}, headers={"Accept": accept}),
                     client.get("/sparql", headers={"Accept": accept})):
        assert response.status_code == 406, (accept, response.text)
        error = response.json()["error"]
        assert error["status"] == 406 and error["message"], error
