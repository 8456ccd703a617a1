"""What every triple store behind kgqa offers; kgqa talks SPARQL 1.1 to all of them."""

from __future__ import annotations

import logging
import re
import threading
from abc import ABC, abstractmethod

from rdflib import Dataset

from ..errors import KgqaError, QuerySyntaxError
from ..query_guard import engine_syntax_error
from ..results import QueryResult, Term
from .pool import QueryPool

__all__ = ["GraphStore", "too_large_message", "hidden_detail"]

log = logging.getLogger(__name__)

#: How long Oxigraph's parser may take to explain a syntax error (it runs on an empty store).
_EXPLAIN_TIMEOUT_S = 5.0


#: Store messages a client may read as they are: about graphs the client's own update named.
_PLAIN_STORE_MESSAGE = re.compile(r"The graph <[^<>\s]{1,500}> (?:does not exist|already exists)")


def hidden_detail(what: str, detail: str) -> str:
    """``what``, for the client; the store's or server's own ``detail`` goes to the log only.

    A store's message can carry what the store read or fetched (an error page, a file's first line), so it
    never reaches a client unless it is one of the few plain shapes about the client's own graphs.
    """
    first = detail.strip().splitlines()[0] if detail.strip() else ""
    if _PLAIN_STORE_MESSAGE.fullmatch(first):
        return f"{what}: {first}"
    log.warning("%s: %s", what, detail[:2000])
    return f"{what} (the store's message is in the server log)"


def too_large_message(max_bytes: int) -> str:
    return (f"the result is larger than the {max_bytes / 2**20:g} MB a response may hold (KGQA_MAX_RESPONSE_MB); "
            "ask for fewer rows (LIMIT) or shorter values")


class GraphStore(ABC):
    """A SPARQL 1.1 dataset with one named graph per article.

    ``run_query`` is for queries the guard (:mod:`kg.query_guard`) has already
    passed: it enforces the deadline and row cap. ``select`` is for kgqa's own
    trusted queries and has neither.
    """

    kind: str = "abstract"
    _pool_lock = threading.Lock()  # guards the lazy creation of the syntax pool (any store)

    @abstractmethod
    def replace_graph(self, graph: str, ntriples: str, *, exists: bool = True) -> None:
        """Atomically make ``graph`` hold exactly ``ntriples`` (all or nothing).

        ``exists=False`` promises the graph is new, which lets a store load faster.
        """

    @abstractmethod
    def drop_graph(self, graph: str) -> None:
        """Remove ``graph`` and everything in it."""

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Apply a guarded SPARQL Update (:func:`kg.query_guard.check_update`) as one transaction."""

    @abstractmethod
    def run_query(
        self, query: str, *, form: str, prefixes: dict[str, str], row_limit: int, timeout: float,
        max_bytes: int = 1 << 62,
    ) -> QueryResult:
        """Run a guarded query with the union of all graphs as its default graph.

        :class:`~kg.errors.ResponseTooLarge` when the rows would take more than ``max_bytes``.
        """

    def _syntax_pool(self) -> QueryPool:
        """A sandboxed query process pool to ask Oxigraph's parser with (made on first use)."""
        with self._pool_lock:
            if getattr(self, "_explainer", None) is None:
                self._explainer = QueryPool(idle=1, limit=2)
            return self._explainer

    def explain_syntax(self, text: str, *, update: bool, prefixes: dict[str, str]) -> QuerySyntaxError | None:
        """Oxigraph's positioned syntax error for ``text``, or ``None`` if its parser accepts it.

        The text runs on an empty in-memory store in a process with no network
        access, so nothing of the store is read and nothing is fetched.
        """
        prologue = "".join(f"PREFIX {p}: <{iri}> " for p, iri in prefixes.items()) if update else ""
        try:
            status, payload = self._syntax_pool().run(None, prologue + text, prefixes, 1, _EXPLAIN_TIMEOUT_S,
                                                      update=update)
        except KgqaError:  # busy or slow: the guard's own message stands
            return None
        return engine_syntax_error(text, payload, first_line_shift=len(prologue)) if status == "syntax" else None

    @abstractmethod
    def select(self, query: str) -> list[tuple[Term | None, ...]]:
        """Rows of one of kgqa's own SELECT queries (explicit GRAPH patterns, no caps)."""

    @property
    @abstractmethod
    def dataset(self) -> Dataset:
        """The store through rdflib's API (oxrdflib or SPARQLUpdateStore)."""

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the data lives: a folder or an endpoint URL."""

    def compact(self) -> None:
        """Reclaim the space a large write left behind (a server compacts itself: nothing to do)."""

    def flush(self) -> None:
        """Write buffered changes out of memory (a bulk ingest calls it after each batch; a server: nothing)."""

    def size_on_disk(self) -> int | None:
        """Bytes the store occupies, when known."""
        return None

    def close(self) -> None:
        """Release files, processes and connections."""
        explainer = getattr(self, "_explainer", None)
        if explainer is not None:
            explainer.close()
