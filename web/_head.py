"""``HEAD`` wherever ``GET`` is served: the ``GET`` response's status and headers, without its body.

FastAPI's ``@router.get`` routes (and Gradio's) answer ``HEAD`` with 405, though RFC 9110 §9.3.2 asks
for the headers ``GET`` would send: link checkers, caches and monitors ask that way. Runs inside the
host and origin checks (they see ``HEAD``, which they treat as ``GET``) and outside the body limit and
the Gradio guard, which see the ``GET`` the route will run, so a ``HEAD`` is refused whatever the same
``GET`` would be.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["HeadAsGetMiddleware"]

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]


class HeadAsGetMiddleware:
    """Serve ``HEAD`` as ``GET`` and drop the body (one empty body message ends the response)."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] != "http.response.body":
                await send(message)
            elif not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, headers_only)
