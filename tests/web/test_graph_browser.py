"""In a real browser: the Graph tab walks the graph, an article page highlights the cited sentence, and a hostile
article's markup shows as text and runs nothing."""

from __future__ import annotations

import re

from tests.web.test_linked_data import HostileSite, hostile_site  # noqa: F401 (a fixture)

CENTRE = "#kgqa-graph-picture svg.kgqa-graph"


def _centre(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator(CENTRE).get_attribute("data-centre") or ""


def test_graph_tab_draws_and_recentres_on_click(page, live_url: str,  # type: ignore[no-untyped-def]
                                                screenshot) -> None:
    page.goto(live_url + "/", wait_until="domcontentloaded")
    page.get_by_role("tab", name="Graph").click()
    box = page.locator("#kgqa-graph-search input, #kgqa-graph-search textarea").first
    box.wait_for()
    box.fill("Hatami")
    box.press("Enter")
    page.locator(CENTRE).wait_for(timeout=30_000)
    assert _centre(page).endswith("/id/entity/person/amir-hatami")
    assert page.locator(f"{CENTRE} .kgqa-centre text").text_content() == "Amir Hatami"
    assert page.locator(f"{CENTRE} a.kgqa-node").count() >= 3
    labels = page.locator(f"{CENTRE} .kgqa-edge-label").all_text_contents()
    assert "Defense Minister" in labels and "said" in labels
    iran = page.locator(f'{CENTRE} a[data-recentre$="/id/entity/place/iran"]')
    assert iran.get_attribute("href") == "/id/entity/place/iran"  # each node links to its linked-data page

    iran.click()
    page.wait_for_function("sel => (document.querySelector(sel)?.getAttribute('data-centre') || '')"
                           ".endsWith('/id/entity/place/iran')", arg=CENTRE, timeout=30_000)
    assert page.locator(f"{CENTRE} .kgqa-centre text").text_content() == "Iran"
    assert page.locator(f"{CENTRE} a.kgqa-node").count() >= 5
    # Amir Hatami is still a neighbour, one click away, by the post he holds in Iran
    assert page.locator(f'{CENTRE} a[data-recentre$="/id/entity/person/amir-hatami"]').count() == 1
    assert page.locator("#kgqa-graph-entity input, #kgqa-graph-entity textarea").first.input_value().endswith(
        "/id/entity/place/iran")
    assert "Iran" in page.locator("#kgqa-graph-details").inner_text()
    screenshot("graph-tab")
    assert not page.js_errors


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
