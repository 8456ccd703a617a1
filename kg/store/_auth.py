"""Credentials for a remote store, sent only when its endpoint asks, in the scheme it asks for.

Virtuoso's ``/sparql-auth`` challenges with HTTP Digest; Fuseki or a proxy in front of a server may ask for
Basic. Answering the challenge (instead of sending Basic up front) keeps the password off every request to
an endpoint that needs none, such as a public read-only ``/sparql``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Generator

import httpx

__all__ = ["ChallengeAuth"]

log = logging.getLogger(__name__)


class ChallengeAuth(httpx.Auth):
    """Digest or Basic, whichever the server's first ``401`` names; remembered for later requests."""

    requires_request_body = True  # the challenged request is sent again, body and all

    def __init__(self, user: str, password: str) -> None:
        self._schemes: dict[str, httpx.Auth] = {
            "digest": httpx.DigestAuth(user, password),
            "basic": httpx.BasicAuth(user, password),
        }
        self._scheme: str | None = None
        self._lock = threading.Lock()  # the store's client is shared by threads

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        with self._lock:
            scheme = self._scheme
        if scheme is not None:
            yield from self._schemes[scheme].auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        offered = [h.split(" ", 1)[0].lower() for h in response.headers.get_list("www-authenticate")]
        scheme = next((s for s in ("digest", "basic") if s in offered), None)
        if scheme is None:
            log.warning("the store asked for credentials in a scheme kgqa does not speak: %s", offered)
            return
        with self._lock:
            self._scheme = scheme
        # Digest's own flow sends the request once more unsigned and answers that challenge (first time only).
        yield from self._schemes[scheme].auth_flow(request)
