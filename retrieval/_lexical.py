"""BM25 over an index kept in segments: each segment's postings are immutable, the statistics are global.

A segment's :class:`Postings` hold its term frequencies (a sparse matrix of
documents by terms), its vocabulary and its document lengths. :func:`bm25`
scores a question over any number of segments as if they were one index:
document frequencies, the document count and the average length are summed
over the live documents of all of them, so adding an article as a new
segment, or deleting one by masking its rows, gives exactly the scores a
rebuild from scratch would. The formula is bm25s's "lucene" variant (which
the index used before it had segments), checked against bm25s in the tests.

>>> a = Postings.build([["rain", "in", "spain"], ["sun"]])
>>> b = Postings.build([["rain", "rain", "today"]])
>>> [[round(float(x), 3) for x in s] for s in bm25([(a, None), (b, None)], ["rain"], k1=0.9, b=0.4)]
[[0.235, 0.0], [0.313]]
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

__all__ = ["Postings", "bm25"]


@dataclass(frozen=True, eq=False)
class Postings:
    """One segment's term frequencies for one field; never changed once built (rows are masked, not removed)."""

    vocab: dict[str, int]  # term -> column
    matrix: sparse.csc_matrix  # documents x terms, term frequencies
    lengths: np.ndarray  # tokens per document (float32)

    @classmethod
    def build(cls, documents: Sequence[Sequence[str]]) -> Postings:
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        for row, doc in enumerate(documents):
            for token in doc:
                rows.append(row)
                cols.append(vocab.setdefault(token, len(vocab)))
        data = np.ones(len(rows), dtype=np.float32)
        # Duplicate (row, column) pairs are summed when converting: that is the term frequency.
        matrix = sparse.coo_matrix((data, (rows, cols)), shape=(len(documents), len(vocab))).tocsc()
        matrix.sum_duplicates()
        lengths = np.fromiter((len(d) for d in documents), dtype=np.float32, count=len(documents))
        return cls(vocab, matrix, lengths)

    def __len__(self) -> int:
        return int(self.matrix.shape[0])

    def column(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The documents holding ``term`` and its frequency in each, or ``None``."""
        col = self.vocab.get(term)
        if col is None:
            return None
        start, end = self.matrix.indptr[col], self.matrix.indptr[col + 1]
        return self.matrix.indices[start:end], self.matrix.data[start:end]

    def document_frequency(self, term: str, live: np.ndarray | None = None) -> int:
        found = self.column(term)
        if found is None:
            return 0
        return len(found[0]) if live is None else int(live[found[0]].sum())

    @staticmethod
    def merge(parts: Sequence[tuple[Postings, np.ndarray]]) -> Postings:
        """The kept rows (``np.ndarray`` of row numbers, in order) of several postings, as one."""
        vocab: dict[str, int] = {}
        blocks = []
        for postings, keep in parts:
            # Columns are re-numbered into the merged vocabulary, in first-seen order.
            remap = np.fromiter((vocab.setdefault(t, len(vocab)) for t in postings.vocab), dtype=np.int64,
                                count=len(postings.vocab))
            coo = postings.matrix[keep].tocoo()
            blocks.append((coo.row, remap[coo.col] if len(remap) else coo.col, coo.data, len(keep)))
        offset, rows, cols, data = 0, [], [], []
        for r, c, d, n in blocks:
            rows.append(r + offset)
            cols.append(c)
            data.append(d)
            offset += n
        cat = lambda xs, t: np.concatenate(xs).astype(t) if xs else np.zeros(0, dtype=t)  # noqa: E731
        matrix = sparse.coo_matrix((cat(data, np.float32), (cat(rows, np.int64), cat(cols, np.int64))),
                                   shape=(offset, len(vocab))).tocsc()
        lengths = np.concatenate([p.lengths[keep] for p, keep in parts]) if parts else np.zeros(0, np.float32)
        return Postings(vocab, matrix, lengths.astype(np.float32))

    # --- persistence ---------------------------------------------------------

    def save(self, folder: Path, name: str) -> None:
        sparse.save_npz(folder / f"{name}.npz", self.matrix, compressed=False)
        np.save(folder / f"{name}.lengths.npy", self.lengths)
        (folder / f"{name}.vocab.json").write_text(json.dumps(list(self.vocab), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, name: str) -> Postings:
        terms = json.loads((folder / f"{name}.vocab.json").read_text(encoding="utf-8"))
        matrix = sparse.load_npz(folder / f"{name}.npz").tocsc()
        lengths = np.load(folder / f"{name}.lengths.npy")
        if matrix.shape != (len(lengths), len(terms)):
            raise ValueError(f"{folder / name}: postings {matrix.shape} for {len(lengths)} documents, {len(terms)} terms")
        return cls({t: i for i, t in enumerate(terms)}, matrix, lengths)


def bm25(parts: Sequence[tuple[Postings, np.ndarray | None]], terms: Sequence[str], *, k1: float,
         b: float) -> list[np.ndarray]:
    """Scores of every document of every part (``live``: a boolean mask, ``None`` for all) for ``terms``.

    Each occurrence of a term in ``terms`` counts (a repeated word weighs twice, as in bm25s). Masked-out
    documents count for nothing in the statistics; their scores are left at 0.
    """
    n_docs = 0
    total_length = 0.0
    for postings, live in parts:
        n_docs += len(postings) if live is None else int(live.sum())
        total_length += float(postings.lengths.sum() if live is None else postings.lengths[live].sum())
    out = [np.zeros(len(p), dtype=np.float32) for p, _ in parts]
    if not n_docs:
        return out
    average = total_length / n_docs
    for term, count in _counts(terms).items():
        df = sum(p.document_frequency(term, live) for p, live in parts)
        if not df:
            continue
        idf = count * math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        for (postings, live), scores in zip(parts, out):
            found = postings.column(term)
            if found is None:
                continue
            rows, tf = found
            norm = k1 * ((1 - b) + b * postings.lengths[rows] / average)
            scores[rows] += np.float32(idf) * (tf / (norm + tf))
    for (_, live), scores in zip(parts, out):
        if live is not None:
            scores[~live] = 0.0
    return out


def _counts(terms: Sequence[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for t in terms:
        counts[t] = counts.get(t, 0) + 1
    return counts
