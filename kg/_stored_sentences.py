"""Stored sentences read back from the graph, with their entity and date mentions: what a passage index
embeds and cites (:meth:`kg.KnowledgeGraph.sentences`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .results import Term
from .store import GraphStore
from .vocab import KGQA, NIF, RDFS, SECTION_IRIS

__all__ = ["Mention", "StoredSentence", "read_sentences"]


@dataclass(frozen=True)
class StoredSentence:
    """One stored ``nif:Sentence`` with what a passage index needs to cite it."""

    iri: str
    article_id: str
    article_iri: str
    index: int
    start: int
    end: int
    text: str
    section: str
    headline: str | None = None
    published: str | None = None
    url: str | None = None
    commenter: str | None = None
    segment: str = ""  # IRI of the paragraph (kgqa:Segment) the sentence is in
    mentions: tuple[Mention, ...] = ()


@dataclass(frozen=True)
class Mention:
    """An entity or date mention inside a stored sentence (offsets into the article text)."""

    start: int
    end: int
    text: str
    kind: str  # person, organization, place, group, date
    entity: str | None = None  # IRI (None for dates)
    date: str | None = None  # normalised value of a date mention


_MENTION_KINDS = {
    "http://schema.org/Person": "person", "http://schema.org/Organization": "organization",
    "http://schema.org/Place": "place", str(KGQA.Group): "group", "http://schema.org/Date": "date",
}

_MENTIONS_QUERY = f"""
SELECT ?sentence ?b ?e ?text ?cls ?entity ?value WHERE {{ GRAPH ?a {{
  ?m <{NIF.sentence}> ?sentence ; <{NIF.beginIndex}> ?b ; <{NIF.endIndex}> ?e ; <{NIF.anchorOf}> ?text ;
     <http://www.w3.org/2005/11/its/rdf#taClassRef> ?cls .
  OPTIONAL {{ ?m <http://www.w3.org/2005/11/its/rdf#taIdentRef> ?entity }}
  OPTIONAL {{ ?m <{KGQA.dateValue}> ?value }}
}} }}"""


_SENTENCES_QUERY = f"""
SELECT ?s ?id ?a ?i ?b ?e ?text ?section ?headline ?date ?url ?commenter ?segment WHERE {{ GRAPH ?a {{
  ?a <http://schema.org/identifier> ?id .
  ?s a <{NIF.Sentence}> ; <{NIF.anchorOf}> ?text ; <{NIF.beginIndex}> ?b ; <{NIF.endIndex}> ?e ;
     <{KGQA.section}> ?section ; <{KGQA.sentenceIndex}> ?i ; <{KGQA.inSegment}> ?segment .
  OPTIONAL {{ ?a <http://schema.org/headline> ?headline }}
  OPTIONAL {{ ?a <http://schema.org/datePublished> ?date }}
  OPTIONAL {{ ?a <http://schema.org/url> ?url }}
  OPTIONAL {{ ?s <{KGQA.commenter}> ?c . GRAPH ?cg {{ ?c <{RDFS.label}> ?commenter }} }}
}} }}"""


def _stored_sentence(row: tuple[Term | None, ...], mentions: dict[str, list[Mention]]) -> StoredSentence:
    sections = {str(iri): kind for kind, iri in SECTION_IRIS.items()}
    iri = _value(row[0]) or ""
    return StoredSentence(
        iri=iri, article_id=_value(row[1]) or "", article_iri=_value(row[2]) or "",
        index=int(_value(row[3]) or 0), start=int(_value(row[4]) or 0), end=int(_value(row[5]) or 0),
        text=_value(row[6]) or "", section=sections.get(_value(row[7]) or "", "body"),
        headline=_value(row[8]), published=_value(row[9]), url=_value(row[10]), commenter=_value(row[11]),
        segment=_value(row[12]) or "",
        mentions=tuple(sorted(set(mentions.get(iri, ())), key=lambda m: (m.start, m.kind))),
    )

def read_sentences(store: GraphStore, scopes: Iterable[str], wanted: set[str] | None) -> list[StoredSentence]:
    """The sentences of the named graphs ``scopes`` (``?a``: every graph) whose article id is ``wanted``
    (None: any), with their mentions, in article and reading order; two queries a scope."""
    out = []
    for scope in scopes:
        bind = "" if scope == "?a" else f" BIND({scope} AS ?a)"
        sentence_query = _SENTENCES_QUERY.replace("GRAPH ?a {", f"GRAPH {scope} {{{bind}")
        mentions: dict[str, list[Mention]] = {}
        for row in store.select(_MENTIONS_QUERY.replace("GRAPH ?a {", f"GRAPH {scope} {{")):
            kind = _MENTION_KINDS.get(_value(row[4]) or "")
            if kind:
                mentions.setdefault(_value(row[0]) or "", []).append(Mention(
                    int(_value(row[1]) or 0), int(_value(row[2]) or 0), _value(row[3]) or "", kind,
                    _value(row[5]), _value(row[6])))
        for row in store.select(sentence_query):
            if wanted is not None and (_value(row[1]) or "") not in wanted:
                continue
            out.append(_stored_sentence(row, mentions))
    out.sort(key=lambda s: (s.article_id, s.index))
    return out


def _value(term: Term | None) -> str | None:
    return None if term is None else term[1]
