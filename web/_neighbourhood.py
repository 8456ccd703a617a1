"""An entity's neighbourhood as a picture: the facts around it, drawn as a self-contained SVG.

Three steps, each a plain function so the picture can be tested without a
browser: :func:`neighbourhood` asks the graph (posts, organisations,
quotations, relations, entities mentioned in the same sentences),
:func:`layout` places the nodes radially around the centre, :func:`svg`
draws them. The SVG needs no script, font or library from anywhere: every
label is escaped, every node is a link to its linked-data page, and entity
nodes carry ``data-recentre`` so the Graph tab can re-centre on a click.

>>> centre = Node("http://x/id/entity/person/a", "Amir <b>", "person")
>>> org = Node("http://x/id/entity/place/iran", "Iran", "place")
>>> pic = svg(Neighbourhood(centre, (org,), (Edge(centre.iri, org.iri, "Defense Minister"),)), lambda i: "/p")
>>> "Amir &lt;b&gt;" in pic and "<b>" not in pic, "Defense Minister" in pic
(True, True)
"""

from __future__ import annotations

import html
import logging
import math
import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from kg import KnowledgeGraph, PREFIXES
from kg.results import Term
from kg.vocab import sparql_literal

__all__ = [
    "Node", "Edge", "Neighbourhood", "Placed", "EntityMatch", "EntityNames",
    "is_safe_iri", "entity_kind", "select_values", "neighbourhood", "find_entities", "popular_entities",
    "layout", "svg",
    "WIDTH", "HEIGHT",
]

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 860, 600
_UNSAFE = re.compile(r'[\s<>"{}|^`\\\x00-\x1f\x7f]')
_LEGEND = 30  # room under the picture for the legend
_KIND_ORDER = ("person", "organization", "place", "group", "post", "concept")
_COLOURS = {
    "person": "#2563eb", "organization": "#059669", "place": "#d97706", "group": "#7c3aed",
    "post": "#0e7490", "concept": "#db2777", "quote": "#6b7280", "other": "#475569",
}
_PREFIX_LINES = "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items())


@dataclass(frozen=True)
class Node:
    """One thing in the picture; ``kind`` picks its colour and whether a click re-centres on it."""

    iri: str
    label: str
    kind: str  # person, organization, place, group, post, concept, quote, other
    link: str | None = None  # IRI whose page the node opens (a quotation opens its sentence)

    @property
    def recentres(self) -> bool:
        return self.kind != "quote"


@dataclass(frozen=True)
class Edge:
    """A labelled arrow from ``source`` to ``target``; ``weak`` for co-mentions, which are no asserted fact."""

    source: str
    target: str
    label: str
    weak: bool = False


@dataclass(frozen=True)
class Neighbourhood:
    """The centre entity, its neighbours (never the centre itself) and the edges between them and it."""

    centre: Node
    nodes: tuple[Node, ...] = ()
    edges: tuple[Edge, ...] = ()
    truncated: bool = False  # more neighbours exist than the picture shows


@dataclass(frozen=True)
class Placed:
    """A node with its box: centre ``(x, y)`` and size ``(w, h)`` in SVG user units."""

    node: Node
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class EntityMatch:
    """One search hit: the entity, its label and kind, and the name that matched (label or alias)."""

    iri: str
    label: str
    kind: str
    matched: str = field(default="", compare=False)

    @property
    def choice(self) -> str:
        return f"{self.label} ({self.kind})"


def is_safe_iri(iri: str, base: str) -> bool:
    """Whether ``iri`` is one of this graph's (under ``base``) and can be written as ``<iri>`` in SPARQL.

    >>> is_safe_iri("http://x/id/entity/person/a", "http://x/id/")
    True
    >>> is_safe_iri("http://x/id/entity/a> } DROP ALL #", "http://x/id/"), is_safe_iri("http://y/a", "http://x/id/")
    (False, False)
    """
    return iri.startswith(base) and len(iri) < 2048 and not _UNSAFE.search(iri)


def entity_kind(iri: str, base: str) -> str:
    """The kind an entity IRI was minted with (``{base}entity/{kind}/...``), else ``other``.

    >>> entity_kind("http://x/id/entity/place/iran", "http://x/id/")
    'place'
    """
    prefix = f"{base}entity/"
    if not iri.startswith(prefix):
        return "other"
    kind = iri[len(prefix):].split("/", 1)[0]
    return kind if kind in _COLOURS else "other"


def _v(term: Term | None) -> str | None:
    return None if term is None else term[1]


