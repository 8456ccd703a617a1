"""In a real browser: the interactive graph (Graph tab, and a page under the entity pages' CSP) draws, expands on a
click, opens a page on a double-click and works from the keyboard; an article page highlights the cited sentence;
a hostile article's markup shows as text and runs nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route

from tests.web.test_linked_data import HostileSite, hostile_site  # noqa: F401 (a fixture)
from web import ServerThread, Services
from web._entity_search import find_entities

pytestmark = pytest.mark.browser

#: The linked-data pages' policy: the graph must run with only its own scripts and requests.
PAGE_CSP = ("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:")
TAB_GRAPH = "#kgqa-graph-picture .kgqa-graph"
WAIT_MS = 30_000

# Small functions run in the page against the graph mounted on the element `sel` (kgqa-graph.js keeps it there).
_READY = """sel => { const el = document.querySelector(sel); const g = el && el.kgqaGraph;
  return !!(g && g.cy && g.cy.nodes().length > 1 && !el.hasAttribute('aria-busy')); }"""
_COUNT = "sel => document.querySelector(sel).kgqaGraph.cy.nodes().length"
_NODE_AT = """([sel, label]) => { const cy = document.querySelector(sel).kgqaGraph.cy;
  const n = cy.nodes().filter(x => x.data('label') === label)[0]; if (!n) return null;
  const p = n.renderedPosition(), r = cy.container().getBoundingClientRect();
  return {id: n.id(), x: r.left + p.x, y: r.top + p.y}; }"""
_SELECTED = """sel => { const n = document.querySelector(sel).kgqaGraph.cy.nodes(':selected')[0];
  return n ? {id: n.id(), label: n.data('label'), expandable: n.data('expandable'),
              expanded: n.hasClass('kgqa-expanded')} : null; }"""
_EXPANDED = "([sel, id]) => document.querySelector(sel).kgqaGraph.cy.getElementById(id).hasClass('kgqa-expanded')"


def _console_errors(page) -> list[str]:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def _wait_ready(page, sel: str) -> None:  # type: ignore[no-untyped-def]
    page.locator(f"{sel} canvas").first.wait_for(timeout=WAIT_MS)
    page.wait_for_function(_READY, arg=sel, timeout=WAIT_MS)


def _node(page, sel: str, label: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    found = page.evaluate(_NODE_AT, [sel, label])
    assert found, f"no node {label!r} in the graph"
    return found


def _open_graph_tab(page, live_url: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_url + "/", wait_until="domcontentloaded")
    page.get_by_role("tab", name="Graph").click()
    box = page.locator("#kgqa-graph-search input, #kgqa-graph-search textarea").first
    box.wait_for(timeout=WAIT_MS)
    box.fill(name)
    box.press("Enter")
    _wait_ready(page, TAB_GRAPH)


def _expand_by_click(page, sel: str, label: str) -> None:  # type: ignore[no-untyped-def]
    page.locator(f"{sel} canvas").first.scroll_into_view_if_needed()
    # Cytoscape reads the canvas's place on the page again after the scroll event, a frame later: a reader
    # never clicks sooner than that, a test would.
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    before = page.evaluate(_COUNT, sel)
    node = _node(page, sel, label)
    page.mouse.click(node["x"], node["y"])
    page.wait_for_function(_EXPANDED, arg=[sel, node["id"]], timeout=WAIT_MS)
    page.wait_for_function(f"sel => document.querySelector(sel).kgqaGraph.cy.nodes().length > {before}", arg=sel,
                           timeout=WAIT_MS)


def test_graph_tab_draws_expands_and_opens_pages(page, live_url: str, screenshot) -> None:  # type: ignore[no-untyped-def]
    errors = _console_errors(page)
    _open_graph_tab(page, live_url, "Hatami")
    graph = page.locator(TAB_GRAPH)
    assert (graph.get_attribute("data-iri") or "").endswith("/id/entity/person/amir-hatami")
    assert page.locator(f"{TAB_GRAPH} canvas").count() >= 1
    start = page.evaluate(_COUNT, TAB_GRAPH)
    assert start >= 4
    centre = _node(page, TAB_GRAPH, "Amir Hatami")
    assert centre["id"].endswith("/id/entity/person/amir-hatami")
    legend = page.locator(f"{TAB_GRAPH} .kgqa-graph-legend").inner_text()
    assert "person" in legend and "place" in legend
    listed = page.locator(f"{TAB_GRAPH} .kgqa-graph-list li")
    assert listed.count() == start
    assert page.locator(f'{TAB_GRAPH} .kgqa-graph-list a[href="/id/entity/place/iran"]').count() == 1
    assert "Amir Hatami" in page.locator("#kgqa-graph-details").inner_text()

    _expand_by_click(page, TAB_GRAPH, "Iran")  # a click shows Iran's neighbours, merged into the picture
    assert page.evaluate(_COUNT, TAB_GRAPH) > start
    assert len({n for n in page.evaluate(f"sel => document.querySelector(sel).kgqaGraph.cy.nodes().map(n => n.id())",
                                         TAB_GRAPH)}) == page.evaluate(_COUNT, TAB_GRAPH)  # merged, not duplicated
    screenshot("graph-tab-expanded")

    iran = _node(page, TAB_GRAPH, "Iran")  # expanded already: the double-click's clicks change nothing
    with page.context.expect_page(timeout=WAIT_MS) as opened:
        page.mouse.dblclick(iran["x"], iran["y"])
    entity_page = opened.value
    entity_page.wait_for_load_state("domcontentloaded", timeout=WAIT_MS)
    assert entity_page.url == live_url + "/id/entity/place/iran"
    entity_page.close()
    assert not page.js_errors and not errors, (page.js_errors, errors)


def test_graph_tab_from_the_keyboard(page, live_url: str) -> None:  # type: ignore[no-untyped-def]
    errors = _console_errors(page)
    _open_graph_tab(page, live_url, "Hatami")
    page.locator("#kgqa-graph-search input, #kgqa-graph-search textarea").first.focus()
    for _ in range(15):  # Tab from the search box reaches the graph
        page.keyboard.press("Tab")
        if page.evaluate("sel => document.activeElement === document.querySelector(sel)", TAB_GRAPH):
            break
    else:
        pytest.fail("Tab never focused the graph")
    _walk_and_expand(page, TAB_GRAPH)

    # Another search redraws the tab: the new entity's graph is mounted, the old one is gone.
    box = page.locator("#kgqa-graph-search input, #kgqa-graph-search textarea").first
    box.fill("Iran")
    box.press("Enter")
    page.wait_for_function("sel => (document.querySelector(sel)?.getAttribute('data-iri') || '')"
                           ".endsWith('/id/entity/place/iran')", arg=TAB_GRAPH, timeout=WAIT_MS)
    _wait_ready(page, TAB_GRAPH)
    assert page.locator(".kgqa-graph").count() == 1 and page.locator(f"{TAB_GRAPH} canvas").count() >= 1
    assert _node(page, TAB_GRAPH, "Iran")["id"].endswith("/id/entity/place/iran")
    assert "Iran" in page.locator("#kgqa-graph-details").inner_text()
    assert not page.js_errors and not errors, (page.js_errors, errors)


def _walk_and_expand(page, sel: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Arrow keys select nodes, Enter expands the selected one; returns the node expanded."""
    page.keyboard.press("ArrowRight")  # nothing selected yet: the centre is
    first = page.evaluate(_SELECTED, sel)
    assert first and first["expanded"], first  # the centre, whose neighbours are drawn
    assert first["label"] in page.locator(f"{sel} .kgqa-graph-status").inner_text()
    seen = {first["id"]}
    chosen = None
    for key in ["ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp"] * 6:
        page.keyboard.press(key)
        now = page.evaluate(_SELECTED, sel)
        assert now is not None
        seen.add(now["id"])
        if now["expandable"] and not now["expanded"]:
            chosen = now
            break
    assert len(seen) >= 2, "the arrow keys never moved the selection"
    assert chosen, "the arrow keys reached no node to expand"
    page.keyboard.press("Enter")
    page.wait_for_function(_EXPANDED, arg=[sel, chosen["id"]], timeout=WAIT_MS)
    page.keyboard.press("Home")
    assert page.evaluate(_SELECTED, sel)["id"] == first["id"]
    return chosen


