"""What kgqa lets through to Gradio's own routes: no URL it would fetch, no upload the write policy forbids.

Gradio fetches from the network for anonymous requests in two places: a file
route naming a URL (``GET /gradio_api/file=http://...``, which it streams
through ``safehttpx``) and a ``FileData`` in an event payload whose ``path``
is a URL (which it downloads into its cache before any handler of ours runs).
kgqa serves only its own files, so both are refused here, before Gradio sees
the request, as is Gradio's ``/proxy=`` route (kgqa loads no remote Spaces).

Gradio's upload routes store whatever they are sent and serve it back, so
they are under the write policy: an upload needs what adding an article needs
(:meth:`web._policy.WritePolicy.check` with ``"add"``). The token comes as
``Authorization: Bearer`` or, from the Articles tab (Gradio's browser client
sends no headers of ours), as the cookie :data:`UPLOAD_COOKIE` that the tab's
token field sets for the upload path only.

Refusals use the one JSON error shape.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import unquote

from kg import KgqaError

from ._errors import error_body
from ._policy import WritePolicy, bearer_token

__all__ = ["GradioGuardMiddleware", "UPLOAD_COOKIE", "GRADIO_UPLOAD_PATHS", "is_url", "urls_in"]

log = logging.getLogger(__name__)

#: Cookie the Articles tab sets (path: the upload route only) to carry the admin token to Gradio's upload.
UPLOAD_COOKIE = "kgqa_upload_token"
#: Gradio's routes that store a request's files in its cache.
GRADIO_UPLOAD_PATHS = ("/gradio_api/upload", "/gradio_api/process_recording")
_PREFIX = "/gradio_api/"
# Gradio's file routes (``file=`` and the older ``file/``) and its reverse proxy; what follows is a path or a URL.
_FILE_ROUTE = re.compile(r"^/gradio_api/(file=|file/|proxy=)(.*)$", re.S)
# Anything with a scheme or a network path: Gradio itself only fetches http(s)://, but the check is broader so
# that a later Gradio accepting more schemes still fetches nothing.
_URL = re.compile(r"^\s*(?:[A-Za-z][A-Za-z0-9+.\-]*:|[/\\]{2})")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def is_url(text: object) -> bool:
    """Whether ``text`` names a resource elsewhere (``http://h/x``, ``HTTPS:...``, ``//h/x``) rather than a path.

    >>> is_url("http://127.0.0.1:9/x"), is_url(" //evil/x"), is_url("/tmp/gradio/ab/c.txt"), is_url("a:b")
    (True, True, False, True)
    """
    return isinstance(text, str) and bool(_URL.match(text))


def urls_in(data: Any) -> Iterator[str]:
    """Every URL-valued ``path`` of a dict anywhere in ``data`` (a FileData, whatever its ``meta`` says).

    Iterative, so a deeply nested payload cannot exhaust the stack.

    >>> list(urls_in({"data": [None, [{"path": "https://x.example/a", "meta": {"_type": "gradio.FileData"}}]]}))
    ['https://x.example/a']
    """
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if is_url(item.get("path")):
                yield item["path"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _cookie_token(scope: Scope) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    try:
        jar = SimpleCookie(raw)
    except CookieError:
        return None
    morsel = jar.get(UPLOAD_COOKIE)
    return unquote(morsel.value).strip() or None if morsel else None


async def _refuse(send: Send, status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps(error_body(status, kind, message)).encode()
    extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *extra]})
    await send({"type": "http.response.body", "body": body})


class GradioGuardMiddleware:
    """Pure ASGI in front of the app: refuses URL file paths and URL FileData, and uploads the policy forbids.

    Only requests under ``/gradio_api/`` are looked at; an event's JSON body is
    read whole (``BodyLimitMiddleware``, which runs first, caps it) and then
    handed on unchanged.
    """

    def __init__(self, app: Callable[..., Awaitable[None]], policy: WritePolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(_PREFIX):
            await self.app(scope, receive, send)
            return
        route = _FILE_ROUTE.match(path)
        if route and (route.group(1) == "proxy=" or is_url(route.group(2))):
            log.warning("refused Gradio %s%s", route.group(1), route.group(2)[:200])
            await _refuse(send, 403, "RemoteFileRefused",
                          "this server serves only its own files; it fetches nothing from other addresses")
            return
        if scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        if path.startswith(GRADIO_UPLOAD_PATHS):
            given = bearer_token(_header(scope, b"authorization")) or _cookie_token(scope)
            try:
                self.policy.check("add", given)
            except KgqaError as exc:
                await _refuse(send, exc.status, type(exc).__name__,
                              f"uploading files: {exc}", headers=getattr(exc, "headers", None))
                return
            await self.app(scope, receive, send)
            return
        await self._event(scope, receive, send)

    async def _event(self, scope: Scope, receive: Receive, send: Send) -> None:
        messages: list[Message] = []
        chunks: list[bytes] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break  # the client went away: let the app see that
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            data = json.loads(body) if body.strip() else None
        except (ValueError, RecursionError):
            data = None  # not JSON: Gradio refuses it itself, and a body it cannot read names no file
        url = next(urls_in(data), None)
        if url is not None:
            log.warning("refused a Gradio event naming the URL %r as a file", url[:200])
            await _refuse(send, 400, "RemoteFileRefused",
                          "a file in this request is a URL; this server fetches nothing from other addresses, "
                          "so files must be uploaded")
            return
        replay = iter(messages)

        async def replayed() -> Message:
            try:
                return next(replay)
            except StopIteration:
                return await receive()

        await self.app(scope, replayed, send)
