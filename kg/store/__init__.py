"""Triple stores behind kgqa: embedded Oxigraph (default) or any SPARQL 1.1 endpoint."""

from __future__ import annotations

from ..settings import Settings
from .base import GraphStore
from .embedded import EmbeddedStore
from .remote import RemoteStore

__all__ = ["GraphStore", "EmbeddedStore", "RemoteStore", "open_store"]


def open_store(settings: Settings) -> GraphStore:
    """The store the settings name: ``KGQA_STORE_URL`` set means remote, else embedded."""
    if settings.store_url:
        auth = (settings.store_user, settings.store_password or "") if settings.store_user else None
        return RemoteStore(settings.store_url, settings.update_url or settings.store_url, auth=auth)
    return EmbeddedStore(settings.store_path, workers=settings.query_workers, memory_mb=settings.query_memory_mb)
