"""The embeddable chat widget: ``/widget.js``, the panel it frames, and the one-line snippet that loads it.

A site owner pastes one line (see :func:`snippet`) into a page. ``widget.js``
draws a launcher in a shadow root and opens the chat as an ``<iframe>`` of
``/widget/panel`` on the app's own origin. The panel page says with
``Content-Security-Policy: frame-ancestors`` which sites may frame it (the
app's own origin and ``KGQA_ALLOWED_ORIGINS``), so on any other site the
browser refuses the panel and there is no working widget; the API refuses such
origins too (:mod:`web._origins`). Everything is served from the package
(``web/static``): no CDN, works offline.

>>> print(snippet("http://127.0.0.1:7860/", "Ask the news", ["Who is Iran's Defense Minister?", "Who wrote it?"]))
<script src="http://127.0.0.1:7860/widget.js" data-title="Ask the news" data-starters="Who is Iran's Defense Minister?|Who wrote it?" data-theme="light" defer></script>
>>> panel_csp(OriginPolicy(("https://news.example.org",), own=())).endswith("frame-ancestors 'self' https://news.example.org")
True
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ._origins import OriginPolicy
from ._static_asset import STATIC_DIR, StaticAsset
from ._templates import PageTemplates
from ._services import Services

__all__ = ["widget_router", "snippet", "panel_csp", "normalize_options", "app_base_url",
           "DEFAULT_TITLE", "DEFAULT_STARTERS", "THEMES", "STATIC_DIR"]

log = logging.getLogger(__name__)

DEFAULT_TITLE = "Ask the news"
DEFAULT_STARTERS = ("Who is Iran's Defense Minister?", "Who wrote the article?")
THEMES = ("light", "dark", "auto")
MAX_TITLE = 80
MAX_STARTERS = 6
MAX_STARTER = 200



def _one_line(text: str | None, limit: int) -> str:
    return " ".join((text or "").split())[:limit]


def normalize_options(title: str | None, starters: Sequence[str] | str | None,
                      theme: str | None) -> tuple[str, list[str], str]:
    """Title, starter questions and theme as the widget accepts them (``|`` separates starters, so none has one).

    The same limits apply in ``widget.js`` and the panel, so the snippet shows what the widget will do.
    """
    if isinstance(starters, str):
        starters = starters.splitlines()
    clean = [_one_line(s.replace("|", "/"), MAX_STARTER) for s in (starters or ())]
    return (_one_line(title, MAX_TITLE) or DEFAULT_TITLE, [s for s in clean if s][:MAX_STARTERS],
            theme if theme in THEMES else "light")


def _attr(value: str) -> str:
    # Apostrophes stay readable ("Iran's"); the attribute is double-quoted.
    return html.escape(value, quote=False).replace('"', "&quot;")


def snippet(app_url: str, title: str | None = DEFAULT_TITLE, starters: Sequence[str] | str | None = DEFAULT_STARTERS,
            theme: str | None = "light") -> str:
    """The one line a site owner pastes into a page to get the chat widget of the app at ``app_url``."""
    title, starters, theme = normalize_options(title, starters, theme)
    base = app_url if app_url.endswith("/") else app_url + "/"
    attrs = [("src", base + "widget.js"), ("data-title", title), ("data-starters", "|".join(starters)),
             ("data-theme", theme)]
    return "<script " + " ".join(f'{k}="{_attr(v)}"' for k, v in attrs) + " defer></script>"


def app_base_url(candidate: str | None, fallback: str) -> str:
    """``candidate`` (e.g. the address the browser shows) reduced to ``scheme://host[:port]/path/``, else ``fallback``.

    Only http(s) URLs with a host are taken, so a forged value cannot turn the snippet into anything but a
    script URL on some web server.
    """
    parts = urlsplit((candidate or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return fallback
    path = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def panel_csp(policy: OriginPolicy) -> str:
    """The panel's CSP: only its own scripts, styles and API, framed only by allowed sites."""
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'none'; " + policy.frame_ancestors())


def _services(request: Request) -> Services:
    return request.app.state.services


def _policy(request: Request) -> OriginPolicy:
    return OriginPolicy.from_settings(_services(request).settings)


def widget_router() -> APIRouter:
    """``/widget.js``, ``/widget/panel`` (+ its script and style), ``/widget/config`` and ``/widget/demo``."""
    router = APIRouter(tags=["widget"])
    widget_js = StaticAsset.load("widget.js", "application/javascript; charset=utf-8")
    panel_js = StaticAsset.load("panel.js", "application/javascript; charset=utf-8")
    panel_css = StaticAsset.load("panel.css", "text/css; charset=utf-8")
    templates = PageTemplates()

    @router.api_route("/widget.js", methods=["GET", "HEAD"], summary="The embeddable chat widget's script")
    async def widget_script(request: Request) -> Response:
        """Loaded by ``<script src>`` from any page; whether it works there is the panel's ``frame-ancestors``."""
        return widget_js.response(request, **{"Cross-Origin-Resource-Policy": "cross-origin"})

    @router.get("/widget/panel.js", include_in_schema=False)
    async def panel_script(request: Request) -> Response:
        return panel_js.response(request)

    @router.get("/widget/panel.css", include_in_schema=False)
    async def panel_style(request: Request) -> Response:
        return panel_css.response(request)

    @router.get("/widget/panel", include_in_schema=False)
    async def panel(request: Request) -> HTMLResponse:
        """The chat inside the widget's iframe; title, starters and theme are read by its script from the URL."""
        page = templates.render("widget_panel.html", base_iri=_services(request).settings.base_iri)
        return HTMLResponse(page, headers={
            "Content-Security-Policy": panel_csp(_policy(request)),
            "Cache-Control": "no-cache",
            "Referrer-Policy": "same-origin",
        })

    @router.get("/widget/config", summary="Whether the calling page's origin may embed the widget")
    async def config(request: Request) -> JSONResponse:
        """Lets ``widget.js`` explain a refusal before anyone clicks; the browser enforces it regardless.

        Readable from any origin (it only answers yes or no for the caller's own origin).
        """
        origin = request.headers.get("origin")
        allowed = origin is None or _policy(request).allows(origin)
        if not allowed:
            log.info("widget on %s refused: add it to KGQA_ALLOWED_ORIGINS to let it embed the chat", origin)
        return JSONResponse({"allowed": allowed, "origin": origin}, headers={
            "Access-Control-Allow-Origin": "*", "Cache-Control": "no-store", "Vary": "Origin"})

    @router.get("/widget/demo", include_in_schema=False)
    async def demo(request: Request, title: str = DEFAULT_TITLE, starters: str = "|".join(DEFAULT_STARTERS),
                   theme: str = "light") -> HTMLResponse:
        """A page on the app's own origin with just the snippet: the Embed tab's preview."""
        t, s, th = normalize_options(title, starters.split("|"), theme)
        # The snippet is the one line of HTML the page is about: shown escaped, then placed as it is (it is
        # built by snippet(), which escapes every attribute value).
        page = templates.render("widget_demo.html", snippet=snippet(str(request.base_url), t, s, th))
        return HTMLResponse(page, headers={
            "Content-Security-Policy": "default-src 'self'; " + _policy(request).frame_ancestors(),
            "Cache-Control": "no-store"})

    return router
