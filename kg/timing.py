"""Where an ingest's time goes: named stages, timed only while someone is collecting.

Code marks its steps with :func:`stage` (or wraps an iterator with
:func:`timed`); nothing is recorded unless a caller opened :func:`collect`
around the work, so marking costs one context-variable read otherwise. A stage
inside another is charged to the inner one only (times are exclusive), so the
stages of one run add up to the time spent in them. The collection belongs to
the calling thread's context (a background merge thread is not charged).

>>> with collect() as times:
...     with stage("outer"):
...         with stage("inner"):
...             pass
>>> sorted(times)
['inner', 'outer']
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["add", "collect", "stage", "timed"]


class _Clock:
    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.inner: list[float] = []  # per open stage: seconds spent in stages nested inside it

    def run(self, name: str, started: float) -> None:
        elapsed = time.perf_counter() - started
        nested = self.inner.pop()
        self.times[name] = self.times.get(name, 0.0) + elapsed - nested
        if self.inner:
            self.inner[-1] += elapsed


_CLOCK: ContextVar[_Clock | None] = ContextVar("kgqa_stage_clock", default=None)


@contextmanager
def collect() -> Iterator[dict[str, float]]:
    """Seconds per stage of the work done inside the block (the dict fills as it runs)."""
    clock = _Clock()
    token = _CLOCK.set(clock)
    try:
        yield clock.times
    finally:
        _CLOCK.reset(token)


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Charge the block's wall time (minus its nested stages) to ``name``."""
    clock = _CLOCK.get()
    if clock is None:
        yield
        return
    clock.inner.append(0.0)
    started = time.perf_counter()
    try:
        yield
    finally:
        clock.run(name, started)


def add(times: dict[str, float]) -> None:
    """Charge seconds measured elsewhere (another thread's own :func:`collect`) to the caller's collection.

    Stages of a thread that runs beside the caller overlap the caller's, so a collection's stages may then add
    up to more than its wall time.
    """
    clock = _CLOCK.get()
    if clock is not None:
        for name, seconds in times.items():
            clock.times[name] = clock.times.get(name, 0.0) + seconds


def timed(name: str, items: Iterable) -> Iterator:
    """``items``, with the time spent producing each one charged to ``name`` (a lazy parser, say)."""
    iterator = iter(items)
    while True:
        with stage(name):
            try:
                item = next(iterator)
            except StopIteration:
                return
        yield item