def select_values(graph: KnowledgeGraph, body: str) -> list[tuple[str | None, ...]]:
    """Rows of one of kgqa's own SELECTs (kgqa's prefixes declared) as plain strings, ``None`` when unbound."""
    return [tuple(_v(t) for t in row) for row in graph.select(f"{_PREFIX_LINES}\n{body}")]


_rows = select_values


def _short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def neighbourhood(graph: KnowledgeGraph, iri: str, *, limit: int = 16) -> Neighbourhood | None:
    """What the graph says around one entity, at most ``limit`` neighbours; ``None`` if it has no label.

    Posts are drawn as an edge from the holder to the organisation (or place)
    the post is in, labelled with the title, so a person's picture reads
    "Amir Hatami —Defense Minister→ Iran"; a post with no organisation is a node
    of its own. Quotations are nodes that open their sentence. Entities named in
    the same sentences fill what room is left, as dashed "mentioned with" edges.
    """
    base = graph.settings.base_iri
    if not is_safe_iri(iri, base):
        return None
    e = f"<{iri}>"
    labels = _rows(graph, f"SELECT ?l WHERE {{ GRAPH ?g {{ {e} rdfs:label ?l }} }} LIMIT 1")
    if not labels or not labels[0][0]:
        return None
    centre = Node(iri, labels[0][0] or iri, entity_kind(iri, base), iri)
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []

    def add(node: Node, edge: Edge) -> None:
        if node.iri == iri:
            return
        nodes.setdefault(node.iri, node)
        edges.append(edge)

    # Posts the entity holds: holder -title-> organisation (or the post itself).
    for post, title, post_label, org, org_label in _rows(graph, f"""
        SELECT DISTINCT ?post ?title ?pl ?org ?ol WHERE {{ GRAPH ?g {{ {e} org:holds ?post .
          OPTIONAL {{ ?post kgqa:title ?title }} OPTIONAL {{ GRAPH ?pg {{ ?post rdfs:label ?pl }} }}
          OPTIONAL {{ ?post org:postIn ?org . OPTIONAL {{ GRAPH ?og {{ ?org rdfs:label ?ol }} }} }} }} }} ORDER BY ?post"""):
        if org and org_label:
            add(Node(org, org_label, entity_kind(org, base), org), Edge(iri, org, title or post_label or "holds"))
        elif post:
            add(Node(post, post_label or title or post, "post", post), Edge(iri, post, "holds"))
    # The entity as a post: who holds it, where it is.
    for person, person_label in _rows(graph, f"""
        SELECT DISTINCT ?p ?l WHERE {{ GRAPH ?g {{ {e} org:heldBy ?p . GRAPH ?lg {{ ?p rdfs:label ?l }} }} }} ORDER BY ?l"""):
        if person:
            add(Node(person, person_label or person, entity_kind(person, base), person), Edge(person, iri, "holds"))
    for org, org_label in _rows(graph, f"""
        SELECT DISTINCT ?o ?l WHERE {{ GRAPH ?g {{ {e} org:postIn ?o . GRAPH ?lg {{ ?o rdfs:label ?l }} }} }}"""):
        if org:
            add(Node(org, org_label or org, entity_kind(org, base), org), Edge(iri, org, "post in"))
    # People holding posts in the entity (an organisation or a country).
    for person, person_label, title in _rows(graph, f"""
        SELECT DISTINCT ?p ?l ?title WHERE {{ GRAPH ?g {{ ?post org:postIn {e} ; org:heldBy ?p .
          GRAPH ?lg {{ ?p rdfs:label ?l }} OPTIONAL {{ ?post kgqa:title ?title }} }} }} ORDER BY ?l"""):
        if person:
            add(Node(person, person_label or person, entity_kind(person, base), person),
                Edge(person, iri, title or "holds a post in"))
    # Relations (sub-properties of kgqa:relatedTo), both ways. Three small queries, not one join: a join with
    # the relation declarations, repeated in every article graph, is slow for a much-mentioned entity.
    found: list[tuple[str, str, str]] = []  # (direction, property, other entity)
    for direction, pattern in (("out", f"{e} ?p ?x"), ("in", f"?x ?p {e}")):
        found += [(direction, p or "", x or "") for p, x in _rows(graph, f"""
            SELECT DISTINCT ?p ?x WHERE {{ GRAPH ?g {{ {pattern} }}
              FILTER(isIRI(?x) && STRSTARTS(STR(?p), {sparql_literal(PREFIXES["kgqa"])})
                     && STRSTARTS(STR(?x), {sparql_literal(base + "entity/")})) }} LIMIT 500""")]
    verbs = _relation_labels(graph, {p for _, p, _ in found})
    names = _labels_of(graph, {x for _, p, x in found if p in verbs})
    for direction, prop, other in sorted(found, key=lambda f: names.get(f[2], f[2])):
        if prop in verbs and other in names:
            node = Node(other, names[other], entity_kind(other, base), other)
            add(node, Edge(iri, other, verbs[prop]) if direction == "out" else Edge(other, iri, verbs[prop]))
    # What the entity said (at most five quotations).
    for quote, text, sentence in _rows(graph, f"""
        SELECT DISTINCT ?q ?text ?s WHERE {{ GRAPH ?g {{ ?q schema:creator {e} ; a schema:Quotation ;
          schema:text ?text OPTIONAL {{ ?q prov:wasDerivedFrom ?s }} }} }} ORDER BY ?q LIMIT 5"""):
        if quote:
            said = _short((text or "").strip(" \"“”‘’'"), 40)
            add(Node(quote, f"“{said}”", "quote", sentence or quote), Edge(iri, quote, "said"))
    room = max(0, limit - len(nodes))
    if room:
        for other, other_label, _n in _rows(graph, f"""
            SELECT ?x (SAMPLE(?l0) AS ?l) (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{
              ?m itsrdf:taIdentRef {e} ; nif:sentence ?s . ?m2 nif:sentence ?s ; itsrdf:taIdentRef ?x .
              GRAPH ?lg {{ ?x rdfs:label ?l0 }} FILTER(?x != {e}) }} }} GROUP BY ?x ORDER BY DESC(?n) ?l LIMIT {room + 8}"""):
            if other and other not in nodes and other != iri and len(nodes) < limit:
                add(Node(other, other_label or other, entity_kind(other, base), other),
                    Edge(iri, other, "mentioned with", weak=True))
    kept = list(nodes.values())
    truncated = len(kept) > limit
    kept = kept[:limit]
    keep = {n.iri for n in kept} | {iri}
    return Neighbourhood(centre, tuple(kept), _merge([x for x in edges if x.source in keep and x.target in keep]),
                         truncated)


