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


def _chips(page):  # type: ignore[no-untyped-def]
    """The example-question chips, once the page's load event has filled them."""
    chips = page.locator("#kgqa-examples button")
    chips.first.wait_for(timeout=60_000)
    return chips


def test_example_chips_are_the_stores_and_each_is_answered(page, live_url: str, services) -> None:  # type: ignore[no-untyped-def]
    from web.ui.chat import examples_of

    page.goto(live_url + "/", wait_until="domcontentloaded")
    chips = _chips(page)
    shown = [chips.nth(i).inner_text().strip() for i in range(chips.count())]
    expected = examples_of(services).current()  # the store's facts, not fixed strings
    assert len(shown) == len(expected) >= 3
    for chip, question in zip(shown, expected):  # Gradio shortens a long chip's label with "..."
        assert question.startswith(chip.removesuffix("...")), (chip, question)
    chips.first.click()
    box = page.locator("#kgqa-question textarea")
    page.wait_for_function("(q) => document.querySelector('#kgqa-question textarea').value === q", arg=expected[0],
                           timeout=15_000)
    box.press("Enter")
    page.locator("#kgqa-chat .kgqa-citation").first.wait_for(timeout=60_000)
    assert page.locator("#kgqa-chat .kgqa-abstained").count() == 0
    assert not page.js_errors


def test_an_over_long_question_is_explained_as_the_api_explains_it(page, live_url: str, client) -> None:  # type: ignore[no-untyped-def]
    question = "Who is Iran's Defense Minister? " + "and so on " * 250  # 2,532 characters
    api = client.post("/api/ask", json={"question": question})
    assert api.status_code == 400
    message = api.json()["error"]["message"]
    assert "limit is 2000" in message
    page.goto(live_url + "/", wait_until="domcontentloaded")
    page.locator("#kgqa-question textarea").wait_for()
    ask(page, question)
    error = page.locator("#kgqa-chat .kgqa-error").last
    error.wait_for(timeout=60_000)
    assert error.inner_text().strip() == message  # the same words, from the same function
    assert page.locator("#kgqa-chat .kgqa-abstained").count() == 0
