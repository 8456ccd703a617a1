"""The knowledge graph: articles in, safe SPARQL out. kgqa's main entry to ``kg``.

>>> import tempfile, pathlib
>>> from kg import KnowledgeGraph, Settings
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> _ = (tmp / "a.txt").write_text("Rain in Spain\\n\\nIt rained in Madrid on Aug. 3. Nobody minded.")
>>> with KnowledgeGraph(Settings(data_dir=tmp / "built")) as kg:
...     report = kg.ingest([tmp / "a.txt"])
...     n = kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?s a nif:Sentence }").values("n")
>>> report.stored, n
(1, [3])
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from tqdm import tqdm

from .errors import InputError, NotFound
from .ingest import IngestReport, find_article_files
from .loading import load_file
from .model import Article
from .query_guard import check_query
from .rdf import ArticleGraph, build_article_graph, to_ntriples
from .results import QueryResult, Term
from .settings import Settings
from .store import GraphStore, open_store
from .vocab import KGQA, KGQA_ONTOLOGY_GRAPH, PREFIXES, Iris

__all__ = ["KnowledgeGraph", "ArticleInfo", "EXPORT_FORMATS"]

log = logging.getLogger(__name__)

EXPORT_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
}

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


@dataclass(frozen=True)
class ArticleInfo:
    id: str
    iri: str
    headline: str | None
    sentences: int
    published: str | None
    format: str


@dataclass
class _Stored:
    iri: str
    content_hash: str
    record_hash: str


def _value(term: Term | None) -> str | None:
    return None if term is None else term[1]


class KnowledgeGraph:
    """Articles, their sentences and facts in a SPARQL store; every query through the guard."""

    def __init__(self, settings: Settings, store: GraphStore | None = None) -> None:
        self.settings = settings
        self.iris = Iris(settings.base_iri)
        self.store = store or open_store(settings)
        self._index: dict[str, _Stored] | None = None
        self._hashes: dict[str, str] = {}  # content hash -> article id, kept with _index
        self._ensure_ontology()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    # --- writing -------------------------------------------------------------

    def _ensure_ontology(self) -> None:
        ttl = resources.files("kg").joinpath("ontology.ttl").read_bytes()
        digest = hashlib.sha256(ttl).hexdigest()
        rows = self.store.select(
            f"SELECT ?h WHERE {{ GRAPH <{KGQA_ONTOLOGY_GRAPH}> {{ <{KGQA_ONTOLOGY_GRAPH}> <{KGQA.recordHash}> ?h }} }}"
        )
        if rows and _value(rows[0][0]) == digest:
            return
        triples = ox.serialize(ox.parse(ttl, format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES)
        assert triples is not None
        stamp = f'<{KGQA_ONTOLOGY_GRAPH}> <{KGQA.recordHash}> "{digest}" .\n'
        self.store.replace_graph(KGQA_ONTOLOGY_GRAPH, triples.decode() + stamp)

    def _articles_index(self) -> dict[str, _Stored]:
        if self._index is None:
            self._index = {
                _value(row[1]) or "": _Stored(_value(row[0]) or "", _value(row[2]) or "", _value(row[3]) or "")
                for row in self.store.select(_INDEX_QUERY)
            }
            self._hashes = {s.content_hash: i for i, s in self._index.items()}
        return self._index

    def add_article(self, article: Article) -> tuple[str, ArticleGraph | None, str | None]:
        """Store one article whole, or not at all.

        Returns ``(outcome, graph, duplicate_of)``; outcome is ``stored``,
        ``updated``, ``unchanged`` or ``duplicate`` (identical text already
        stored under ``duplicate_of``).
        """
        index = self._articles_index()
        built = build_article_graph(article, self.iris)
        known = index.get(article.id)
        if known and known.record_hash == built.record_hash:
            return "unchanged", built, None
        other = self._hashes.get(built.content_hash)
        if other is not None and other != article.id:
            return "duplicate", built, other
        self.store.replace_graph(built.iri, to_ntriples(built.triples), exists=known is not None)
        index[article.id] = _Stored(built.iri, built.content_hash, built.record_hash)
        self._hashes[built.content_hash] = article.id
        return ("updated" if known else "stored"), built, None

    def ingest(self, paths: Iterable[Path | str], *, progress: bool = False) -> IngestReport:
        """Load every article under ``paths``; bad files are reported and the rest still load."""
        started = time.perf_counter()
        report = IngestReport()
        items: list[Article] = []
        max_bytes = int(self.settings.max_file_mb * 1_000_000)
        for found in find_article_files(Path(p) for p in paths):
            if isinstance(found, InputError):
                report.errors.append(str(found))
                continue
            try:
                for item in load_file(found, max_bytes=max_bytes, max_chars=self.settings.max_article_chars):
                    if isinstance(item, InputError):
                        report.errors.append(str(item))
                    else:
                        items.append(item)
            except InputError as exc:
                report.errors.append(str(exc))
        bar = tqdm(items, desc="ingest", unit="article", disable=not progress, leave=False)
        for article in bar:
            outcome, built, duplicate_of = self.add_article(article)
            if outcome == "duplicate" and duplicate_of:
                report.duplicates.append((article.id, duplicate_of))
            elif outcome == "unchanged":
                report.unchanged += 1
            elif built is not None:
                report.stored += outcome == "stored"
                report.updated += outcome == "updated"
                report.sentences += len(built.sentences)
                report.triples += len(built.triples)
        report.seconds = time.perf_counter() - started
        return report

    def delete(self, article_id: str) -> None:
        """Remove the article's graph, and nothing else; :class:`NotFound` if there is none."""
        index = self._articles_index()
        if article_id not in index:
            raise NotFound(f"no article with id {article_id!r}; `kgqa articles` lists them")
        self.store.drop_graph(index.pop(article_id).iri)
        self._hashes = {s.content_hash: i for i, s in index.items()}

    # --- reading -------------------------------------------------------------

    def query(self, sparql: str, *, timeout: float | None = None, row_limit: int | None = None) -> QueryResult:
        """Run a read-only SPARQL query safely: guarded, with a deadline and a row cap.

        The default graph is the union of all article graphs, and kgqa's
        prefixes (``schema:``, ``nif:``, ``kgqa:``, ``prov:`` ...) need no declaration.
        """
        info = check_query(sparql, base_iri=self.settings.base_iri)
        return self.store.run_query(
            sparql,
            form=info.form,
            prefixes=info.used_default_prefixes,
            row_limit=row_limit or self.settings.row_limit,
            timeout=timeout or self.settings.query_timeout,
        )

    def articles(self) -> list[ArticleInfo]:
        """Every stored article, by id."""
        out = []
        for row in self.store.select(_ARTICLES_QUERY):
            article_id = _value(row[0]) or ""
            out.append(ArticleInfo(
                id=article_id, iri=self.iris.article(article_id), headline=_value(row[1]),
                sentences=int(_value(row[2]) or 0), published=_value(row[3]), format=_value(row[4]) or "",
            ))
        return out

    def stats(self) -> dict[str, int]:
        """Numbers of articles, sentences and triples (all graphs)."""
        triples = self.store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        sentences = self.store.select(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s a "
            "<http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#Sentence> } }"
        )
        return {
            "articles": len(self._articles_index()),
            "sentences": int(_value(sentences[0][0]) or 0),
            "triples": int(_value(triples[0][0]) or 0),
        }

    def export(self, fmt: str, out: BinaryIO) -> int:
        """Write every graph (Turtle and JSON-LD: their union) to ``out``; returns the statement count."""
        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
        rows = self.store.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        quads = [ox.Quad(*(_to_ox(t) for t in row[:3]), ox.NamedNode(row[3][1])) for row in rows]  # type: ignore[index]
        if fmt in ("turtle", "jsonld"):
            data = list(dict.fromkeys(q.triple for q in quads))
        else:
            data = quads
        ox.serialize(data, out, EXPORT_FORMATS[fmt], prefixes=PREFIXES if fmt != "jsonld" else None)
        return len(data)


def _to_ox(term: Term | None) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    assert term is not None
    kind, value, lang, datatype = term
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if lang:
        return ox.Literal(value, language=lang)
    return ox.Literal(value, datatype=ox.NamedNode(datatype) if datatype else None)
