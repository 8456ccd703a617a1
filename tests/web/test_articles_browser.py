"""The Articles tab and the chat in a real browser: upload an article, ask about it; hostile text stays text."""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.web.conftest import ADMIN_TOKEN
from tests.web.test_chat_browser import ask


def _open_tab(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("tab", name=name).click()


def test_upload_an_article_then_ask_about_it(page, live_url: str, tmp_path: Path, screenshot) -> None:  # type: ignore[no-untyped-def]
    tag = uuid.uuid4().hex[:6]
    path = tmp_path / f"lighthouse-{tag}.txt"
    path.write_text(f"Lighthouse reopens in Carrow{tag}\n\nThe keeper of the Carrow{tag} lighthouse is Maeve Tolland. "
                    "The lighthouse reopened on June 1, 2024, after repairs.\n")
    page.goto(live_url + "/", wait_until="domcontentloaded")
    _open_tab(page, "Articles")
    page.locator("#kgqa-articles").wait_for()
    page.locator("#kgqa-admin-token input").fill(ADMIN_TOKEN)  # writes need the admin token (KGQA_WRITES=admin)
    page.locator("#kgqa-upload input[type=file]").set_input_files(str(path))
    page.locator("#kgqa-upload-button").click()
    report = page.locator("#kgqa-upload-report li").first
    report.wait_for(timeout=60_000)
    assert f"lighthouse-{tag}" in report.inner_text() and "Stored" in report.inner_text()
    page.locator("#kgqa-articles").get_by_text(f"Lighthouse reopens in Carrow{tag}").first.wait_for()
    screenshot("articles-tab")

    _open_tab(page, "Chat")
    ask(page, f"Who is the keeper of the Carrow{tag} lighthouse?")
    page.locator("#kgqa-chat .kgqa-citation").first.wait_for(timeout=60_000)
    assert "Maeve Tolland" in page.locator("#kgqa-chat .kgqa-answer").last.inner_text()


def test_an_upload_with_errors_says_so_per_file(page, live_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "blank.txt"
    empty.write_text("   \n")
    page.goto(live_url + "/", wait_until="domcontentloaded")
    _open_tab(page, "Articles")
    page.locator("#kgqa-admin-token input").fill(ADMIN_TOKEN)
    page.locator("#kgqa-upload input[type=file]").set_input_files(str(empty))
    page.locator("#kgqa-upload-button").click()
    error = page.locator("#kgqa-upload-report li.kgqa-error").first
    error.wait_for(timeout=60_000)
    assert "blank.txt" in error.inner_text() and "whitespace" in error.inner_text()


HOSTILE = ('The ferry captain of Oskarvik{tag} is Ilse Marrow. She wrote <script>window.__pwned=1</script> and '
           '<img src=x onerror="window.__pwned=1"> and <a href="javascript:window.__pwned=1">click here</a> '
           'in her log.')


def test_hostile_article_text_is_shown_as_text_in_chat_and_citations(page, live_url: str, services) -> None:  # type: ignore[no-untyped-def]
    tag = uuid.uuid4().hex[:6]
    result = services.add_text(HOSTILE.format(tag=tag), f"Ferry log {tag}", token=ADMIN_TOKEN)
    assert result.articles, result.errors
    page.goto(live_url + "/", wait_until="domcontentloaded")
    ask(page, f"Who is the ferry captain of Oskarvik{tag}?")
    citations = page.locator("#kgqa-chat .kgqa-citation")
    citations.first.wait_for(timeout=60_000)
    text = page.locator("#kgqa-chat").inner_text()
    assert "Ilse Marrow" in page.locator("#kgqa-chat .kgqa-answer").last.inner_text()
    assert "<script>window.__pwned=1</script>" in text
    assert '<img src=x onerror="window.__pwned=1">' in text
    assert page.evaluate("typeof window.__pwned") == "undefined"
    chat = page.locator("#kgqa-chat")
    assert chat.locator("script").count() == 0 and chat.locator("img[src=x]").count() == 0
    assert chat.locator("a[href^='javascript']").count() == 0
    assert not page.js_errors


def test_without_the_token_an_upload_is_refused_and_nothing_is_stored(page, live_url: str, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                      services) -> None:
    tag = uuid.uuid4().hex[:6]
    path = tmp_path / f"tokenless-{tag}.txt"
    path.write_text(f"Tokenless news {tag}\n\nThe mayor of Quarrow{tag} is Tam Ellery.\n")
    before = services.graph.article_hashes()
    page.goto(live_url + "/", wait_until="domcontentloaded")
    _open_tab(page, "Articles")
    page.locator("#kgqa-admin-token").wait_for()  # the tab asks for the token, as KGQA_WRITES=admin says
    page.locator("#kgqa-upload input[type=file]").set_input_files(str(path))
    page.locator("#kgqa-upload-button").click()
    page.get_by_text("needs the admin token").first.wait_for(timeout=30_000)
    assert services.graph.article_hashes() == before
