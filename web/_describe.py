"""What the graph holds about one IRI: the triples a linked-data page or its RDF forms are made of.

The RDF forms hold the resource's description, chosen to stay small whatever
the corpus size:

* an entity: every triple with it as subject, and every triple pointing at it
  except mentions (``itsrdf:taIdentRef``) and reified statements
  (``rdf:subject``/``rdf:object``), which the HTML page summarises instead;
* an article: its own triples, its text (``nif:Context``), its sentences and
  its reader comments; mentions, segments and facts stay in its named graph
  (``kgqa export`` or ``/sparql`` give them);
* anything else: the triples with it as subject.

At most ``limit`` triples are read (``truncated`` says when more exist), and
the RDF is written by rdflib's serialisers through :class:`kg.QueryResult`.

>>> sparql_iri("http://x/id/entity/person/a")
'<http://x/id/entity/person/a>'
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from kg import KnowledgeGraph, PREFIXES, QueryResult
from kg.results import Term

from ._neighbourhood import is_safe_iri, select_values

__all__ = ["Description", "RdfForm", "RDF_FORMS", "describe", "labels_of", "rdf_text", "sparql_iri",
           "SCHEMA", "RDF", "RDFS", "KGQA", "NIF", "SKOS", "ORG"]

log = logging.getLogger(__name__)

SCHEMA, RDF, RDFS = PREFIXES["schema"], PREFIXES["rdf"], PREFIXES["rdfs"]
KGQA, NIF, SKOS, ORG = PREFIXES["kgqa"], PREFIXES["nif"], PREFIXES["skos"], PREFIXES["org"]
_TYPE = f"{RDF}type"
_LABEL_CHUNK = 100  # IRIs per VALUES list: small queries, whatever a page shows


class RdfForm(NamedTuple):
    """One RDF form a description is served in: its ``?format=`` name, media type and name for people."""

    name: str
    media: str
    label: str


RDF_FORMS = (RdfForm("turtle", "text/turtle", "Turtle"), RdfForm("jsonld", "application/ld+json", "JSON-LD"),
             RdfForm("nt", "application/n-triples", "N-Triples"))


def sparql_iri(iri: str) -> str:
    """``<iri>`` for an IRI that came from the store; refuses anything that could break out of the brackets."""
    if not is_safe_iri(iri, ""):
        raise ValueError(f"not an IRI kgqa can query: {iri[:80]!r}")
    return f"<{iri}>"


def labels_of(graph: KnowledgeGraph, iris: Iterable[str]) -> dict[str, str]:
    """``rdfs:label`` of each IRI that has one (a small VALUES list: only the IRIs a page shows)."""
    wanted = sorted({i for i in iris if i and i.startswith(("http:", "https:")) and is_safe_iri(i, "")})
    out: dict[str, str] = {}
    for first in range(0, len(wanted), _LABEL_CHUNK):
        chunk = " ".join(f"<{i}>" for i in wanted[first:first + _LABEL_CHUNK])
        for iri, label in select_values(graph, f"""
            SELECT ?x ?l WHERE {{ VALUES ?x {{ {chunk} }} GRAPH ?g {{ ?x rdfs:label ?l }} }}"""):
            if iri and label:
                out.setdefault(iri, label)
    return out


@dataclass(frozen=True)
class Description:
    """What the graph holds about one IRI: its own triples, and the extra ones its RDF forms carry."""

    iri: str
    subject: tuple[tuple[Term, Term], ...]  # (predicate, object) with the IRI as subject
    triples: tuple[tuple[Term, Term, Term], ...] = ()
    truncated: bool = False

    def values(self, predicate: str) -> list[str]:
        return list(dict.fromkeys(o[1] for p, o in self.subject if p[1] == predicate))

    def first(self, predicate: str) -> str | None:
        found = self.values(predicate)
        return found[0] if found else None

    @property
    def types(self) -> list[str]:
        return self.values(_TYPE)

    @property
    def is_article(self) -> bool:
        return f"{SCHEMA}NewsArticle" in self.types


def describe(graph: KnowledgeGraph, iri: str, *, limit: int) -> Description | None:
    """The IRI's description (see the module docstring), or ``None`` if the graph says nothing about it."""
    node = sparql_iri(iri)
    rows = graph.select(f"SELECT DISTINCT ?p ?o WHERE {{ GRAPH ?g {{ {node} ?p ?o }} }} LIMIT {limit + 1}")
    if not rows:
        return None
    subject = tuple((r[0], r[1]) for r in rows[:limit] if r[0] is not None and r[1] is not None)
    me: Term = ("uri", iri, None, None)
    own = tuple((me, p, o) for p, o in subject)
    if f"{SCHEMA}NewsArticle" in {o[1] for p, o in subject if p[1] == _TYPE}:
        extra = graph.select(f"""SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH {node} {{ ?s ?p ?o .
            {{ ?s a <{NIF}Sentence> }} UNION {{ ?s a <{NIF}Context> }} UNION {{ ?s a <{SCHEMA}Comment> }} }} }}
            LIMIT {limit + 1}""")
    elif iri.startswith(f"{graph.settings.base_iri}entity/"):
        extra = graph.select(f"""SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p {node}
            FILTER(?p NOT IN (<http://www.w3.org/2005/11/its/rdf#taIdentRef>, <{RDF}subject>, <{RDF}object>)) }}
            BIND({node} AS ?o) }} LIMIT {limit + 1}""")
    else:
        extra = []
    room = max(0, limit - len(own))
    more = tuple((r[0], r[1], r[2]) for r in extra[:room] if None not in r[:3])
    return Description(iri, subject, own + more,  # type: ignore[arg-type]
                       truncated=len(rows) > limit or len(extra) > room)


def rdf_text(desc: Description, fmt: str) -> str:
    """The description as ``turtle``, ``jsonld`` or ``nt`` (the writers :class:`kg.QueryResult` uses)."""
    result = QueryResult("CONSTRUCT", triples=list(desc.triples), truncated=desc.truncated)
    return {"turtle": result.to_turtle, "jsonld": result.to_jsonld, "nt": result.to_ntriples}[fmt]()
