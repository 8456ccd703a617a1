"""What the store holds, read from its article graphs: the article list, the id -> hashes index, counts.

Trusted SELECTs written here (no user text), run on the store directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from .results import Term
from .store import GraphStore
from .vocab import KGQA, Iris

__all__ = ["ArticleInfo", "StoredHashes", "read_articles", "read_index", "read_stats", "value"]

_INDEX_QUERY = f"""
SELECT ?a ?id ?content ?record WHERE {{ GRAPH ?a {{
  ?a <{KGQA.contentHash}> ?content ; <{KGQA.recordHash}> ?record ; <http://schema.org/identifier> ?id .
}} }}"""

_ARTICLES_QUERY = f"""
SELECT ?id ?headline ?n ?date ?format WHERE {{ GRAPH ?a {{
  ?a a <http://schema.org/NewsArticle> ; <http://schema.org/identifier> ?id ; <{KGQA.sentenceCount}> ?n ;
     <{KGQA.sourceFormat}> ?format .
  OPTIONAL {{ ?a <http://schema.org/headline> ?headline }}
  OPTIONAL {{ ?a <http://schema.org/datePublished> ?date }}
}} }} ORDER BY ?id"""

_NIF_SENTENCE = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#Sentence"


@dataclass(frozen=True)
class ArticleInfo:
    id: str
    iri: str
    headline: str | None
    sentences: int
    published: str | None
    format: str


@dataclass
class StoredHashes:
    """A stored article's graph IRI and the hashes that tell a re-ingest whether it changed."""

    iri: str
    content_hash: str
    record_hash: str


def value(term: Term | None) -> str | None:
    return None if term is None else term[1]


def read_index(store: GraphStore) -> dict[str, StoredHashes]:
    """Article id -> its graph and hashes, for every stored article."""
    return {
        value(row[1]) or "": StoredHashes(value(row[0]) or "", value(row[2]) or "", value(row[3]) or "")
        for row in store.select(_INDEX_QUERY)
    }


def read_articles(store: GraphStore, iris: Iris) -> list[ArticleInfo]:
    """Every stored article, by id."""
    return [
        ArticleInfo(id=value(row[0]) or "", iri=iris.article(value(row[0]) or ""), headline=value(row[1]),
                    sentences=int(value(row[2]) or 0), published=value(row[3]), format=value(row[4]) or "")
        for row in store.select(_ARTICLES_QUERY)
    ]


def read_stats(store: GraphStore, articles: int) -> dict[str, int]:
    """Numbers of articles (given: the caller's index has them), sentences and triples (all graphs)."""
    triples = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    sentences = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s a <{_NIF_SENTENCE}> }} }}")
    return {"articles": articles, "sentences": int(value(sentences[0][0]) or 0),
            "triples": int(value(triples[0][0]) or 0)}
