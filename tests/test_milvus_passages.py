"""Passages on Milvus (``KGQA_VECTOR_URI``): a Milvus Lite file in the test's folder, closed after it.

The same seed library on the embedded index and on Milvus Lite gives the same answers and citations;
adding, replacing and deleting an article keeps the collection level with the graph; a writer that
dies between the graph write and the collection write (or between the rows and the ledger) is
repaired at the next open; ``reindex`` rebuilds the collection from the graph.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg import ConfigError, Settings
from retrieval import Answerer, IndexMismatch, Library, milvus_vector_store
from retrieval._milvus_store import ARTICLES, PASSAGES
from retrieval.vectors import top_k
from tests.conftest import ENCODER_CACHE, ROOT, SEED

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")
pytestmark = [pytest.mark.scaleout, pytest.mark.slow]

QUESTIONS = [
    "Who is Iran's defence minister?", "What did Alinejad specify?", "What does SSM stand for?",
    "Which Iranian officials are quoted?", "Why does Hatami say the war against Syria is not over?",
    "According to the reader comment, what are the keys to the tinder box?", "Who is Israel's Prime Minister?",
    "What does the commenter say about the Straits of Hormuz?", "What is the capital of Australia?",
]
OTHER = "Rain in Spain\n\nIt rained in Madrid on Aug. 3. Nobody minded. The mayor, Ana Ruiz, said the parks were green.\n"


def milvus_settings(folder: Path) -> Settings:
    return Settings(data_dir=folder / "built", base_iri="http://test.example/id/", encoder_cache=ENCODER_CACHE,
                    vector_uri=str(folder / "passages.db"))


def rows_of(lib: Library, article: str) -> list[dict]:
    return lib.index.client.query(PASSAGES, filter=f"article == {json.dumps(article)}", output_fields=["text", "idx"])


def ledger(lib: Library) -> dict[str, str]:
    rows = lib.index.client.query(ARTICLES, filter="n >= 0", output_fields=["id", "hash"])
    return {r["id"]: r["hash"] for r in rows}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("milvus")


@pytest.fixture(scope="module")
def milvus(folder: Path) -> Iterator[Library]:
    lib = Library(milvus_settings(folder))
    lib.ingest([SEED])
    yield lib
    lib.close()


@pytest.fixture(scope="module")
def embedded(folder: Path) -> Iterator[Library]:
    lib = Library(Settings(data_dir=folder / "embedded", base_iri="http://test.example/id/",
                           encoder_cache=ENCODER_CACHE))
    lib.ingest([SEED])
    yield lib
    lib.close()


def test_the_seed_answers_and_citations_are_the_embedded_ones(milvus: Library, embedded: Library) -> None:
    assert len(milvus.index) == len(embedded.index) and milvus.index.articles == embedded.index.articles
    on_milvus, on_embedded = Answerer(milvus), Answerer(embedded)
    for q in QUESTIONS:
        a, b = on_milvus.ask(q), on_embedded.ask(q)
        assert (a.answer, a.abstained) == (b.answer, b.abstained), q
        assert [c.to_json() for c in a.citations] == [c.to_json() for c in b.citations], q
        assert a.confidence == pytest.approx(b.confidence, abs=0.02), q


def test_the_collection_reads_like_the_index(milvus: Library, embedded: Library) -> None:
    index, reference = milvus.index, embedded.index
    sentence = reference.docs[5].id
    row = index.row_of(sentence)
    assert row is not None and index.docs[row] == reference.docs[5]
    assert index.neighbour(row, -1) == reference.neighbour(5, -1)
    article = reference.docs[5].metadata["article_id"]
    assert [index.docs[r].id for r in index.article_rows(article)] == \
        [reference.docs[r].id for r in reference.article_rows(article)]
    assert index.document_frequency("hatami") and reference.document_frequency("hatami")
    assert not index.document_frequency("zyxwv") and not reference.document_frequency("zyxwv")
    assert index.row_of("http://test.example/id/nothing") is None


def test_langchain_milvus_reads_the_same_passages(milvus: Library, embedded: Library) -> None:
    store = milvus_vector_store(milvus)
    question = "Who is Iran's defence minister?"
    docs = store.similarity_search(question, k=3)
    reference = embedded.index
    nearest = top_k(reference.dense_scores(embedded.embeddings.encode_queries([question])[0]), 3)
    assert docs == [reference.docs[int(r)] for r in nearest]  # kgqa's documents, in the dense order
    assert store.as_retriever(search_kwargs={"k": 1}).invoke(question) == docs[:1]
    with pytest.raises(NotImplementedError, match="Library.ingest"):
        store.add_texts(["something"])


def test_add_replace_and_delete_keep_the_collection_in_step(milvus: Library, tmp_path: Path) -> None:
    path = tmp_path / "other.txt"
    path.write_text(OTHER, encoding="utf-8")
    milvus.ingest([path])
    article = next(a for a in milvus.graph.article_hashes() if a != SEED.stem)
    assert milvus.index.articles == milvus.graph.article_hashes() == ledger(milvus)
    assert {r["text"] for r in rows_of(milvus, article)} >= {"Nobody minded."}
    assert "Ana Ruiz" in Answerer(milvus).ask("Who is the mayor?").answer

    path.write_text(OTHER.replace("Nobody minded.", "Everybody complained."), encoding="utf-8")
    milvus.ingest([path])  # a replacement: the article's rows are the new text's, once each
    texts = [r["text"] for r in rows_of(milvus, article)]
    assert "Everybody complained." in texts and "Nobody minded." not in texts and len(texts) == len(set(texts))
    assert milvus.index.articles == milvus.graph.article_hashes() == ledger(milvus)

    milvus.delete(article)
    assert rows_of(milvus, article) == [] and article not in ledger(milvus)
    assert milvus.index.articles == milvus.graph.article_hashes() == {SEED.stem: milvus.index.articles[SEED.stem]}


_CHILD = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from kg import Settings
    from retrieval import Library
    from retrieval import _milvus

    folder, article, moment = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    settings = Settings(data_dir=folder / "built", base_iri="http://test.example/id/",
                        encoder_cache=Path(sys.argv[4]), vector_uri=str(folder / "passages.db"))
    if moment == "before rows":  # the graph is written, the collection not touched
        _milvus.MilvusPassages.with_changes = lambda *a, **k: os._exit(9)
    else:  # the rows are written (or deleted), the ledger not
        real = _milvus.MilvusPassages.with_changes
        def dying(self, *a, **k):
            for name in ("upsert", "delete"):
                def call(collection, *args, _real=getattr(self.client, name), **kw):
                    if collection == "kgqa_articles":
                        os._exit(9)
                    return _real(collection, *args, **kw)
                setattr(self.client, name, call)
            return real(self, *a, **k)
        _milvus.MilvusPassages.with_changes = dying
    with Library(settings) as lib:
        if article.endswith(".txt"):
            lib.ingest([article])
        else:
            lib.delete(article)
    sys.exit("not killed")
""")


