"""The widget's HTTP side, in-process: its script, the panel's framing policy, its config, and the API's origin rule.

The browser behaviour (launcher, panel refused elsewhere, no script from
articles) is in ``test_widget_browser.py``.
"""

from __future__ import annotations

import re

import pytest

from web._widget import STATIC_DIR, app_base_url, normalize_options, snippet

ASK_PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}


def test_widget_js_is_javascript_the_same_for_every_origin(client, allowed_host, other_host) -> None:  # type: ignore[no-untyped-def]
    plain = client.get("/widget.js")
    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("application/javascript")
    assert "max-age" in plain.headers["cache-control"]
    assert plain.headers.get("etag")
    assert "vary" not in plain.headers  # one file for everyone: caches may share it
    for origin in (allowed_host.origin, other_host.origin):
        again = client.get("/widget.js", headers={"Origin": origin, "Referer": origin + "/page"})
        assert again.status_code == 200 and again.content == plain.content
    assert client.get("/widget.js", headers={"If-None-Match": plain.headers["etag"]}).status_code == 304
    assert "document.currentScript" in plain.text and "widget/panel" in plain.text


def test_panel_may_be_framed_by_allowed_origins_only(client, allowed_host, other_host) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/widget/panel", params={"title": "Ask", "starters": "a|b", "theme": "dark"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    ancestors = next(d.strip() for d in csp.split(";") if d.strip().startswith("frame-ancestors"))
    sources = ancestors.split()[1:]
    assert "'self'" in sources and allowed_host.origin in sources
    assert other_host.origin not in sources and "*" not in sources
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    # Its script and style are separate files, so no inline code needs allowing.
    assert '<script src="panel.js" defer></script>' in r.text and "<script>" not in r.text
    assert client.get("/widget/panel.js").headers["content-type"].startswith("application/javascript")
    assert client.get("/widget/panel.css").headers["content-type"].startswith("text/css")


def test_panel_names_the_base_iri_escaped(client, services) -> None:  # type: ignore[no-untyped-def]
    text = client.get("/widget/panel").text
    assert f'<meta name="kgqa-base-iri" content="{services.settings.base_iri}">' in text


def test_config_says_whether_the_calling_site_may_embed(client, allowed_host, other_host) -> None:  # type: ignore[no-untyped-def]
    yes = client.get("/widget/config", headers={"Origin": allowed_host.origin})
    no = client.get("/widget/config", headers={"Origin": other_host.origin})
    assert yes.json()["allowed"] is True and no.json()["allowed"] is False
    assert no.headers["access-control-allow-origin"] == "*"  # readable by the refused page, so it can say why
    assert client.get("/widget/config").json()["allowed"] is True  # same-origin


def test_ask_preflight_allowed_origin_ok_other_refused(client, allowed_host, other_host) -> None:  # type: ignore[no-untyped-def]
    ok = client.options("/api/ask", headers={"Origin": allowed_host.origin, **ASK_PREFLIGHT})
    assert ok.status_code in (200, 204)
    assert ok.headers["access-control-allow-origin"] == allowed_host.origin
    assert "POST" in ok.headers["access-control-allow-methods"]
    refused = client.options("/api/ask", headers={"Origin": other_host.origin, **ASK_PREFLIGHT})
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers
    assert refused.json()["error"]["type"] == "ForbiddenOrigin"
    posted = client.post("/api/ask", json={"question": "Who is Iran's Defense Minister?"},
                         headers={"Origin": other_host.origin})
    assert posted.status_code == 403


def test_demo_page_carries_the_snippet_escaped(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/widget/demo", params={"title": '</script><script>alert(1)</script>', "theme": "dark"})
    assert r.status_code == 200
    assert "<script>alert(1)" not in r.text
    assert len(re.findall(r"<script ", r.text)) == 1
    assert 'data-theme="dark"' in r.text


def test_snippet_is_one_escaped_line() -> None:
    line = snippet("http://127.0.0.1:7860", 'Ask "us" <now>', ["Who is A|B?", "  ", "Why?\nReally"], "neon")
    assert "\n" not in line
    assert line == ('<script src="http://127.0.0.1:7860/widget.js" data-title="Ask &quot;us&quot; &lt;now&gt;" '
                    'data-starters="Who is A/B?|Why? Really" data-theme="light" defer></script>')
    assert normalize_options("", [], "auto") == ("Ask the news", [], "auto")


@pytest.mark.parametrize(("candidate", "expected"), [
    ("http://127.0.0.1:9000/", "http://127.0.0.1:9000/"),
    ("https://kgqa.example.org/app/?__theme=dark#x", "https://kgqa.example.org/app/"),
    ("javascript:alert(1)//", "http://fallback/"),
    ("", "http://fallback/"),
])
def test_app_base_url_takes_only_http_urls(candidate: str, expected: str) -> None:
    assert app_base_url(candidate, "http://fallback/") == expected


def test_static_scripts_never_write_html() -> None:
    """The widget's answer rendering is DOM-only; a later edit that reaches for innerHTML fails here."""
    for name in ("widget.js", "panel.js"):
        code = (STATIC_DIR / name).read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in code, f"{name} uses {sink}"
