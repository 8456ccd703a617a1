"""The alias table as the store holds it: labels from the entity graph, aliases and counts from the articles.

Loaded once per :class:`kg.KnowledgeGraph`, then grown by each ingest; a delete drops it, and the next
ingest reads it again from what is left (a deleted article's names, co-mentions and merges go with it).
"""

from __future__ import annotations

from .entity_graph import entities_graph
from .extraction import ENTITY_KINDS, AliasTable
from .results import Term
from .store import GraphStore
from .vocab import ITSRDF, KGQA, RDFS, SKOS, Iris

__all__ = ["load_alias_table"]


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
    keys: dict[str, tuple[str, str]] = {}
    for iri, label in labels.items():
        kind = iri[len(prefix):].split("/", 1)[0]
        if kind in ENTITY_KINDS:
            keys[iri] = (kind, label)
            table.add(keys[iri], sorted(aliases.get(iri, ())), articles=counts.get(iri, 0))
    # The context each article gives (who is named with whom), as ingest noted it: entities a name was only
    # guessed for from other articles ("known-alias", "dominant-bearer") are not counted, so a guess does not
    # reinforce itself. (The genders honorifics gave are not stored; after a restart they count from new articles.)
    named: dict[str, list[tuple[str, str]]] = {}
    for g, e in store.select(f"""SELECT DISTINCT ?g ?e WHERE {{ GRAPH ?g {{ ?m <{ITSRDF.taIdentRef}> ?e
            FILTER NOT EXISTS {{ ?m <{KGQA.resolution}> ?why FILTER(?why IN ("known-alias", "dominant-bearer")) }} }}
            {keep} }}"""):
        if _value(e) in keys:
            named.setdefault(_value(g), []).append(keys[_value(e)])
    for entities in named.values():
        table.note_article(entities)
    return table

