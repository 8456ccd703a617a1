"""The Chat tab in a real browser: a question, its answer, a citation footnote, and a follow-up."""

from __future__ import annotations

import re



def ask(page, question: str) -> None:  # type: ignore[no-untyped-def]
    box = page.locator("#kgqa-question textarea")
    box.fill(question)
    box.press("Enter")


def test_chat_answers_with_a_cited_sentence(page, live_url: str, screenshot) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_url + "/", wait_until="domcontentloaded")
    page.locator("#kgqa-question textarea").wait_for()
    ask(page, "Who is Iran's Defense Minister?")
    citation = page.locator("#kgqa-chat .kgqa-citation").first
    citation.wait_for(timeout=60_000)
    answer = page.locator("#kgqa-chat .kgqa-answer").last.inner_text()
    assert "Hatami" in answer
    assert "Hatami" in citation.locator("mark").inner_text()
    link = citation.locator("a.kgqa-open")
    assert re.search(r"/id/article/[^#]+#char=\d+,\d+$", link.get_attribute("href") or "")
    screenshot("chat-cited-answer")

    ask(page, "What did he say?")
    page.locator("#kgqa-chat .kgqa-resolved").last.wait_for(timeout=60_000)
    assert "Hatami" in page.locator("#kgqa-chat .kgqa-resolved").last.inner_text()
    assert not page.js_errors


def test_how_this_was_found_opens_the_query_in_the_sparql_tab(page, live_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_url + "/", wait_until="domcontentloaded")
    page.locator("#kgqa-question textarea").wait_for()
    ask(page, "What did Alinejad specify?")
    page.locator("#kgqa-chat .kgqa-citation").first.wait_for(timeout=60_000)
    how = page.locator("#kgqa-chat details.kgqa-how").last
    how.locator("summary").click()
    shown = how.locator("pre").inner_text()
    assert "SELECT" in shown
    page.locator("#kgqa-open-sparql").click()
    editor = page.locator("#kgqa-sparql-editor")
    editor.wait_for()
    page.wait_for_function(
        "(t) => document.querySelector('#kgqa-sparql-editor').innerText.includes(t)", arg=shown.split("\n")[0].strip(),
        timeout=15_000)


def test_an_unanswerable_question_is_answered_plainly(page, live_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_url + "/", wait_until="domcontentloaded")
    page.locator("#kgqa-question textarea").wait_for()
    ask(page, "What is the capital of Australia?")
    page.locator("#kgqa-chat .kgqa-abstained").wait_for(timeout=60_000)
    assert "The articles don't say." in page.locator("#kgqa-chat .kgqa-abstained").inner_text()
    assert page.locator("#kgqa-chat .kgqa-citation").count() == 0
