"""The default store: Oxigraph on disk, opened through rdflib's ``oxrdflib`` plugin.

Writes go to the read-write store in this process. Queries from users run in
:class:`~kg.store.pool.QueryPool` processes on a read-only snapshot (a RocksDB
checkpoint, cheap: files are hard links), taken lazily after each write, so a
query past its deadline is stopped by ending its process.
"""

from __future__ import annotations

import gc
import logging
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Dataset

from ..errors import QueryError, QuerySyntaxError, ResponseTooLarge, StoreError
from ..query_guard import engine_syntax_error
from ..results import QueryResult, Term
from ._offline_thread import OfflineThread
from .base import GraphStore, hidden_detail, too_large_message
from .pool import QueryPool, fit_to_machine

__all__ = ["EmbeddedStore", "ox_term"]

log = logging.getLogger(__name__)


def ox_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Term | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value, None, None)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value, None, None)
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.language, None if term.language else term.datatype.value)
    return ("literal", str(term), None, None)


class EmbeddedStore(GraphStore):
    """Oxigraph in ``path`` (created if missing)."""

    kind = "embedded"

    def __init__(self, path: Path, *, workers: int = 2, memory_mb: int = 0) -> None:
        self._path = Path(path)
        try:
            self._path.mkdir(parents=True, exist_ok=True)
            self._rdf = OxigraphStore()
            self._rdf.open(str(self._path / "db"))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreError(
                    f"the store in {self._path} is open in another kgqa process; stop it or set KGQA_DATA_DIR"
                ) from None
            raise StoreError(f"cannot open the store in {self._path}: {exc}") from None
        self._ox: ox.Store = self._rdf._inner
        self._lock = threading.Lock()
        self._snapshots = self._path / "snapshots"
        shutil.rmtree(self._snapshots, ignore_errors=True)  # left by an earlier run; no reader can hold them
        self._snapshots.mkdir()
        self._generation = 0
        self._snapshot: str | None = None
        self._snapshot_stale = True
        # Two cores serve a handful of queries at once; more processes only queue for CPU while holding memory.
        limit = max(4, workers * 2)
        self._pool = QueryPool(idle=workers, limit=limit, memory_mb=fit_to_machine(memory_mb, limit))
        self._writer = OfflineThread("kgqa-store-writer")  # every write runs there, off the network

    @property
    def dataset(self) -> Dataset:
        return Dataset(store=self._rdf, default_union=True)

    @property
    def location(self) -> str:
        return str(self._path)

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying read-write ``pyoxigraph.Store`` (for benchmarks and tools)."""
        return self._ox

    def _write(self, update: str | None = None, *, load: tuple[str, str] | None = None) -> None:
        with self._lock:
            try:
                if load is not None:
                    graph, ntriples = load
                    self._writer.run(lambda: self._ox.load(ntriples, format=ox.RdfFormat.N_TRIPLES,
                                                           to_graph=ox.NamedNode(graph)))
                else:
                    assert update is not None
                    self._writer.run(lambda: self._ox.update(update))
            except (OSError, SyntaxError, ValueError) as exc:
                raise StoreError(hidden_detail("writing to the store failed", str(exc))) from exc
            self._snapshot_stale = True

    def update(self, sparql: str) -> None:
        """Apply a guarded SPARQL Update as one transaction (Oxigraph's syntax errors come back positioned).

        It runs on the store's writer thread, which cannot open a network socket: should an update ever get
        past the guard with a ``LOAD`` or ``SERVICE``, Oxigraph's request fails instead of fetching.
        """
        with self._lock:
            try:
                self._writer.run(lambda: self._ox.update(sparql))
            except SyntaxError as exc:  # the engine's "error at L:C: ..." for the caller to position
                raise QuerySyntaxError(str(exc)) from None
            except RuntimeError as exc:  # Oxigraph's evaluation errors, e.g. DROP GRAPH of a missing graph
                raise QueryError(hidden_detail("the update failed and changed nothing", str(exc))) from None
            except (OSError, ValueError) as exc:
                raise StoreError(hidden_detail("writing to the store failed", str(exc))) from exc
            self._snapshot_stale = True

    def replace_graph(self, graph: str, ntriples: str, *, exists: bool = True) -> None:
        if not exists:
            # A load is one transaction too, and parses N-Triples twice as fast as an update.
            self._write(load=(graph, ntriples))
            return
        # One update request is one transaction: the old graph goes and the new
        # one comes together, or neither happens.
        self._write(f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{ntriples}}} }}")

    def drop_graph(self, graph: str) -> None:
        self._write(f"DROP SILENT GRAPH <{graph}>")

    def select(self, query: str) -> list[tuple[Term | None, ...]]:
        try:
            result = self._ox.query(query)
            assert isinstance(result, ox.QuerySolutions)
            return [tuple(ox_term(v) for v in solution) for solution in result]
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"reading the store failed: {exc}") from exc

    def _current_snapshot(self) -> str:
        with self._lock:
            if self._snapshot is None or self._snapshot_stale:
                self._generation += 1
                target = self._snapshots / f"{self._generation:06d}"
                try:
                    self._ox.flush()
                    self._ox.backup(str(target))
                except OSError as exc:
                    raise StoreError(f"cannot snapshot the store for reading: {exc}") from exc
                self._snapshot = str(target)
                self._snapshot_stale = False
                self._pool.retire(keep=self._snapshot)
                self._remove_unused_snapshots()
            return self._snapshot

    def _remove_unused_snapshots(self) -> None:
        keep = self._pool.snapshots_in_use() | {self._snapshot}
        for folder in self._snapshots.iterdir():
            if str(folder) not in keep:
                shutil.rmtree(folder, ignore_errors=True)

    def run_query(
        self, query: str, *, form: str, prefixes: dict[str, str], row_limit: int, timeout: float,
        max_bytes: int = 1 << 62,
    ) -> QueryResult:
        started = time.perf_counter()
        snapshot = self._current_snapshot()
        status, payload = self._pool.run(snapshot, query, prefixes, row_limit, timeout, max_bytes=max_bytes)
        if status == "syntax":
            raise engine_syntax_error(query, payload)
        if status == "too_large":
            raise ResponseTooLarge(too_large_message(max_bytes))
        if status != "ok":
            raise StoreError(hidden_detail("the query failed in the store", str(payload)))
        return QueryResult.from_payload(form, payload, time.perf_counter() - started)

    def _syntax_pool(self) -> QueryPool:
        return self._pool

    def compact(self) -> None:
        """RocksDB's compaction: right after a bulk ingest the store is about 3x its size at rest."""
        self._maintain(self._ox.optimize, "compacting")

    def flush(self) -> None:
        """RocksDB's memtables to disk: left alone they grew by ~200 MB over 600 BBC articles."""
        self._maintain(self._ox.flush, "flushing")

    def _maintain(self, operation: Callable[[], None], doing: str) -> None:
        with self._lock:
            try:
                operation()
            except OSError as exc:
                raise StoreError(f"{doing} the store failed: {exc}") from exc

    def size_on_disk(self) -> int:
        self._ox.flush()
        return sum(f.stat().st_size for f in (self._path / "db").rglob("*") if f.is_file())

    def close(self) -> None:
        self._pool.close()
        self._writer.close()
        with self._lock:
            shutil.rmtree(self._snapshots, ignore_errors=True)
            try:
                self._ox.flush()
            except OSError:
                pass
            # RocksDB releases its lock only when the last reference goes.
            self._rdf.close()
            del self._ox
            gc.collect()
