"""The old server-drawn SVG picture of a neighbourhood, kept only while tests/web/test_linked_data.py imports it.

Nothing in the app draws it any more: the Graph tab and the entity page draw
the neighbourhood with Cytoscape.js (``web/static/kgqa-graph.js``) from
``/graph/neighbourhood.json``. Delete this module, and its re-export at the end
of :mod:`web._neighbourhood`, once that test module no longer imports ``svg`` or ``layout``.
"""

from __future__ import annotations

import html
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

from ._neighbourhood import Edge, Neighbourhood, Node, _short

__all__ = ["Placed", "layout", "svg", "WIDTH", "HEIGHT"]

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 860, 600
_LEGEND = 30  # room under the picture for the legend
_COLOURS = {
    "person": "#2563eb", "organization": "#059669", "place": "#d97706", "group": "#7c3aed",
    "post": "#0e7490", "concept": "#db2777", "quote": "#6b7280", "other": "#475569",
}


@dataclass(frozen=True)
class Placed:
    """A node with its box: centre ``(x, y)`` and size ``(w, h)`` in SVG user units."""

    node: Node
    x: float
    y: float
    w: float
    h: float


def _box(label: str, centre: bool) -> tuple[float, float]:
    chars = len(_short(label, 30 if centre else 26))
    return (max(60.0, 22 + chars * (8.4 if centre else 6.8)), 34.0 if centre else 26.0)


def layout(hood: Neighbourhood, width: int = WIDTH, height: int = HEIGHT) -> list[Placed]:
    """The centre in the middle, neighbours on an ellipse around it (two rings when crowded).

    >>> c = Node("c", "Centre", "person")
    >>> placed = layout(Neighbourhood(c, (Node("a", "A", "place"), Node("b", "B", "place"))))
    >>> [(p.node.iri, round(p.x), round(p.y)) for p in placed]
    [('c', 430, 285), ('a', 430, 24), ('b', 430, 546)]
    """
    cy = (height - _LEGEND) / 2
    placed = [Placed(hood.centre, width / 2, cy, *_box(hood.centre.label, True))]
    n = len(hood.nodes)
    rx, ry = width / 2 - 110, cy - 24
    for i, node in zip(_slots(hood), hood.nodes):
        angle = -math.pi / 2 + 2 * math.pi * i / max(n, 1)
        ring = 0.62 if n > 9 and i % 2 else 1.0
        w, h = _box(node.label, False)
        placed.append(Placed(node, width / 2 + rx * ring * math.cos(angle),
                             cy + ry * ring * math.sin(angle), w, h))
    return placed


