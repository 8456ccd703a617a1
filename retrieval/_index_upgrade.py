"""Older on-disk passage indexes brought to the current format without re-embedding anything."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np

from ._segment import Segment, count_terms, read_jsonl
from .embedding import SentenceEmbeddings
from .index import INDEX_FORMAT, IndexMismatch, PassageIndex, new_segment_name

__all__ = ["upgrade_format_5"]

log = logging.getLogger(__name__)

_FORMAT_5_FILES = ("vectors.npy", "documents.jsonl", "words.json", "words.npy")
_FORMAT_5_FOLDERS = ("paragraphs", "bm25", "bm25_bigrams", "bm25_paragraphs")


def upgrade_format_5(folder: Path, embeddings: SentenceEmbeddings) -> PassageIndex:
    """An index written before segments, as one segment: its vectors kept, its BM25 postings re-counted."""
    log.warning("upgrading the passage index in %s to format %d (nothing is re-embedded)", folder, INDEX_FORMAT)
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        docs = read_jsonl(folder / "documents.jsonl")
        paragraphs = read_jsonl(folder / "paragraphs" / "documents.jsonl")
        segment = Segment(new_segment_name(), docs, np.load(folder / "vectors.npy"), paragraphs,
                          count_terms(docs, paragraphs), dict(meta.get("articles", {})))
    except (OSError, ValueError, KeyError) as exc:
        raise IndexMismatch(f"the passage index in {folder} is damaged ({exc}); run `kgqa reindex`") from None
    index = PassageIndex(folder, embeddings, [segment])
    index.save()  # meta.json now names the segment: the old files below are no longer read
    for name in _FORMAT_5_FILES:
        (folder / name).unlink(missing_ok=True)
    for name in _FORMAT_5_FOLDERS:
        shutil.rmtree(folder / name, ignore_errors=True)
    return index
