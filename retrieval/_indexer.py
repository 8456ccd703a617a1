"""The passage index catching up with an ingest in a thread of its own, beside the parse.

An ingest parses a batch (spaCy, on one core), writes its graph, and hands the
batch's article ids to :class:`BatchIndexer`; while the next batch is parsed,
this thread reads the batch back from the graph, embeds it (ONNX Runtime,
which releases the GIL) and publishes the next snapshot. Parse and encoder,
the two costs of an ingest, then overlap instead of adding up
(``bench/ingest_speed.py`` prints both and the wall time).

At most one written batch waits for the thread, so memory stays bounded by
two batches whatever the corpus size. An error in the thread is raised in the
ingest at its next batch (or at :meth:`BatchIndexer.close`); the library's
write path then brings the index level with the graph, as after a crash.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from kg.timing import add, collect

__all__ = ["BatchIndexer"]

log = logging.getLogger(__name__)


class BatchIndexer:
    """Runs ``index_batch(hashes)`` for each submitted batch, in order, in one background thread."""

    def __init__(self, index_batch: Callable[[dict[str, str]], None]) -> None:
        self._index_batch = index_batch
        self._queue: queue.Queue[dict[str, str] | None] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._times: dict[str, float] = {}
        self._thread = threading.Thread(target=self._run, name="kgqa-index", daemon=True)
        self._thread.start()

    def submit(self, hashes: dict[str, str]) -> None:
        """Queue one written batch (article id -> record hash); waits while an earlier one is still queued."""
        self._raise()
        self._queue.put(dict(hashes))

    def close(self, *, raise_error: bool = True) -> None:
        """Wait for every submitted batch; charge the thread's stage times to the caller's collection."""
        self._queue.put(None)
        self._thread.join()
        add(self._times)
        if raise_error:
            self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        with collect() as times:
            while (hashes := self._queue.get()) is not None:
                if self._error is not None:
                    continue  # keep draining, so the ingest never blocks on a dead thread
                try:
                    self._index_batch(hashes)
                except BaseException as exc:  # noqa: BLE001 - handed to the ingest's thread, which raises it
                    log.error("indexing a batch of %d article(s) failed: %s", len(hashes), exc)
                    self._error = exc
        self._times = dict(times)
