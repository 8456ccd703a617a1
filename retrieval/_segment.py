"""One immutable segment of the passage index: the sentences of some articles, embedded and term-counted.

An ingest adds its articles as a new segment; a delete only masks an article's
rows (see :class:`retrieval.index.PassageIndex`); segments are merged later,
which drops the masked rows and re-embeds nothing. A segment is written once,
into its own folder, and never modified on disk.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np
from langchain_core.documents import Document

from kg import StoredSentence
from kg.timing import stage

from ._lexical import Postings
from ._text import bigrams, bm25_tokens
from .embedding import SentenceEmbeddings

__all__ = ["Segment", "count_terms", "read_jsonl", "passage_document", "dense_text"]

log = logging.getLogger(__name__)

_FIELDS = ("sentences", "bigrams", "paragraph_terms")


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


def _paragraphs(docs: Sequence[Document]) -> list[Document]:
    """One document per paragraph: its headline and sentences, for BM25."""
    groups: dict[str, list[Document]] = {}
    for d in docs:
        groups.setdefault(d.metadata["segment"], []).append(d)
    return [Document(id=seg, page_content=f"{ds[0].metadata['headline']}. " * bool(ds[0].metadata["headline"])
                     + " ".join(d.page_content for d in ds), metadata={"article_id": ds[0].metadata["article_id"]})
            for seg, ds in groups.items()]


class Segment:
    """Sentences (rows), their vectors, their paragraphs and BM25 postings; never changed.

    Only sentences are embedded. Paragraph vectors (a second pass over every
    paragraph, half the encoder's time on BBC) and a vector per distinct word
    (for synonyms) were measured and dropped: without them ReQA MRR@10 went
    0.822 -> 0.813 and BBC dev strict 0.527 -> 0.517, and paragraph vectors
    pooled from the sentence vectors did no better than none (``bench/README.md``).
    """

    def __init__(self, name: str, docs: Sequence[Document], vectors: np.ndarray, paragraphs: Sequence[Document],
                 postings: dict[str, Postings], articles: dict[str, str]) -> None:
        self.name = name
        self.docs = tuple(docs)
        self.vectors = vectors
        self.paragraphs = tuple(paragraphs)
        self.postings = postings
        self.articles = articles  # article id -> record hash of the graph it was built from
        self.row = {d.id: r for r, d in enumerate(self.docs)}
        self.position = {(d.metadata["article_id"], d.metadata["index"]): r for r, d in enumerate(self.docs)}
        by_article: dict[str, list[int]] = {}
        for r, d in enumerate(self.docs):
            by_article.setdefault(d.metadata["article_id"], []).append(r)
        self.by_article = {a: np.asarray(rows, dtype=np.int64) for a, rows in by_article.items()}
        para_by_article: dict[str, list[int]] = {}
        for r, p in enumerate(self.paragraphs):
            para_by_article.setdefault(p.metadata["article_id"], []).append(r)
        self.paragraphs_by_article = {a: np.asarray(rows, dtype=np.int64) for a, rows in para_by_article.items()}
        para_row = {p.id: r for r, p in enumerate(self.paragraphs)}
        self.paragraph_of = np.array([para_row.get(d.metadata["segment"], 0) for d in self.docs], dtype=np.int64)
        self.sections = np.array([d.metadata["section"] for d in self.docs], dtype=object)
        if vectors.shape[0] != len(self.docs):
            raise ValueError(f"segment {name}: {vectors.shape[0]} vectors for {len(self.docs)} sentences")

    def __len__(self) -> int:
        return len(self.docs)

    def live_masks(self, deleted: frozenset[str]) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Boolean masks of the sentence and paragraph rows not deleted (``None``: all are live)."""
        rows = [self.by_article[a] for a in deleted if a in self.by_article]
        if not rows:
            return None, None
        live = np.ones(len(self), dtype=bool)
        live[np.concatenate(rows)] = False
        para_live = np.ones(len(self.paragraphs), dtype=bool)
        para_rows = [self.paragraphs_by_article[a] for a in deleted if a in self.paragraphs_by_article]
        if para_rows:
            para_live[np.concatenate(para_rows)] = False
        return live, para_live

    # --- making ---------------------------------------------------------------

    @classmethod
    def build(cls, name: str, sentences: Sequence[StoredSentence], articles: dict[str, str],
              embeddings: SentenceEmbeddings, *, progress: bool = False) -> Segment:
        """Embed and count the sentences of ``articles`` (their record hashes) as a new segment."""
        started = time.perf_counter()
        docs = [passage_document(s) for s in sentences]
        paragraphs = _paragraphs(docs)
        with stage("embed sentences"):
            vectors = embeddings.encode([dense_text(d) for d in docs], progress=progress) if docs else \
                np.zeros((0, embeddings.dimension), dtype=np.float32)
        with stage("lexical index"):
            postings = count_terms(docs, paragraphs)
        segment = cls(name, docs, np.asarray(vectors, dtype=np.float32), paragraphs, postings, dict(articles))
        log.info("segment %s: %d sentences, %d paragraphs of %d article(s) in %.2f s", name, len(docs),
                 len(paragraphs), len(articles), time.perf_counter() - started)
        return segment

    @classmethod
    def merge(cls, name: str, parts: Sequence[tuple[Segment, frozenset[str]]]) -> Segment:
        """The live rows of several segments (each with the articles deleted from it) as one; nothing re-embedded."""
        docs: list[Document] = []
        paragraphs: list[Document] = []
        vectors = []
        sentence_keep, para_keep = [], []
        articles: dict[str, str] = {}
        for segment, deleted in parts:
            live, para_live = segment.live_masks(deleted)
            keep = np.arange(len(segment)) if live is None else np.flatnonzero(live)
            pkeep = np.arange(len(segment.paragraphs)) if para_live is None else np.flatnonzero(para_live)
            sentence_keep.append(keep)
            para_keep.append(pkeep)
            docs += [segment.docs[r] for r in keep]
            paragraphs += [segment.paragraphs[r] for r in pkeep]
            vectors.append(segment.vectors[keep])
            articles.update({a: h for a, h in segment.articles.items() if a not in deleted})
        postings = {
            f: Postings.merge([(s.postings[f], k) for (s, _), k in
                               zip(parts, para_keep if f == "paragraph_terms" else sentence_keep)])
            for f in _FIELDS
        }
        dim = parts[0][0].vectors.shape[1] if parts else 0
        stacked = np.vstack(vectors).astype(np.float32) if vectors else np.zeros((0, dim), dtype=np.float32)
        return cls(name, docs, stacked, paragraphs, postings, articles)

    # --- persistence ----------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write the segment into ``folder`` (which must not exist) all at once: a rename ends the write."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        np.save(tmp / "vectors.npy", self.vectors)
        _write_jsonl(tmp / "documents.jsonl", self.docs)
        _write_jsonl(tmp / "paragraphs.jsonl", self.paragraphs)
        for name, postings in self.postings.items():
            postings.save(tmp, name)
        (tmp / "segment.json").write_text(json.dumps(
            {"name": self.name, "sentences": len(self), "paragraphs": len(self.paragraphs),
             "articles": self.articles}, ensure_ascii=False), encoding="utf-8")
        for path in tmp.iterdir():  # on disk before the rename makes the segment visible
            with path.open("rb") as f:
                os.fsync(f.fileno())
        tmp.rename(folder)

    @classmethod
    def load(cls, folder: Path) -> Segment:
        """A saved segment (one written by format 6 also has paragraph and word vectors: they are not read)."""
        meta = json.loads((folder / "segment.json").read_text(encoding="utf-8"))
        return cls(meta["name"], _read_jsonl(folder / "documents.jsonl"), np.load(folder / "vectors.npy"),
                   _read_jsonl(folder / "paragraphs.jsonl"), {f: Postings.load(folder, f) for f in _FIELDS},
                   dict(meta["articles"]))


def count_terms(docs: Sequence[Document], paragraphs: Sequence[Document]) -> dict[str, Postings]:
    """The three BM25 fields of a segment: headline + sentence, the sentence's word pairs, and paragraphs."""
    return {
        "sentences": Postings.build([bm25_tokens(dense_text(d)) for d in docs]),
        "bigrams": Postings.build([bigrams(bm25_tokens(d.page_content)) for d in docs]),
        "paragraph_terms": Postings.build([bm25_tokens(p.page_content) for p in paragraphs]),
    }


def read_jsonl(path: Path) -> list[Document]:
    """Documents as :meth:`Segment.save` (and the unsegmented index before it) wrote them."""
    return _read_jsonl(path)


def _write_jsonl(path: Path, docs: Sequence[Document]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for d in docs:
            out.write(json.dumps({"id": d.id, "text": d.page_content, "metadata": d.metadata}, ensure_ascii=False))
            out.write("\n")


def _read_jsonl(path: Path) -> list[Document]:
    with path.open(encoding="utf-8") as src:
        return [Document(id=row["id"], page_content=row["text"], metadata=row["metadata"])
                for row in map(json.loads, src)]
