"""The Graph tab: find an entity, then walk its neighbourhood in an interactive graph.

The graph is drawn in the browser by ``web/static/kgqa-graph.js`` with the
vendored Cytoscape.js, from ``/graph/neighbourhood.json`` (:mod:`web._graph_api`).
Gradio does not run ``<script>`` tags found in a ``gr.HTML`` value, so the
picture's ``gr.HTML`` loads the three static files through its ``head``
(Gradio injects those tags into the page once, before ``js_on_load`` runs) and
its ``js_on_load`` mounts the graph each time the value is redrawn. A click on
a node shows its neighbours, a double-click opens its page in a new tab.
Another tab can open an entity by writing its IRI, or just a name, into
:attr:`GraphTab.entity`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import gradio as gr
from markupsafe import Markup

from kg import KgqaError

from .._entity_search import EntityMatch, find_entities, popular_entities
from .._graph_api import NEIGHBOURHOOD_PATH
from .._links import local_path
from .._services import Services

__all__ = ["GraphTab", "build", "GRAPH_HEAD", "MOUNT_JS", "graph_div"]

log = logging.getLogger(__name__)

#: What the picture's component adds to the page's <head>: the style, the library, then the script that uses it
#: (the files web._graph_api serves; tests/web/test_graph_api.py checks they are the same).
GRAPH_HEAD = ('<link rel="stylesheet" href="/static/kgqa-graph.css">'
              '<script src="/static/cytoscape.min.js"></script>'
              '<script src="/static/kgqa-graph.js"></script>')

#: Runs when the picture's component mounts, and again after every redraw of its value.
MOUNT_JS = """
const mount = () => { if (window.kgqaGraph) window.kgqaGraph.mountAll(element); };
mount();
watch('value', mount);
"""

_HINT = Markup('<p class="kgqa-graph-hint">Search for a person, organisation or place above (a name or an alias, '
               'e.g. <em>Hatami</em> or <em>IRGC</em>), or pick a suggestion.</p>')


@dataclass
class GraphTab:
    """The tab's components; write an entity IRI or name into ``entity`` to show that entity."""

    entity: gr.Textbox
    search: gr.Textbox
    matches: gr.Dropdown
    picture: gr.HTML
    details: gr.HTML


def graph_div(match: EntityMatch) -> str:
    """The element kgqa-graph.js mounts on, for ``match``'s neighbourhood; every value escaped.

    >>> print(graph_div(EntityMatch("http://x/id/entity/person/a", 'Eve "<b>"', "person")))
    <div class="kgqa-graph" data-iri="http://x/id/entity/person/a" data-src="/graph/neighbourhood.json" data-open="tab" tabindex="0" aria-label="Neighbourhood of Eve &#34;&lt;b&gt;&#34;"></div>
    """
    return str(Markup('<div class="kgqa-graph" data-iri="{}" data-src="{}" data-open="tab" tabindex="0" '
                      'aria-label="Neighbourhood of {}"></div>').format(match.iri, NEIGHBOURHOOD_PATH, match.label))


def _choices(matches: list[EntityMatch]) -> list[tuple[str, str]]:
    return [(m.choice, m.iri) for m in matches]


def _message(text: str, *, error: bool = False) -> str:
    return str(Markup('<p class="{}">{}</p>').format("kgqa-error" if error else "kgqa-graph-message", text))


def build(services: Services) -> GraphTab:
    """The tab's components and events; call inside a ``gr.Tab``."""
    settings = services.settings
    entity_base = f"{settings.base_iri}entity/"

    def suggestions() -> list[tuple[str, str]]:
        try:
            return _choices(popular_entities(services.graph, limit=40))
        except KgqaError as exc:  # a store that cannot answer leaves the list empty, not the app down
            log.warning("no entity suggestions: %s", exc)
            return []

    def find(text: str) -> tuple[Any, Any, Any]:
        """Search box -> matches list, and the best match as the new centre."""
        wanted = " ".join((text or "").split())
        if not wanted:
            return gr.update(choices=suggestions(), value=None), gr.skip(), str(_HINT)
        try:
            found = find_entities(services.graph, wanted)
        except KgqaError as exc:
            return gr.skip(), gr.skip(), _message(str(exc), error=True)
        if not found:
            return (gr.update(choices=suggestions(), value=None), gr.skip(),
                    _message(f"No entity is named or also called “{wanted}”. Try part of a name."))
        return gr.update(choices=_choices(found), value=found[0].iri), found[0].iri, gr.skip()

    def show(value: str) -> tuple[str, str]:
        """The graph of the entity in ``value`` (an IRI of this graph, or a name to look up), and its caption."""
        wanted = (value or "").strip()
        if not wanted:
            return str(_HINT), ""
        try:
            found = find_entities(services.graph, wanted, limit=1)
        except KgqaError as exc:
            return _message(str(exc), error=True), ""
        if not found or (wanted.startswith(entity_base) and found[0].iri != wanted):
            return _message(f"The graph holds no entity “{wanted}”."), ""
        match = found[0]
        page = local_path(match.iri, settings)
        opened = Markup(' <a href="{}" target="_blank" rel="noopener" class="kgqa-graph-page">Open its page ↗</a>'
                        ).format(page) if page else ""
        details = Markup('<p class="kgqa-graph-caption"><strong>{}</strong> ({}). Click a node to show its '
                         'neighbours, double-click it to open its page; Tab to the graph to use the keyboard.{}</p>'
                         ).format(match.label, match.kind, opened)
        return graph_div(match), str(details)

    with gr.Row(equal_height=True):
        search = gr.Textbox(label="Entity", placeholder="A name or alias: Hatami, IRGC, Iran…", scale=3,
                            max_lines=1, elem_id="kgqa-graph-search", submit_btn="Show")
        # Suggestions load when the search box is first focused: counting mentions at start-up would slow
        # every launch for a tab that may never be opened.
        matches = gr.Dropdown(label="Matches and suggestions", choices=[], value=None, scale=3,
                              interactive=True, elem_id="kgqa-graph-matches")
    with gr.Row():
        with gr.Column(scale=3):
            picture = gr.HTML(str(_HINT), elem_id="kgqa-graph-picture", head=GRAPH_HEAD, js_on_load=MOUNT_JS,
                              min_height=120)
        with gr.Column(scale=1, min_width=220):
            details = gr.HTML("", elem_id="kgqa-graph-details")
    entity = gr.Textbox(label="Centre (IRI)", interactive=False, max_lines=1, elem_id="kgqa-graph-entity",
                        buttons=["copy"])

    search.focus(lambda text: gr.skip() if (text or "").strip() else gr.update(choices=suggestions()), search,
                 matches, api_visibility="private")
    search.submit(find, search, [matches, entity, details], api_visibility="private")
    matches.input(lambda iri: iri or gr.skip(), matches, entity, api_visibility="private")
    entity.change(show, entity, [picture, details], api_visibility="private")
    return GraphTab(entity=entity, search=search, matches=matches, picture=picture, details=details)