def _values(iris: set[str]) -> str:
    return " ".join(f"<{i}>" for i in sorted(iris) if is_safe_iri(i, ""))


def _relation_labels(graph: KnowledgeGraph, props: set[str]) -> dict[str, str]:
    """Which of ``props`` are relations (``rdfs:subPropertyOf kgqa:relatedTo``), with their phrase as label."""
    if not props:
        return {}
    out: dict[str, str] = {}
    for prop, label in _rows(graph, f"""
        SELECT DISTINCT ?p ?l WHERE {{ VALUES ?p {{ {_values(props)} }} GRAPH ?g {{ ?p rdfs:subPropertyOf
          kgqa:relatedTo OPTIONAL {{ ?p rdfs:label ?l }} }} }}"""):
        if prop and (prop not in out or (label and out[prop] == "related to")):
            out[prop] = label or "related to"
    return out


def _labels_of(graph: KnowledgeGraph, iris: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    if iris:
        for iri, label in _rows(graph, f"""
            SELECT ?x ?l WHERE {{ VALUES ?x {{ {_values(iris)} }} GRAPH ?g {{ ?x rdfs:label ?l }} }}"""):
            if iri and label:
                out.setdefault(iri, label)
    return out


def _merge(edges: list[Edge]) -> tuple[Edge, ...]:
    """One edge per pair and direction, its labels joined: the picture draws one line per neighbour."""
    merged: dict[tuple[str, str], Edge] = {}
    for edge in edges:
        key = (edge.source, edge.target)
        if key in merged:
            old = merged[key]
            labels = old.label.split(" · ")
            if edge.label not in labels:
                merged[key] = Edge(old.source, old.target, f"{old.label} · {edge.label}", old.weak and edge.weak)
        else:
            merged[key] = edge
    return tuple(merged.values())


class EntityNames:
    """Every entity's label and aliases, and the most mentioned entities, held in memory per graph.

    A ``CONTAINS`` search in the store scans every article graph's labels
    (0.4 s on 2,000 BBC articles, and growing with the corpus); scanning this
    list takes milliseconds. It is read again whenever the stored articles
    change (their record hashes are the key), so an ingest shows up at the next search.
    """

    def __init__(self, graph: KnowledgeGraph) -> None:
        self.graph = graph
        self._lock = threading.Lock()
        self._key: int | None = None
        self._names: list[tuple[str, str, str, str]] = []  # (lower-case name, iri, label, kind)
        self._popular: dict[int, list[EntityMatch]] = {}

    def _fresh(self) -> None:
        key = hash(frozenset(self.graph.article_hashes().items()))
        if key == self._key:
            return
        base = self.graph.settings.base_iri
        entities = sparql_literal(base + "entity/")
        labels = dict(_rows(self.graph, f"""SELECT DISTINCT ?e ?l WHERE {{ GRAPH ?g {{ ?e rdfs:label ?l }}
            FILTER(STRSTARTS(STR(?e), {entities})) }}"""))
        names: list[tuple[str | None, ...]] = list(labels.items())
        names += _rows(self.graph, f"""SELECT DISTINCT ?e ?n WHERE {{ GRAPH ?g {{ ?e skos:altLabel ?n }}
            FILTER(STRSTARTS(STR(?e), {entities})) }}""")
        self._names = sorted({((name or "").lower(), iri, labels[iri], entity_kind(iri, base))
                              for iri, name in names if iri and name and labels.get(iri)})
        self._popular = {}
        self._key = key

    def find(self, text: str, limit: int = 12) -> list[EntityMatch]:
        key = " ".join(text.split()).lower()
        if not key:
            return []
        with self._lock:
            self._fresh()
            names = self._names
        word = re.compile(rf"\b{re.escape(key)}")
        best: dict[str, tuple[tuple[int, int, int, str], EntityMatch]] = {}
        for low, iri, label, kind in names:
            if key not in low:
                continue
            closeness = 0 if low == key else 1 if low.startswith(key) else 2 if word.search(low) else 3
            rank = (closeness, _KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER), len(label), label)
            if iri not in best or rank < best[iri][0]:
                best[iri] = (rank, EntityMatch(iri, label, kind, low))
        return [m for _, m in sorted(best.values(), key=lambda r: r[0])[:limit]]

    def popular(self, limit: int = 30) -> list[EntityMatch]:
        with self._lock:
            self._fresh()
            if limit not in self._popular:
                base = self.graph.settings.base_iri
                rows = _rows(self.graph, f"""
                    SELECT ?e (SAMPLE(?l0) AS ?l) (COUNT(?m) AS ?n) WHERE {{ GRAPH ?g {{ ?m itsrdf:taIdentRef ?e }}
                      GRAPH ?lg {{ ?e rdfs:label ?l0 }} FILTER(STRSTARTS(STR(?e), {sparql_literal(base + "entity/")})) }}
                    GROUP BY ?e ORDER BY DESC(?n) ?l LIMIT {int(limit)}""")
                self._popular[limit] = [EntityMatch(iri, label or iri, entity_kind(iri, base))
                                        for iri, label, _ in rows if iri]
            return list(self._popular[limit])


