"""The passage index: every answerable sentence, dense (sentence-transformers) and lexical (BM25).

What is indexed follows what measured best on ReQA SQuAD (``bench/reqa_squad.py``):
each sentence is embedded and BM25-indexed after its headline; its paragraph
is embedded and BM25-indexed too (its scores are shared by its sentences);
and a BM25 over the sentence's word pairs rewards exact phrases. Each passage
also carries its entity and date mentions, read from the graph, so answer
types are checked without a query.

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
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

import bm25s
import numpy as np
from langchain_core.documents import Document

from kg import ConfigError, StoredSentence

from ._text import bigrams, bm25_tokens, content_tokens
from .embedding import SentenceEmbeddings
from .vectors import NumpyVectorStore

__all__ = ["PassageIndex", "IndexMismatch", "INDEX_FORMAT", "passage_document", "dense_text"]

log = logging.getLogger(__name__)

#: Bumped whenever what is stored, or how the texts are built, changes.
INDEX_FORMAT = 5
_K1, _B = 0.9, 0.4  # BM25 for one-sentence documents (measured on ReQA SQuAD; Lucene's defaults suit long ones)
_BM25_NAMES = ("bm25", "bm25_paragraphs", "bm25_bigrams")


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
            "date": s.published, "url": s.url, "commenter": s.commenter, "segment": s.segment or s.iri,
            "mentions": [asdict(m) for m in s.mentions],
        },
    )


def dense_text(doc: Document) -> str:
    """What gets embedded for a sentence: its headline, then the sentence."""
    headline = doc.metadata.get("headline")
    return f"{headline}. {doc.page_content}" if headline else doc.page_content


def _bm25(documents: list[list[str]]) -> bm25s.BM25 | None:
    if not documents:
        return None
    index = bm25s.BM25(k1=_K1, b=_B)
    index.index(documents, show_progress=False)
    return index


def _versions() -> dict[str, str]:
    out = {}
    for package in ("kgqa", "sentence-transformers", "bm25s", "torch", "langchain-core"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "?"
    return out


class PassageIndex:
    """Sentences as documents, their vectors and BM25 indexes; saved and loaded as one folder."""

    def __init__(self, folder: Path, embeddings: SentenceEmbeddings) -> None:
        self.folder = folder
        self.embeddings = embeddings
        self.vectors = NumpyVectorStore(embeddings)  # one row per sentence
        self.paragraphs = NumpyVectorStore(embeddings)  # one row per paragraph (segment)
        self.articles: dict[str, str] = {}  # article id -> record hash of the graph it was built from
        self._bm25: dict[str, bm25s.BM25 | None] = dict.fromkeys(_BM25_NAMES)
        # A vector for every word of every sentence, so synonyms are matched at query time without the model.
        self.words: dict[str, int] = {}
        self.word_vectors = np.zeros((0, 0), dtype=np.float16)
        self._reindex_positions()

    # --- state ---------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.vectors)

    @property
    def docs(self) -> list[Document]:
        return self.vectors.docs

    def meta(self) -> dict:
        return {
            "format": INDEX_FORMAT, "model": self.embeddings.model_name, "dimension": int(self.vectors.matrix.shape[1]),
            "dense_text": "headline. sentence; paragraph", "bm25": f"k1={_K1} b={_B}; headline+sentence, "
            "headline+paragraph, sentence word pairs; plural-stripped tokens",
            "versions": _versions(), "passages": len(self), "paragraphs": len(self.paragraphs),
            "articles": self.articles,
        }

    def row_of(self, sentence_iri: str) -> int | None:
        return self.vectors._row.get(sentence_iri)

    def article_rows(self, article_id: str) -> list[int]:
        """Rows of one article's sentences, in reading order."""
        return self._by_article.get(article_id, [])

    def neighbour(self, row: int, step: int) -> Document | None:
        """The sentence ``step`` places away in the same article, if stored."""
        other = self.neighbour_row(row, step)
        return None if other is None else self.docs[other]

    def neighbour_row(self, row: int, step: int) -> int | None:
        """The row of the sentence ``step`` places away in the same article, if stored."""
        doc = self.docs[row]
        return self._position.get((doc.metadata["article_id"], doc.metadata["index"] + step))

    def _reindex_positions(self) -> None:
        docs = self.docs
        self._position = {(d.metadata["article_id"], d.metadata["index"]): r for r, d in enumerate(docs)}
        self.sections = np.array([d.metadata["section"] for d in docs], dtype=object)
        self._by_article: dict[str, list[int]] = {}
        for r, d in enumerate(docs):
            self._by_article.setdefault(d.metadata["article_id"], []).append(r)
        para_row = self.paragraphs._row
        self.paragraph_of = np.array([para_row.get(d.metadata["segment"], 0) for d in docs], dtype=np.int64)

    def _rebuild_bm25(self) -> None:
        docs = self.docs
        self._bm25["bm25"] = _bm25([bm25_tokens(dense_text(d)) for d in docs])
        self._bm25["bm25_bigrams"] = _bm25([bigrams(bm25_tokens(d.page_content)) for d in docs])
        self._bm25["bm25_paragraphs"] = _bm25([bm25_tokens(d.page_content) for d in self.paragraphs.docs])

    # --- updating ------------------------------------------------------------

    def update(self, remove: Iterable[str], add: Sequence[StoredSentence], hashes: dict[str, str], *,
               progress: bool = False) -> None:
        """Drop every passage of the ``remove`` articles, then add ``add`` (already in the graph)."""
        remove = set(remove)
        if remove:
            self.vectors.delete([d.id for d in self.docs if d.metadata["article_id"] in remove])  # type: ignore[misc]
            self.paragraphs.delete([d.id for d in self.paragraphs.docs if d.metadata["article_id"] in remove])  # type: ignore[misc]
            for article_id in remove:
                self.articles.pop(article_id, None)
        docs = [passage_document(s) for s in add]
        started = time.perf_counter()
        if docs:
            vectors = self.embeddings.encode([dense_text(d) for d in docs], progress=progress)
            self.vectors.add_vectors(docs, vectors, [d.id for d in docs])  # type: ignore[misc]
            paragraphs: dict[str, list[Document]] = {}
            for d in docs:
                paragraphs.setdefault(d.metadata["segment"], []).append(d)
            para_docs = [
                Document(id=seg, page_content=f"{ds[0].metadata['headline']}. " * bool(ds[0].metadata["headline"])
                         + " ".join(d.page_content for d in ds), metadata={"article_id": ds[0].metadata["article_id"]})
                for seg, ds in paragraphs.items()
            ]
            texts = [" ".join(d.page_content for d in ds) for ds in paragraphs.values()]
            para_vectors = self.embeddings.encode(texts, progress=progress)
            self.paragraphs.add_vectors(para_docs, para_vectors, list(paragraphs))
            log.info("embedded %d sentences and %d paragraphs in %.1f s", len(docs), len(para_docs),
                     time.perf_counter() - started)
        self._add_words(docs, progress)
        self.articles = dict(hashes)  # the caller passes every change, so the index now holds the graph's articles
        self._reindex_positions()
        self._rebuild_bm25()

    def _add_words(self, docs: list[Document], progress: bool) -> None:
        new = list(dict.fromkeys(w for d in docs for w in content_tokens(d.page_content) if w not in self.words))
        if not new:
            return
        vectors = self.embeddings.encode(new, progress=progress).astype(np.float16)
        self.word_vectors = vectors if not len(self.words) else np.vstack([self.word_vectors, vectors])
        for w in new:
            self.words[w] = len(self.words)

    def word_vector_table(self, words: list[str]) -> tuple[list[str], np.ndarray]:
        """The known ones among ``words`` and their vectors (rows), for synonym matching."""
        known = [w for w in words if w in self.words]
        rows = [self.words[w] for w in known]
        return known, self.word_vectors[rows].astype(np.float32) if rows else np.zeros((0, 0), dtype=np.float32)

    # --- searching -----------------------------------------------------------

    def dense_scores(self, question_vector: np.ndarray) -> np.ndarray:
        return self.vectors.scores(question_vector)

    def paragraph_dense_scores(self, question_vector: np.ndarray) -> np.ndarray:
        """Each sentence gets its paragraph's cosine."""
        if not len(self.paragraphs):
            return np.zeros(len(self), dtype=np.float32)
        return self.paragraphs.scores(question_vector)[self.paragraph_of]

    def bm25_scores(self, tokens: list[str], which: str = "bm25") -> np.ndarray:
        """Scores of every sentence (``bm25_paragraphs``: of its paragraph) for already tokenised words."""
        index = self._bm25.get(which)
        size = len(self.paragraphs) if which == "bm25_paragraphs" else len(self)
        if index is None:
            out = np.zeros(size, dtype=np.float32)
        else:
            known = [t for t in tokens if t in index.vocab_dict]
            out = np.asarray(index.get_scores(known), dtype=np.float32) if known else np.zeros(size, dtype=np.float32)
        return out[self.paragraph_of] if which == "bm25_paragraphs" and len(out) else out

    def vocabulary(self) -> Iterable[str]:
        """Every BM25 token of the stored sentences."""
        index = self._bm25["bm25"]
        return index.vocab_dict.keys() if index is not None else ()

    def document_frequency(self, token: str) -> int:
        index = self._bm25["bm25"]
        tid = index.vocab_dict.get(token) if index is not None else None
        if index is None or tid is None:
            return 0
        indptr = index.scores["indptr"]
        return int(indptr[tid + 1] - indptr[tid])

    # --- persistence ---------------------------------------------------------

    def save(self) -> None:
        """Write the index next to the store, replacing the previous one in one rename."""
        tmp = self.folder.with_name(self.folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self.vectors.save(tmp)
        self.paragraphs.save(tmp / "paragraphs")
        for name, index in self._bm25.items():
            if index is not None:
                index.save(str(tmp / name), show_progress=False)
        np.save(tmp / "words.npy", self.word_vectors)
        (tmp / "words.json").write_text(json.dumps(list(self.words), ensure_ascii=False), encoding="utf-8")
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
            index.paragraphs = NumpyVectorStore.load(folder / "paragraphs", embeddings)
            index.word_vectors = np.load(folder / "words.npy")
            index.words = {w: i for i, w in enumerate(json.loads((folder / "words.json").read_text(encoding="utf-8")))}
            for name in _BM25_NAMES:
                if (folder / name).is_dir():
                    index._bm25[name] = bm25s.BM25.load(str(folder / name), show_progress=False)
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
