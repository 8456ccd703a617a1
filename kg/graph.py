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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox
from tqdm import tqdm

from .errors import NotFound, QuerySyntaxError, QueryTimeout
from .ingest import IngestReport
from ._ingest_run import IngestRun, default_batch, load_articles
from .model import Article
from .query_guard import QueryInfo, UpdateInfo, engine_syntax_error
from .sparql_guard import SparqlGuard
from .sparql_text import canonical_sparql
from ._export import EXPORT_FORMATS, export_store
from .extraction import AliasTable, Extractor
from .rdf import (
    ArticleGraph,
    article_content_hash,
    article_record_hash,
    article_sentences,
    build_article_graph,
    nt_term,
    to_ntriples,
)
from .entity_graph import add_descriptions_update, entities_graph, prune_update
from .results import QueryResult, Term
from ._base_record import check_base_iri
from ._catalogue import ArticleInfo, StoredHashes, read_articles, read_index, read_stats, value
from .settings import Settings
from ._stored_aliases import load_alias_table
from ._stored_sentences import Mention, StoredSentence, read_sentences
from .timing import stage
from .store import GraphStore, open_store
from .vocab import KGQA, KGQA_ONTOLOGY_GRAPH, PREFIXES, Iris

__all__ = ["KnowledgeGraph", "ArticleInfo", "StoredSentence", "Mention", "UpdateReport", "EXPORT_FORMATS"]

log = logging.getLogger(__name__)

#: Articles written by one ingest after which the embedded store is compacted (5 s after the 2,127 BBC articles).
_COMPACT_AFTER = 200

@dataclass(frozen=True)
class UpdateReport:
    """What a SPARQL Update did: the ids of articles whose graphs it may have changed, and how long it took."""

    articles: tuple[str, ...]
    elapsed: float


