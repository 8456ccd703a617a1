"""The passage index: every answerable sentence, dense (sentence-transformers) and lexical (BM25).

What is indexed follows what measured best on ReQA SQuAD (``bench/reqa_squad.py``):
each sentence is embedded and BM25-indexed after its headline; its paragraph
is BM25-indexed too (its scores are shared by its sentences);
and a BM25 over the sentence's word pairs rewards exact phrases. Each passage
also carries its entity and date mentions, read from the graph, so answer
types are checked without a query.

A :class:`PassageIndex` is an immutable value: a tuple of immutable
:class:`~retrieval._segment.Segment` objects and, for each, the articles
deleted from it. :meth:`PassageIndex.with_changes` returns the next index;
adding articles embeds only them (one new segment) and deleting one masks its
rows, so a change costs the article, not the corpus. BM25 statistics are
global over the live rows (:mod:`retrieval._lexical`), so scores equal a
rebuild's. :meth:`PassageIndex.merged` folds small segments together.

On disk (``meta.json`` beside ``segments/``): each segment is written once in
its own folder; ``meta.json`` (model, dimension, library versions, the text
recipe, the segments and their deletions) is replaced in one rename, so a
crash leaves the previous index or the next, never a mix. :meth:`check`
refuses to pair an index with a graph it was not built from.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import logging
import math
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np
from langchain_core.documents import Document

from kg import StoredSentence

from ._first_stage import FirstStage
from ._ledger import ArticleLedger, IndexMismatch, installed_versions
from ._lexical import bm25
from ._segment import Segment, dense_text, passage_document
from ._text import bigrams
from .embedding import SentenceEmbeddings

__all__ = ["PassageIndex", "ArticleLedger", "IndexMismatch", "INDEX_FORMAT", "passage_document", "dense_text"]

log = logging.getLogger(__name__)

#: Bumped whenever what is stored, or how the texts are built, changes.
INDEX_FORMAT = 7
#: Older formats whose segments this one reads as they are (6 also stored paragraph and word vectors).
_READABLE = (6, 7)
_K1, _B = 0.9, 0.4  # BM25 for one-sentence documents (measured on ReQA SQuAD; Lucene's defaults suit long ones)
_FIELD = {"bm25": "sentences", "bm25_bigrams": "bigrams", "bm25_paragraphs": "paragraph_terms"}
#: Segments of one size class (rows within a factor of this) merged once there are this many of them; keeps
#: the count logarithmic in the corpus while each row is re-copied only a logarithmic number of times.
MERGE_FANOUT = 4
#: A segment with this share of its rows deleted is rewritten without them.
_DEAD_SHARE = 0.3


#: Packages whose versions are recorded with the index.
_VERSIONED = ("kgqa", "sentence-transformers", "scipy", "torch", "langchain-core")


class _Rows(Sequence[Document]):
    """The live sentences of an index in row order, read through the segments (nothing copied)."""

    def __init__(self, index: PassageIndex) -> None:
        self._index = index

    def __len__(self) -> int:
        return len(self._index)

    def __getitem__(self, row):  # type: ignore[no-untyped-def,override]
        if isinstance(row, slice):
            return [self[r] for r in range(*row.indices(len(self)))]
        segment, local = self._index._locate(int(row))
        return segment.docs[local]

    def __iter__(self) -> Iterator[Document]:
        for segment, live, _ in self._index._parts:
            yield from (segment.docs if live is None else (segment.docs[r] for r in np.flatnonzero(live)))


class PassageIndex(ArticleLedger):
    """Sentences as documents, their vectors and BM25 postings, in segments; never changed once made."""

    def __init__(self, folder: Path, embeddings: SentenceEmbeddings, segments: Sequence[Segment] = (),
                 deleted: Mapping[str, frozenset[str]] | None = None, *,
                 articles: tuple[dict[str, str], dict[str, str]] | None = None) -> None:
        self.folder = folder
        self.embeddings = embeddings
        self.segments = tuple(segments)
        self.deleted = {s.name: frozenset((deleted or {}).get(s.name, ())) for s in self.segments}
        parts = []
        for s in self.segments:
            live, para_live = s.live_masks(self.deleted[s.name])
            parts.append((s, live, para_live))
        self._parts = tuple(parts)
        self._live_rows = tuple(None if live is None else np.flatnonzero(live) for _, live, _ in parts)
        sizes = [len(s) if rows is None else len(rows) for s, rows in zip(self.segments, self._live_rows)]
        self._offsets = list(itertools.accumulate([0] + sizes))
        self._size = self._offsets[-1]
        if articles is None:  # (with_changes passes them on, updated: a change costs its articles, not all)
            articles = ({a: h for s in self.segments for a, h in s.articles.items() if a not in self.deleted[s.name]},
                        {a: s.name for s in self.segments for a in s.articles if a not in self.deleted[s.name]})
        #: Article id -> record hash of the graph it was built from, for every article the index holds.
        self.articles = articles[0]
        self._home_segment = articles[1]  # article id -> name of the segment holding it
        self._position = {s.name: i for i, s in enumerate(self.segments)}

    @property
    def where(self) -> str:
        return str(self.folder)

    # --- rows ----------------------------------------------------------------

    @functools.cached_property
    def sections(self) -> np.ndarray:
        """The section of every row (derived once per index, on first use: only some questions filter by it)."""
        return (np.concatenate([s.sections if rows is None else s.sections[rows]
                                for s, rows in zip(self.segments, self._live_rows)])
                if self.segments else np.zeros(0, dtype=object))

    def __len__(self) -> int:
        return self._size

    @property
    def docs(self) -> Sequence[Document]:
        return _Rows(self)

    def _locate(self, row: int) -> tuple[Segment, int]:
        if not 0 <= row < self._size:
            raise IndexError(row)
        i = bisect.bisect_right(self._offsets, row) - 1
        rows = self._live_rows[i]
        return self.segments[i], int(row - self._offsets[i] if rows is None else rows[row - self._offsets[i]])

    def _global(self, i: int, local: int | None) -> int | None:
        if local is None:
            return None
        rows = self._live_rows[i]
        if rows is None:
            return self._offsets[i] + local
        at = int(np.searchsorted(rows, local))
        return self._offsets[i] + at if at < len(rows) and rows[at] == local else None

    def row_of(self, sentence_iri: str) -> int | None:
        for i, s in enumerate(self.segments):
            local = s.row.get(sentence_iri)
            if local is not None and (row := self._global(i, local)) is not None:
                return row
        return None

    def article_rows(self, article_id: str) -> list[int]:
        """Rows of one article's sentences, in reading order."""
        name = self._home_segment.get(article_id)
        if name is None:
            return []
        i = self._position[name]
        return [r for r in (self._global(i, int(x)) for x in self.segments[i].by_article.get(article_id, ()))
                if r is not None]

    def neighbour(self, row: int, step: int) -> Document | None:
        """The sentence ``step`` places away in the same article, if stored."""
        other = self.neighbour_row(row, step)
        return None if other is None else self.docs[other]

    def neighbour_row(self, row: int, step: int) -> int | None:
        """The row of the sentence ``step`` places away in the same article, if stored."""
        segment, local = self._locate(row)
        meta = segment.docs[local].metadata
        i = self._position[segment.name]  # an article lives in one segment
        return self._global(i, segment.position.get((meta["article_id"], meta["index"] + step)))

    def sentence_matrix(self) -> np.ndarray:
        """Every live sentence vector, in row order (a copy; for benchmarks and tools)."""
        return np.vstack([s.vectors if rows is None else s.vectors[rows]
                          for s, rows in zip(self.segments, self._live_rows)]) if self.segments else np.zeros((0, 0))

    # --- searching -----------------------------------------------------------

    def _concat(self, per_segment: Iterable[np.ndarray]) -> np.ndarray:
        chosen = [v if rows is None else v[rows] for v, rows in zip(per_segment, self._live_rows)]
        return np.concatenate(chosen).astype(np.float32, copy=False) if chosen else np.zeros(0, dtype=np.float32)

    def dense_scores(self, question_vector: np.ndarray) -> np.ndarray:
        q = np.asarray(question_vector, dtype=np.float32)
        return self._concat(s.vectors @ q for s in self.segments)

    def bm25_scores(self, tokens: list[str], which: str = "bm25") -> np.ndarray:
        """Scores of every sentence (``bm25_paragraphs``: of its paragraph) for already tokenised words."""
        field = _FIELD[which]
        paragraphs = field == "paragraph_terms"
        parts = [(s.postings[field], para_live if paragraphs else live) for s, live, para_live in self._parts]
        scores = bm25(parts, tokens, k1=_K1, b=_B)
        if paragraphs:
            scores = [v[s.paragraph_of] if len(v) else np.zeros(len(s), dtype=np.float32)
                      for v, s in zip(scores, self.segments)]
        return self._concat(scores)

    def first_stage(self, vector: np.ndarray, words: list[str], also: Iterable[str] = ()) -> FirstStage:
        """The first-stage measures of every row (all rows are candidates here, so ``also`` adds nothing)."""
        return FirstStage(self.dense_scores(vector), self.bm25_scores(words),
                          self.bm25_scores(words, "bm25_paragraphs"), self.bm25_scores(bigrams(words), "bm25_bigrams"),
                          self.sections)

    def neighbours(self, rows: Iterable[int], step: int) -> dict[int, tuple[int, Document]]:
        """For each of ``rows`` whose article has a sentence ``step`` places away: its row and document."""
        near = {int(r): self.neighbour_row(int(r), step) for r in rows}
        return {r: (n, self.docs[n]) for r, n in near.items() if n is not None}

    def vocabulary(self, prefix: str = "") -> Iterable[str]:
        """Every BM25 token of the stored sentences that starts with ``prefix`` (a deleted article's may stay
        until its segment merges)."""
        words = itertools.chain.from_iterable(s.postings["sentences"].vocab for s in self.segments)
        return (w for w in words if w.startswith(prefix)) if prefix else words

    def document_frequency(self, token: str) -> int:
        return sum(s.postings["sentences"].document_frequency(token, live) for s, live, _ in self._parts)

    def stored_words(self, tokens: Iterable[str]) -> frozenset[str]:
        """Those of ``tokens`` some stored sentence has (a BM25 token of headline and sentence)."""
        return frozenset(t for t in tokens if self.document_frequency(t))

    # --- changing (each returns a new index) ------------------------------------

    def _with(self, segments: Sequence[Segment], deleted: Mapping[str, frozenset[str]]) -> PassageIndex:
        return PassageIndex(self.folder, self.embeddings, segments, deleted)

    def with_changes(self, remove: Iterable[str], add: Sequence[StoredSentence], hashes: Mapping[str, str], *,
                     progress: bool = False, encoder: SentenceEmbeddings | None = None) -> PassageIndex:
        """Drop the ``remove`` articles, then add the articles of ``hashes`` (id -> record hash), whose
        sentences (already in the graph) are ``add``: one new segment, nothing else re-embedded. ``encoder``
        embeds them when given (the index's model on other threads), else the index's own."""
        gone = set(remove) | set(hashes)
        deleted = dict(self.deleted)
        articles, home = dict(self.articles), dict(self._home_segment)
        for a in gone:
            if (name := home.pop(a, None)) is not None:
                deleted[name] = deleted[name] | {a}
                articles.pop(a, None)
        segments = list(self.segments)
        if hashes:
            segment = Segment.build(new_segment_name(), add, dict(hashes), encoder or self.embeddings,
                                    progress=progress)
            segments.append(segment)
            articles.update(hashes)
            home.update(dict.fromkeys(hashes, segment.name))
        return PassageIndex(self.folder, self.embeddings, segments, deleted, articles=(articles, home))

    def merge_plan(self) -> list[str]:
        """Names of segments worth merging now (newest same-tier run, or one mostly deleted), or none."""
        for i, s in enumerate(self.segments):
            if len(s) and 1 - (self._offsets[i + 1] - self._offsets[i]) / len(s) >= _DEAD_SHARE:
                return [s.name]
        # The newest run of segments of one size class: each within MERGE_FANOUT times the run's smallest. (Fixed
        # tiers, floor(log4 rows), split an ingest's batches of ~1,000-1,300 rows into alternating tiers 4 and 5,
        # and no run ever reached four: 35 segments were left after the BBC ingest.)
        run: list[Segment] = []
        smallest = largest = 0
        for s in reversed(self.segments):
            size = max(len(s), 1)
            if run and max(largest, size) > MERGE_FANOUT * min(smallest, size):
                break
            run.append(s)
            smallest, largest = (min(smallest, size), max(largest, size)) if len(run) > 1 else (size, size)
        return [s.name for s in reversed(run)] if len(run) >= MERGE_FANOUT else []

    def merged(self, names: Sequence[str]) -> PassageIndex:
        """This index with the named (adjacent) segments replaced by one, their deleted rows dropped."""
        chosen = [s for s in self.segments if s.name in set(names)]
        if len(chosen) != len(set(names)):
            raise ValueError(f"no such segments: {sorted(set(names) - {s.name for s in chosen})}")
        merged = Segment.merge(new_segment_name(), [(s, self.deleted[s.name]) for s in chosen])
        at = self.segments.index(chosen[0])
        rest = [s for s in self.segments if s.name not in set(names)]
        segments = rest[:at] + [merged] + rest[at:]
        return self._with(segments, {k: v for k, v in self.deleted.items() if k not in set(names)})

    def rebased(self, newer: PassageIndex, names: Sequence[str]) -> PassageIndex:
        """This merge result carried onto ``newer`` (which changed while it was merging): the same merged
        segment in place of ``names``, with the deletions ``newer`` made to them since."""
        merged = next(s for s in self.segments if s.name not in {x.name for x in newer.segments})
        later = frozenset(a for n in names for a in newer.deleted.get(n, ()) if a in merged.articles)
        at = min(i for i, s in enumerate(newer.segments) if s.name in set(names))
        rest = [s for s in newer.segments if s.name not in set(names)]
        deleted = {k: v for k, v in newer.deleted.items() if k not in set(names)} | {merged.name: later}
        return self._with(rest[:at] + [merged] + rest[at:], deleted)

    # --- persistence ---------------------------------------------------------

    def meta(self) -> dict:
        return {
            "format": INDEX_FORMAT, "model": self.embeddings.model_name,
            "dimension": int(self.segments[0].vectors.shape[1] if self.segments else self.embeddings.dimension),
            "encoder": self.embeddings.identity, "dense_text": "headline. sentence", "bm25": f"k1={_K1} b={_B}; headline+sentence, "
            "headline+paragraph, sentence word pairs; plural-stripped tokens; statistics over all segments",
            "versions": dict(installed_versions(_VERSIONED)), "passages": len(self), "articles": len(self.articles),
            "segments": [{"name": s.name, "deleted": sorted(self.deleted[s.name])} for s in self.segments],
        }

    def save(self) -> None:
        """Write the segments not yet on disk, then ``meta.json`` in one rename; drop segments no longer used."""
        home = self.folder / "segments"
        home.mkdir(parents=True, exist_ok=True)
        for s in self.segments:
            if not (home / s.name).is_dir():
                s.save(home / s.name)
        tmp = self.folder / "meta.json.tmp"
        with tmp.open("w", encoding="utf-8") as out:
            json.dump(self.meta(), out, indent=1, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.folder / "meta.json")
        _remove_unused(self.folder, {s.name for s in self.segments})

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
        encoder = meta.get("encoder", {"backend": "torch"})  # before format 7 only torch existed
        # The backend first: one that brings its own model (bge-small-int8) changes the model too.
        if meta.get("model") != embeddings.model_name and encoder.get("backend") == embeddings.backend:
            raise IndexMismatch(
                f"the passage index in {folder} was embedded with {meta.get('model')!r} but KGQA_EMBEDDING_MODEL is "
                f"{embeddings.model_name!r}; run `kgqa reindex` (or set the model back)"
            )
        if meta.get("model") != embeddings.model_name or encoder != embeddings.identity:
            raise IndexMismatch(
                f"the passage index in {folder} was embedded with {meta.get('model')!r} by the "
                f"{encoder.get('backend')} backend ({encoder}), but this library embeds with "
                f"{embeddings.model_name!r}, {embeddings.identity}; run `kgqa reindex` "
                f"(or set KGQA_EMBEDDING_BACKEND={encoder.get('backend')})"
            )
        if meta.get("format") == 5:
            from ._index_upgrade import upgrade_format_5

            return upgrade_format_5(folder, embeddings)
        if meta.get("format") not in _READABLE:
            raise IndexMismatch(
                f"the passage index in {folder} has format {meta.get('format')}, this kgqa writes {INDEX_FORMAT}; "
                "run `kgqa reindex`"
            )
        try:
            listed = meta["segments"]
            segments = [Segment.load(folder / "segments" / entry["name"]) for entry in listed]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexMismatch(f"the passage index in {folder} is damaged ({exc}); run `kgqa reindex`") from None
        _remove_unused(folder, {s.name for s in segments})  # left by a write that was cut short
        deleted = {e["name"]: frozenset(e.get("deleted", ())) for e in listed}
        return cls(folder, embeddings, segments, deleted)


def new_segment_name() -> str:
    """A segment's folder name, unique without coordination (a merge may run while an ingest adds one)."""
    return f"seg-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"


def _remove_unused(folder: Path, used: set[str]) -> None:
    home = folder / "segments"
    for path in home.iterdir() if home.is_dir() else ():
        if path.name not in used:
            shutil.rmtree(path, ignore_errors=True)
