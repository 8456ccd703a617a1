"""The Graph tab: find an entity, see its neighbourhood as a picture, click a node to walk the graph.

The picture is server-drawn SVG (:mod:`web._neighbourhood`), so the tab loads
no graph library. A plain click on a node re-centres the picture on it: a
small ``js_on_load`` handler on the ``gr.HTML`` turns the click into a
``trigger('click', {iri})`` event, which sets :attr:`GraphTab.entity`, whose
change redraws. Ctrl/Cmd-click (or a middle click) follows the node's link to
its linked-data page instead. Another tab can open an entity by writing its
IRI, or just a name, into :attr:`GraphTab.entity`.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from typing import Any

import gradio as gr

from kg import KgqaError

from .._links import local_path
from .._neighbourhood import EntityMatch, find_entities, is_safe_iri, neighbourhood, popular_entities, svg
from .._services import Services

__all__ = ["GraphTab", "build", "CLICK_JS"]

log = logging.getLogger(__name__)

#: Runs once when the picture mounts; the listener sits on the component's root, so it outlives redraws.
CLICK_JS = """
element.addEventListener('click', function (event) {
  const node = event.target.closest('[data-recentre]');
  if (!node || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  trigger('click', {iri: node.getAttribute('data-recentre')});
});
"""

_HINT = ('<p class="kgqa-graph-hint">Search for a person, organisation or place above (a name or an alias, '
         'e.g. <em>Hatami</em> or <em>IRGC</em>), or pick a suggestion.</p>')


@dataclass
class GraphTab:
    """The tab's components; write an entity IRI or name into ``entity`` to show that entity."""

    entity: gr.Textbox
    search: gr.Textbox
    matches: gr.Dropdown
    picture: gr.HTML
    details: gr.HTML


def _choices(matches: list[EntityMatch]) -> list[tuple[str, str]]:
    return [(m.choice, m.iri) for m in matches]


def build(services: Services) -> GraphTab:
    """The tab's components and events; call inside a ``gr.Tab``."""
    settings = services.settings
    entity_base = f"{settings.base_iri}entity/"

    def link(iri: str) -> str | None:
        return local_path(iri, settings)

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
            return gr.update(choices=suggestions(), value=None), gr.skip(), _HINT
        try:
            found = find_entities(services.graph, wanted)
        except KgqaError as exc:
            return gr.skip(), gr.skip(), f'<p class="kgqa-error">{html.escape(str(exc))}</p>'
        if not found:
            return (gr.update(choices=suggestions(), value=None), gr.skip(),
                    f"<p>No entity is named or also called “{html.escape(wanted)}”. Try part of a name.</p>")
        return gr.update(choices=_choices(found), value=found[0].iri), found[0].iri, gr.skip()

    def show(value: str) -> tuple[str, str]:
        """Draw the entity in ``value`` (an IRI of this graph, or a name to look up)."""
        wanted = (value or "").strip()
        if not wanted:
            return _HINT, ""
        try:
            iri = wanted if wanted.startswith(entity_base) else next(
                (m.iri for m in find_entities(services.graph, wanted, limit=1)), "")
            hood = neighbourhood(services.graph, iri) if iri else None
        except KgqaError as exc:
            return f'<p class="kgqa-error">{html.escape(str(exc))}</p>', ""
        if hood is None:
            return f"<p>The graph holds no entity “{html.escape(wanted)}”.</p>", ""
        page = link(hood.centre.iri)
        opened = (f' <a href="{html.escape(page, quote=True)}" target="_blank" rel="noopener" '
                  f'class="kgqa-graph-page">Open its page ↗</a>' if page else "")
        more = " Only the closest neighbours are drawn." if hood.truncated else ""
        details = (f'<p class="kgqa-graph-caption"><strong>{html.escape(hood.centre.label)}</strong> '
                   f"({html.escape(hood.centre.kind)}): {len(hood.nodes)} neighbours.{more} "
                   f"Click a node to centre on it; Ctrl-click opens its page.{opened}</p>")
        return svg(hood, link), details

    def recentre(evt: gr.EventData) -> Any:
        """A node was clicked: its IRI, if it is an entity of this graph, becomes the centre."""
        data = getattr(evt, "_data", None)
        iri = data.get("iri") if isinstance(data, dict) else None
        if isinstance(iri, str) and is_safe_iri(iri, entity_base):
            return iri
        return gr.skip()

    with gr.Row(equal_height=True):
        search = gr.Textbox(label="Entity", placeholder="A name or alias: Hatami, IRGC, Iran…", scale=3,
                            max_lines=1, elem_id="kgqa-graph-search", submit_btn="Show")
        # Suggestions load when the search box is first focused: counting mentions at start-up would slow
        # every launch for a tab that may never be opened.
        matches = gr.Dropdown(label="Matches and suggestions", choices=[], value=None, scale=3,
                              interactive=True, elem_id="kgqa-graph-matches")
    picture = gr.HTML(_HINT, elem_id="kgqa-graph-picture", js_on_load=CLICK_JS, min_height=120)
    details = gr.HTML("", elem_id="kgqa-graph-details")
    entity = gr.Textbox(label="Centre (IRI)", interactive=False, max_lines=1, elem_id="kgqa-graph-entity",
                        buttons=["copy"])

    search.focus(lambda text: gr.skip() if (text or "").strip() else gr.update(choices=suggestions()), search,
                 matches, api_visibility="private")
    search.submit(find, search, [matches, entity, details], api_visibility="private")
    matches.input(lambda iri: iri or gr.skip(), matches, entity, api_visibility="private")
    picture.click(recentre, None, entity, api_visibility="private")
    entity.change(show, entity, [picture, details], api_visibility="private")
    return GraphTab(entity=entity, search=search, matches=matches, picture=picture, details=details)
