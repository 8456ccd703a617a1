"""The ingest's indexing thread: batches indexed in order beside the parse, its errors raised in the ingest,
and an ingest in many small batches ending with the same index as one serial build."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from kg import Settings
from kg.timing import collect
from retrieval import Library
from retrieval._indexer import BatchIndexer
from tests.conftest import ENCODER_CACHE


def test_batches_are_indexed_in_order_in_another_thread_and_timed_for_the_caller() -> None:
    seen: list[tuple[str, ...]] = []
    threads: set[str] = set()

    def index(hashes: dict[str, str]) -> None:
        threads.add(threading.current_thread().name)
        seen.append(tuple(hashes))

    with collect() as times:
        indexer = BatchIndexer(index)
        for i in range(5):
            indexer.submit({f"a{i}": "h"})
        indexer.close()
    assert seen == [("a0",), ("a1",), ("a2",), ("a3",), ("a4",)]
    assert threads == {"kgqa-index"}
    assert times == {}  # the thread marked no stage; nothing invented


def test_an_error_in_the_thread_is_raised_in_the_ingest_and_later_batches_do_not_block() -> None:
    done: list[str] = []

    def index(hashes: dict[str, str]) -> None:
        if "bad" in hashes:
            raise RuntimeError("encoder died")
        done.extend(hashes)

    indexer = BatchIndexer(index)
    indexer.submit({"ok": "h"})
    indexer.submit({"bad": "h"})
    with pytest.raises(RuntimeError, match="encoder died"):
        for i in range(50):  # raised at a later submit at the latest; the thread keeps draining meanwhile
            indexer.submit({f"later{i}": "h"})
        indexer.close()
    indexer.close(raise_error=False)  # the caller's cleanup after the error returns
    assert done[0] == "ok" and not any(a.startswith("later") for a in done)


def _corpus(path: Path, n: int) -> Path:
    rows = [{"id": f"a{i:02d}", "title": f"Story {i} from Madrid",
             "body": f"Mayor Ana Ruiz {i} opened bridge number {i} in Madrid on Monday. "
                     f"It cost {i + 3} million euros, the city council said."} for i in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_an_ingest_in_small_batches_equals_one_serial_build(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "c.jsonl", 12)
    settings = Settings(data_dir=tmp_path / "piped", encoder_cache=ENCODER_CACHE)
    with Library(settings, merge_in_background=False) as lib:
        report = lib.ingest([corpus], batch=3)  # four batches through the indexing thread
        piped = lib.index
        assert report.stored == 12 and len(piped) == lib.graph.stats()["sentences"]
        generations = lib.generation
    with Library(Settings(data_dir=tmp_path / "piped", encoder_cache=ENCODER_CACHE), rebuild=True) as lib:
        serial = lib.index  # rebuilt from the graph in one pass
    def rows(index):  # noqa: ANN001, ANN202 - sentence IRI -> vector (no article deleted: every row is live)
        return {d.id: v for s in index.segments for d, v in zip(s.docs, s.vectors)}

    piped_rows, serial_rows = rows(piped), rows(serial)
    assert sorted(piped_rows) == sorted(serial_rows) and len(piped_rows) == len(piped)
    # int8 activations are quantised per batch, so a sentence embedded with other neighbours moves a little.
    cosines = [float(piped_rows[iri] @ vector) for iri, vector in serial_rows.items()]
    assert min(cosines) > 0.98, min(cosines)
    assert generations >= 5  # each batch published a snapshot as soon as it was indexed


def test_the_ingest_encoder_on_one_thread_gives_the_default_encoders_vectors() -> None:
    from retrieval.embedding import SentenceEmbeddings

    texts = ["Mayor Ana Ruiz opened a bridge in Madrid.", "It cost 3 million euros, the council said.", "Rain."]
    default = SentenceEmbeddings("all-MiniLM-L6-v2", backend="onnx-int8", cache=ENCODER_CACHE)
    one = default.with_threads(1)
    assert one.threads == 1 and one.identity == default.identity  # an index accepts both
    assert np.allclose(one.encode(texts), default.encode(texts), atol=1e-5)
