"""The ONNX encoder against torch, its export cache, and what an index records of the encoder that made it."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from kg import ConfigError, Settings
from kg.timing import collect, stage, timed
from retrieval import IndexMismatch, Library
from retrieval._onnx import check_pipeline, ensure_export
from retrieval.embedding import SentenceEmbeddings, resolve_model
from tests.conftest import ENCODER_CACHE, SEED

TEXTS = ["Who is Iran's defense minister?", "Amir Hatami said Iran would help rebuild Syria.",
         "Rain fell in Madrid.", "Shares in Yukos fell 10% on Monday after the court ruling on its tax bill."]


def test_int8_onnx_vectors_are_torch_vectors_within_quantisation() -> None:
    torch_vectors = SentenceEmbeddings("all-MiniLM-L6-v2").encode(TEXTS)
    onnx = SentenceEmbeddings("all-MiniLM-L6-v2", backend="onnx-int8", cache=ENCODER_CACHE)
    vectors = onnx.encode(TEXTS)
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosines = (vectors * torch_vectors).sum(axis=1)
    assert cosines.min() > 0.97, cosines
    # Order and batching do not change a text's vector (texts are sorted by length inside).
    assert np.allclose(onnx.encode(TEXTS[::-1])[::-1], vectors, atol=1e-5)
    # The nearest text to the question is the same under both.
    assert int(np.argmax(vectors[1:] @ vectors[0])) == int(np.argmax(torch_vectors[1:] @ torch_vectors[0]))


def test_float32_onnx_equals_torch(tmp_path: Path) -> None:
    torch_vectors = SentenceEmbeddings("all-MiniLM-L6-v2").encode(TEXTS)
    vectors = SentenceEmbeddings("all-MiniLM-L6-v2", backend="onnx", cache=tmp_path).encode(TEXTS)
    assert np.abs(vectors - torch_vectors).max() < 1e-4


def test_an_export_is_made_once_and_says_what_it_came_from() -> None:
    folder = resolve_model("all-MiniLM-L6-v2")
    export = ensure_export(folder, "all-MiniLM-L6-v2", ENCODER_CACHE, "int8")
    info = json.loads((export / "export.json").read_text())
    assert info["kind"] == "int8" and len(info["weights_sha256"]) == 64 and info["versions"]["onnxruntime"]
    made = (export / "model.onnx").stat().st_mtime_ns
    started = time.perf_counter()
    assert ensure_export(folder, "all-MiniLM-L6-v2", ENCODER_CACHE, "int8") == export
    assert (export / "model.onnx").stat().st_mtime_ns == made and time.perf_counter() - started < 2
    assert not [p for p in ENCODER_CACHE.iterdir() if p.name.endswith(".tmp")]


def test_models_the_onnx_encoder_cannot_run_are_refused(tmp_path: Path) -> None:
    model = tmp_path / "cls-pooled"
    shutil.copytree(resolve_model("all-MiniLM-L6-v2"), model, ignore=shutil.ignore_patterns("*.safetensors"))
    pooling = model / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    pooling.write_text(json.dumps(config | {"pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}))
    with pytest.raises(ConfigError, match="mean pooling .*KGQA_EMBEDDING_BACKEND=torch"):
        check_pipeline(model)
    with pytest.raises(ConfigError, match="KGQA_EMBEDDING_BACKEND must be one of"):
        Settings(embedding_backend="tensorflow")


def test_an_index_from_another_backend_is_refused_with_the_way_out(settings: Settings) -> None:
    with Library(settings) as lib:
        lib.ingest([SEED])
        assert json.loads((settings.index_path / "meta.json").read_text())["encoder"]["backend"] == "onnx-int8"
    with pytest.raises(IndexMismatch, match="onnx-int8 backend.*kgqa reindex.*KGQA_EMBEDDING_BACKEND=onnx-int8"):
        Library(settings.replace(embedding_backend="torch"))
    with Library(settings.replace(embedding_backend="torch"), rebuild=True) as lib:
        assert len(lib.index) > 0 and lib.index.meta()["encoder"] == {"backend": "torch"}


def test_stage_times_are_exclusive_and_only_kept_while_collecting() -> None:
    with stage("ignored"):
        pass
    with collect() as times:
        with stage("outer"):
            time.sleep(0.05)
            with stage("inner"):
                time.sleep(0.1)
        items = list(timed("produce", iter([1, 2, 3])))
    assert items == [1, 2, 3] and set(times) == {"outer", "inner", "produce"}
    assert 0.09 < times["inner"] < 0.5 and 0.04 < times["outer"] < 0.09
