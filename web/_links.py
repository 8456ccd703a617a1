"""Where the app serves a graph IRI: IRIs minted under ``KGQA_BASE_IRI`` are served at that path.

>>> from kg import Settings
>>> local_path("http://localhost:7860/id/article/seed#char=0,9", Settings())
'/id/article/seed#char=0,9'
>>> local_path("http://elsewhere.org/x", Settings()) is None
True
"""

from __future__ import annotations

from urllib.parse import urlsplit

from kg import Settings

__all__ = ["local_path", "base_path"]


def base_path(settings: Settings) -> str:
    """The path IRIs are served under, e.g. ``/id/``."""
    return urlsplit(settings.base_iri).path or "/"


def local_path(iri: str, settings: Settings) -> str | None:
    """The app-relative link for an IRI of this graph; ``None`` for IRIs minted elsewhere."""
    if not iri.startswith(settings.base_iri):
        return None
    parts = urlsplit(iri)
    return parts.path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