class KnowledgeGraph:
    """Articles, their sentences and facts in a SPARQL store; every query through the guard."""

    def __init__(self, settings: Settings, store: GraphStore | None = None) -> None:
        self.settings = settings
        self.iris = Iris(settings.base_iri)
        self.store = store or open_store(settings)
        self._guard = SparqlGuard(settings.base_iri)  # what users' SPARQL may do, decided in guard processes
        self._index: dict[str, StoredHashes] | None = None
        self._hashes: dict[str, str] = {}  # content hash -> article id, kept with _index
        self.extractor = (
            Extractor(settings.nlp_model, processes=settings.nlp_processes, batch_size=settings.nlp_batch_size)
            if settings.nlp_model else None
        )
        self._aliases: AliasTable | None = None
        self._aliases_current = True  # False after a delete, until the table is read again
        self._remote: Any = None  # a DaskParser when KGQA_DASK_SCHEDULER or KGQA_DASK_WORKERS is set
        if self.extractor is not None and (settings.dask_scheduler or settings.dask_workers):
            from ._distributed import DaskParser  # Dask only when asked for

            self._remote = self.extractor.remote = DaskParser(settings)
        try:
            self._ensure_ontology()
            check_base_iri(self.store, settings, settings.store_url or str(settings.store_path))
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._remote is not None:
            self._remote.close()
        self._guard.close()
        self.store.close()

    # --- writing -------------------------------------------------------------

    def _ensure_ontology(self) -> None:
        ttl = resources.files("kg").joinpath("ontology.ttl").read_bytes()
        digest = hashlib.sha256(ttl).hexdigest()
        rows = self.store.select(
            f"SELECT ?h WHERE {{ GRAPH <{KGQA_ONTOLOGY_GRAPH}> {{ <{KGQA_ONTOLOGY_GRAPH}> <{KGQA.recordHash}> ?h }} }}"
        )
        if rows and value(rows[0][0]) == digest:
            return
        triples = ox.serialize(ox.parse(ttl, format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES)
        assert triples is not None
        stamp = f'<{KGQA_ONTOLOGY_GRAPH}> <{KGQA.recordHash}> "{digest}" .\n'
        self.store.replace_graph(KGQA_ONTOLOGY_GRAPH, triples.decode() + stamp)

    def _articles_index(self) -> dict[str, StoredHashes]:
        if self._index is None:
            self._index = read_index(self.store)
            self._hashes = {s.content_hash: i for i, s in self._index.items()}
        return self._index

    @property
    def pipeline(self) -> str:
        """What extracts facts ("" when extraction is off); part of every article's record hash."""
        return self.extractor.pipeline_id if self.extractor else ""

    def alias_table(self, *, stale_ok: bool = False) -> AliasTable:
        """Every stored entity name and alias (loaded once, then grown by each ingest).

        After a delete the table still holds the deleted article's names until it is read again (a read of
        every article: seconds on a large library). ``stale_ok`` takes it as it is, for answering, where a
        name of a deleted article finds nothing; ingest reads it again first, so it resolves entities
        against exactly the stored articles.
        """
        if self._aliases is None or not (self._aliases_current or stale_ok):
            self.install_alias_table(self.read_alias_table())
        assert self._aliases is not None
        return self._aliases

    @property
    def alias_table_current(self) -> bool:
        return self._aliases is not None and self._aliases_current

    def read_alias_table(self) -> AliasTable:
        """The alias table of the stored articles, read afresh (not installed: see :meth:`install_alias_table`)."""
        return load_alias_table(self.store, self.iris)

    def install_alias_table(self, table: AliasTable) -> None:
        """Use ``table`` (read by :meth:`read_alias_table` since the last change) from now on."""
        self._aliases, self._aliases_current = table, True

    def _classify(self, article: Article, pipeline: str) -> tuple[str, str | None]:
        """``new``, ``changed``, ``unchanged`` or ``duplicate`` (with the id it duplicates)."""
        index = self._articles_index()
        known = index.get(article.id)
        if known and known.record_hash == article_record_hash(article, self.iris, pipeline):
            return "unchanged", None
        other = self._hashes.get(article_content_hash(article))
        if other is not None and other != article.id:
            return "duplicate", other
        return ("changed" if known else "new"), None

    def _build(self, articles: list[Article]) -> list[ArticleGraph]:
        if self.extractor is None:
            with stage("RDF build"):
                return [build_article_graph(a, self.iris) for a in articles]
        with stage("segment"):
            items = [(a, article_sentences(a)) for a in articles]
        with stage("facts"):  # the parse inside it is charged to "parse"
            facts = self.extractor.extract(items, self.alias_table())
        with stage("RDF build"):
            return [build_article_graph(a, self.iris, f, self.pipeline) for a, f in zip(articles, facts)]

    def _write(self, built: ArticleGraph, exists: bool, *, described: bool = False) -> None:
        """Store one article graph with its descriptions (``described``: they were added with its batch)."""
        entities = entities_graph(self.iris)
        with stage("RDF write"):
            if exists:  # one transaction: the old version's orphans go, the new graph and descriptions come
                self.store.update(";\n".join(filter(None, [
                    prune_update(entities, self.iris, leaving=built.iri),
                    f"DROP SILENT GRAPH <{built.iri}>",
                    f"INSERT DATA {{ GRAPH <{built.iri}> {{\n{to_ntriples(built.triples)}}} }}",
                    add_descriptions_update(entities, built.descriptions, nt_term)])))
            else:
                if not described:
                    self._describe([built])
                self.store.replace_graph(built.iri, to_ntriples(built.triples), exists=False)
        self._articles_index()[built.article.id] = StoredHashes(built.iri, built.content_hash, built.record_hash)
        self._hashes[built.content_hash] = built.article.id

    def _describe(self, built: Iterable[ArticleGraph]) -> None:
        """Add new articles' descriptions to the entity graph, before their graphs (see :mod:`kg.entity_graph`)."""
        update = add_descriptions_update(entities_graph(self.iris), (d for b in built for d in b.descriptions),
                                         nt_term)
        if update:
            self.store.update(update)

    def prune_entities(self) -> None:
        """Remove descriptions no article refers to: what a write stopped between its two steps leaves."""
        self.store.update(prune_update(entities_graph(self.iris), self.iris))

    def add_article(self, article: Article) -> tuple[str, ArticleGraph | None, str | None]:
        """Store one article, its sentences and facts, whole or not at all.

        Returns ``(outcome, graph, duplicate_of)``; outcome is ``stored``,
        ``updated``, ``unchanged`` (graph ``None``) or ``duplicate`` (identical
        text already stored under ``duplicate_of``; graph ``None``).
        """
        state, duplicate_of = self._classify(article, self.pipeline)
        if state in {"unchanged", "duplicate"}:
            return state, None, duplicate_of
        built = self._build([article])[0]
        self._write(built, exists=state == "changed")
        return ("updated" if state == "changed" else "stored"), built, None

    def ingest(self, paths: Iterable[Path | str], *, progress: bool = False, batch: int | None = None,
               replace: bool = True, after_batch: Callable[[dict[str, str]], None] | None = None) -> IngestReport:
        """Load every article under ``paths``; bad files are reported and the rest still load.

        ``replace=False`` refuses (as a reported error) every article whose id
        is stored with other content, so a caller without the right to replace
        can only add.

        Articles are parsed ``batch`` at a time so spaCy can batch efficiently;
        with ``KGQA_NLP_PROCESSES`` > 1 batches are larger, as each one starts its processes. On Dask
        (``KGQA_DASK_SCHEDULER`` or ``KGQA_DASK_WORKERS``) the workers parse batches ahead of this
        writer, which runs the rules in article order and writes each batch as in process (:mod:`kg._distributed`).
        ``after_batch`` is called once each batch is stored, with the stored articles' ids and record hashes
        (a passage index catches up there; it may do so in another thread while the next batch is parsed).
        """
        # The same batches on Dask as in process: the passage index embeds batch by batch, and an int8 encoder's
        # vectors depend (in their last digits) on what else is in the batch.
        started = time.perf_counter()
        report = IngestReport()
        items = load_articles(paths, self.settings, report)
        bar = tqdm(total=len(items), desc="ingest", unit="article", disable=not progress, leave=False)
        try:
            IngestRun(self, report, batch or default_batch(self.settings), replace, after_batch, bar).run(items)
        finally:
            bar.close()
        if report.articles >= _COMPACT_AFTER:
            with stage("compact"):
                self.store.compact()
        report.seconds = time.perf_counter() - started
        return report

    def delete(self, article_id: str) -> None:
        """Remove the article's graph, and nothing else; :class:`NotFound` if there is none."""
        index = self._articles_index()
        if article_id not in index:
            raise NotFound(f"no article with id {article_id!r}; `kgqa articles` lists them")
        iri = index[article_id].iri
        # One transaction: the article goes, with the descriptions of entities only it referred to.
        self.store.update(f"{prune_update(entities_graph(self.iris), self.iris, leaving=iri)} ;\n"
                          f"DROP SILENT GRAPH <{iri}>")
        index.pop(article_id)
        self._hashes = {s.content_hash: i for i, s in index.items()}
        # Its names, co-mentions and the merges they supported go with it: the table is read again, from the
        # articles left, before the next ingest (about 2 s on the BBC library, 7 s on five times it), or by
        # whoever calls install_alias_table first (the library, in the background).
        self._aliases_current = False

    def update(self, sparql: str) -> UpdateReport:
        """Apply a SPARQL 1.1 Update to the store, as one transaction; for administrators only.

        Callers decide who may update (the HTTP endpoint asks for the admin
        token); this method still refuses ``SERVICE`` and ``LOAD``, so no update
        fetches anything or reads a file. kgqa's prefixes need no declaration.
        Unlike queries, an update sees the store's own default graph, not the
        union of the article graphs, so name article graphs with ``GRAPH``.
        There is no deadline: a store cannot stop an update halfway.

        The report lists the articles whose graphs the update named (every
        article, when it used ``GRAPH ?g``, ``ALL`` or ``NAMED``) or whose record
        changed, so whoever keeps a passage index can re-read them.
        """
        info = self._guarded(sparql, update=True, timeout=self.settings.query_timeout)
        # Declarations go on the first line, so line numbers in errors still match the user's text.
        prologue = "".join(f"PREFIX {p}: <{iri}> " for p, iri in info.used_default_prefixes.items())
        before = dict(self._articles_index())
        started = time.perf_counter()
        try:
            self.store.update(prologue + info.text)  # the very text the guard judged
        except QuerySyntaxError as exc:  # Oxigraph parsed what rdflib accepted differently: its position
            raise engine_syntax_error(info.text, str(exc), first_line_shift=len(prologue)) from None
        elapsed = time.perf_counter() - started
        self._index = None  # articles may have appeared, changed or gone
        self._aliases = None
        after = self._articles_index()
        touched = {i for i in before.keys() | after.keys()
                   if info.every_graph or before.get(i) != after.get(i)  # named all graphs, or came, went, changed
                   or (after.get(i) or before[i]).iri in info.graphs}
        log.info("SPARQL update applied in %.3f s; %d article(s) to re-read", elapsed, len(touched))
        return UpdateReport(articles=tuple(sorted(touched)), elapsed=elapsed)

    # --- reading -------------------------------------------------------------

    def query(self, sparql: str, *, timeout: float | None = None, row_limit: int | None = None) -> QueryResult:
        """Run a read-only SPARQL query safely: guarded, with a deadline and a row cap.

        The default graph is the union of all article graphs, and kgqa's
        prefixes (``schema:``, ``nif:``, ``kgqa:``, ``prov:`` ...) need no declaration.
        The deadline covers checking the query as well as running it.
        """
        started = time.monotonic()
        info = self.check(sparql, timeout=timeout)
        return self.run_checked(info, timeout=timeout, row_limit=row_limit, started=started)

    def run_checked(self, info: QueryInfo, *, timeout: float | None = None, row_limit: int | None = None,
                    started: float | None = None) -> QueryResult:
        """Run what :meth:`check` returned (its canonical text), so a caller that checked first checks once.

        ``started`` (a ``time.monotonic()`` reading from before the check) makes the deadline cover both.
        """
        budget = timeout or self.settings.query_timeout
        remaining = budget - (time.monotonic() - started if started is not None else 0.0)
        if remaining <= 0:
            raise QueryTimeout(f"the query ran past its {budget:g} s deadline while it was checked")
        return self.store.run_query(
            info.text,  # the very text the guard judged
            form=info.form,
            prefixes=info.used_default_prefixes,
            row_limit=row_limit or self.settings.row_limit,
            timeout=remaining,
            max_bytes=int(self.settings.max_response_mb * 2**20),
        )

    def check(self, sparql: str, *, timeout: float | None = None) -> QueryInfo:
        """What :meth:`query` would run, decided before anything runs: its form, or the reason it will not."""
        info: QueryInfo = self._guarded(sparql, update=False, timeout=timeout or self.settings.query_timeout)
        return info

    def _guarded(self, sparql: str, *, update: bool, timeout: float) -> QueryInfo | UpdateInfo:
        """The guard's verdict; when rdflib's parser rejects the text, Oxigraph's parser says where, if it can."""
        try:
            return self._guard.update(sparql, timeout=timeout) if update else self._guard.query(sparql, timeout=timeout)
        except QuerySyntaxError as exc:
            if not getattr(exc, "from_parser", False):
                raise
            explained = self.store.explain_syntax(canonical_sparql(sparql), update=update, prefixes=PREFIXES)
            raise (explained or exc) from None

    def articles(self) -> list[ArticleInfo]:
        """Every stored article, by id."""
        return read_articles(self.store, self.iris)

    def article_hashes(self) -> dict[str, str]:
        """Article id -> record hash, for every stored article; changes whenever an article's graph does."""
        return {i: s.record_hash for i, s in self._articles_index().items()}

    def sentences(self, article_ids: Iterable[str] | None = None) -> list[StoredSentence]:
        """The stored sentences of some articles (default: all), in article and reading order, with their mentions."""
        wanted = None if article_ids is None else set(article_ids)
        if wanted is None:
            scopes = ["?a"]
        else:
            # Each article's graph named in its own queries (no VALUES join, which Oxigraph evaluates
            # slowly; no scan of every graph): 700 of the BBC articles read in 2.2 s and +56 MB, where
            # one scan took 5.3 s and +165 MB, and grew with the store.
            index = self._articles_index()
            scopes = [f"<{index[i].iri}>" for i in sorted(wanted) if i in index]
        return read_sentences(self.store, scopes, wanted)

    def select(self, sparql: str) -> list[tuple[Term | None, ...]]:
        """Rows of a trusted SELECT written by kgqa's own code: no guard, no deadline.

        Text from users goes through :meth:`query` instead.
        """
        return self.store.select(sparql)

    def stats(self) -> dict[str, int]:
        """Numbers of articles, sentences and triples (all graphs)."""
        return read_stats(self.store, len(self._articles_index()))

    def export(self, fmt: str, out: BinaryIO) -> int:
        """Write every graph (Turtle and JSON-LD: their union) to ``out``; returns the statement count."""
        return export_store(self.store, fmt, out)
