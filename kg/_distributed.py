"""Parsing articles on a Dask cluster: the pure, expensive part of an ingest, mapped over workers.

An ingest's time is mostly spaCy's parse (about two thirds on the BBC corpus), and a parse is a pure function
of the sentence text and the pipeline. With ``KGQA_DASK_SCHEDULER`` (a running cluster) or
``KGQA_DASK_WORKERS`` (a ``LocalCluster`` on loopback) set, :class:`DaskParser` sends piece texts to the
workers in chunks; each worker loads the pipeline once (:class:`LoadPipeline`, a worker plugin, and the
per-process cache of :func:`kg.extraction.load_pipeline`), parses, and sends the docs back as a spaCy
``DocBin``. The one writer (:meth:`kg.KnowledgeGraph.ingest`) turns them back into docs over its own
vocabulary and runs everything else as it does in process: the rules, which read and grow the
cross-article alias table, in article order; the RDF build; the writes, batch by batch. Entity resolution
is therefore the very pass the in-process ingest runs, in the same order, on the same parses: the same
entities come out (``tests/test_dask_ingest.py`` checks it).

The graph imports this module only when one of the two settings is set; without the ``scale`` extra,
setting either is a :class:`~kg.errors.ConfigError` when the graph opens.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .errors import ConfigError, KgqaError
from .settings import Settings
from .timing import stage as timed_stage

try:
    from distributed import WorkerPlugin
except ImportError:  # the scale extra is not installed: DaskParser says so
    WorkerPlugin = object  # type: ignore[assignment,misc]

__all__ = ["DaskParser", "DistributedError", "LoadPipeline", "ParseAhead", "dask_requested", "parse_chunk",
           "worker_pipeline_id"]

log = logging.getLogger(__name__)

#: The token attributes a parse is sent back with: everything the rules read (``DocBin``'s own default set).
_ATTRS = ("ORTH", "NORM", "TAG", "HEAD", "DEP", "ENT_IOB", "ENT_TYPE", "ENT_KB_ID", "ENT_ID", "LEMMA", "MORPH",
          "POS", "SENT_START")
#: Piece texts per task: a few spaCy batches, so a task amortises its round trip and both workers stay busy.
CHUNK_TEXTS = 512

_WORKER_LOCK = threading.Lock()  # one parse at a time per worker process (spaCy promises no thread safety)


class DistributedError(KgqaError):
    """A Dask worker could not parse a batch; nothing of that batch was stored."""


# --- worker side -----------------------------------------------------------------------------------


def parse_chunk(model: str, batch_size: int, texts: list[str]) -> bytes:
    """Runs on a worker: the docs of ``texts``, in order, as ``DocBin`` bytes (no tensors, no user data)."""
    from spacy.tokens import DocBin

    from .extraction import load_pipeline

    with _WORKER_LOCK:
        nlp = load_pipeline(model)  # loaded once per worker process (the plugin loads it at start)
        out = DocBin(attrs=list(_ATTRS), store_user_data=False)
        for doc in nlp.pipe(texts, batch_size=batch_size):
            out.add(doc)
    return out.to_bytes()


def worker_pipeline_id(model: str) -> str:
    """Runs on a worker: the name and version of its pipeline, as :attr:`Extractor.pipeline_id` gives it."""
    from .extraction import Extractor

    return Extractor(model).pipeline_id


class LoadPipeline(WorkerPlugin):
    """Dask worker plugin: load the spaCy pipeline when a worker starts (or joins), once per process."""

    name = "kgqa-load-pipeline"

    def __init__(self, model: str) -> None:
        self.model = model

    def setup(self, worker: Any) -> None:
        from .extraction import load_pipeline

        load_pipeline(self.model)


# --- writer side -----------------------------------------------------------------------------------


def dask_requested(settings: Settings) -> bool:
    return bool(settings.dask_scheduler or settings.dask_workers)


class DaskParser:
    """Maps the parse of piece texts over a Dask cluster; connects (or starts a local one) on first use.

    Call it with texts for their docs in order; :meth:`submit` starts the parse of a later batch now and
    returns a handle whose :meth:`Pending.docs` waits for it, so the workers parse ahead of the writer.
    """

    def __init__(self, settings: Settings) -> None:
        if not dask_requested(settings):
            raise ValueError("no Dask scheduler or workers are configured")
        for module in ("dask", "distributed"):
            if importlib.util.find_spec(module) is None:
                raise ConfigError(f"KGQA_DASK_{'SCHEDULER' if settings.dask_scheduler else 'WORKERS'} needs Dask: "
                                  "install the scale extra (pip install 'kgqa[scale]'), or unset it")
        self.settings = settings
        self.model = settings.nlp_model
        self.batch_size = settings.nlp_batch_size
        self._client: Any = None
        self._cluster: Any = None
        self.workers = 0  # known once connected
        self._lock = threading.Lock()

    @property
    def where(self) -> str:
        return self.settings.dask_scheduler or f"a local cluster of {self.settings.dask_workers} worker(s)"

    @property
    def scheduler_address(self) -> str:
        """The scheduler's address (a local cluster's is known once it started)."""
        return str(self.client().scheduler.address)

    def client(self) -> Any:
        """The Dask client, connected (and the pipeline checked on every worker) on first call."""
        with self._lock:
            if self._client is None:
                self._client = self._connect()
            return self._client

    def _connect(self) -> Any:
        from distributed import Client, LocalCluster

        from .extraction import Extractor

        try:
            if self.settings.dask_scheduler:
                client = Client(self.settings.dask_scheduler, timeout="30s")
            else:
                self._cluster = LocalCluster(n_workers=self.settings.dask_workers, threads_per_worker=1,
                                             processes=True, host="127.0.0.1", dashboard_address=None)
                client = Client(self._cluster)
        except (OSError, TimeoutError) as exc:
            self.close()
            raise ConfigError(f"cannot reach the Dask scheduler at {self.where}: {exc}") from None
        try:
            client.register_plugin(LoadPipeline(self.model), name=LoadPipeline.name)
            mine = Extractor(self.model).pipeline_id
            theirs = client.run(worker_pipeline_id, self.model)
        except Exception as exc:  # noqa: BLE001 - whatever a worker raised, said once, clearly
            client.close()
            self.close()
            raise ConfigError(f"the Dask workers at {self.where} cannot load the spaCy pipeline "
                              f"{self.model!r}: {exc}") from None
        odd = {w: p for w, p in theirs.items() if p != mine}
        if odd:
            client.close()
            self.close()
            raise ConfigError(f"Dask workers run another spaCy pipeline than this writer ({mine}): {odd}; install "
                              "the same kgqa and pipeline on every worker")
        self.workers = len(theirs)
        log.info("parsing on Dask: %s, %d worker(s), pipeline %s", self.where, len(theirs), mine)
        return client

    def submit(self, texts: Sequence[str]) -> Pending:
        """Start parsing ``texts`` on the workers (in chunks); the handle's :meth:`Pending.docs` waits."""
        if not texts:
            return Pending(self, [], [])
        client = self.client()
        chunks = [list(texts[i : i + CHUNK_TEXTS]) for i in range(0, len(texts), CHUNK_TEXTS)]
        futures = [client.submit(parse_chunk, self.model, self.batch_size, chunk, pure=False) for chunk in chunks]
        return Pending(self, list(texts), futures)

    def __call__(self, texts: Sequence[str]) -> Iterator[Any]:
        """The docs of ``texts`` in order, parsed on the workers."""
        return iter(self.submit(texts).docs())

    def close(self) -> None:
        with self._lock:
            client, cluster = self._client, self._cluster
            self._client = self._cluster = None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


