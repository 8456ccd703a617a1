"""The alias table as the store holds it: labels from the entity graph, aliases and counts from the articles.

Loaded once per :class:`kg.KnowledgeGraph`, then grown by each ingest; after a delete, the names of the
entities the article mentioned are read again from what is left.
"""

from __future__ import annotations

from .entity_graph import entities_graph
from .extraction import ENTITY_KINDS, AliasTable
from .results import Term
from .store import GraphStore
from .vocab import ITSRDF, RDFS, SKOS, Iris

__all__ = ["load_alias_table", "entities_in", "add_stored_names"]


def _value(term: Term | None) -> str:
    return "" if term is None else term[1]


def load_alias_table(store: GraphStore, iris: Iris) -> AliasTable:
    """Every stored entity with its label, the aliases articles give it and how many articles mention it."""
    table = AliasTable()
    prefix = f"{iris.base}entity/"
    entities = entities_graph(iris)
    keep = f'FILTER(STRSTARTS(STR(?e), "{prefix}"))'
    labels = {_value(e): _value(label) for e, label in store.select(
        f"SELECT ?e ?label WHERE {{ GRAPH <{entities}> {{ ?e <{RDFS.label}> ?label }} {keep} }}")}
    aliases: dict[str, list[str]] = {}
    for e, alt in store.select(f"""SELECT DISTINCT ?e ?alt WHERE {{ GRAPH ?g {{ ?e <{SKOS.altLabel}> ?alt }}
            FILTER(?g != <{entities}>) {keep} }}"""):
        aliases.setdefault(_value(e), []).append(_value(alt))
    counts = {_value(e): int(_value(n) or 0) for e, n in store.select(f"""
        SELECT ?e (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?m <{ITSRDF.taIdentRef}> ?e }} {keep} }}
        GROUP BY ?e""")}
    for iri, label in labels.items():
        kind = iri[len(prefix):].split("/", 1)[0]
        if kind in ENTITY_KINDS:
            table.add((kind, label), sorted(aliases.get(iri, ())), articles=counts.get(iri, 0))
    return table


def entities_in(store: GraphStore, iris: Iris, graph: str) -> list[tuple[str, str]]:
    """The entities an article graph mentions, as (kind, label)."""
    prefix = f"{iris.base}entity/"
    rows = store.select(f"""SELECT DISTINCT ?e ?label WHERE {{ GRAPH <{graph}> {{ ?m <{ITSRDF.taIdentRef}> ?e }}
        GRAPH <{entities_graph(iris)}> {{ ?e <{RDFS.label}> ?label }} FILTER(STRSTARTS(STR(?e), "{prefix}")) }}""")
    out = []
    for e, label in rows:
        kind = _value(e)[len(prefix):].split("/", 1)[0]
        if kind in ENTITY_KINDS and label is not None:
            out.append((kind, _value(label)))
    return out


def add_stored_names(table: AliasTable, store: GraphStore, iris: Iris, entity: tuple[str, str]) -> None:
    """Put back what the stored articles still call ``entity`` (nothing, if none mentions it)."""
    iri = iris.entity(*entity)
    graphs = store.select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?m <{ITSRDF.taIdentRef}> <{iri}> }} }}")
    if graphs:
        rows = store.select(f"""SELECT DISTINCT ?alt WHERE {{ GRAPH ?g {{ <{iri}> <{SKOS.altLabel}> ?alt }}
            FILTER(?g != <{entities_graph(iris)}>) }}""")
        table.add(entity, [_value(r[0]) for r in rows], articles=len(graphs))
