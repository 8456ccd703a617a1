"""Bounds on what one request or one client may cost: request body bytes, and concurrent queries per client.

Every request body is capped before the app reads it (413 in the one error
shape): uploads at ``KGQA_MAX_UPLOAD_MB``, the Gradio event API at what a pasted
article can need, everything else at :data:`MAX_BODY_BYTES`. A declared
``Content-Length`` over the cap is refused at once; a chunked body is counted
as it arrives.

>>> slots = ClientSlots(1)
>>> with slots.take("10.0.0.1"):
...     slots.take("10.0.0.1").__enter__()
Traceback (most recent call last):
...
web._limits.TooManyRequests: this client already runs 1 SPARQL query at once (KGQA_CLIENT_QUERIES); wait for it to finish
"""

from __future__ import annotations

import json
import threading
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

from fastapi import Request

from kg import Settings

from ._errors import WebError, error_body

__all__ = ["ClientSlots", "TooManyRequests", "BodyLimitMiddleware", "client_address", "MAX_BODY_BYTES",
           "UPLOAD_PATHS"]

#: Largest body of an ordinary request (a question, a SPARQL query or update form).
MAX_BODY_BYTES = 1_000_000
#: Where files are uploaded: the JSON API and Gradio's own upload route.
UPLOAD_PATHS = ("/api/articles", "/gradio_api/upload")
#: Room around a pasted article in a Gradio event (the other inputs, JSON quoting).
_EVENT_OVERHEAD = 256 * 1024

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class TooManyRequests(WebError):
    """The client already runs as many queries as it may (429)."""

    status = 429


class BodyTooLarge(WebError):
    """A request body over its cap (413)."""

    status = 413


def client_address(request: Request | None) -> str:
    """The address a request came from: the socket's peer, or the ``X-Forwarded-For`` address when the peer is a
    proxy listed in ``KGQA_TRUSTED_PROXIES`` (uvicorn rewrites the client then; see ``web._server``)."""
    client = getattr(request, "client", None)
    return client.host if client else "unknown"


class ClientSlots:
    """At most ``limit`` concurrent queries per client address; one more is refused at once, not queued.

    Refusing instead of queueing keeps one client's pile of slow queries from
    holding every query process while others wait.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    @contextmanager
    def take(self, client: str) -> Iterator[None]:
        with self._lock:
            if self._running.get(client, 0) >= self.limit:
                plural = "y" if self.limit == 1 else "ies"
                raise TooManyRequests(f"this client already runs {self.limit} SPARQL quer{plural} at once "
                                      "(KGQA_CLIENT_QUERIES); wait for it to finish")
            self._running[client] = self._running.get(client, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                left = self._running[client] - 1
                if left:
                    self._running[client] = left
                else:
                    del self._running[client]


def body_limit(settings: Settings, path: str) -> int:
    """The most bytes a request body to ``path`` may have."""
    if path.startswith(UPLOAD_PATHS):
        return int(settings.max_upload_mb * 1_000_000)
    if path.startswith("/gradio_api/"):
        # Event data: a pasted article (up to KGQA_MAX_ARTICLE_CHARS, 4 bytes a character at most) and little else.
        return 4 * settings.max_article_chars + _EVENT_OVERHEAD
    return MAX_BODY_BYTES


async def _refuse(send: Send, limit: int, size: int | None) -> None:
    said = f"{size:,} bytes" if size is not None else "over the limit"
    body = json.dumps(error_body(413, "BodyTooLarge", f"the request body is {said}; the limit here is "
                                 f"{limit:,} bytes")).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """Pure ASGI: refuses a body over its cap before the app sees it (or as soon as it grows past it)."""

    def __init__(self, app: Callable[..., Awaitable[None]], settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(self.settings, scope.get("path", ""))
        declared = next((v for k, v in scope.get("headers", ()) if k == b"content-length"), None)
        if declared is not None:
            size = int(declared) if declared.isdigit() else limit + 1
            if size > limit:
                await _refuse(send, limit, size if declared.isdigit() else None)
                return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(f"the request body is over the {limit:,} byte limit")
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if not started:
                await _refuse(send, limit, None)
