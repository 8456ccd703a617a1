"""The app's own static files (web/static), each served from a fixed route: never a path from the client."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from fastapi.responses import Response

__all__ = ["StaticAsset", "STATIC_DIR"]

STATIC_DIR = Path(__file__).parent / "static"
#: Browsers re-check after ten minutes (the ETag makes that a 304); a new release is seen within that.
_CACHE = "public, max-age=600"


@dataclass(frozen=True)
class StaticAsset:
    """One file's bytes, read once when its router is built, with a content hash for an ETag."""

    body: bytes
    media_type: str
    etag: str

    @classmethod
    def load(cls, name: str, media_type: str) -> StaticAsset:
        body = (STATIC_DIR / name).read_bytes()
        return cls(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:20] + '"')

    def response(self, request: Request, **extra: str) -> Response:
        """The same bytes for every origin; 304 when the browser already has them."""
        headers = {"Cache-Control": _CACHE, "ETag": self.etag, **extra}
        if self.etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type=self.media_type, headers=headers)
