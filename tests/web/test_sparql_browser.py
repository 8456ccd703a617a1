"""The SPARQL tab in a real browser: run the prefilled example, read the table, download it as CSV, pick another
example, see where a syntax error is, and follow a result IRI's link (while markup in the data stays text).
"""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path

from kg import Settings
from web import Services
from web._links import local_path
from web.ui.sparql_tab import QUERYING, UI_ROWS, cell_html, example_queries

EXAMPLES = example_queries()
FIRST = next(iter(EXAMPLES))
ALIASES = "Aliases of an entity"


def open_tab(page, live_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_url + "/", wait_until="domcontentloaded")
    page.get_by_role("tab", name="SPARQL").click()
    page.locator("#kgqa-sparql-editor .cm-content").wait_for()


def run(page) -> str:  # type: ignore[no-untyped-def]
    """Click Run and wait for this run's message (the previous one is replaced); returns its text."""
    outcome = "#kgqa-sparql-message :is(.kgqa-sparql-summary, .kgqa-error)"
    before = page.locator(outcome).all_inner_texts()
    page.locator("#kgqa-sparql-run").click()
    page.wait_for_function(
        "([sel, old]) => { const m = document.querySelector(sel); return m && m.innerText.trim() !== old.trim(); }",
        arg=[outcome, before[0] if before else ""], timeout=30_000)
    return page.locator(outcome).inner_text()


def cells(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.strip() for c in page.locator("#kgqa-sparql-results [role=gridcell]").all_inner_texts()]


def test_sparql_tab_runs_examples_and_downloads_csv(page, live_url: str, screenshot,  # type: ignore[no-untyped-def]
                                                    services: Services) -> None:
    expected = services.graph.query(EXAMPLES[FIRST])
    assert len(expected.rows) >= 5
    open_tab(page, live_url)
    assert "org:holds" in page.locator("#kgqa-sparql-editor .cm-content").inner_text()  # prefilled with the first

    summary = run(page)
    assert f"{len(expected.rows)} rows" in summary and "cut at the row limit" not in summary
    grid = page.locator("#kgqa-sparql-results [role=grid]")
    assert grid.get_attribute("aria-rowcount") == str(len(expected.rows) + 1)  # header row + result rows
    headers = [h.strip() for h in page.locator("#kgqa-sparql-results thead th").all_inner_texts()]
    assert headers[: len(expected.variables)] == expected.variables
    shown = cells(page)
    assert "Amir Hatami" in shown and "defence minister" in shown  # the canonical title
    screenshot("sparql-tab")

    with page.expect_download(timeout=30_000) as download:
        page.locator("#kgqa-sparql-csv").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0] == expected.variables
    assert len(rows) == len(expected.rows) + 1
    assert ["Amir Hatami", "defence minister", "Iran", "Brigadier General"] in rows

    page.locator("#kgqa-sparql-examples input").click()
    page.get_by_role("option", name=ALIASES).click()
    page.wait_for_function("() => document.querySelector('#kgqa-sparql-editor .cm-content')"
                           ".innerText.includes('skos:altLabel')", timeout=15_000)
    run(page)
    aliases = cells(page)
    assert {"IRGC", "Guard Corps"} <= set(aliases)
    assert "Amir Hatami" not in aliases
    assert not page.js_errors


