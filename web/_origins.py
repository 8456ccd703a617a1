"""Which other sites may use the app from a browser: CORS for the APIs, ``frame-ancestors`` for pages.

The app's own origin is always allowed; others only when listed in
``KGQA_ALLOWED_ORIGINS`` (``*`` allows any). A cross-origin request to
``/api/`` or ``/sparql`` from an origin not listed is refused with 403 before
it runs (so no page elsewhere can make a visitor's browser ingest or delete);
an allowed one gets ``Access-Control-Allow-Origin``. Every HTML page says which
origins may frame it, so the widget panel only opens inside allowed sites.

>>> policy = OriginPolicy(("https://news.example.org",))
>>> policy.allows("https://news.example.org", own="http://127.0.0.1:7860")
True
>>> policy.allows("https://evil.example", own="http://127.0.0.1:7860")
False
>>> policy.frame_ancestors()
"frame-ancestors 'self' https://news.example.org"
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ._errors import error_body

__all__ = ["OriginPolicy", "OriginMiddleware", "CROSS_ORIGIN_PATHS", "own_origin"]

#: Paths a page on an allowed origin may call with fetch().
CROSS_ORIGIN_PATHS = ("/api/", "/sparql")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class OriginPolicy:
    """The allowed origins (``KGQA_ALLOWED_ORIGINS``) and what follows from them."""

    def __init__(self, allowed: tuple[str, ...]) -> None:
        self.any = "*" in allowed
        self.allowed = frozenset(o.rstrip("/") for o in allowed if o != "*")

    def allows(self, origin: str, *, own: str) -> bool:
        origin = origin.rstrip("/")
        return origin == own or self.any or origin in self.allowed

    def frame_ancestors(self) -> str:
        if self.any:
            return "frame-ancestors *"
        return " ".join(["frame-ancestors 'self'", *sorted(self.allowed)])


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def own_origin(scope: Scope) -> str:
    host = _header(scope, b"host") or "{}:{}".format(*scope.get("server", ("localhost", 80)))
    return f"{scope.get('scheme', 'http')}://{host}"


class OriginMiddleware:
    """Pure ASGI (streaming responses pass through untouched): CORS, origin refusal, framing and sniffing headers."""

    def __init__(self, app: Callable[..., Awaitable[None]], policy: OriginPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        origin = _header(scope, b"origin")
        cross = origin is not None and origin != "null" and origin.rstrip("/") != own_origin(scope)
        api = path.startswith(CROSS_ORIGIN_PATHS)
        if api and origin is not None and not self.policy.allows(origin, own=own_origin(scope)):
            await _refuse(send, origin)
            return
        if api and cross and scope["method"] == "OPTIONS" and _header(scope, b"access-control-request-method"):
            await _preflight(send, origin or "", _header(scope, b"access-control-request-headers"))
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                if api and cross:
                    headers += [(b"access-control-allow-origin", (origin or "").encode("latin-1")),
                                (b"vary", b"Origin")]
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if content_type.startswith(b"text/html") and b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", self.policy.frame_ancestors().encode()))
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _refuse(send: Send, origin: str) -> None:
    body = json.dumps(error_body(
        403, "ForbiddenOrigin",
        f"requests from {origin} are not allowed; add it to KGQA_ALLOWED_ORIGINS to let its pages use this app",
    )).encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"vary", b"Origin")]})
    await send({"type": "http.response.body", "body": body})


async def _preflight(send: Send, origin: str, requested: str | None) -> None:
    headers = [
        (b"access-control-allow-origin", origin.encode("latin-1")),
        (b"access-control-allow-methods", b"GET, POST, DELETE, OPTIONS"),
        (b"access-control-allow-headers", (requested or "Content-Type, Accept, Authorization").encode("latin-1")),
        (b"access-control-max-age", b"600"),
        (b"vary", b"Origin"),
        (b"content-length", b"0"),
    ]
    await send({"type": "http.response.start", "status": 204, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
