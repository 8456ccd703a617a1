"""The Gradio UI: Chat, SPARQL, Graph, Articles and Embed tabs, wired together.

Fonts are the system's, so pages render with no internet.
"""

from __future__ import annotations

import gradio as gr

from .._services import Services
from . import articles, chat, embed_tab, graph_tab, sparql_tab

__all__ = ["build_blocks", "theme", "CSS", "CACHE_SWEEP_S", "CACHE_AGE_S"]

#: How often Gradio's cache is swept, and how old (seconds) an upload or a download file may get in it.
CACHE_SWEEP_S = 300
CACHE_AGE_S = 900

CSS = """
.kgqa-answer { font-size: 1.05em; font-weight: 600; margin: 0 0 .4em 0; }
.kgqa-abstained { font-weight: 500; }
.kgqa-certainty { margin: 0 0 6px 0; font-size: 0.9em; opacity: 0.8; }
.kgqa-citations { margin: .2em 0 .4em 1.2em; padding: 0; }
.kgqa-citation { margin-bottom: .5em; }
.kgqa-citation mark { background: #fff3a3; color: inherit; padding: 0 .1em; }
.kgqa-context { color: #666; }
.kgqa-comment-label { color: #9a3412; }
.kgqa-how pre { white-space: pre-wrap; font-size: .85em; }
.kgqa-error { color: #b91c1c; }
"""


def theme() -> gr.themes.Base:
    """Gradio's default look with system fonts (its own fonts would be fetched from the internet)."""
    return gr.themes.Default(font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
                             font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"])


def build_blocks(services: Services) -> gr.Blocks:
    # delete_cache: Gradio keeps uploads and files it serves in its cache forever otherwise; every CACHE_SWEEP_S
    # the ones older than CACHE_AGE_S go (and all of them when the server stops).
    with gr.Blocks(title="kgqa: questions over news articles", analytics_enabled=False,
                   delete_cache=(CACHE_SWEEP_S, CACHE_AGE_S)) as blocks:
        gr.Markdown("## kgqa — questions over news articles, answered with the sentences that say so")
        with gr.Tabs() as tabs:
            with gr.Tab("Chat", id="chat"):
                chat_tab = chat.build(services)
            with gr.Tab("SPARQL", id="sparql"):
                sparql = sparql_tab.build(services)
            with gr.Tab("Graph", id="graph"):
                graph_tab.build(services)
            with gr.Tab("Articles", id="articles"):
                articles.build(services)
            with gr.Tab("Embed", id="embed"):
                embed_tab.build(services)
        chat_tab.open_sparql.click(lambda q: (q, gr.Tabs(selected="sparql")), chat_tab.last_sparql,
                                   [sparql.editor, tabs], api_visibility="private")
    return blocks
