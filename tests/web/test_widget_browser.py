"""The embed snippet in real pages on other origins: it works where allowed, is refused elsewhere, runs no article code.

Each host page holds exactly the line the Embed tab shows. The pages live on
other loopback ports (``allowed_host`` is in ``KGQA_ALLOWED_ORIGINS``,
``other_host`` is not), so the browser applies its real cross-origin rules.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
import uuid

import pytest
from playwright.sync_api import expect

from tests.web.conftest import ADMIN_TOKEN
from web._widget import snippet

QUESTION = "Who is Iran's Defense Minister?"
ANSWER_TIMEOUT_MS = 60_000

# A host page that would wreck a careless widget: its CSS targets every button, iframe and div.
HOSTILE_CSS = """<style>
* { font-family: "Comic Sans MS", cursive !important; color: #f0f !important; }
button { display: none !important; } iframe { width: 1px !important; height: 1px !important; }
div { border: 5px dashed red !important; }
</style>"""


def _host_page(line: str, extra: str = "") -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>A news site</title>{HOSTILE_CSS}</head>"
            f"<body><h1>Daily Example</h1><p>Some article on the host site.</p>{extra}\n{line}\n</body></html>")


@pytest.fixture(scope="module")
def embed_line(browser, live_url: str) -> str:  # type: ignore[no-untyped-def]
    """The snippet exactly as the Embed tab shows it in the browser (it must match the documented format)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(live_url + "/", wait_until="domcontentloaded")
        page.get_by_role("tab", name="Embed").click()
        box = page.locator("#kgqa-embed-snippet textarea")
        expected = snippet(live_url + "/")
        expect(box).to_have_value(expected, timeout=30_000)  # rebuilt from the browser's own URL on load
        return box.input_value()
    finally:
        context.close()


def _launcher(page):  # type: ignore[no-untyped-def]
    return page.locator("kgqa-widget button.launcher")


def _panel_frame(page):  # type: ignore[no-untyped-def]
    return page.frame_locator("kgqa-widget iframe")


def _open_and_ask(page, question: str):  # type: ignore[no-untyped-def]
    launcher = _launcher(page)
    expect(launcher).to_be_visible()
    launcher.focus()
    page.keyboard.press("Enter")  # a real <button>: the keyboard opens it
    expect(launcher).to_have_attribute("data-state", "ready", timeout=30_000)
    frame = _panel_frame(page)
    box = frame.locator("#kgqa-q")
    expect(box).to_be_focused()  # opening the chat puts the cursor in its question box
    box.fill(question)
    box.press("Enter")
    frame.locator(".turn .a:not([aria-busy])").last.wait_for(timeout=ANSWER_TIMEOUT_MS)
    return frame


def _panel_page_frame(page):  # type: ignore[no-untyped-def]
    return next(f for f in page.frames if "/widget/panel" in f.url)


def test_widget_on_an_allowed_site_answers_with_citations_that_open_the_article(  # type: ignore[no-untyped-def]
        page, live_url: str, allowed_host, embed_line: str, screenshot) -> None:
    url = allowed_host.put("/news.html", _host_page(embed_line))
    page.goto(url, wait_until="domcontentloaded")
    launcher = _launcher(page)
    expect(launcher).to_have_attribute("aria-expanded", "false")
    assert launcher.get_attribute("aria-label") == "Open Ask the news chat"
    # The host page's `button { display: none !important }` does not reach into the widget.
    expect(launcher).to_be_visible()

    frame = _open_and_ask(page, QUESTION)
    expect(launcher).to_have_attribute("aria-expanded", "true")
    answer = frame.locator(".answer").last
    expect(answer).to_contain_text("Hatami")
    citations = frame.locator("ol.citations li.citation")
    assert citations.count() >= 1
    cited = citations.first.locator("mark").inner_text()
    assert "Hatami" in cited
    link = citations.first.locator("a.open")
    href = link.get_attribute("href") or ""
    assert href.startswith(live_url + "/id/article/"), href
    assert link.get_attribute("target") == "_blank"
    screenshot("widget-allowed")

    with page.context.expect_page() as opened:
        link.click()
    article = opened.value
    article.wait_for_load_state("domcontentloaded")
    assert re.fullmatch(re.escape(live_url) + r"/id/article/[^#?]+#char=\d+,\d+", article.url), article.url
    assert article.url == href
    try:
        status = urllib.request.urlopen(href.split("#")[0], timeout=30).status
    except urllib.error.HTTPError as exc:
        status = exc.code
    if status == 200:  # the article page is built elsewhere; where it exists, the cited sentence is its target
        fragment = href.split("#", 1)[1]
        target = article.locator(f'[id="{fragment}"]')
        expect(target).to_contain_text(" ".join(cited.split()[:6]), timeout=15_000)
        assert article.evaluate("document.querySelector(':target') && document.querySelector(':target').id") \
            == fragment
    article.close()

    # A follow-up is understood from the widget's own history; Escape closes and returns focus to the launcher.
    box = frame.locator("#kgqa-q")
    box.fill("What did he say?")
    box.press("Enter")
    frame.locator(".turn .a:not([aria-busy])").nth(1).wait_for(timeout=ANSWER_TIMEOUT_MS)
    expect(frame.locator(".resolved").last).to_contain_text("Hatami")
    box.press("Escape")
    expect(page.locator("kgqa-widget .panel")).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    assert not page.js_errors


def test_widget_on_a_site_not_allowed_gets_no_chat(  # type: ignore[no-untyped-def]
        page, live_url: str, other_host, embed_line: str, screenshot) -> None:
    # Next to the snippet, a bare iframe of the panel: the browser itself must refuse it (frame-ancestors).
    raw = f'<iframe id="raw-panel" title="raw" src="{live_url}/widget/panel"></iframe>'
    url = other_host.put("/news.html", _host_page(embed_line, extra=raw))
    page.goto(url, wait_until="domcontentloaded")
    launcher = _launcher(page)
    expect(launcher).to_have_attribute("data-state", "error", timeout=30_000)
    assert "not available" in (launcher.get_attribute("aria-label") or "")
    launcher.click()
    error = page.locator("kgqa-widget .error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("KGQA_ALLOWED_ORIGINS")
    expect(page.locator("kgqa-widget .error button")).to_be_focused()
    screenshot("widget-refused")

    raw_frame = page.locator("#raw-panel").element_handle().content_frame()
    assert raw_frame is not None
    page.wait_for_timeout(1_000)
    assert raw_frame.evaluate("document.getElementById('kgqa-form')") is None
    assert "/widget/panel" not in raw_frame.url or raw_frame.evaluate("location.origin") != live_url

    # The page cannot call the API directly either: the app answers 403 without CORS, so fetch() fails.
    outcome = page.evaluate("""(api) => fetch(api, {method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({question: "Who is Iran's Defense Minister?"})}).then(r => 'status ' + r.status,
        e => 'blocked')""", live_url + "/api/ask")
    assert outcome == "blocked"


def test_widget_refused_even_when_its_config_check_is_skipped(  # type: ignore[no-untyped-def]
        page, live_url: str, other_host, embed_line: str) -> None:
    """The config answer is only a courtesy: with it blocked, the browser's frame refusal still leaves no chat."""
    page.route("**/widget/config", lambda route: route.abort())
    url = other_host.put("/news-noconfig.html", _host_page(embed_line))
    page.goto(url, wait_until="domcontentloaded")
    launcher = _launcher(page)
    expect(launcher).to_have_attribute("data-state", "idle")
    launcher.click()
    expect(launcher).to_have_attribute("data-state", "error", timeout=30_000)
    expect(page.locator("kgqa-widget .error")).to_be_visible()
    frame = page.locator("kgqa-widget iframe").element_handle().content_frame()
    assert frame is not None and frame.evaluate("document.getElementById('kgqa-q')") is None


def test_article_markup_is_shown_as_text_and_never_runs(  # type: ignore[no-untyped-def]
        page, services, live_url: str, allowed_host, embed_line: str, screenshot) -> None:
    tag = uuid.uuid4().hex[:8]
    script = "<script>window.__pwned=1</script>"
    img = '<img src=x onerror="window.__pwned=1">'
    link = '<a href="javascript:window.__pwned=1">click here</a>'
    text = (f"The harbour master of Zorvath is Elin Quast {script} {img} {link}. "
            "Quast posted a photo of the new pier on Monday.")
    result = services.add_text(text, f'Zorvath harbour <img src=x onerror="window.__pwned=1"> notes {tag}',
                               token=ADMIN_TOKEN)
    assert result.ok and len(result.articles) == 1, result
    article_id = result.articles[0]

    url = allowed_host.put(f"/xss-{tag}.html", _host_page(embed_line))
    page.goto(url, wait_until="domcontentloaded")
    frame = _open_and_ask(page, "Who is the harbour master of Zorvath?")
    expect(frame.locator(".answer").last).to_contain_text("Elin Quast")
    citation = frame.locator(f"li.citation:has(a.open[href*='/id/article/{article_id}#char='])").first
    expect(citation).to_be_visible()
    shown = citation.inner_text()
    for literal in (script, img, link, "<img src=x onerror="):
        assert literal in shown, (literal, shown)

    panel = _panel_page_frame(page)
    page.wait_for_timeout(500)  # an onerror would have fired by now
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert panel.evaluate("typeof window.__pwned") == "undefined"
    assert panel.evaluate("document.querySelectorAll('#kgqa-log img, #kgqa-log script').length") == 0
    hrefs = panel.evaluate("Array.from(document.querySelectorAll('#kgqa-log a')).map(a => a.href)")
    assert hrefs and all(h.startswith(live_url + "/id/article/") for h in hrefs), hrefs
    assert page.locator("img[src='x'], script:has-text('__pwned')").count() == 0
    screenshot("widget-xss-literal")
    assert not page.js_errors


def test_embed_tab_rebuilds_the_snippet_and_its_preview_works(page, live_url: str, screenshot) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_url + "/", wait_until="domcontentloaded")
    page.get_by_role("tab", name="Embed").click()
    snippet_box = page.locator("#kgqa-embed-snippet textarea")
    expect(snippet_box).to_have_value(snippet(live_url + "/"), timeout=30_000)
    page.locator("#kgqa-embed-title input, #kgqa-embed-title textarea").first.fill("Ask our newsroom")
    page.locator("#kgqa-embed-starters textarea").fill("Who wrote the article?\nWhat does IRGC stand for?")
    page.locator("#kgqa-embed-theme").get_by_label("dark").check()
    expected = snippet(live_url + "/", "Ask our newsroom", ["Who wrote the article?", "What does IRGC stand for?"],
                       "dark")
    expect(snippet_box).to_have_value(expected, timeout=15_000)
    expect(page.locator("#kgqa-embed-origins")).to_contain_text("KGQA_ALLOWED_ORIGINS")
    screenshot("widget-embed-tab")

    demo = page.locator("#kgqa-embed-demo")
    href = demo.get_attribute("href") or ""
    assert href.startswith(live_url + "/widget/demo?")
    page.goto(href, wait_until="domcontentloaded")  # the app's own origin is always allowed
    launcher = _launcher(page)
    launcher.click()
    expect(launcher).to_have_attribute("data-state", "ready", timeout=30_000)
    frame = _panel_frame(page)
    expect(frame.locator("#kgqa-title")).to_have_text("Ask our newsroom")
    expect(frame.locator("#kgqa-starters button")).to_have_count(2)
    assert _panel_page_frame(page).evaluate("document.documentElement.dataset.theme") == "dark"
    assert not page.js_errors
