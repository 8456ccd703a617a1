"""The Embed tab: the one-line snippet that puts the chat widget on another site, and what that site needs.

The snippet must name the address people actually reach the app at, which
only the browser knows for sure (a proxy, a port mapping or a hostname may sit
in between), so the page's own URL is read in the browser and sent along; the
settings' host and port are only the fallback.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlencode

import gradio as gr
from markupsafe import Markup

from .._services import Services
from .._widget import DEFAULT_STARTERS, DEFAULT_TITLE, THEMES, app_base_url, normalize_options, snippet

__all__ = ["EmbedTab", "build"]

log = logging.getLogger(__name__)

#: Runs in the browser before the Python handler: replaces the first input with the page's own base URL.
_PAGE_URL_JS = "(base, title, starters, theme) => [new URL('.', window.location.href).href, title, starters, theme]"


@dataclass
class EmbedTab:
    title: gr.Textbox
    starters: gr.Textbox
    theme: gr.Radio
    snippet: gr.Textbox
    preview: gr.HTML


def _fallback_url(services: Services) -> str:
    if services.settings.public_url:
        return services.settings.public_url + "/"
    host = services.settings.host
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    return f"http://{host}:{services.settings.port}/"


def _origins_note(services: Services) -> str:
    allowed = services.settings.allowed_origins
    if "*" in allowed:
        now = "Right now **any** site may embed it (`KGQA_ALLOWED_ORIGINS=*`)."
    elif allowed:
        now = "Right now these sites may embed it: " + ", ".join(f"`{o}`" for o in allowed) + "."
    else:
        now = "Right now **no other site** may embed it: `KGQA_ALLOWED_ORIGINS` is empty."
    return (
        "### Which sites may use it\n"
        "The widget only works on pages whose **origin** (scheme, host and port, e.g. `https://news.example.org`) "
        "is listed in `KGQA_ALLOWED_ORIGINS` (comma-separated; `*` allows any site). On any other site the "
        "browser refuses to show the chat panel (`Content-Security-Policy: frame-ancestors`) and the app refuses "
        "its API calls, so the launcher only says that the chat is not available there. "
        f"{now} Set the variable and restart the app to change it.\n\n"
        "The page must be able to reach this address; a page served over `https` needs the app behind `https` too."
    )


def build(services: Services) -> EmbedTab:
    """The tab's components and events; call inside a ``gr.Tab``."""
    fallback = _fallback_url(services)

    def make(base: str, title: str, starters: str, theme: str) -> tuple[str, str]:
        url = app_base_url(base, fallback)
        if url == fallback and base:
            log.debug("embed snippet: page URL %r unusable, using %s", base, fallback)
        t, s, th = normalize_options(title, starters, theme)
        line = snippet(url, t, s, th)
        demo = url + "widget/demo?" + urlencode({"title": t, "starters": "|".join(s), "theme": th})
        link = str(Markup('<p><a href="{}" target="_blank" rel="noopener" id="kgqa-embed-demo">Open a test page '
                          "with this snippet</a> (served by this app, so it is always allowed).</p>").format(demo))
        return line, link

    gr.Markdown(
        "### Put the chat on your own site\n"
        "Paste this one line into any HTML page (before `</body>`). It adds a chat button; the chat answers "
        "from the articles stored here and every citation opens the article at its sentence, on this app. "
        "Everything is served by this app: no other service is involved.")
    base = gr.Textbox(visible="hidden", elem_id="kgqa-embed-base")
    code = gr.Textbox(snippet(fallback), label="Embed snippet", interactive=False, lines=2, buttons=["copy"],
                      elem_id="kgqa-embed-snippet")
    preview = gr.HTML(elem_id="kgqa-embed-preview")
    gr.Markdown("#### Options", elem_id="kgqa-embed-options")
    with gr.Row():
        title = gr.Textbox(DEFAULT_TITLE, label="Title", max_length=80, elem_id="kgqa-embed-title", scale=3)
        theme = gr.Radio(list(THEMES), value="light", label="Theme", elem_id="kgqa-embed-theme", scale=2)
    starters = gr.Textbox("\n".join(DEFAULT_STARTERS), label="Starter questions (one per line, up to 6)", lines=3,
                          elem_id="kgqa-embed-starters")
    gr.Markdown(_origins_note(services), elem_id="kgqa-embed-origins")
    gr.on(triggers=None, fn=make, inputs=[base, title, starters, theme], outputs=[code, preview], js=_PAGE_URL_JS,
          api_visibility="private", show_progress="hidden", queue=False)
    return EmbedTab(title=title, starters=starters, theme=theme, snippet=code, preview=preview)
