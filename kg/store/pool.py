"""Query processes for the embedded store, each ended at its query's deadline.

>>> # see kg/store/_query_worker.py for why queries run in processes.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ..errors import QueryTimeout, StoreError

__all__ = ["QueryPool"]

log = logging.getLogger(__name__)

_WORKER = Path(__file__).with_name("_query_worker.py")


@dataclass
class _Worker:
    proc: subprocess.Popen[bytes]
    send: Connection
    recv: Connection
    snapshot: str | None = None
    ready: bool = False  # its first message (the sandbox report) has been read

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self.send.close()
        self.recv.close()


class QueryPool:
    """Runs queries in worker processes; a query past its deadline ends its process.

    ``idle`` workers are kept ready; more start when all are busy, up to ``limit``.
    """

    def __init__(self, idle: int = 2, limit: int = 8, memory_mb: int = 0) -> None:
        self._idle_target = idle
        self._limit = max(limit, idle)
        self._memory_mb = memory_mb
        self._free: list[_Worker] = []
        self._busy = 0
        self._running: list[_Worker] = []
        self._cond = threading.Condition()
        self._closed = False

    def _spawn(self) -> _Worker:
        child_in, to_child = os.pipe()
        from_child, child_out = os.pipe()
        try:
            proc = subprocess.Popen(
                [sys.executable, "-u", str(_WORKER), str(self._memory_mb)], stdin=child_in, stdout=child_out
            )
        finally:
            os.close(child_in)
            os.close(child_out)
        return _Worker(proc, Connection(to_child, readable=False), Connection(from_child, writable=False))

    def _acquire(self, snapshot: str, deadline: float) -> _Worker:
        with self._cond:
            while True:
                if self._closed:
                    raise StoreError("the store is closed")
                if self._free:
                    same = [w for w in self._free if w.snapshot == snapshot]
                    worker = same[0] if same else self._free[0]
                    self._free.remove(worker)
                    self._busy += 1
                    return worker
                if self._busy < self._limit:
                    self._busy += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueryTimeout("every query process is busy; try again shortly")
                self._cond.wait(remaining)
        try:
            return self._spawn()
        except OSError as exc:
            with self._cond:
                self._busy -= 1
                self._cond.notify()
            raise StoreError(f"cannot start a query process: {exc}") from exc

    def _release(self, worker: _Worker | None) -> None:
        with self._cond:
            self._busy -= 1
            if worker is not None and not self._closed and len(self._free) < self._idle_target:
                self._free.append(worker)
                worker = None
            self._cond.notify()
        if worker is not None:
            worker.kill()

    def _await_ready(self, worker: _Worker, deadline: float) -> None:
        """Read a new worker's first message, which says whether its network sandbox is on."""
        if worker.ready:
            return
        if worker.recv.poll(max(0.0, deadline - time.monotonic())):
            _, sandbox = worker.recv.recv()
            worker.ready = True
            if sandbox.startswith("unsandboxed"):
                log.warning("query process %d is %s; only the SPARQL guard keeps queries off the network",
                            worker.proc.pid, sandbox)

    def run(self, snapshot: str | None, query: str, prefixes: dict[str, str], row_limit: int, timeout: float,
            *, max_bytes: int = 1 << 62, update: bool = False) -> Any:
        """Run ``query`` on ``snapshot`` (``None``: an empty in-memory store); :class:`QueryTimeout` after ``timeout`` s.

        ``update`` runs the text as a SPARQL Update (only ever on ``None``, to get the parser's verdict).
        """
        deadline = time.monotonic() + timeout
        worker = self._acquire(snapshot or "", deadline)
        with self._cond:
            if snapshot is not None:
                worker.snapshot = snapshot  # it opens this one now: keep it on disk
            self._running.append(worker)
        current = worker
        try:
            self._await_ready(worker, deadline)
            worker.send.send({"snapshot": snapshot, "query": query, "prefixes": prefixes, "row_limit": row_limit,
                              "max_bytes": max_bytes, "update": update})
            if not worker.recv.poll(max(0.0, deadline - time.monotonic())):
                worker.kill()
                worker = None
                raise QueryTimeout(f"the query ran past its {timeout:g} s deadline and was stopped")
            status, payload = worker.recv.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            if worker is not None:
                code = worker.proc.poll()
                worker.kill()
                worker = None
                raise StoreError(
                    f"the query process ended unexpectedly (exit code {code}); the query may need more memory "
                    "than allowed (KGQA_QUERY_MEMORY_MB)"
                ) from exc
            raise
        finally:
            with self._cond:
                self._running.remove(current)
            self._release(worker)
        return status, payload

    def snapshots_in_use(self) -> set[str]:
        with self._cond:
            return {w.snapshot for w in [*self._free, *self._running] if w.snapshot}

    def retire(self, keep: str) -> None:
        """End idle workers holding snapshots other than ``keep`` so old snapshots can go."""
        with self._cond:
            stale = [w for w in self._free if w.snapshot not in (None, keep)]
            self._free = [w for w in self._free if w not in stale]
        for w in stale:
            w.kill()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            workers, self._free = self._free, []
            self._cond.notify_all()
        for w in workers:
            try:
                w.send.send(None)
            except OSError:
                pass
            w.kill()
