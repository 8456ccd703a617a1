"""The entity page at corpus scale: a summary first, the long lists paged, the interactive graph's hook.

Runs on the session app over the seed article (``services``/``client`` from
``tests/web/conftest.py``). Paging is checked with a page size of 3, set on
the module the route reads it from, so the seed's ten reader-comment
quotations of Thomas J Irwin span four pages.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

import web._entity_page as entity_module
from kg import sparql_literal
from web import Services
from web._entity_page import MAX_PAGES

SCHEMA = "http://schema.org/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
PROV = "http://www.w3.org/ns/prov#"


def _entity_path(services: Services, label: str) -> str:
    rows = services.graph.select(
        f"SELECT ?e WHERE {{ GRAPH ?g {{ ?e <{RDFS}label> {sparql_literal(label)} ; a ?t }} "
        f"FILTER(STRSTARTS(STR(?e), {sparql_literal(services.settings.base_iri + 'entity/')})) }} LIMIT 1")
    assert rows, label
    return "/id/" + rows[0][0][1][len(services.settings.base_iri):]  # type: ignore[index]


def _error(response, status: int, kind: str | None = None) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["status"] == status and error["message"]
    if kind:
        assert error["type"] == kind, error
    return error["message"]


def test_page_one_opens_with_a_summary_then_the_graph_and_its_fallback_list(client: TestClient,
                                                                             services: Services) -> None:
    r = client.get(_entity_path(services, "Amir Hatami"))
    assert r.status_code == 200
    page = r.text
    summary = page.split('<section class="summary"', 1)[1].split("</section>", 1)[0]
    assert "<h2>Posts held</h2>" in summary and "Defense Minister" in summary
    assert "<h2>Most-quoted statements</h2>" in summary and "world war against Syria" in summary
    assert "<h2>Mentioned most in</h2>" in summary and "Iran-Syria" in summary
    meta = page.split('<dl class="meta">', 1)[1].split("</dl>", 1)[0]
    assert "<dt>kind</dt><dd>person</dd>" in meta
    assert re.search(r"<dt>in the articles</dt><dd>\d+ statements? · \d+ other facts? · 1 article</dd>", meta)
    # the summary comes before the lists it summarises
    assert page.index('<section class="summary"') < page.index("<h2>Statements and quotations")
    # the interactive graph's hook, with the server-drawn list as what a reader without scripts sees
    iri = services.settings.base_iri + "entity/person/amir-hatami"
    assert (f'<div class="kgqa-graph" data-iri="{iri}" data-src="/graph/neighbourhood.json" tabindex="0" '
            'aria-label="Neighbourhood of Amir Hatami"></div>') in page
    assert '<link rel="stylesheet" href="/static/kgqa-graph.css">' in page
    related = page.split('<ul class="related">', 1)[1].split("</ul>", 1)[0]
    assert ">Iran</a>" in related
    assert "<svg" not in page
    assert 'class="pager"' not in page  # one page: no pager


def test_the_graph_scripts_are_allowed_and_nothing_else(client: TestClient, services: Services) -> None:
    r = client.get(_entity_path(services, "Amir Hatami"))
    policy = dict(part.strip().split(" ", 1) for part in r.headers["content-security-policy"].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'" and policy["connect-src"] == "'self'"
    assert "'self'" in policy["style-src"]  # the graph's stylesheet
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", r.text, flags=re.DOTALL)
    assert len(scripts) == 2 and scripts == ["", ""]  # both from files, no inline code
    assert re.findall(r'<script src="([^"]+)" defer>', r.text) == ["/static/cytoscape.min.js",
                                                                     "/static/kgqa-graph.js"]


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "", "٣", str(MAX_PAGES + 1), "9" * 40])
def test_a_page_number_that_is_no_page_number_is_a_400(client: TestClient, services: Services, page: str) -> None:
    message = _error(client.get(_entity_path(services, "Amir Hatami"), params={"page": page}), 400, "WebError")
    assert f"1 to {MAX_PAGES}" in message


def test_a_page_past_the_last_is_a_404_in_the_error_shape(client: TestClient, services: Services) -> None:
    path = _entity_path(services, "Amir Hatami")
    r = client.get(path, params={"page": 2}, headers={"Accept": "text/html"})
    assert r.headers["content-type"].startswith("application/json")  # the one error shape, even for a browser
    assert "this entity's page has 1 page" in _error(r, 404, "PageOutOfRange")
    # the RDF forms are one description, not paged: a page number is checked, then has nothing to choose
    assert client.get(path, params={"page": 2}, headers={"Accept": "text/turtle"}).status_code == 200
    _error(client.get(path, params={"page": "x"}, headers={"Accept": "text/turtle"}), 400, "WebError")
    article = client.get(path).text.split('href="/id/article/', 1)[1].split('"', 1)[0].split("#", 1)[0]
    _error(client.get(f"/id/article/{article}", params={"page": 2}), 404, "NotFound")
    assert client.get(f"/id/article/{article}", params={"page": 1}).status_code == 200


def _statement_sentences(page: str) -> list[str]:
    """The sentence links of the paged statements list on one page."""
    section = page.split("<h2>Statements and quotations", 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="(/id/article/[^"]+#char=\d+,\d+)">open the sentence', section)


def test_paging_walks_every_statement_once_with_next_and_previous_links(
        client: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entity_module, "PAGE_SIZE", 3)
    path = _entity_path(services, "Thomas J Irwin")
    iri = services.settings.base_iri + path[len("/id/"):]
    rows = services.graph.select(f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?q <{SCHEMA}creator> <{iri}> ; "
                                 f"a <{SCHEMA}Quotation> ; <{PROV}wasDerivedFrom> ?s }} }}")
    expected = {"/id/" + row[0][1][len(services.settings.base_iri):] for row in rows}  # type: ignore[index]
    assert len(expected) > 6, "the seed's commenter should need several pages"
    pages = -(-len(expected) // 3)

    seen: list[str] = []
    number = 1
    while True:
        r = client.get(path, params={"page": number})
        assert r.status_code == 200, r.text
        page = r.text
        assert f"<span>page {number} of {pages}</span>" in page
        assert ('<section class="summary"' in page) == (number == 1)  # the summary is page 1's
        assert "<h1>Thomas J Irwin</h1>" in page  # every page says whose it is
        on_page = _statement_sentences(page)
        assert 1 <= len(on_page) <= 3
        seen += on_page
        if number > 1:
            assert f'href="{path}?page={number - 1}" rel="prev"' in page
        else:
            assert 'rel="prev"' not in page
        nxt = re.search(rf'href="{re.escape(path)}\?page=(\d+)" rel="next"', page)
        if number == pages:
            assert nxt is None
            break
        assert nxt and int(nxt.group(1)) == number + 1
        number += 1
    assert number == pages
    assert len(seen) == len(set(seen)) and set(seen) == expected  # every statement once, none twice
    _error(client.get(path, params={"page": pages + 1}), 404, "PageOutOfRange")


def test_the_most_quoted_statements_are_ranked_by_articles(client: TestClient, services: Services) -> None:
    page = client.get(_entity_path(services, "Thomas J Irwin")).text
    top = page.split("<h2>Most-quoted statements</h2>", 1)[1].split("</ul>", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", top, flags=re.DOTALL)
    assert 1 <= len(items) <= 5  # a summary, not the list
    assert all("in 1 article<" in unescape(i) for i in items)  # one article in the seed library
    # his comments are whole sentences, shown once in the paged list, labelled as a reader's comment
    assert "comment by Thomas J Irwin" in page.split("<h2>Statements and quotations", 1)[1]


def test_in_chromium_the_page_keeps_its_csp_and_pages_by_its_links(  # type: ignore[no-untyped-def]
        page, live_url: str, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real browser loads the page, its stylesheet and scripts without one CSP violation, and the pager works."""
    monkeypatch.setattr(entity_module, "PAGE_SIZE", 3)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    path = _entity_path(services, "Thomas J Irwin")
    page.goto(live_url + path, wait_until="domcontentloaded")
    page.wait_for_load_state("load", timeout=20_000)  # the deferred scripts have run (or been refused) by now
    assert page.locator("h1").inner_text() == "Thomas J Irwin"
    assert page.locator("section.summary h2").first.is_visible()
    assert page.locator(".kgqa-graph").get_attribute("data-src") == "/graph/neighbourhood.json"
    page.locator('nav.pager a[rel="next"]').first.click()
    page.wait_for_url(f"{live_url}{path}?page=2", timeout=20_000)
    assert page.locator("nav.pager span").first.inner_text() == "page 2 of 4"
    assert page.locator("section.summary").count() == 0
    assert refused == [], refused