# --- the graph on a page of its own, under the entity pages' Content-Security-Policy -----------------------------


@pytest.fixture(scope="module")
def csp_site(app, services: Services) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """The real app on its own loopback port, plus one test-only page carrying the graph under ``PAGE_CSP``.

    The page also holds an inline script: that it is refused proves the policy is in force.
    """
    hatami = find_entities(services.graph, "Amir Hatami")[0].iri

    async def graph_page(request: Request) -> HTMLResponse:
        return HTMLResponse(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Amir Hatami: graph under CSP</title>
<link rel="stylesheet" href="/static/kgqa-graph.css">
<script src="/static/cytoscape.min.js" defer></script>
<script src="/static/kgqa-graph.js" defer></script></head>
<body><main><h1>Amir Hatami</h1>
<div class="kgqa-graph" data-iri="{hatami}" data-src="/graph/neighbourhood.json" tabindex="0"
     aria-label="Neighbourhood of Amir Hatami"></div>
<script>window.__inline = 1;</script>
</main></body></html>""", headers={"Content-Security-Policy": PAGE_CSP})

    site = Starlette(routes=[Route("/csp/graph", graph_page), Mount("/", app=app)])
    with ServerThread(site, trusted_proxies=()) as url:
        yield url, hatami


_VIOLATIONS = """window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective));"""


def test_graph_under_the_page_csp_draws_expands_and_navigates(page, csp_site: tuple[str, str],  # type: ignore[no-untyped-def]
                                                              screenshot) -> None:
    url, hatami = csp_site
    errors = _console_errors(page)
    page.add_init_script(_VIOLATIONS)
    page.goto(url + "/csp/graph", wait_until="domcontentloaded")
    sel = ".kgqa-graph"
    _wait_ready(page, sel)
    assert page.evaluate("() => typeof window.__inline") == "undefined"  # the inline script was refused ...
    assert page.evaluate("() => window.__violations") == ["script-src-elem"]  # ... and nothing else was
    assert page.evaluate(_COUNT, sel) >= 4
    _expand_by_click(page, sel, "Iran")
    screenshot("graph-csp-expanded")
    assert page.evaluate("() => window.__violations") == ["script-src-elem"]
    # Only the inline script is reported; the graph itself logged nothing.
    assert [e for e in errors if "inline script" not in e] == [] and not page.js_errors, (errors, page.js_errors)

    iran = _node(page, sel, "Iran")
    with page.expect_navigation(timeout=WAIT_MS):
        page.mouse.dblclick(iran["x"], iran["y"])
    assert page.url == url + "/id/entity/place/iran"
    assert "Iran" in page.locator("h1").first.inner_text()


def test_graph_under_the_page_csp_from_the_keyboard(page, csp_site: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    url, _ = csp_site
    errors = _console_errors(page)
    page.goto(url + "/csp/graph", wait_until="domcontentloaded")
    sel = ".kgqa-graph"
    _wait_ready(page, sel)
    page.keyboard.press("Tab")  # the graph is the page's first stop
    assert page.evaluate("sel => document.activeElement === document.querySelector(sel)", sel)
    _walk_and_expand(page, sel)  # ends with Home: the centre selected again
    with page.expect_navigation(timeout=WAIT_MS):  # Shift+Enter opens the selected node's page, in this tab
        page.keyboard.press("Shift+Enter")
    assert page.url == url + "/id/entity/person/amir-hatami"
    assert [e for e in errors if "inline script" not in e] == [] and not page.js_errors, (errors, page.js_errors)


def test_the_entity_page_draws_its_graph_under_its_own_csp(page, live_url: str, screenshot) -> None:  # type: ignore[no-untyped-def]
    """The linked-data entity page carries the graph element and the three files: the graph draws and expands there."""
    errors = _console_errors(page)
    response = page.goto(live_url + "/id/entity/person/amir-hatami", wait_until="domcontentloaded")
    assert response is not None and "script-src 'self'" in (response.headers.get("content-security-policy") or "")
    sel = ".kgqa-graph"
    _wait_ready(page, sel)
    assert page.evaluate(_COUNT, sel) >= 4
    _expand_by_click(page, sel, "Iran")
    screenshot("graph-entity-page")
    assert not errors and not page.js_errors, (errors, page.js_errors)


# --- linked-data pages -------------------------------------------------------------------------------------------


def test_sentence_iri_opens_its_article_highlighted(page, live_url: str,  # type: ignore[no-untyped-def]
                                                   services) -> None:
    quoted = next(s for s in services.graph.sentences() if "world war against Syria" in s.text)
    iri = quoted.iri
    assert iri.startswith(live_url + "/id/article/")
    page.goto(iri, wait_until="domcontentloaded")
    target = page.locator(f'[id="char={quoted.start},{quoted.end}"]')
    target.wait_for()
    assert "world war against Syria" in target.inner_text()
    assert target.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 243, 163)"
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < 900, "scrolled into view"
    other = page.locator("span.s").first
    assert other.evaluate("e => getComputedStyle(e).backgroundColor") != "rgb(255, 243, 163)"
    assert not page.js_errors


def test_hostile_article_shows_its_markup_as_text_and_runs_nothing(page, hostile_site: HostileSite,  # noqa: F811
                                                                   screenshot) -> None:  # type: ignore[no-untyped-def]
    page.goto(hostile_site.url + hostile_site.article_path, wait_until="domcontentloaded")
    text = page.locator("main .text")
    text.wait_for()
    shown = text.inner_text()
    assert "<script>window.__pwned=1</script>" in shown
    assert '<img src=x onerror="window.__pwned=1">' in shown
    assert '<a href="javascript:window.__pwned=1">click</a>' in shown
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert page.locator("script").count() == 0
    assert page.locator("main img").count() == 0
    assert page.locator('a[href^="javascript:" i]').count() == 0
    # clicking the words that would have been a link changes nothing either
    page.get_by_text(re.compile(r"click</a>")).first.click()
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    screenshot("linked-data-hostile-article")
    assert not page.js_errors
