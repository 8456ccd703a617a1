"""The passage index: every answerable sentence, dense (sentence-transformers) and lexical (BM25).

It is persisted in one folder with ``meta.json`` (model, dimension, library
versions, the text recipe, and the record hash of every article it holds), so
:meth:`PassageIndex.check` can refuse to pair it with a graph it was not built
from. Sentences come from the graph (``KnowledgeGraph.sentences``), never from
the raw files, so the two cannot drift apart.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path

import bm25s
import numpy as np
from langchain_core.documents import Document

from kg import ConfigError, StoredSentence

from ._text import content_tokens, stems
from .embedding import SentenceEmbeddings
from .vectors import NumpyVectorStore

__all__ = ["PassageIndex", "IndexMismatch", "INDEX_FORMAT", "passage_document", "dense_text"]

log = logging.getLogger(__name__)

#: Bumped whenever what is stored, or how the texts are built, changes.
INDEX_FORMAT = 3


class IndexMismatch(ConfigError):
    """The passage index on disk was not built from this graph (or with these settings)."""


def passage_document(s: StoredSentence) -> Document:
    """A stored sentence as a LangChain ``Document`` whose metadata is enough to cite it."""
    return Document(
        id=s.iri,
        page_content=s.text,
        metadata={
            "sentence": s.iri, "article_id": s.article_id, "article": s.article_iri, "index": s.index,
            "start": s.start, "end": s.end, "section": s.section, "headline": s.headline or "",
            "date": s.published, "url": s.url, "commenter": s.commenter,
        },
    )


def dense_text(doc: Document, previous: Document | None) -> str:
    """What gets embedded: the sentence after its headline and the sentence before it.

    The context lets "He added that ..." and a paragraph's later sentences be
    found by the names and topic their neighbours give (measured in bench/).
    """
    parts = [doc.metadata.get("headline") or ""]
    if previous is not None and previous.metadata["section"] == doc.metadata["section"]:
        parts.append(previous.page_content)
    parts.append(doc.page_content)
    return " ".join(p for p in parts if p)


def lexical_tokens(doc: Document) -> list[str]:
    """What BM25 indexes: the stems of the sentence's content words (its context is the dense side's job)."""
    return stems(content_tokens(doc.page_content))


def _versions() -> dict[str, str]:
    out = {}
    for package in ("kgqa", "sentence-transformers", "bm25s", "torch", "langchain-core"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "?"
    return out


class PassageIndex:
    """Sentences as documents, their vectors and a BM25 index; saved and loaded as one folder."""

    def __init__(self, folder: Path, embeddings: SentenceEmbeddings) -> None:
        self.folder = folder
        self.embeddings = embeddings
        self.vectors = NumpyVectorStore(embeddings)
        self.articles: dict[str, str] = {}  # article id -> record hash of the graph it was built from
        self._bm25: bm25s.BM25 | None = None
        self._tokens: list[list[str]] = []
        self._position: dict[tuple[str, int], int] = {}
        self.sections = np.zeros(0, dtype=object)

    # --- state ---------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.vectors)

    @property
    def docs(self) -> list[Document]:
        return self.vectors.docs

    def meta(self) -> dict:
        return {
            "format": INDEX_FORMAT, "model": self.embeddings.model_name, "dimension": int(self.vectors.matrix.shape[1]),
            "dense_text": "headline + previous sentence + sentence", "lexical_text": "stems of the sentence's content words",
            "versions": _versions(), "passages": len(self), "articles": self.articles,
        }

    def neighbour(self, row: int, step: int) -> Document | None:
        """The sentence ``step`` places away in the same article, if stored."""
        doc = self.docs[row]
        other = self._position.get((doc.metadata["article_id"], doc.metadata["index"] + step))
        return None if other is None else self.docs[other]

    def row_of(self, sentence_iri: str) -> int | None:
        return self.vectors._row.get(sentence_iri)

    def _reindex_positions(self) -> None:
        self._position = {(d.metadata["article_id"], d.metadata["index"]): r for r, d in enumerate(self.docs)}
        self.sections = np.array([d.metadata["section"] for d in self.docs], dtype=object)
        self._by_article: dict[str, list[int]] = {}
        for r, d in enumerate(self.docs):
            self._by_article.setdefault(d.metadata["article_id"], []).append(r)

    def article_rows(self, article_id: str) -> list[int]:
        """Rows of one article's sentences, in reading order."""
        return self._by_article.get(article_id, [])

    def _rebuild_bm25(self) -> None:
        self._bm25 = None
        if self._tokens:
            bm25 = bm25s.BM25()
            bm25.index(self._tokens, show_progress=False)
            self._bm25 = bm25

    # --- updating ------------------------------------------------------------

    def update(self, remove: Iterable[str], add: Sequence[StoredSentence], hashes: dict[str, str], *,
               progress: bool = False) -> None:
        """Drop every passage of the ``remove`` articles, then add ``add`` (already in the graph)."""
        remove = set(remove)
        if remove:
            self.vectors.delete([d.id for d in self.docs if d.metadata["article_id"] in remove])  # type: ignore[misc]
            for article_id in remove:
                self.articles.pop(article_id, None)
        docs = [passage_document(s) for s in add]
        by_position = {(d.metadata["article_id"], d.metadata["index"]): d for d in docs}
        texts = [dense_text(d, by_position.get((d.metadata["article_id"], d.metadata["index"] - 1))) for d in docs]
        started = time.perf_counter()
        vectors = self.embeddings.encode(texts, progress=progress)
        if docs:
            log.info("embedded %d sentences in %.1f s", len(docs), time.perf_counter() - started)
            self.vectors.add_vectors(docs, vectors, [d.id for d in docs])  # type: ignore[misc]
        for s in add:
            self.articles[s.article_id] = hashes[s.article_id]
        for article_id in set(hashes) - set(self.articles):
            if article_id not in remove:
                self.articles[article_id] = hashes[article_id]  # an article without answerable sentences
        self._tokens = [lexical_tokens(d) for d in self.docs]
        self._reindex_positions()
        self._rebuild_bm25()

    # --- searching -----------------------------------------------------------

    def dense_scores(self, question_vector: np.ndarray) -> np.ndarray:
        return self.vectors.scores(question_vector)

    def bm25_scores(self, question_tokens: list[str]) -> np.ndarray:
        if self._bm25 is None:
            return np.zeros(len(self), dtype=np.float32)
        vocab = self._bm25.vocab_dict
        known = [t for t in question_tokens if t in vocab]
        if not known:
            return np.zeros(len(self), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    # --- persistence ---------------------------------------------------------

    def save(self) -> None:
        """Write the index next to the store, replacing the previous one in one rename."""
        tmp = self.folder.with_name(self.folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self.vectors.save(tmp)
        if self._bm25 is not None:
            self._bm25.save(str(tmp / "bm25"), show_progress=False)
        (tmp / "meta.json").write_text(json.dumps(self.meta(), indent=1, sort_keys=True), encoding="utf-8")
        old = self.folder.with_name(self.folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.folder.exists():
            self.folder.rename(old)
        tmp.rename(self.folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def exists(cls, folder: Path) -> bool:
        return (folder / "meta.json").is_file()

    @classmethod
    def load(cls, folder: Path, embeddings: SentenceEmbeddings) -> PassageIndex:
        """Load a saved index; :class:`IndexMismatch` if it was built with another model or format."""
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexMismatch(f"the passage index in {folder} is unreadable ({exc}); run `kgqa reindex`") from None
        if meta.get("format") != INDEX_FORMAT:
            raise IndexMismatch(
                f"the passage index in {folder} has format {meta.get('format')}, this kgqa writes {INDEX_FORMAT}; "
                "run `kgqa reindex`"
            )
        if meta.get("model") != embeddings.model_name:
            raise IndexMismatch(
                f"the passage index in {folder} was embedded with {meta.get('model')!r} but KGQA_EMBEDDING_MODEL is "
                f"{embeddings.model_name!r}; run `kgqa reindex` (or set the model back)"
            )
        index = cls(folder, embeddings)
        try:
            index.vectors = NumpyVectorStore.load(folder, embeddings)
            if (folder / "bm25").is_dir():
                index._bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False)
        except (OSError, ValueError, KeyError) as exc:
            raise IndexMismatch(f"the passage index in {folder} is damaged ({exc}); run `kgqa reindex`") from None
        index.articles = dict(meta.get("articles", {}))
        index._reindex_positions()
        return index

    def check(self, graph_hashes: dict[str, str]) -> None:
        """Refuse a graph whose articles differ from the ones this index was built from."""
        if graph_hashes == self.articles:
            return
        missing = sorted(set(graph_hashes) - set(self.articles))
        extra = sorted(set(self.articles) - set(graph_hashes))
        stale = sorted(i for i in set(graph_hashes) & set(self.articles) if graph_hashes[i] != self.articles[i])
        parts = []
        for label, ids in (("not indexed", missing), ("indexed but not in the graph", extra), ("changed", stale)):
            if ids:
                parts.append(f"{len(ids)} {label} (e.g. {ids[0]})")
        raise IndexMismatch(
            f"the passage index in {self.folder} does not match the graph: {'; '.join(parts)}. "
            "Was the store changed by another program? Run `kgqa reindex` to rebuild the index from the graph."
        )


