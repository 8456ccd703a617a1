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
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ..errors import QueryTimeout, StoreError

__all__ = ["QueryPool", "fit_to_machine", "physical_memory_mb", "MACHINE_SHARE"]

log = logging.getLogger(__name__)

_WORKER = Path(__file__).with_name("_query_worker.py")


#: Share of the machine's memory that the query processes' caps may add up to. The SPARQL guard's processes
#: take at most 2 x 1 GB (:mod:`kg.sparql_guard`); the rest is for the server itself (models, the passage
#: index, the store's caches) and the system.
MACHINE_SHARE = 0.5


def physical_memory_mb() -> int:
    """The machine's memory in MB (0 when the system does not say)."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2**20)
    except (ValueError, OSError, AttributeError):
        return 0


def fit_to_machine(memory_mb: int, processes: int, *, share: float = MACHINE_SHARE, what: str = "query") -> int:
    """``memory_mb`` per process, lowered so that ``processes`` of them fit into ``share`` of the machine.

    Eight query processes capped at 4 GB each were promised 32 GB on a 24 GB machine: the caps then protect
    nothing, since the machine runs out first. ``0`` (no cap) becomes the fitted cap too.
    """
    total = physical_memory_mb()
    if total <= 0:
        return memory_mb
    fitted = int(total * share / max(1, processes))
    if memory_mb <= 0 or memory_mb > fitted:
        log.info("%s processes: memory cap %d MB each (%d of them in %.0f%% of %d MB)", what, fitted, processes,
                 share * 100, total)
        return fitted
    return memory_mb


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

    def __init__(self, idle: int = 2, limit: int = 8, memory_mb: int = 0, *,
                 command: Sequence[str] | None = None, name: str = "query", what: str = "query",
                 memory_setting: str = "KGQA_QUERY_MEMORY_MB") -> None:
        self._command = list(command) if command else [sys.executable, "-u", str(_WORKER)]
        self._name, self._what, self._memory_setting = name, what, memory_setting
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
                [*self._command, str(self._memory_mb)], stdin=child_in, stdout=child_out
            )
        finally:
            os.close(child_in)
            os.close(child_out)
        return _Worker(proc, Connection(to_child, readable=False), Connection(from_child, writable=False))

    def warm(self) -> None:
        """Start the ``idle`` workers now (they load in parallel), so the first concurrent requests find them."""
        with self._cond:
            missing = self._idle_target - len(self._free) - self._busy
            if self._closed or missing <= 0:
                return
        started = [self._spawn() for _ in range(missing)]
        with self._cond:
            self._free.extend(started)
            self._cond.notify_all()

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
                    raise QueryTimeout(f"every {self._name} process is busy; try again shortly")
                self._cond.wait(remaining)
        try:
            return self._spawn()
        except OSError as exc:
            with self._cond:
                self._busy -= 1
                self._cond.notify()
            raise StoreError(f"cannot start a {self._name} process: {exc}") from exc

    def _release(self, worker: _Worker | None) -> None:
        with self._cond:
            self._busy -= 1
            if worker is not None and not self._closed and len(self._free) < self._idle_target:
                self._free.append(worker)
                worker = None
            self._cond.notify()
        if worker is not None:
            worker.kill()

    def _note_sandbox(self, worker: _Worker, sandbox: object) -> None:
        worker.ready = True
        if not str(sandbox).startswith("network sockets forbidden"):
            log.warning("%s process %d is %s; only the SPARQL guard keeps queries off the network",
                        self._name, worker.proc.pid, sandbox)

    def _reply(self, worker: _Worker, deadline: float, timeout: float) -> tuple[str, Any]:
        """The worker's reply to the request just sent; its sandbox report, when that comes first, is noted.

        A new worker's first message is its sandbox report, which may arrive at any time before the reply
        (late, on a busy machine): it is recognised by its type, never taken for a reply, and the deadline
        covers both.
        """
        while True:
            if not worker.recv.poll(max(0.0, deadline - time.monotonic())):
                raise QueryTimeout(f"the {self._what} ran past its {timeout:g} s deadline and was stopped")
            message = worker.recv.recv()
            if not (isinstance(message, tuple) and len(message) == 2 and isinstance(message[0], str)):
                raise StoreError(f"the {self._name} process sent a malformed message ({type(message).__name__})")
            if message[0] == "ready":
                if worker.ready:
                    raise StoreError(f"the {self._name} process reported ready twice")
                self._note_sandbox(worker, message[1])
                continue
            if not worker.ready:
                raise StoreError(f"the {self._name} process answered before reporting its sandbox")
            return message

    def run(self, snapshot: str | None, query: str, prefixes: dict[str, str], row_limit: int, timeout: float,
            *, max_bytes: int = 1 << 62, update: bool = False) -> Any:
        """Run ``query`` on ``snapshot`` (``None``: an empty in-memory store); :class:`QueryTimeout` after ``timeout`` s.

        ``update`` runs the text as a SPARQL Update (only ever on ``None``, to get the parser's verdict).
        """
        return self.call({"snapshot": snapshot, "query": query, "prefixes": prefixes, "row_limit": row_limit,
                          "max_bytes": max_bytes, "update": update}, timeout, snapshot=snapshot)

    def call(self, request: dict[str, Any], timeout: float, *, snapshot: str | None = None) -> tuple[str, Any]:
        """Send ``request`` to a worker and return its ``(status, payload)``; the worker ends at the deadline.

        ``snapshot`` prefers a worker that already has that store snapshot open.
        """
        deadline = time.monotonic() + timeout
        worker: _Worker | None = self._acquire(snapshot or "", deadline)
        assert worker is not None
        with self._cond:
            if snapshot is not None:
                worker.snapshot = snapshot  # it opens this one now: keep it on disk
            self._running.append(worker)
        current = worker
        try:
            worker.send.send(request)
            return self._reply(worker, deadline, timeout)
        except (QueryTimeout, StoreError):
            worker.kill()  # past its deadline, or out of step with the protocol: never reused
            worker = None
            raise
        except (EOFError, OSError, BrokenPipeError) as exc:
            code = worker.proc.poll()
            worker.kill()
            worker = None
            raise StoreError(
                f"the {self._name} process ended unexpectedly (exit code {code}); the {self._what} may need more "
                f"memory than allowed ({self._memory_setting})"
            ) from exc
        finally:
            with self._cond:
                self._running.remove(current)
            self._release(worker)

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
