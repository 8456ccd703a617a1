"""One thread that cannot open a network socket, to run the embedded store's writes on.

A seccomp filter loaded without ``TSYNC`` binds only the thread that loads
it (and threads it starts), so the writer thread forbids itself network
sockets (:func:`kg.store._query_worker.forbid_network`, the query processes'
filter) and the rest of the server keeps its own. Oxigraph makes ``LOAD``'s
and ``SERVICE``'s HTTP requests on the thread that runs the update, so an
update that ever got past the guard with one fails with ``Permission
denied`` instead of fetching.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from ._query_worker import forbid_network

__all__ = ["OfflineThread"]

log = logging.getLogger(__name__)

_T = TypeVar("_T")


def _sandbox(name: str) -> None:
    outcome = forbid_network()
    if outcome.startswith("unsandboxed"):
        log.warning("the %s thread is %s; only the SPARQL guard keeps updates off the network", name, outcome)


class OfflineThread:
    """Runs callables one at a time on a thread with no network access; :meth:`run` waits for the result."""

    def __init__(self, name: str) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name, initializer=_sandbox,
                                            initargs=(name,))

    def run(self, work: Callable[[], _T]) -> _T:
        """``work()`` on the offline thread; its exception, if any, is raised here."""
        return self._executor.submit(work).result()

    def close(self) -> None:
        self._executor.shutdown(wait=True)