def test_sparql_tab_flags_the_row_cap_and_shows_where_a_syntax_error_is(  # type: ignore[no-untyped-def]
        page, live_url: str, screenshot, services: Services) -> None:
    open_tab(page, live_url)
    editor = page.locator("#kgqa-sparql-editor .cm-content")
    # First a query over the row cap: it is flagged, and the table holds only the first UI_ROWS rows.
    side = int(services.settings.row_limit ** 0.5) + 1
    values = " ".join(str(i) for i in range(side))
    editor.fill(f"SELECT ?x ?y WHERE {{ VALUES ?x {{ {values} }} VALUES ?y {{ {values} }} }}")
    summary = run(page)
    assert f"cut at the row limit of {services.settings.row_limit:,}" in summary
    assert f"the table shows the first {UI_ROWS:,}" in summary
    grid = page.locator("#kgqa-sparql-results [role=grid]")
    assert grid.get_attribute("aria-rowcount") == str(UI_ROWS + 1)
    page.locator("#kgqa-sparql-csv").wait_for(state="visible", timeout=10_000)
    screenshot("sparql-row-cap")

    # Then a syntax error: its position is shown, and the table and downloads of the last query go.
    editor.fill("SELECT ?s WHERE {\n  ?s schema:name \n}")
    message = run(page)
    assert "Syntax error at line 3, column" in message
    assert page.locator("#kgqa-sparql-message .kgqa-error").count() == 1
    page.locator("#kgqa-sparql-csv").wait_for(state="hidden", timeout=10_000)  # nothing to download now
    page.locator("#kgqa-sparql-results").wait_for(state="hidden", timeout=10_000)
    screenshot("sparql-syntax-error")

    editor.fill("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert "SERVICE is not allowed" in run(page)
    assert not page.js_errors


#: A literal that would run script if a cell were HTML from the data.
HOSTILE = "<script>window.__kgqaPwned = 1</script><img src=x onerror=\"window.__kgqaPwned = 2\"> & done"


def test_result_iris_are_links_and_no_markup_from_the_data_runs(  # type: ignore[no-untyped-def]
        page, live_url: str, screenshot, services: Services) -> None:
    hatami = services.graph.query('SELECT ?p WHERE { ?p rdfs:label "Amir Hatami" } LIMIT 1').rows[0][0]
    assert hatami is not None and hatami[1].startswith(services.settings.base_iri)
    own = local_path(hatami[1], services.settings)
    literal = HOSTILE.replace("\\", "\\\\").replace('"', '\\"')
    query = (f'SELECT ?x WHERE {{ VALUES ?x {{ <{hatami[1]}> <https://example.org/elsewhere> '
             f'<javascript:alert(1)> "{literal}" }} }}')
    open_tab(page, live_url)
    page.locator("#kgqa-sparql-editor .cm-content").fill(query)
    assert "4 rows" in run(page)
    links = page.locator("#kgqa-sparql-results a.kgqa-iri")
    assert links.count() == 2
    assert links.nth(0).get_attribute("href") == own and own.startswith("/id/")
    assert links.nth(0).inner_text() == hatami[1]  # the cell still reads as the IRI
    assert links.nth(1).get_attribute("href") == "https://example.org/elsewhere"
    assert set((links.nth(1).get_attribute("rel") or "").split()) == {"noopener", "nofollow"}
    results = page.locator("#kgqa-sparql-results")
    assert results.locator("a[href^='javascript']").count() == 0
    assert results.locator("script, img").count() == 0
    shown = cells(page)
    assert "javascript:alert(1)" in shown and HOSTILE in shown  # shown as text, whole
    assert page.evaluate("() => window.__kgqaPwned") is None
    screenshot("sparql-iri-links")

    with page.context.expect_page(timeout=30_000) as opened:
        links.nth(0).click()
    entity = opened.value
    entity.wait_for_load_state("domcontentloaded")
    assert entity.url == live_url + own
    assert "Amir Hatami" in entity.locator("h1").first.inner_text()
    entity.close()
    assert not page.js_errors


def test_cells_are_escaped_and_only_web_iris_link() -> None:
    settings = Settings()
    assert cell_html(None, settings) == ""
    escaped = cell_html(("literal", HOSTILE, None, None), settings)
    assert html.unescape(escaped) == HOSTILE and "<" not in escaped and '"' not in escaped
    quoted = cell_html(("uri", 'https://example.org/a"onmouseover="alert(1)', None, None), settings)
    assert 'href="https://example.org/a&#34;onmouseover=&#34;alert(1)"' in quoted
    for scheme in ("javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd",
                   "urn:isbn:1"):
        assert "<a" not in cell_html(("uri", scheme, None, None), settings)
    own = cell_html(("uri", settings.base_iri + "entity/place/iran", None, None), settings)
    assert 'href="/id/entity/place/iran"' in own and "nofollow" not in own


def test_examples_come_from_the_docs_page_and_fall_back_without_it(tmp_path: Path) -> None:
    assert QUERYING.name == "querying.md" and QUERYING.parent.name == "docs"
    assert ALIASES in EXAMPLES and "skos:altLabel" in EXAMPLES[ALIASES]
    assert all(q.strip() for q in EXAMPLES.values())
    assert list(example_queries(tmp_path / "missing.md")) == ["Classes and how many of each"]
    page = tmp_path / "q.md"
    page.write_text("# Querying\n\n### One\n\nText.\n\n```sparql\nSELECT 1 {}\n```\n\n## Other\n\n```sparql\nASK {}\n```\n",
                    encoding="utf-8")
    assert example_queries(page) == {"One": "SELECT 1 {}\n"}