def die_while(folder: Path, moment: str, article: str) -> None:
    done = subprocess.run([sys.executable, "-c", _CHILD, str(folder), article, moment, str(ENCODER_CACHE)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 9, done.stderr[-2000:]


@pytest.mark.parametrize("moment", ["before rows", "before ledger"])
def test_a_writer_killed_between_graph_and_collection_is_repaired_on_reopen(tmp_path: Path, moment: str) -> None:
    settings = milvus_settings(tmp_path)
    with Library(settings) as lib:
        lib.ingest([SEED])
    other = tmp_path / "other.txt"
    other.write_text(OTHER, encoding="utf-8")
    die_while(tmp_path, moment, str(other))  # an add
    with Library(settings) as lib:
        hashes = lib.graph.article_hashes()
        assert len(hashes) == 2 and lib.index.articles == hashes == ledger(lib)
        article = next(a for a in hashes if a != SEED.stem)
        texts = [r["text"] for r in rows_of(lib, article)]
        assert "Nobody minded." in texts and len(texts) == len(set(texts))
        assert "Ana Ruiz" in Answerer(lib).ask("Who is the mayor?").answer
    die_while(tmp_path, moment, article)  # a delete
    with Library(settings) as lib:
        assert lib.index.articles == lib.graph.article_hashes() == ledger(lib) and article not in ledger(lib)
        assert rows_of(lib, article) == []


def test_a_collection_changed_behind_kgqa_is_refused_and_reindex_rebuilds_it(tmp_path: Path) -> None:
    settings = milvus_settings(tmp_path)
    with Library(settings) as lib:
        lib.ingest([SEED])
        passages = len(lib.index)
        lib.index.client.delete(PASSAGES, filter=f"article == {json.dumps(SEED.stem)} and idx < 5")
        lib.index.client.delete(ARTICLES, filter="n >= 0")  # no pending note: not kgqa's doing
    with pytest.raises(IndexMismatch, match="kgqa reindex"):
        Library(settings)
    with Library(settings, rebuild=True) as lib:  # what `kgqa reindex` does
        assert len(lib.index) == passages == len(rows_of(lib, SEED.stem))
        assert lib.index.articles == lib.graph.article_hashes() == ledger(lib)
        assert "Hatami" in Answerer(lib).ask("Who is Iran's defence minister?").answer
        assert lib.reindex() == passages


def test_a_local_uri_must_be_a_db_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\.db"):
        Library(milvus_settings(tmp_path).replace(vector_uri=str(tmp_path / "passages")))


def test_the_embedded_default_does_not_import_pymilvus() -> None:
    code = ("import sys; from kg import Settings; from retrieval import Library, Answerer; "
            "print('pymilvus' in sys.modules, 'langchain_milvus' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["False", "False"], done.stderr[-2000:]
