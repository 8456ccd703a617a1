"""The articles as kgqa answers from them: the knowledge graph and its passage index, kept in step.

Every ingest and delete goes through here, so graph and index always hold
the same articles; on opening, an index that disagrees with the graph is
refused with a message saying how to rebuild it.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from kg import IngestReport, KnowledgeGraph, QueryResult, Settings

from .embedding import SentenceEmbeddings
from ._rwlock import ReadWriteLock
from .index import PassageIndex

__all__ = ["Library"]

log = logging.getLogger(__name__)


class Library:
    """A :class:`kg.KnowledgeGraph` plus its :class:`PassageIndex`; use as a context manager.

    >>> import tempfile, pathlib
    >>> from kg import Settings
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "a.txt").write_text("Rain in Spain\\n\\nIt rained in Madrid on Aug. 3. Nobody minded.")
    >>> with Library(Settings(data_dir=tmp / "built", nlp_model="")) as lib:
    ...     report = lib.ingest([tmp / "a.txt"])
    ...     len(lib.index)
    3
    """

    def __init__(self, settings: Settings, graph: KnowledgeGraph | None = None, *, progress: bool = False,
                 rebuild: bool = False) -> None:
        self.settings = settings
        #: Questions hold it for reading, index updates for writing (see :class:`ReadWriteLock`).
        self.lock = ReadWriteLock()
        #: Bumped by every change of the articles, so answerers know to refresh what they cached.
        self.generation = 0
        self._owns_graph = graph is None  # a graph passed in is closed by whoever opened it
        self.graph = graph or KnowledgeGraph(settings)
        self.embeddings = SentenceEmbeddings(settings.embedding_model)
        folder = settings.index_path
        try:
            if rebuild:
                self.index = PassageIndex(folder, self.embeddings)
                self._rebuild(progress)
            elif PassageIndex.exists(folder):
                self.index = PassageIndex.load(folder, self.embeddings)
                self.index.check(self.graph.article_hashes())
            else:
                self.index = PassageIndex(folder, self.embeddings)
                if self.graph.article_hashes():
                    log.warning("no passage index in %s yet: building it from the graph", folder)
                    self._rebuild(progress)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_graph:
            self.graph.close()

    # --- keeping graph and index in step ---------------------------------------

    def _rebuild(self, progress: bool) -> None:
        hashes = self.graph.article_hashes()
        index = PassageIndex(self.settings.index_path, self.embeddings)
        index.update((), self.graph.sentences(), hashes, progress=progress)
        with self.lock.write():
            self.index = index
            index.save()
            self.generation += 1

    def reindex(self, *, progress: bool = False) -> int:
        """Rebuild the passage index from the graph; returns the number of passages."""
        started = time.perf_counter()
        self._rebuild(progress)
        log.info("reindexed %d passages in %.1f s", len(self.index), time.perf_counter() - started)
        return len(self.index)

    def _sync(self, before: dict[str, str], *, progress: bool = False) -> None:
        after = self.graph.article_hashes()
        changed = [i for i, h in after.items() if before.get(i) != h]
        removed = [i for i in before if i not in after]
        if not changed and not removed:
            return
        sentences = self.graph.sentences(changed) if changed else []
        # Answers read the index between steps; they wait only while it changes.
        with self.lock.write():
            self.index.update(removed + changed, sentences, after, progress=progress)
            self.index.save()
            self.generation += 1

    def ingest(self, paths: Iterable[Path | str], *, progress: bool = False, batch: int | None = None,
               replace: bool = True) -> IngestReport:
        """:meth:`kg.KnowledgeGraph.ingest`, then the passages of every new or changed article."""
        before = self.graph.article_hashes()
        try:
            report = self.graph.ingest(paths, progress=progress, batch=batch, replace=replace)
        finally:
            # Even when interrupted, whatever reached the graph reaches the index.
            self._sync(before, progress=progress and sys.stderr.isatty())
        return report

    def update(self, sparql: str) -> Any:
        """Run an admin SPARQL Update (:meth:`kg.KnowledgeGraph.update`), then re-read the articles it touched.

        Returns the graph's update report. Answerers rebuild their name and fact
        tables afterwards, since any triple may have changed them.
        """
        before = self.graph.article_hashes()
        report = None
        try:
            report = self.graph.update(sparql)
        finally:
            touched = report.articles if report is not None else ()
            # Articles the update named are re-read even if their record hash did not change.
            self._sync({**before, **{i: "" for i in touched if i in before}})
            with self.lock.write():
                self.generation += 1
        return report

    def delete(self, article_id: str) -> None:
        """Remove one article from the graph and the index."""
        before = self.graph.article_hashes()
        try:
            self.graph.delete(article_id)
        finally:
            self._sync(before)

    # --- the graph's read side, unchanged ------------------------------------

    @property
    def store(self) -> Any:
        return self.graph.store

    def query(self, sparql: str, **kwargs: Any) -> QueryResult:
        return self.graph.query(sparql, **kwargs)

    def articles(self) -> list:
        return self.graph.articles()

    def stats(self) -> dict[str, int]:
        return {**self.graph.stats(), "passages": len(self.index)}

    def export(self, fmt: str, out: BinaryIO) -> int:
        return self.graph.export(fmt, out)
