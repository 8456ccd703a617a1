"""An entity's neighbourhood: the facts around it in the graph, as plain values for the graph view and pages.

:func:`neighbourhood` asks the graph for the posts an entity holds (and who
holds posts in it), its relations both ways, what it said, and the entities
named in the same sentences, and returns them as one immutable
:class:`Neighbourhood`. ``/graph/neighbourhood.json`` (:mod:`web._graph_api`)
sends it to the interactive graph; the entity page lists it.

The names below from :mod:`web._iri_guard`, :mod:`web._select_values` and
:mod:`web._entity_search` are re-exported so older imports keep working.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from kg import KnowledgeGraph, PREFIXES
from kg.vocab import sparql_literal

from ._entity_search import EntityMatch, EntityNames, find_entities, popular_entities
from ._iri_guard import entity_kind, is_safe_iri
from ._select_values import select_values

__all__ = [
    "Node", "Edge", "Neighbourhood", "neighbourhood", "DEFAULT_LIMIT",
    # re-exported
    "EntityMatch", "EntityNames", "find_entities", "popular_entities", "entity_kind", "is_safe_iri", "select_values",
]

log = logging.getLogger(__name__)

#: How many neighbours a neighbourhood holds unless asked for another number.
DEFAULT_LIMIT = 16

_rows = select_values


@dataclass(frozen=True)
class Node:
    """One thing around an entity; ``kind`` says what it is and whether it has a neighbourhood of its own."""

    iri: str
    label: str
    kind: str  # person, organization, place, group, post, concept, quote, other
    link: str | None = None  # IRI whose page the node opens (a quotation opens its sentence)

    @property
    def expandable(self) -> bool:
        """Whether the node is an entity with neighbours of its own (a quotation is not)."""
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
    truncated: bool = False  # more neighbours exist than were kept


def _short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def neighbourhood(graph: KnowledgeGraph, iri: str, *, limit: int = DEFAULT_LIMIT) -> Neighbourhood | None:
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
