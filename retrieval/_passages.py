"""Where the library's passages live: the embedded index (the default) or Milvus (``KGQA_VECTOR_URI``).

Both give the :class:`retrieval.library.Library` the same four things: whether passages exist yet,
an empty store, the stored one, and a folder for the pending note that says graph and passages may
disagree (see :mod:`retrieval.library`). Milvus is imported only when the setting names it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from kg import Settings

from .embedding import SentenceEmbeddings
from .index import PassageIndex

__all__ = ["PassageBackend", "open_passages"]


class PassageBackend(Protocol):
    note_folder: Path

    def exists(self) -> bool: ...

    def empty(self, *, drop: bool = False) -> Any: ...

    def load(self) -> Any: ...

    def close(self) -> None: ...


class _Embedded:
    """The on-disk segmented :class:`PassageIndex` in ``DATA_DIR/index``."""

    def __init__(self, folder: Path, embeddings: SentenceEmbeddings) -> None:
        self.folder = self.note_folder = folder
        self.embeddings = embeddings

    def exists(self) -> bool:
        return PassageIndex.exists(self.folder)

    def empty(self, *, drop: bool = False) -> PassageIndex:
        return PassageIndex(self.folder, self.embeddings)  # replaces what is on disk when first saved

    def load(self) -> PassageIndex:
        return PassageIndex.load(self.folder, self.embeddings)

    def close(self) -> None:
        pass


def open_passages(settings: Settings, embeddings: SentenceEmbeddings) -> PassageBackend:
    """The passage store ``settings`` name (nothing is read until asked)."""
    if settings.vector_uri:
        from ._milvus import MilvusBackend

        backend = MilvusBackend(settings.vector_uri, embeddings)
        backend.note_folder = settings.data_dir / "milvus"
        return backend
    return _Embedded(settings.index_path, embeddings)
