"""The interactive graph's server side: the neighbourhood as JSON, refused IRIs, and the three static files."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from web import Services
from web._entity_search import find_entities
from web._graph_api import MAX_LIMIT, NEIGHBOURHOOD_PATH, STATIC_FILES
from web.ui.graph_tab import GRAPH_HEAD

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"


@pytest.fixture(scope="module")
def hatami(services: Services) -> str:
    found = find_entities(services.graph, "Amir Hatami")
    assert found and found[0].label == "Amir Hatami"
    return found[0].iri


def _hood(client: TestClient, iri: str, **params: object):  # type: ignore[no-untyped-def]
    return client.get(NEIGHBOURHOOD_PATH, params={"iri": iri, **params})


def _error(response, status: int, kind: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status and body["error"]["type"] == kind, body
    return body["error"]["message"]


def test_neighbourhood_json_of_hatami(client: TestClient, services: Services, hatami: str) -> None:
    r = _hood(client, hatami)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json") and r.headers["cache-control"] == "no-cache"
    body = r.json()
    assert body["centre"] == hatami and body["nodes"][0]["id"] == hatami
    assert body["nodes"][0] == {"id": hatami, "label": "Amir Hatami", "kind": "person",
                                "href": "/id/entity/person/amir-hatami", "expandable": True}
    nodes = {n["label"]: n for n in body["nodes"]}
    iran = nodes["Iran"]
    assert iran["kind"] == "place" and iran["href"] == "/id/entity/place/iran" and iran["expandable"]
    assert {"source": hatami, "target": iran["id"], "label": "Defense Minister", "weak": False} in body["edges"]
    quotes = [n for n in body["nodes"] if n["kind"] == "quote"]
    assert quotes and all(re.fullmatch(r"/id/article/[^#]+#char=\d+,\d+", q["href"]) for q in quotes)
    assert not any(q["expandable"] for q in quotes)
    ids = {n["id"] for n in body["nodes"]}
    assert len(ids) == len(body["nodes"]) and all(e["source"] in ids and e["target"] in ids for e in body["edges"])
    # Every node is one the graph can be asked about next (or a quotation, which opens its sentence).
    base = services.settings.base_iri
    assert all(n["id"].startswith(base) for n in body["nodes"])
    head = client.head(NEIGHBOURHOOD_PATH, params={"iri": hatami})
    assert head.status_code == 200 and head.content == b"" and head.headers["content-type"] == r.headers["content-type"]


def test_limit_is_bounded(client: TestClient, hatami: str) -> None:
    two = _hood(client, hatami, limit=2).json()
    assert len(two["nodes"]) == 3 and two["truncated"] is True
    assert len(_hood(client, hatami, limit=MAX_LIMIT).json()["nodes"]) > 3
    for bad in (0, MAX_LIMIT + 1, -5, "many"):
        assert "limit" in _error(_hood(client, hatami, limit=bad), 422, "ValidationError")


def test_iris_outside_the_store_are_refused(client: TestClient, services: Services, hatami: str) -> None:
    base = services.settings.base_iri
    for foreign in ("http://example.org/id/entity/person/amir-hatami", "file:///etc/passwd", "",
                    hatami + "> } DROP ALL #", base + "entity/person/a b", base + 'entity/"x"'):
        message = _error(_hood(client, foreign), 400, "WebError")
        assert base in message
    assert "graph has no entity" in _error(_hood(client, base + "entity/person/nobody-at-all"), 404, "NotFound")
    assert "iri" in _error(client.get(NEIGHBOURHOOD_PATH), 422, "ValidationError")
    assert "iri" in _error(_hood(client, base + "entity/person/" + "x" * 3000), 422, "ValidationError")


def test_an_expanded_neighbour_links_back(client: TestClient, hatami: str) -> None:
    iran = next(n for n in _hood(client, hatami).json()["nodes"] if n["label"] == "Iran")
    back = _hood(client, iran["id"], limit=MAX_LIMIT).json()
    assert back["centre"] == iran["id"] and hatami in {n["id"] for n in back["nodes"]}
    assert any(e["source"] == hatami and e["target"] == iran["id"] for e in back["edges"])


@pytest.mark.parametrize("path", sorted(STATIC_FILES))
def test_static_files_are_served_with_type_and_cache_headers(client: TestClient, path: str) -> None:
    name, media_type = STATIC_FILES[path]
    r = client.get(path)
    assert r.status_code == 200 and r.content == (STATIC / name).read_bytes()
    assert r.headers["content-type"] == media_type
    etag = r.headers["etag"]
    assert etag and "max-age" in r.headers["cache-control"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    head = client.head(path)
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag
    assert head.headers["content-type"] == media_type


def test_the_vendored_library_is_the_recorded_one() -> None:
    """web/static/THIRD_PARTY.txt (written by scripts/vendor_cytoscape.sh) names the exact file served."""
    note = (STATIC / "THIRD_PARTY.txt").read_text(encoding="utf-8")
    recorded = re.search(r"sha256:\s+([0-9a-f]{64})", note)
    assert recorded and hashlib.sha256((STATIC / "cytoscape.min.js").read_bytes()).hexdigest() == recorded.group(1)
    assert re.search(r"package:\s+cytoscape@\d+\.\d+\.\d+", note) and "licence:  MIT" in note


def test_the_graph_script_needs_nothing_from_elsewhere_and_no_eval() -> None:
    script = (STATIC / "kgqa-graph.js").read_text(encoding="utf-8")
    for forbidden in ("eval(", "new Function", "innerHTML", "insertAdjacentHTML", "document.write", "http://",
                      "https://"):
        assert forbidden not in script, forbidden
    library = (STATIC / "cytoscape.min.js").read_text(encoding="utf-8")
    assert "eval(" not in library and "new Function(" not in library


def test_the_graph_tab_loads_exactly_the_served_files() -> None:
    assert set(re.findall(r'(?:src|href)="([^"]+)"', GRAPH_HEAD)) == set(STATIC_FILES)
    assert GRAPH_HEAD.index("cytoscape.min.js") < GRAPH_HEAD.index("kgqa-graph.js")


@pytest.mark.parametrize("headers, status", [({"Host": "evil.example"}, 400), ({"Origin": "http://evil.example"}, 403)],
                         ids=["foreign host", "foreign origin"])
def test_the_json_is_refused_to_a_foreign_host_or_origin(client: TestClient, hatami: str, headers: dict[str, str],
                                                          status: int) -> None:
    r = client.get(NEIGHBOURHOOD_PATH, params={"iri": hatami}, headers=headers)
    assert r.status_code == status and "Amir Hatami" not in r.text
    assert "access-control-allow-origin" not in r.headers


def test_hostile_parameters_get_clear_errors(client: TestClient, services: Services) -> None:
    _error(_hood(client, services.settings.base_iri + "entity/x\u0000<script>"), 400, "WebError")
    assert _hood(client, services.settings.base_iri + "entity/x", limit="9" * 50).status_code == 422


@pytest.mark.parametrize("path", ["/static/../_app.py", "/static/kgqa-graph.js/../../_app.py", "/static/app.py"])
def test_no_other_file_is_served_from_static(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404
