"""Which sites may use the app from a browser: every route under one origin policy, and which Host names it answers.

The app's own origins come from configuration, never from a request's ``Host``
header: ``KGQA_PUBLIC_URL`` if set, else the bound address (with ``localhost``
and ``127.0.0.1`` when that is loopback). Other origins are allowed only when
listed in ``KGQA_ALLOWED_ORIGINS`` (``*`` allows any). Any request carrying an
``Origin`` that is neither is refused with 403 before it runs, on every path:
``/api/``, ``/sparql``, the Gradio UI and its event API (``/gradio_api/...``),
the IRIs. Only the widget's loader and its yes/no config answer any page. An
allowed origin gets ``Access-Control-Allow-Origin`` on ``/api/`` and ``/sparql``.
Every HTML page says which origins may frame it, so the widget panel only
opens inside allowed sites.

:func:`allowed_hosts` is the Host allow-list (Starlette's
``TrustedHostMiddleware``): a request for any other name gets 400, so a DNS
rebinding page cannot reach the app under its own name.

>>> policy = OriginPolicy(("https://news.example.org",), own=("http://127.0.0.1:7860",))
>>> policy.allows("https://news.example.org"), policy.allows("http://127.0.0.1:7860/")
(True, True)
>>> policy.allows("https://evil.example"), policy.allows("null")
(False, False)
>>> policy.frame_ancestors()
"frame-ancestors 'self' https://news.example.org"
>>> own_origins(Settings(host="127.0.0.1", port=7860))
('http://127.0.0.1:7860', 'http://localhost:7860')
>>> allowed_hosts(Settings(host="0.0.0.0", public_url="https://kgqa.example.org"))
('127.0.0.1', 'localhost', 'kgqa.example.org')
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from kg import Settings

from ._errors import error_body

__all__ = ["OriginPolicy", "OriginMiddleware", "CROSS_ORIGIN_PATHS", "PUBLIC_PATHS", "own_origins",
           "allowed_hosts"]

#: Paths a page on an allowed origin may call with fetch().
CROSS_ORIGIN_PATHS = ("/api/", "/sparql")
#: Paths any page may GET: the widget's loader and the yes/no answer it explains a refusal with.
PUBLIC_PATHS = ("/widget.js", "/widget/config")
_LOOPBACK = ("127.0.0.1", "localhost")
_WILDCARD = ("0.0.0.0", "::", "")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def own_origins(settings: Settings) -> tuple[str, ...]:
    """The origins the app itself is served at, from configuration only."""
    if settings.public_url:
        return (_origin_of(settings.public_url),)
    host = settings.host
    names = _LOOPBACK if host in _WILDCARD or host in _LOOPBACK else (host,)
    return tuple(f"http://{name}:{settings.port}" for name in names)


def allowed_hosts(settings: Settings) -> tuple[str, ...]:
    """Host names the app answers: ``KGQA_ALLOWED_HOSTS``, else loopback, the public URL's host and the bound host."""
    if settings.allowed_hosts:
        return settings.allowed_hosts
    names = list(_LOOPBACK)
    if settings.public_url:
        names.append(urlsplit(settings.public_url).hostname or "")
    if settings.host not in _WILDCARD:
        names.append(settings.host)
    return tuple(dict.fromkeys(n.lower() for n in names if n))


class OriginPolicy:
    """The app's own origins plus ``KGQA_ALLOWED_ORIGINS``, and what follows from them."""

    def __init__(self, allowed: tuple[str, ...], *, own: tuple[str, ...]) -> None:
        self.any = "*" in allowed
        self.allowed = frozenset(o.rstrip("/").lower() for o in allowed if o != "*")
        self.own = frozenset(o.rstrip("/").lower() for o in own)

    @classmethod
    def from_settings(cls, settings: Settings) -> OriginPolicy:
        return cls(settings.allowed_origins, own=own_origins(settings))

    def is_own(self, origin: str) -> bool:
        return origin.rstrip("/").lower() in self.own

    def allows(self, origin: str) -> bool:
        origin = origin.rstrip("/").lower()
        return origin in self.own or self.any or origin in self.allowed

    def frame_ancestors(self) -> str:
        if self.any:
            return "frame-ancestors *"
        return " ".join(["frame-ancestors 'self'", *sorted(self.allowed)])


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


class OriginMiddleware:
    """Pure ASGI (streaming responses pass through untouched): origin refusal, CORS, framing and sniffing headers."""

    def __init__(self, app: Callable[..., Awaitable[None]], policy: OriginPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        origin = _header(scope, b"origin")
        public = scope.get("method", "GET") in ("GET", "HEAD") and path in PUBLIC_PATHS
        if origin is not None and not public and not self.policy.allows(origin):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                await _refuse(send, origin)
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        cross = origin is not None and not self.policy.is_own(origin)
        api = path.startswith(CROSS_ORIGIN_PATHS)
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
