"""The graph side of answering: posts, quotations, acronyms and mentions, read with SPARQL.

Every lookup returns rows plus the query text that found them, so an answer
can show "how this was found" and a user can re-run it in the SPARQL tab.
Queries go through ``KnowledgeGraph.select`` (trusted, fixed shapes; values
escaped here), each inside ``GRAPH ?g`` so they work on any store.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property

from kg import PREFIXES, KnowledgeGraph, sparql_literal

from ._text import tokens

__all__ = ["GraphFacts", "Post", "Quotation", "Acronym"]

log = logging.getLogger(__name__)

_PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items() if p in {
    "schema", "nif", "itsrdf", "kgqa", "prov", "org", "skos", "rdf", "rdfs"})


def _iri(value: str) -> str:
    if any(c in value for c in '<>"{}|^`\\ \n'):
        raise ValueError(f"not an IRI: {value!r}")
    return f"<{value}>"


def _v(term: tuple | None) -> str | None:
    return None if term is None else term[1]


@dataclass(frozen=True)
class Post:
    holder: str
    holder_label: str
    title: str
    org: str | None
    org_label: str | None
    rank: str | None
    sentence: str

    @property
    def label(self) -> str:
        return f"{self.title} of {self.org_label}" if self.org_label else self.title


@dataclass(frozen=True)
class Quotation:
    iri: str
    text: str
    cue: str
    speaker_text: str
    creator: str | None
    creator_label: str | None
    sentence: str


@dataclass(frozen=True)
class Acronym:
    short: str
    entity: str
    label: str
    sentence: str | None


class GraphFacts:
    """Fact lookups by entity or sentence; the query behind each result is kept in ``last_query``."""

    def __init__(self, graph: KnowledgeGraph) -> None:
        self.graph = graph
        self.last_query: str | None = None

    def _select(self, body: str) -> list[tuple]:
        query = _PROLOGUE + body.strip() + "\n"
        self.last_query = query
        return self.graph.select(query)

    # --- posts ---------------------------------------------------------------

    @cached_property
    def post_titles(self) -> dict[tuple[str, ...], str]:
        """Tokens of every stored post title -> the title (for spotting "defence minister" in a question)."""
        rows = self.graph.select(_PROLOGUE + "SELECT DISTINCT ?t WHERE { GRAPH ?g { ?p kgqa:title ?t } }")
        return {tuple(tokens(_v(r[0]) or "")): _v(r[0]) or "" for r in rows if r[0]}

    def _posts(self, where: str) -> list[Post]:
        rows = self._select(f"""