_NAMES: weakref.WeakKeyDictionary[KnowledgeGraph, EntityNames] = weakref.WeakKeyDictionary()
_NAMES_LOCK = threading.Lock()


def _names(graph: KnowledgeGraph) -> EntityNames:
    with _NAMES_LOCK:
        if graph not in _NAMES:
            _NAMES[graph] = EntityNames(graph)
        return _NAMES[graph]


def find_entities(graph: KnowledgeGraph, text: str, *, limit: int = 12) -> list[EntityMatch]:
    """Entities whose label or alias contains ``text`` (case-insensitive), best first.

    Exact names beat prefixes, prefixes beat word starts, word starts beat any
    substring; people, organisations, places and groups come before posts and
    concepts; shorter labels first. An entity IRI of this graph is returned as is.
    """
    base = graph.settings.base_iri
    wanted = " ".join(text.split())
    if wanted.startswith(f"{base}entity/"):
        if not is_safe_iri(wanted, base):
            return []
        rows = _rows(graph, f"SELECT ?l WHERE {{ GRAPH ?g {{ <{wanted}> rdfs:label ?l }} }} LIMIT 1")
        return [EntityMatch(wanted, rows[0][0] or wanted, entity_kind(wanted, base), wanted)] if rows else []
    return _names(graph).find(wanted, limit)


def popular_entities(graph: KnowledgeGraph, *, limit: int = 30) -> list[EntityMatch]:
    """The most mentioned entities: suggestions before anyone searches (counted once per change of the articles)."""
    return _names(graph).popular(limit)


# --- drawing --------------------------------------------------------------------------------


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
        if node.recentres and not is_centre:
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