class Pending:
    """The parse of some texts, running on the workers."""

    def __init__(self, parser: DaskParser, texts: list[str], futures: list[Any]) -> None:
        self.parser = parser
        self.texts = texts
        self.futures = futures

    def docs(self) -> list[Any]:
        """The docs, in the order of the texts, over this process's vocabulary; waits for the workers.

        A worker's error becomes one :class:`DistributedError` naming it; the other chunks are cancelled.
        """
        from spacy.tokens import DocBin

        from .extraction import load_pipeline

        vocab = load_pipeline(self.parser.model).vocab
        out: list[Any] = []
        try:
            for future in self.futures:
                data = future.result()
                out.extend(DocBin(attrs=list(_ATTRS), store_user_data=False).from_bytes(data).get_docs(vocab))
        except KgqaError:
            raise
        except Exception as exc:  # noqa: BLE001 - a worker's error, or a lost worker, said once, clearly
            self.cancel()
            raise DistributedError(f"a Dask worker ({self.parser.where}) failed to parse a batch of "
                                   f"{len(self.texts)} sentence pieces: {type(exc).__name__}: {exc}; nothing of "
                                   "that batch was stored (batches before it were), re-run the ingest to go on") \
                from exc
        if len(out) != len(self.texts):
            raise DistributedError(f"Dask workers returned {len(out)} parses for {len(self.texts)} texts")
        return out

    def cancel(self) -> None:
        for future in self.futures:
            future.cancel()


class ParseAhead:
    """An ingest's batches parsed on the workers ahead of the one the writer is at: ``window`` batches, and at
    least one per worker, so that every worker has work while the writer runs the rules.

    ``wanted`` says which articles to parse (not those stored unchanged); texts some open block already has
    docs of (an upload parsed before the writer lock) are not sent again. An article the writer needs that
    was not sent is parsed on the workers when the rules ask for it (:meth:`Extractor.docs`).
    """

    def __init__(self, parser: DaskParser, extractor: Any, batches: list[list[Any]],
                 wanted: Callable[[Any], bool], window: int = 2) -> None:
        self.parser = parser
        self.extractor = extractor
        self.batches = batches
        self.wanted = wanted
        self.window = window
        self._pending: dict[int, Pending] = {}

    def _submit(self, k: int) -> None:
        if k >= len(self.batches) or k in self._pending:
            return
        from .extraction import parse_pieces
        from .rdf import article_sentences

        texts = self.extractor.unparsed(text for article in self.batches[k] if self.wanted(article)
                                        for s in article_sentences(article) for _, text in parse_pieces(s.text))
        self._pending[k] = self.parser.submit(texts)

    @contextmanager
    def batch(self, k: int) -> Iterator[None]:
        """Inside the block, batch ``k``'s docs are ready for the rules; the next batches parse meanwhile."""
        self.parser.client()  # connected: its number of workers is known
        for ahead in range(k, k + max(self.window, self.parser.workers) + 1):
            self._submit(ahead)
        pending = self._pending.pop(k)
        with timed_stage("parse"):  # the writer's wait for the workers, and turning bytes back into docs
            docs = pending.docs()
        with self.extractor.provided(dict(zip(pending.texts, docs))):
            yield

    def close(self) -> None:
        """Cancel whatever is still parsing (an ingest that stopped early)."""
        for pending in self._pending.values():
            pending.cancel()
        self._pending.clear()