SELECT DISTINCT ?holder ?holderLabel ?title ?org ?orgLabel ?rank ?sentence WHERE {{ GRAPH ?g {{
  {where}
  ?holder org:holds ?post ; rdfs:label ?holderLabel . ?post kgqa:title ?title .
  ?fact rdf:subject ?holder ; rdf:predicate org:holds ; rdf:object ?post ; prov:wasDerivedFrom ?sentence .
  OPTIONAL {{ ?post org:postIn ?org . ?org rdfs:label ?orgLabel }}
  OPTIONAL {{ ?holder kgqa:rank ?rank }}
}} }} LIMIT 200""")
        return [Post(_v(r[0]) or "", _v(r[1]) or "", _v(r[2]) or "", _v(r[3]), _v(r[4]), _v(r[5]), _v(r[6]) or "")
                for r in rows]

    def posts_of(self, entities: list[str]) -> list[Post]:
        """Posts held by, or in, any of the entities."""
        # One small query per entity with the IRI written in: Oxigraph answers those from its indexes,
        # where a VALUES join over the whole store takes a hundred times longer.
        found: list[Post] = []
        queries = []
        for e in entities:
            found += self._posts(f"{_iri(e)} org:holds ?post . BIND({_iri(e)} AS ?holder)")
            queries.append(self.last_query)
            found += self._posts(f"?post org:postIn {_iri(e)} .")
        self.last_query = queries[0] if queries else None
        return list(dict.fromkeys(found))

    def _each(self, lookup, values: list[str]) -> list:  # type: ignore[no-untyped-def]
        """``lookup`` of every value, once each, in order; ``last_query`` the first one's."""
        found: list = []
        queries = []
        for value in dict.fromkeys(values):
            found += lookup(value)
            queries.append(self.last_query)
        self.last_query = queries[0] if queries else None
        return list(dict.fromkeys(found))

    def posts_in(self, sentences: list[str]) -> list[Post]:
        """Posts read from any of the sentences."""
        # The sentence written into a triple pattern, so the store reads it from its index (a bare BIND
        # of ?sentence made it scan every post: 115 ms for five sentences over the BBC store).
        return self._each(lambda s: self._posts(
            f"?fact prov:wasDerivedFrom {_iri(s)} . BIND({_iri(s)} AS ?sentence)"), sentences)

    def posts_titled(self, titles: list[str]) -> list[Post]:
        found: list[Post] = []
        queries = []
        for title in titles:
            found += self._posts(f"?post kgqa:title {sparql_literal(title)} .")
            queries.append(self.last_query)
        self.last_query = queries[0] if queries else None
        return list(dict.fromkeys(found))

    # --- quotations ------------------------------------------------------------

    def _quotes(self, where: str) -> list[Quotation]:
        rows = self._select(f"""
SELECT DISTINCT ?q ?text ?cue ?speakerText ?creator ?creatorLabel ?sentence WHERE {{ GRAPH ?g {{
  {where}
  ?q a schema:Quotation ; schema:text ?text ; kgqa:cue ?cue ; kgqa:speakerText ?speakerText ;
     prov:wasDerivedFrom ?sentence .
  OPTIONAL {{ ?q schema:creator ?creator . ?creator rdfs:label ?creatorLabel }}
}} }} LIMIT 500""")
        return [Quotation(_v(r[0]) or "", _v(r[1]) or "", _v(r[2]) or "", _v(r[3]) or "", _v(r[4]), _v(r[5]),
                          _v(r[6]) or "") for r in rows]

    def quotes_by(self, entities: list[str]) -> list[Quotation]:
        found: list[Quotation] = []
        queries = []
        for e in entities:
            found += self._quotes(f"?q schema:creator {_iri(e)} .")
            queries.append(self.last_query)
        self.last_query = queries[0] if queries else None
        return list(dict.fromkeys(found))

    def quotes_in(self, sentences: list[str]) -> list[Quotation]:
        return self._each(
            lambda s: self._quotes(f"?q prov:wasDerivedFrom {_iri(s)} . BIND({_iri(s)} AS ?sentence)"), sentences)

    # --- acronyms and mentions -------------------------------------------------

    def acronym(self, short: str) -> list[Acronym]:
        rows = self._select(f"""
SELECT DISTINCT ?entity ?label ?sentence WHERE {{ GRAPH ?g {{
  ?entity skos:altLabel {sparql_literal(short)} ; rdfs:label ?label .
  OPTIONAL {{ ?fact rdf:subject ?entity ; rdf:predicate skos:altLabel ; rdf:object {sparql_literal(short)} ;
                   prov:wasDerivedFrom ?sentence }}
}} }} LIMIT 50""")
        return [Acronym(short, _v(r[0]) or "", _v(r[1]) or "", _v(r[2])) for r in rows]

    def authors(self, article: str) -> list[str]:
        rows = self._select(f"""
SELECT DISTINCT ?author ?name WHERE {{ GRAPH ?g {{ {_iri(article)} schema:author ?author . ?author rdfs:label ?name }} }}""")
        return [_v(r[1]) or "" for r in rows]

    def comment_count(self, article: str) -> tuple[int, str | None]:
        """Number of reader comments on an article, and its first comment sentence."""
        rows = self._select(f"""
SELECT (COUNT(DISTINCT ?comment) AS ?n) (MIN(STR(?sentence)) AS ?first) WHERE {{ GRAPH {_iri(article)} {{
  ?sentence kgqa:inComment ?comment }} }}""")
        if not rows or rows[0][0] is None:
            return 0, None
        return int(_v(rows[0][0]) or 0), _v(rows[0][1])

    def labels(self, entities: list[str]) -> dict[str, str]:
        if not entities:
            return {}
        rows = self.graph.select(_PROLOGUE + f"""SELECT ?e (SAMPLE(?l) AS ?label) WHERE {{ GRAPH ?g {{
  VALUES ?e {{ {' '.join(_iri(e) for e in entities)} }} ?e rdfs:label ?l }} }} GROUP BY ?e""")
        return {_v(r[0]) or "": _v(r[1]) or "" for r in rows}
