"""The SPARQL guard as the app runs it: in sandboxed processes, under the request's deadline.

:mod:`kg.query_guard` decides what may run by parsing with rdflib. Doing that
in the server's own threads had two faults: pyparsing is not thread-safe on a
rule's first use (two concurrent first queries broke ``/sparql`` until
restart), and a parse cannot be stopped (a 48 KB ``||`` chain took 43 s of
CPU, outside every deadline). Here each check runs in a guard process that
handles one request at a time and is ended at the deadline, like the
embedded store's query processes (:class:`kg.store.pool.QueryPool`, which
also runs these). The processes forbid themselves network sockets and cap
their memory.

>>> guard = SparqlGuard("http://x/")
>>> guard.query("SELECT * WHERE { ?s ?p ?o } # x\\rLIMIT 1", timeout=30).text
'SELECT * WHERE { ?s ?p ?o } # x\\nLIMIT 1'
>>> guard.close()
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

from .errors import ForbiddenQuery, KgqaError, QuerySyntaxError, QueryTimeout
from .query_guard import QueryInfo, UpdateInfo
from .store.pool import QueryPool

__all__ = ["SparqlGuard", "GUARD_MEMORY_MB"]

#: Address space of one guard process: measured at 340 MB (85 MB resident) after checking a 200,000-character
#: query, the longest accepted (``MAX_QUERY_CHARS``); three times that leaves room and still fits any machine.
GUARD_MEMORY_MB = 1024
#: Guard processes kept ready (both started on the first check), and most at once: a check takes ~5 ms, so
#: two serve many users; checks past that wait, within their deadline.
_IDLE, _LIMIT = 2, 2


def _syntax_error(detail: dict[str, Any]) -> QuerySyntaxError:
    err = QuerySyntaxError(detail["message"])
    err.lineno, err.offset, err.text = detail.get("line"), detail.get("column"), detail.get("snippet")
    err.from_parser = detail.get("from_parser", False)  # type: ignore[attr-defined]
    return err


class SparqlGuard:
    """Checks queries and updates for one store (IRIs under ``base_iri``); thread-safe; close when done."""

    def __init__(self, base_iri: str, *, memory_mb: int = GUARD_MEMORY_MB) -> None:
        self._base_iri = base_iri
        self._memory_mb = memory_mb
        self._lock = threading.Lock()
        self._pool: QueryPool | None = None

    def _processes(self) -> QueryPool:
        with self._lock:  # made on first use: a store that is never queried by users starts no process
            if self._pool is None:
                self._pool = QueryPool(idle=_IDLE, limit=_LIMIT, memory_mb=self._memory_mb,
                                       command=[sys.executable, "-u", "-m", "kg._guard_worker"], name="SPARQL guard",
                                       what="check of the query", memory_setting="kg.sparql_guard.GUARD_MEMORY_MB")
                # Both at once, on the first check: a second user's query does not wait for a process to start.
                self._pool.warm()
            return self._pool

    def _check(self, kind: str, text: str, timeout: float) -> Any:
        started = time.monotonic()
        try:
            status, payload = self._processes().call(
                {"kind": kind, "text": text, "base_iri": self._base_iri}, timeout)
        except QueryTimeout:
            raise QueryTimeout(f"checking the {kind} took longer than its {timeout:g} s deadline and was stopped; "
                               f"simplify it (long chains of || or && cost the most)") from None
        if status == "ok":
            return payload
        if status == "syntax":
            raise _syntax_error(payload)
        if status == "forbidden":
            raise ForbiddenQuery(payload)
        raise KgqaError(f"the {kind} could not be checked: {payload} "
                        f"(after {time.monotonic() - started:.1f} s)", status=400)

    def query(self, text: str, *, timeout: float) -> QueryInfo:
        """:func:`kg.query_guard.check_query` within ``timeout`` seconds (:class:`QueryTimeout` past it)."""
        info: QueryInfo = self._check("query", text, timeout)
        return info

    def update(self, text: str, *, timeout: float) -> UpdateInfo:
        """:func:`kg.query_guard.check_update` within ``timeout`` seconds (:class:`QueryTimeout` past it)."""
        info: UpdateInfo = self._check("update", text, timeout)
        return info

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