def _slots(hood: Neighbourhood) -> list[int]:
    """A position around the circle for each neighbour: facts spread evenly on the outer ring, co-mentions between.

    >>> c = Node("c", "C", "person")
    >>> facts = (Edge("c", "0", "x"), Edge("c", "1", "y"), Edge("c", "2", "", True), Edge("c", "3", "", True))
    >>> hood = Neighbourhood(c, tuple(Node(str(i), str(i), "place") for i in range(4)), facts)
    >>> _slots(hood)
    [0, 2, 1, 3]
    """
    n = len(hood.nodes)
    strong = {x for e in hood.edges if not e.weak for x in (e.source, e.target)}
    outer = list(range(0, n, 2)) if n > 9 else list(range(n))
    facts = [i for i, node in enumerate(hood.nodes) if node.iri in strong]
    slots: dict[int, int] = {}
    if facts and len(facts) <= len(outer):
        for k, i in enumerate(facts):
            slots[i] = outer[k * len(outer) // len(facts)]
    free = [j for j in range(n) if j not in slots.values()]
    for i in range(n):
        if i not in slots:
            slots[i] = free.pop(0)
    return [slots[i] for i in range(n)]


def _clip(a: Placed, b: Placed) -> tuple[float, float]:
    """Where the line from ``a``'s centre to ``b``'s centre leaves ``a``'s box."""
    dx, dy = b.x - a.x, b.y - a.y
    if dx == 0 and dy == 0:
        return a.x, a.y
    t = min(a.w / 2 / abs(dx) if dx else math.inf, a.h / 2 / abs(dy) if dy else math.inf, 1.0)
    return a.x + dx * t, a.y + dy * t


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def svg(hood: Neighbourhood, link: Callable[[str], str | None], width: int = WIDTH, height: int = HEIGHT) -> str:
    """The picture as one ``<svg>`` element: every label escaped, every node a link to its page.

    ``link`` maps an IRI to the path the app serves it at (``web._links.local_path``).
    """
    placed = {p.node.iri: p for p in layout(hood, width, height)}
    pairs = {(e.source, e.target) for e in hood.edges}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="kgqa-graph" viewBox="0 0 {width} {height}" '
           f'width="100%" role="img" aria-label="{_e("Neighbourhood of " + hood.centre.label)}" '
           f'data-centre="{_e(hood.centre.iri)}" style="max-width:{width}px;font-family:system-ui,sans-serif">',
           '<defs><marker id="kgqa-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#64748b"/></marker></defs>',
           '<g class="kgqa-edges">']
    for edge in hood.edges:
        a, b = placed.get(edge.source), placed.get(edge.target)
        if a is None or b is None:
            continue
        x1, y1 = _clip(a, b)
        x2, y2 = _clip(b, a)
        if (edge.target, edge.source) in pairs:  # both ways: each line moves to its own side
            length = math.hypot(x2 - x1, y2 - y1) or 1.0
            nx, ny = -(y2 - y1) / length * 6, (x2 - x1) / length * 6
            x1, y1, x2, y2 = x1 + nx, y1 + ny, x2 + nx, y2 + ny
        else:
            nx = ny = 0.0
        dash = ' stroke-dasharray="5 4"' if edge.weak else ""
        colour = "#cbd5e1" if edge.weak else "#64748b"
        arrow = "" if edge.weak else ' marker-end="url(#kgqa-arrow)"'
        t = 0.5 if nx == ny == 0.0 else 0.3  # two labels on one pair: each nearer its own source
        mx, my = x1 + (x2 - x1) * t + nx * 1.4, y1 + (y2 - y1) * t + ny * 1.4
        # A co-mention's label would only repeat "mentioned with": the legend explains the dashes instead.
        text = "" if edge.weak else (
            f'<text class="kgqa-edge-label" x="{mx:.1f}" y="{my + 4:.1f}" text-anchor="middle" font-size="11" '
            f'fill="#334155" stroke="#ffffff" stroke-width="3" paint-order="stroke">'
            f'{_e(_short(edge.label, 34))}</text>')
        out.append(f'<g class="kgqa-edge{" kgqa-weak" if edge.weak else ""}" data-source="{_e(edge.source)}" '
                   f'data-target="{_e(edge.target)}"><line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                   f'stroke="{colour}" stroke-width="{1.2 if edge.weak else 1.5}"{dash}{arrow}>'
                   f'<title>{_e(edge.label)}</title></line>{text}</g>')
    out.append('</g><g class="kgqa-nodes">')
    for iri, p in placed.items():
        is_centre = iri == hood.centre.iri
        node = p.node
        colour = _COLOURS.get(node.kind, _COLOURS["other"])
        href = link(node.link or node.iri)
        attrs = [f'class="kgqa-node{" kgqa-centre" if is_centre else ""}"', f'data-iri="{_e(node.iri)}"',
                 f'data-kind="{_e(node.kind)}"']
        if node.expandable and not is_centre:
            attrs.append(f'data-recentre="{_e(node.iri)}"')
        shape = (f'<rect x="{p.x - p.w / 2:.1f}" y="{p.y - p.h / 2:.1f}" width="{p.w:.1f}" height="{p.h:.1f}" '
                 f'rx="{6 if node.kind == "quote" else p.h / 2:.1f}" fill="{colour if is_centre else "#ffffff"}" '
                 f'stroke="{colour}" stroke-width="{2.5 if is_centre else 1.6}"/>'
                 f'<text x="{p.x:.1f}" y="{p.y + (5 if is_centre else 4):.1f}" text-anchor="middle" '
                 f'font-size="{14 if is_centre else 12}" font-weight="{700 if is_centre else 500}" '
                 f'fill="{"#ffffff" if is_centre else "#0f172a"}">{_e(_short(node.label, 30 if is_centre else 26))}'
                 f'</text><title>{_e(f"{node.label} ({node.kind})")}</title>')
        if href:
            out.append(f'<a {" ".join(attrs)} href="{_e(href)}" target="_blank" rel="noopener" '
                       f'style="cursor:pointer;text-decoration:none">{shape}</a>')
        else:
            out.append(f'<g {" ".join(attrs)}>{shape}</g>')
    out.append("</g>")
    out.append(_legend(hood, height))
    out.append("</svg>")
    return "".join(out)


def _legend(hood: Neighbourhood, height: int) -> str:
    """Which colour is which kind (only those drawn), and what a dashed line means."""
    kinds = list(dict.fromkeys([hood.centre.kind, *(n.kind for n in hood.nodes)]))
    x, y = 12.0, height - 12.0
    parts = ['<g class="kgqa-legend" font-size="11" fill="#475569">']
    for kind in kinds:
        parts.append(f'<circle cx="{x + 5:.0f}" cy="{y - 4:.0f}" r="5" fill="{_COLOURS.get(kind, _COLOURS["other"])}"/>'
                     f'<text x="{x + 14:.0f}" y="{y:.0f}">{_e(kind)}</text>')
        x += 26 + 6.5 * len(kind)
    if any(e.weak for e in hood.edges):
        parts.append(f'<line x1="{x:.0f}" y1="{y - 4:.0f}" x2="{x + 22:.0f}" y2="{y - 4:.0f}" stroke="#94a3b8" '
                     f'stroke-dasharray="5 4"/><text x="{x + 28:.0f}" y="{y:.0f}">named in the same sentence</text>')
    parts.append("</g>")
    return "".join(parts)
