"""The articles as kgqa answers from them: the knowledge graph and its passage index, kept in step.

**Reading.** The library publishes a :class:`Snapshot` (the passage index,
the alias table, a generation number), immutable, and replaces it with one
reference assignment when a change is complete. A request takes one snapshot
(:meth:`Library.snapshot`) and reads it to the end; no lock is taken on the
read path, and nothing a request reads changes under it.

**Writing.** Ingests, deletes, SPARQL updates and segment merges are
serialised by one writer lock and build the next snapshot off the read path.
The graph is written first, then the index catches up with it
(:meth:`PassageIndex.with_changes`: the new articles' sentences become a new
segment, deleted ones are masked), after every ingest batch; small segments
are merged in a background thread.

**Recovery.** Before touching the graph a writer leaves ``pending.json`` in
the index folder and removes it once the index has caught up. If the process
dies in between (``kill -9``), the next open finds the note, brings the index
level with the graph incrementally, logs what it did and opens. An index that
disagrees with the graph *without* such a note was not left by kgqa, and is
refused with a message saying how to rebuild it.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from kg import AliasTable, IngestReport, KnowledgeGraph, QueryResult, Settings
from kg.ingest import articles_to_parse
from kg.timing import stage

from ._indexer import BatchIndexer
from ._read_back import read_back
from .embedding import SentenceEmbeddings
from ._milvus import MilvusPassages
from ._passages import PassageBackend, open_passages
from .index import PassageIndex

__all__ = ["Library", "Snapshot"]

log = logging.getLogger(__name__)

_PENDING = "pending.json"


@dataclass(frozen=True)
class Snapshot:
    """What one request reads: never changed; a change of the articles publishes a new one."""

    generation: int
    index: PassageIndex | MilvusPassages  # the embedded index, or Milvus's (KGQA_VECTOR_URI)
    names: AliasTable  # a frozen copy of the graph's alias table
    graph: KnowledgeGraph  # its store serves reads alongside writes
    settings: Settings


class Library:
    """A :class:`kg.KnowledgeGraph` plus its :class:`PassageIndex`; use as a context manager.

    >>> import tempfile, pathlib
    >>> from kg import Settings
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "a.txt").write_text("Rain in Spain\\n\\nIt rained in Madrid on Aug. 3. Nobody minded.")
    >>> with Library(Settings(data_dir=tmp / "built", nlp_model="")) as lib:
    ...     report = lib.ingest([tmp / "a.txt"])
    ...     len(lib.snapshot().index)
    3
    """

    def __init__(self, settings: Settings, graph: KnowledgeGraph | None = None, *, progress: bool = False,
                 rebuild: bool = False, merge_in_background: bool = True) -> None:
        self.settings = settings
        self._writer = threading.RLock()  # ingests, deletes, updates and merges, one at a time
        self._unreadable: frozenset[str] = frozenset()  # articles the last read-back could not read
        self._background = merge_in_background
        self._merger: threading.Thread | None = None
        self._names: threading.Thread | None = None  # reads the alias table again after a delete
        self._closing = False
        self._owns_graph = graph is None  # a graph passed in is closed by whoever opened it
        self.graph = graph or KnowledgeGraph(settings)
        self.embeddings = SentenceEmbeddings(settings.embedding_model, backend=settings.embedding_backend,
                                             cache=settings.encoder_path)
        self._snapshot: Snapshot | None = None
        self._passages: PassageBackend | None = None
        try:
            # The embedded index in DATA_DIR/index, or Milvus when KGQA_VECTOR_URI names it.
            self._passages = open_passages(settings, self.embeddings)
            if rebuild or not self._passages.exists():
                self._publish(self._passages.empty())
                if rebuild or self.graph.article_hashes():
                    if not rebuild:
                        log.warning("no passage index in %s yet: building it from the graph", self.index.where)
                    self._rebuild(progress)
                self._pending.unlink(missing_ok=True)  # an unfinished first write: the index now has it all
            else:
                self._publish(self._passages.load())
                self._recover(progress)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._closing = True
        self.wait_for_merges()
        if self._owns_graph:
            self.graph.close()
        if self._passages is not None:
            self._passages.close()

    # --- the read side ---------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The current snapshot; hold it for the whole request."""
        assert self._snapshot is not None
        return self._snapshot

    @property
    def index(self) -> PassageIndex | MilvusPassages:
        return self.snapshot().index

    @property
    def generation(self) -> int:
        """Bumped by every change of the articles."""
        return self.snapshot().generation

    def _publish(self, index: PassageIndex | MilvusPassages) -> None:
        generation = self._snapshot.generation + 1 if self._snapshot else 1
        names = self.graph.alias_table(stale_ok=True).frozen()
        self._snapshot = Snapshot(generation, index, names, self.graph, self.settings)  # the one assignment

    # --- keeping graph and index in step ---------------------------------------

    @property
    def _pending(self) -> Path:
        assert self._passages is not None
        return self._passages.note_folder / _PENDING

    @contextmanager
    def _writing(self, operation: str) -> Iterator[None]:
        """Hold the writer lock, with a note on disk while graph and index may disagree."""
        with self._writer:
            self._pending.parent.mkdir(parents=True, exist_ok=True)
            note = {"operation": operation, "pid": os.getpid(), "started": time.time()}
            self._pending.write_text(json.dumps(note), encoding="utf-8")
            try:
                yield
            finally:
                # Whatever reached the graph reaches the index, even when the operation failed.
                self._sync()
                self._pending.unlink(missing_ok=True)
        self._merge_soon()

    def _recover(self, progress: bool) -> None:
        if self._pending.is_file():  # a write stopped between its descriptions and its graph leaves orphans
            self.graph.prune_entities()
        hashes = self.graph.article_hashes()
        missing, extra, stale = self.index.difference(hashes)
        if not (missing or extra or stale):
            self._pending.unlink(missing_ok=True)
            return
        if not self._pending.is_file():
            self.index.check(hashes)  # raises: someone else changed the store
        try:
            note = json.loads(self._pending.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            note = {}
        log.warning("an earlier %s (pid %s) stopped before the passage index caught up: indexing %d article(s), "
                    "dropping %d, re-reading %d", note.get("operation", "change"), note.get("pid", "?"),
                    len(missing), len(extra), len(stale))
        with self._writer:
            self._unreadable = frozenset()
            self._sync(progress=progress)
            if self._unreadable:  # keep the note: the next start tries those articles again
                log.error("opened without %d unreadable article(s): %s", len(self._unreadable),
                          ", ".join(sorted(self._unreadable)))
            else:
                self._pending.unlink(missing_ok=True)

    def _rebuild(self, progress: bool) -> None:
        with self._writer:
            assert self._passages is not None
            empty = self._passages.empty(drop=True)
            hashes = self.graph.article_hashes()
            index = empty.with_changes((), self.graph.sentences(), hashes, progress=progress)
            index.save()
            self._publish(index)

    def reindex(self, *, progress: bool = False) -> int:
        """Rebuild the passage index from the graph (after changing the model); returns the number of passages."""
        started = time.perf_counter()
        self._rebuild(progress)
        log.info("reindexed %d passages in %.1f s", len(self.index), time.perf_counter() - started)
        return len(self.index)

    def _sync(self, *, progress: bool = False, reread: Iterable[str] = ()) -> None:
        """Bring the index level with the graph: the articles it lacks, has too many of, or holds stale."""
        with self._writer:
            with stage("read back"):
                hashes = self.graph.article_hashes()
                index = self.index
                missing, extra, stale = index.difference(hashes)
                changed = sorted(set(missing) | set(stale) | {i for i in reread if i in hashes})
                if not changed and not extra:
                    return
                sentences, unreadable = read_back(self.graph, changed)
                self._unreadable = frozenset(unreadable)
                changed = [i for i in changed if i not in unreadable]
                if not changed and not extra:
                    return
            index = index.with_changes(extra, sentences, {i: hashes[i] for i in changed}, progress=progress)
            with stage("save"):
                index.save()
                self._publish(index)

    def ingest(self, paths: Iterable[Path | str], *, progress: bool = False, batch: int | None = None,
               replace: bool = True) -> IngestReport:
        """:meth:`kg.KnowledgeGraph.ingest`, the passages of every new or changed article indexed after each batch.

        Each written batch is embedded in a background thread while the next one is parsed
        (:class:`retrieval._indexer.BatchIndexer`), and its snapshot published as soon as it is indexed.
        """
        bar = progress and sys.stderr.isatty()
        paths = list(paths)  # read twice: parsed ahead, then ingested
        names = self._names
        if names is not None:  # the names read again after a delete: the rules resolve against them
            names.join()
        with self._parsed_ahead(paths), self._writing("ingest"):
            encoder = self.embeddings.with_threads(1)  # one core embeds while the other parses
            indexer = BatchIndexer(lambda hashes: self._index_batch(hashes, encoder, progress=bar))
            try:
                report = self.graph.ingest(paths, progress=progress, batch=batch, replace=replace,
                                           after_batch=indexer.submit)
            except BaseException:
                indexer.close(raise_error=False)
                raise
            indexer.close()
            return report

    @contextmanager
    def _parsed_ahead(self, paths: list[Path | str]) -> Iterator[None]:
        """Parse the new articles under ``paths`` before the writer lock; the ingest inside reuses the docs.

        Parsing is most of an ingest's time and a pure function of the text, so other writers (deletes,
        updates, merges) need not wait for it; only the rules, which read the alias table, and the writes
        run under the lock. Within :data:`kg.ingest.PARSE_AHEAD_CHARS` (an upload); a bulk ingest parses
        in the lock, overlapped with embedding.
        """
        extractor = self.graph.extractor
        if extractor is None:
            yield
            return
        with self._writer:  # a moment: which articles are stored, so unchanged ones are not parsed
            stored = dict(self.graph.article_hashes())
        max_bytes = int(self.settings.max_file_mb * 1_000_000)
        items = articles_to_parse(paths, stored, self.graph.iris, self.graph.pipeline, max_bytes=max_bytes,
                                  max_chars=self.settings.max_article_chars)
        with extractor.prepared(items) as pieces:
            if pieces:
                log.debug("parsed %d article(s), %d pieces, ahead of the writer lock", len(items), pieces)
            yield

    def _index_batch(self, hashes: dict[str, str], encoder: SentenceEmbeddings, *, progress: bool = False) -> None:
        """Add one written batch to the index (replacing older rows of its articles) and publish it.

        Runs in the ingest's indexing thread while the ingest holds the writer lock, so no other writer
        changes the index meanwhile; it reads the batch back from the graph, by article, never the whole store.
        """
        with stage("read back"):
            sentences = self.graph.sentences(hashes)
        index = self.index.with_changes((), sentences, hashes, progress=progress, encoder=encoder)
        with stage("save"):
            index.save()
            self._publish(index)

    def update(self, sparql: str) -> Any:
        """Run an admin SPARQL Update (:meth:`kg.KnowledgeGraph.update`), then re-read the articles it touched.

        Returns the graph's update report; a new snapshot is published even if no article changed, since
        any triple may have changed the names answers are matched against.
        """
        with self._writing("update"):
            report = self.graph.update(sparql)
            # Articles the update named are re-read even if their record hash did not change.
            self._sync(reread=report.articles)
            self._publish(self.index)
        return report

    def delete(self, article_id: str) -> None:
        """Remove one article from the graph and the index.

        The names table is read again from the articles left afterwards, in the background (with
        ``merge_in_background``; else before returning): until then answers may still link a name only
        the deleted article had, which finds nothing, and an ingest waits for it.
        """
        with self._writing("delete"):
            self.graph.delete(article_id)
        self._reload_names_soon()

    def _reload_names_soon(self) -> None:
        self._names = self._soon(self._names, self._reload_names, "kgqa-names")

    def _soon(self, running: threading.Thread | None, work: Callable[[], None],
              name: str) -> threading.Thread | None:
        """Run ``work`` in a background thread unless ``running`` still runs it (or at once, without
        ``merge_in_background``); the thread that runs it."""
        if not self._background:
            work()
            return running
        with self._writer:
            if running is None or not running.is_alive():
                running = threading.Thread(target=work, name=name, daemon=True)
                running.start()
            return running

    def _reload_names(self) -> None:
        """Read the alias table again and publish it, unless an ingest did first; again if another change
        came while it was being read (outside the writer lock: other writers need not wait)."""
        while not self._closing:
            generation = self.generation
            if self.graph.alias_table_current:
                return
            table = self.graph.read_alias_table()
            with self._writer:
                if self.graph.alias_table_current:
                    return
                if self.generation == generation:
                    self.graph.install_alias_table(table)
                    self._publish(self.index)
                    return

    # --- merging segments ---------------------------------------------------------

    def _merge_soon(self) -> None:
        if self.index.merge_plan():
            self._merger = self._soon(self._merger, self._merge_all, "kgqa-merge")

    def _merge_all(self) -> None:
        while not self._closing:
            index = self.index
            plan = index.merge_plan()
            if not plan:
                return
            started = time.perf_counter()
            merged = index.merged(plan)  # the heavy part, outside the writer lock
            with self._writer:
                current = self.index
                result = merged if current is index else merged.rebased(current, plan)
                result.save()
                self._publish(result)
            log.info("merged %d index segments in %.2f s; %d left", len(plan), time.perf_counter() - started,
                     len(result.segments))

    def wait_for_merges(self, timeout: float | None = None) -> None:
        """Block until the background work (a merge, the names read again after a delete) is done."""
        for thread in (self._merger, self._names):
            if thread is not None:
                thread.join(timeout)

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
