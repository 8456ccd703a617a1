"""The first stage's measures of the candidate sentences, whichever engine holds the passages.

The embedded index scores every row (its candidates are all rows, so position and row are the same);
a Milvus collection returns a few hundred candidates from its own hybrid search and the same measures
are worked out for them alone (:func:`bm25_rows`). The retriever's later stages read only these arrays,
so they run unchanged on either.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from langchain_core.documents import Document

__all__ = ["FirstStage", "bm25_rows"]


@dataclass(frozen=True)
class FirstStage:
    """Per candidate (aligned arrays): the sentence cosine, the sentence, paragraph and word-pair BM25, and
    the section. ``rows`` maps a position to the passage row (``None``: position ``i`` is row ``i``)."""

    dense: np.ndarray
    bm25: np.ndarray
    paragraphs: np.ndarray
    bigrams: np.ndarray
    sections: np.ndarray
    rows: np.ndarray | None = None
    #: Where the question words' document frequencies (for their IDF) come from, and out of how many
    #: documents: ``None`` for the whole store; a remote store counts them among the candidates.
    document_frequency: Callable[[str], int] | None = None
    documents: int = 0
    #: The candidates' documents by row when the engine had to read them to score them (a remote collection),
    #: so the caller need not read them again; empty when every row is in memory.
    read: Mapping[int, Document] = field(default_factory=dict, repr=False, compare=False)
    _positions: dict[int, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.rows is not None:
            self._positions.update({int(r): i for i, r in enumerate(self.rows)})

    def __len__(self) -> int:
        return len(self.dense)

    def row(self, position: int) -> int:
        return int(position) if self.rows is None else int(self.rows[position])

    def position(self, row: int) -> int | None:
        """The position of ``row`` among the candidates, or ``None`` if it is not one."""
        if self.rows is None:
            return int(row) if 0 <= row < len(self.dense) else None
        return self._positions.get(int(row))


def bm25_rows(documents: Sequence[list[str]], terms: Sequence[str], document_frequency: Callable[[str], int],
              n_docs: int, *, k1: float, b: float) -> np.ndarray:
    """BM25 of a few documents (their tokens) for ``terms``, with the collection's document frequencies and
    size, and the documents' own mean length (the collection's is not kept): the formula of
    :func:`retrieval._lexical.bm25`, so scores are close to the embedded index's."""
    scores = np.zeros(len(documents), dtype=np.float32)
    if not documents or not n_docs:
        return scores
    lengths = np.array([len(d) for d in documents], dtype=np.float32)
    average = float(lengths.mean()) or 1.0
    counts: dict[str, int] = {}
    for t in terms:
        counts[t] = counts.get(t, 0) + 1
    norm = k1 * ((1 - b) + b * lengths / average)
    frequencies = [_counts(d) for d in documents]
    for term, count in counts.items():
        df = document_frequency(term)
        if not df:
            continue
        idf = count * math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        tf = np.array([f.get(term, 0) for f in frequencies], dtype=np.float32)
        scores += np.float32(idf) * (tf / (norm + tf))
    return scores


def _counts(tokens: Sequence[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for t in tokens:
        out[t] = out.get(t, 0) + 1
    return out
