"""The entity graph: what each entity is, said once, beside the article graphs.

An article graph holds what its article says: mentions, facts, the aliases and
post titles it writes. What an entity *is* does not change from article to
article: its class, its label (and ``schema:name``), a concept's preferred
label, a post's canonical title. Repeated in every article graph, those made
each join on a label grow with the product of the articles naming both ends
("who holds which post" ran past 30 s on the 2,127 BBC articles). So they live
once, in the named graph ``{base}graph/entities``, which the union default
graph includes like any other.

It is kept in step with the articles, all through kgqa's own writes:

- a new article's descriptions are added before its graph is loaded; the
  first article to describe an entity gives its label, and a later one never
  adds a second;
- replacing or deleting an article removes, in the same transaction, the
  descriptions that no other article graph refers to any more;
- a crash between adding descriptions and loading the graph leaves only
  descriptions nothing refers to; :func:`prune_update` over everything
  (run when an interrupted write is recovered) removes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rdflib.term import Node, URIRef

from .vocab import KGQA, RDF, RDFS, SCHEMA, SKOS, Iris

__all__ = ["DESCRIPTIVE", "entities_graph", "split_descriptions", "add_descriptions_update", "prune_update"]

Triple = tuple[URIRef, URIRef, Node]

#: The predicates of a description: one value per entity whichever article gives it.
DESCRIPTIVE = frozenset({RDF.type, RDFS.label, SCHEMA.name, SKOS.prefLabel, KGQA.canonicalTitle})


def entities_graph(iris: Iris) -> str:
    """The entity graph's IRI under the store's base."""
    return f"{iris.base}graph/entities"


def split_descriptions(triples: Iterable[Triple], iris: Iris) -> tuple[list[Triple], list[Triple]]:
    """An article's triples as ``(its own, descriptions for the entity graph)``."""
    prefix = f"{iris.base}entity/"
    own: list[Triple] = []
    descriptions: list[Triple] = []
    for t in triples:
        (descriptions if t[1] in DESCRIPTIVE and str(t[0]).startswith(prefix) else own).append(t)
    return own, descriptions


def add_descriptions_update(graph: str, descriptions: Iterable[Triple], nt_term: Callable[[Node], str]) -> str:
    """One update adding the descriptions whose subject has no value yet for that predicate ("" if none).

    Within ``descriptions`` the first value for a subject and predicate wins too. ``nt_term`` writes a
    term as N-Triples (:func:`kg.rdf.nt_term`).
    """
    first: dict[tuple[URIRef, URIRef], Node] = {}
    for s, p, o in descriptions:
        first.setdefault((s, p), o)
    if not first:
        return ""
    rows = "\n".join(f"({nt_term(s)} {nt_term(p)} {nt_term(o)})" for (s, p), o in first.items())
    return (f"INSERT {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{\n  VALUES (?s ?p ?o) {{\n{rows}\n  }}\n"
            f"  FILTER NOT EXISTS {{ GRAPH <{graph}> {{ ?s ?p ?other }} }}\n}}")


def prune_update(graph: str, iris: Iris, *, leaving: str | None = None) -> str:
    """One update removing the descriptions no article graph refers to.

    With ``leaving`` (an article graph about to be dropped or replaced), only the
    subjects that graph refers to are considered, and it no longer counts as a
    reference: run it before the drop, in the same transaction.
    """
    prefix = f"{iris.base}entity/"
    ignore = f"<{graph}>" + (f", <{leaving}>" if leaving else "")
    if leaving:
        subjects = (f"{{ SELECT DISTINCT ?s WHERE {{ GRAPH <{leaving}> {{ {{ ?s ?q ?v }} UNION {{ ?v ?q ?s }} }}\n"
                    f"    FILTER(isIRI(?s) && STRSTARTS(STR(?s), \"{prefix}\")) }} }}\n  ")
    else:
        subjects = ""
    return (f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{\n  {subjects}GRAPH <{graph}> {{ ?s ?p ?o }}\n"
            f"  FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?q ?v }} FILTER(?g NOT IN ({ignore})) }}\n"
            f"  FILTER NOT EXISTS {{ GRAPH ?g {{ ?v ?q ?s }} FILTER(?g NOT IN ({ignore})) }}\n}}")
