"""The Articles tab at library scale: search, count, pages, an opened article, and a delete that asks first.

The browser tests run on an app of their own (a fresh store of 31 articles on
its own loopback port), so paging has more than one page and a delete touches
no other test's articles.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator

import pytest

from kg import Settings
from tests.conftest import ENCODER_CACHE, SEED, free_port
from web import ServerThread, Services, create_app
from web._templates import PageTemplates
from web.ui.article_view import (PAGE_SIZE, article_html, count_text, list_articles, page_of, read_article,
                                 search)

TOKEN = "articles-tab-token"
SEED_ID = SEED.stem
AUTHOR = "Ada Quill"
MADE = 30  # synthetic articles, beside the seed: 31 in all, two pages


def _records() -> list[dict[str, str]]:
    out = []
    for i in range(MADE):
        out.append({"id": f"harbour-{i:02d}", "title": f"Harbour report {i:02d} from Velmora",
                    "author": AUTHOR if i % 3 == 0 else "Tomas Brenn",
                    "body": f"The harbour master of Velmora{i:02d} is Maeve Tolland{i:02d}. "
                            f"The harbour reopened on June {i % 28 + 1}, 2024, after repairs."})
    return out


@pytest.fixture(scope="module")
def tab_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    folder = tmp_path_factory.mktemp("articles-tab")
    port = free_port()
    settings = Settings(data_dir=folder / "built", encoder_cache=ENCODER_CACHE, base_iri=f"http://127.0.0.1:{port}/id/",
                        port=port, query_timeout=10.0, admin_token=TOKEN)
    source = folder / "harbours.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in _records()), encoding="utf-8")
    s = Services(settings, ingest_shipped=False)
    report = s.library.ingest([SEED, source])
    assert report.stored == MADE + 1 and not report.errors
    yield s
    s.close()


@pytest.fixture(scope="module")
def tab_url(tab_services: Services) -> Iterator[str]:
    with ServerThread(create_app(tab_services), port=tab_services.settings.port) as url:
        yield url


# --- in-process --------------------------------------------------------------------------------------------------

def test_the_listing_has_every_article_with_its_authors(tab_services: Services) -> None:
    listed = list_articles(tab_services)
    assert len(listed) == MADE + 1
    by_id = {x.row.id: x for x in listed}
    assert by_id["harbour-00"].authors == (AUTHOR,) and by_id["harbour-01"].authors == ("Tomas Brenn",)
    assert by_id[SEED_ID].authors == ("Amir Toumaj",)


def test_search_is_a_case_insensitive_substring_of_headline_id_or_author(tab_services: Services) -> None:
    listed = list_articles(tab_services)
    assert len(search(listed, "ada QUILL")) == 10  # author
    assert [x.row.id for x in search(listed, "REPORT 07")] == ["harbour-07"]  # headline
    assert [x.row.id for x in search(listed, "harbour-1")] == [f"harbour-1{i}" for i in range(10)]  # id
    assert [x.row.id for x in search(listed, "symbiotic")] == [SEED_ID]
    assert search(listed, "   ") == listed and search(listed, "no such words") == ()


def test_pages_and_counts(tab_services: Services) -> None:
    listed = list_articles(tab_services)
    first, last = page_of(listed, 1), page_of(listed, 2)
    assert (first.number, first.pages, len(first.items)) == (1, 2, PAGE_SIZE)
    assert len(last.items) == MADE + 1 - PAGE_SIZE
    assert {x.row.id for x in first.items} | {x.row.id for x in last.items} == {x.row.id for x in listed}
    assert page_of(listed, 99).number == 2 and page_of(listed, -3).number == 1
    assert page_of((), 1).pages == 1 and page_of((), 1).items == ()
    assert count_text(31, 31, "") == "31 articles"
    assert count_text(12, 2127, "blair") == "12 of 2,127 match"


def test_an_opened_article_has_its_text_facts_and_sentences(tab_services: Services) -> None:
    detail = read_article(tab_services, SEED_ID)
    assert detail is not None
    assert detail.headline and "symbiotic" in detail.headline and detail.authors == ("Amir Toumaj",)
    assert "Hatami" in detail.text and len(detail.sentences) > 20
    assert any(e.label == "Islamic Revolutionary Guard Corps" for e in detail.entities)
    assert any(p.person == "Amir Hatami" and p.title == "Defense Minister" for p in detail.posts)
    assert any(s.speaker == "Amir Hatami" for s in detail.statements)
    page = article_html(detail, PageTemplates(tab_services.settings))
    assert f'href="/id/article/{SEED_ID}"' in page and "Amir Hatami" in page
    assert read_article(tab_services, "no-such-article") is None
    assert read_article(tab_services, "x> } DROP ALL ; #") is None  # only stored ids reach a query


def test_article_text_is_escaped_in_the_view(tab_services: Services) -> None:
    result = tab_services.add_text("The keeper wrote <script>alert(1)</script> in her log.", "<b>Log</b>",
                                   token=TOKEN)
    try:
        detail = read_article(tab_services, result.articles[0])
        assert detail is not None
        page = article_html(detail, PageTemplates(tab_services.settings))
        assert "<script>" not in page and "&lt;script&gt;" in page and "<b>Log</b>" not in page
    finally:
        tab_services.delete(result.articles[0], token=TOKEN)


def test_a_javascript_url_is_not_linked_and_file_names_are_escaped(tab_services: Services) -> None:
    record = {"id": "jsurl-1", "title": "Pier notes", "url": "javascript:alert(1)",
              "body": "The pier master of Oskarvik is Ilse Marrow."}
    result = tab_services.add_file('<img src=x onerror="alert(1)">.jsonl', json.dumps(record).encode(), token=TOKEN)
    try:
        assert result.articles == ["jsurl-1"], result.errors
        templates = PageTemplates(tab_services.settings)
        detail = read_article(tab_services, "jsurl-1")
        assert detail is not None
        hostile = dataclasses.replace(detail, url="javascript:alert(1)")  # whatever the loader keeps of a URL
        assert "javascript:" not in article_html(hostile, templates)
        linked = dataclasses.replace(detail, url="https://example.org/pier")
        assert 'href="https://example.org/pier"' in article_html(linked, templates)
        report = templates.render("ui_upload_report.html", results=[result])
        assert "<img" not in report and "&lt;img src=x" in report and "<code>jsurl-1</code>" in report
    finally:
        tab_services.delete("jsurl-1", token=TOKEN)


# --- in the browser ----------------------------------------------------------------------------------------------

def _open_articles(page, url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "/", wait_until="domcontentloaded")
    page.get_by_role("tab", name="Articles").click()
    page.locator("#kgqa-article-count .kgqa-article-count").wait_for(timeout=60_000)


def _count(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("#kgqa-article-count").inner_text().strip()


def _wait_text(page, selector: str, pattern: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function("([s, p]) => new RegExp(p).test(document.querySelector(s)?.innerText || '')",
                           arg=[selector, pattern], timeout=30_000)


def _rows(page) -> int:  # type: ignore[no-untyped-def]
    """Rows of the table drawn (Gradio's grid draws the rows in view; the tab is tall enough for a page)."""
    return page.locator("#kgqa-articles [role=row].virtual-row").count()


def _click_first_row(page) -> None:  # type: ignore[no-untyped-def]
    page.locator('#kgqa-articles [data-testid="cell-0-1"]').click()


def test_count_search_and_pages_in_the_browser(page, tab_url: str, screenshot) -> None:  # type: ignore[no-untyped-def]
    _open_articles(page, tab_url)
    _wait_text(page, "#kgqa-article-count", r"^31 articles$")
    _wait_text(page, "#kgqa-articles-page", "page 1 of 2")
    assert _rows(page) == PAGE_SIZE
    page.locator("#kgqa-articles-next").click()
    _wait_text(page, "#kgqa-articles-page", "page 2 of 2")
    page.wait_for_function(
        f"() => document.querySelectorAll('#kgqa-articles [role=row].virtual-row').length === {MADE + 1 - PAGE_SIZE}",
        timeout=30_000)
    assert page.locator("#kgqa-articles-next").is_disabled()
    page.locator("#kgqa-articles-previous").click()
    _wait_text(page, "#kgqa-articles-page", "page 1 of 2")

    page.locator("#kgqa-article-search input").fill("ada quill")
    _wait_text(page, "#kgqa-article-count", r"^10 of 31 match$")
    _wait_text(page, "#kgqa-articles-page", "page 1 of 1")
    assert _rows(page) == 10
    assert page.locator("#kgqa-articles [role=row].virtual-row", has_text=AUTHOR).count() == 10
    screenshot("articles-tab-search")
    page.locator("#kgqa-article-search input").fill("no such words anywhere")
    _wait_text(page, "#kgqa-article-count", r"^0 of 31 match$")
    assert not page.js_errors


def test_open_an_article_in_the_tab(page, tab_url: str, screenshot) -> None:  # type: ignore[no-untyped-def]
    _open_articles(page, tab_url)
    page.locator("#kgqa-article-search input").fill("symbiotic")
    _wait_text(page, "#kgqa-article-count", r"^1 of 31 match$")
    _click_first_row(page)
    view = page.locator("#kgqa-article-view article.kgqa-article")
    view.wait_for(timeout=60_000)
    assert "symbiotic" in view.locator(".kgqa-article-headline").inner_text()
    assert "Amir Toumaj" in view.locator(".kgqa-article-authors").inner_text()
    assert "Amir Hatami" in view.locator(".kgqa-article-posts").inner_text()
    assert "Amir Hatami" in view.locator(".kgqa-article-statements").inner_text()
    assert "Hatami" in view.locator(".kgqa-article-text").inner_text()
    assert re.search(r"\d+ sentences", view.locator(".kgqa-article-sentences summary").inner_text())
    assert view.locator(f'a[href="/id/article/{SEED_ID}"]').count() == 1
    screenshot("articles-tab-open")
    assert not page.js_errors


def test_delete_asks_first_and_cancel_keeps_the_article(page, tab_url: str, tab_services: Services) -> None:  # type: ignore[no-untyped-def]
    target = "harbour-29"
    _open_articles(page, tab_url)
    page.locator("#kgqa-admin-token input").fill(TOKEN)
    page.locator("#kgqa-article-search input").fill(target)
    _wait_text(page, "#kgqa-article-count", r"^1 of \d+ match$")
    _click_first_row(page)
    page.locator("#kgqa-article-view article.kgqa-article").wait_for(timeout=60_000)

    page.locator("#kgqa-delete").click()  # the first click only asks
    prompt = page.locator("#kgqa-delete-prompt")
    _wait_text(page, "#kgqa-delete-prompt", "cannot be undone")
    assert target in prompt.inner_text()
    assert target in tab_services.graph.article_hashes()
    page.locator("#kgqa-delete-cancel").click()
    page.locator("#kgqa-delete-confirm").wait_for(state="hidden", timeout=30_000)
    assert target in tab_services.graph.article_hashes()

    page.locator("#kgqa-delete").click()
    page.locator("#kgqa-delete-confirm").click()  # the second, explicit click deletes
    _wait_text(page, "#kgqa-upload-report", f"Deleted {target}")
    assert target not in tab_services.graph.article_hashes()
    _wait_text(page, "#kgqa-article-count", r"^0 of 30 match$")
    assert page.locator("#kgqa-article-view article").count() == 0
    assert not page.js_errors


def test_delete_without_the_token_is_refused_and_keeps_the_article(page, tab_url: str,  # type: ignore[no-untyped-def]
                                                                   tab_services: Services) -> None:
    target = "harbour-28"
    _open_articles(page, tab_url)
    page.locator("#kgqa-article-search input").fill(target)
    _wait_text(page, "#kgqa-article-count", r"^1 of \d+ match$")
    _click_first_row(page)
    page.locator("#kgqa-article-view article.kgqa-article").wait_for(timeout=60_000)
    page.locator("#kgqa-delete").click()
    page.locator("#kgqa-delete-confirm").click()
    page.get_by_text("needs the admin token").first.wait_for(timeout=30_000)
    assert target in tab_services.graph.article_hashes()


def test_chat_chips_follow_the_store_after_a_delete(page, tab_url: str, tab_services: Services) -> None:  # type: ignore[no-untyped-def]
    """The chips are worked out again when the Chat tab is opened after the store changed (here: a delete)."""
    page.goto(tab_url + "/", wait_until="domcontentloaded")
    chips = page.locator("#kgqa-examples button")
    chips.first.wait_for(timeout=60_000)
    assert page.locator("#kgqa-examples button", has_text="IRGC").count() == 1  # the seed's acronym
    tab_services.delete(SEED_ID, token=TOKEN)
    try:
        page.get_by_role("tab", name="Articles").click()
        page.get_by_role("tab", name="Chat").click()
        page.wait_for_function(
            "() => ![...document.querySelectorAll('#kgqa-examples button')].some(b => b.innerText.includes('IRGC'))",
            timeout=60_000)
        assert not page.js_errors
    finally:
        tab_services.library.ingest([SEED])
