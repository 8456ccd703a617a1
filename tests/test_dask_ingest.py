"""Ingest through Dask (issue 25 item 3) gives what the in-process ingest gives.

A handful of BBC politics articles that name the same people (so names resolve across articles) go into two
fresh libraries: one in process, one whose parse runs on a Dask ``LocalCluster`` of 2 worker processes on
loopback (``KGQA_DASK_WORKERS=2``, dashboard off). Both must hold the same quads, the same entities with
the same labels, and answer questions the same way. A worker that fails mid-ingest (a plugin that breaks
the parse of one article on the workers) gives one clear error and loses nothing stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg import ConfigError, Settings
from kg.entity_graph import entities_graph

from .conftest import ROOT

distributed = pytest.importorskip("distributed")

BBC = ROOT.parent / "shared" / "bench" / "bbc" / "articles.jsonl"
QUESTIONS = ROOT / "tests" / "qa" / "bbc"
SAMPLE = 12

pytestmark = [pytest.mark.scaleout,
              pytest.mark.skipif(not BBC.is_file(), reason="../shared/bench/bbc is not beside the project")]

_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def _sample(folder: Path) -> tuple[Path, list[dict[str, Any]]]:
    records = [json.loads(line) for line in BBC.read_text(encoding="utf-8").splitlines() if line.strip()]
    sample = [r for r in records if r["id"].startswith("politics/") and "Blair" in r["body"]][:SAMPLE]
    source = folder / "sample.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in sample), encoding="utf-8")
    return source, sample


def _questions(ids: set[str]) -> list[str]:
    rows = [json.loads(line) for path in sorted(QUESTIONS.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    picked = [r["question"] for r in rows if r.get("article") in ids][:6]
    return picked + ["Who is the prime minister?", "What did Gordon Brown say?"]


def _entities(lib: Any) -> set[tuple[str, str]]:
    rows = lib.graph.select(f"SELECT ?e ?l WHERE {{ GRAPH <{entities_graph(lib.graph.iris)}> "
                            "{ ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l } }")
    return {(row[0][1], row[1][1]) for row in rows}


def _answers(lib: Any, settings: Settings, questions: list[str]) -> list[tuple[str, bool, float, str]]:
    from retrieval import Answerer

    answerer = Answerer(lib, settings)
    out = []
    for question in questions:
        a = answerer.ask(question)
        out.append((a.answer, a.abstained, a.confidence, a.citations[0].sentence if a.citations else ""))
    return out


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from retrieval import Library

    folder = tmp_path_factory.mktemp("dask-ingest")
    source, sample = _sample(folder)
    encoder = folder / "encoder"  # one ONNX export for both libraries
    local = Settings(data_dir=folder / "local", encoder_cache=encoder)
    on_dask = local.replace(data_dir=folder / "dask", dask_workers=2)
    with Library(local) as lib_local, Library(on_dask) as lib_dask:
        reports = (lib_local.ingest([source]), lib_dask.ingest([source]))
        yield {"source": source, "sample": sample, "local": lib_local, "dask": lib_dask, "reports": reports,
               "settings": (local, on_dask), "folder": folder}


def test_both_ingests_store_every_article(ingested: dict[str, Any]) -> None:
    for report in ingested["reports"]:
        assert report.stored == SAMPLE and not report.errors
    assert ingested["local"].graph._remote is None and ingested["dask"].graph._remote is not None


def test_same_quads(ingested: dict[str, Any]) -> None:
    local, dask = (set(ingested[k].graph.select(_QUADS)) for k in ("local", "dask"))
    assert len(local) == len(dask) and local == dask
    assert ingested["local"].stats() == ingested["dask"].stats()


def test_same_entities_and_labels(ingested: dict[str, Any]) -> None:
    local, dask = _entities(ingested["local"]), _entities(ingested["dask"])
    assert local == dask
    assert any(label == "Tony Blair" for _, label in local)  # names resolved across articles, on both


def test_same_answers(ingested: dict[str, Any]) -> None:
    questions = _questions({r["id"] for r in ingested["sample"]})
    assert len(questions) >= 4
    local_settings, dask_settings = ingested["settings"]
    assert _answers(ingested["local"], local_settings, questions) == _answers(ingested["dask"], dask_settings,
                                                                              questions)


class _BreakOneArticle(distributed.WorkerPlugin):
    """On each worker, the parse fails on any text holding ``marker`` (a worker-side error mid-ingest)."""

    name = "kgqa-test-break-parse"

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def setup(self, worker: Any) -> None:
        import kg.extraction as extraction

        self.original = original = extraction.load_pipeline
        marker = self.marker

        class Broken:
            def __init__(self, nlp: Any) -> None:
                self.nlp = nlp

            def pipe(self, texts: list[str], **kwargs: Any) -> Any:
                if any(marker in t for t in texts):
                    raise RuntimeError("the parse broke on purpose")
                return self.nlp.pipe(texts, **kwargs)

        extraction.load_pipeline = lambda model: Broken(original(model))  # type: ignore[assignment]

    def teardown(self, worker: Any) -> None:
        import kg.extraction as extraction

        extraction.load_pipeline = self.original  # type: ignore[assignment]


def test_a_worker_error_is_clear_and_loses_nothing(ingested: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    import cloudpickle

    import retrieval.library

    from kg._distributed import DistributedError
    from retrieval import Library

    folder: Path = ingested["folder"]
    first, later = ingested["sample"][:4], ingested["sample"][4:]
    marker = "The parse of this article fails on the workers."
    broken = dict(later[3], body=later[3]["body"] + "\n\n" + marker)
    (folder / "first.jsonl").write_text("".join(json.dumps(r) + "\n" for r in first), encoding="utf-8")
    (folder / "later.jsonl").write_text("".join(json.dumps(r) + "\n" for r in [*later[:3], broken, *later[4:]]),
                                        encoding="utf-8")
    # The same cluster, by its scheduler's address: KGQA_DASK_SCHEDULER's path.
    address = ingested["dask"].graph._remote.scheduler_address
    settings = ingested["settings"][0].replace(data_dir=folder / "broken", dask_scheduler=address)
    cloudpickle.register_pickle_by_value(__import__(__name__))  # the plugin travels to the workers by value
    with Library(settings) as lib:
        assert lib.ingest([folder / "first.jsonl"]).stored == 4
        client = lib.graph._remote.client()
        client.register_plugin(_BreakOneArticle(marker))
        # As for a bulk ingest (over kg.ingest.PARSE_AHEAD_CHARS): no parse before the writer lock, the workers
        # parse batch by batch ahead of the writer.
        monkeypatch.setattr(retrieval.library, "articles_to_parse", lambda *a, **k: [])
        try:
            with pytest.raises(DistributedError, match="Dask worker .* failed to parse .* nothing of that batch "
                                                       "was stored"):
                lib.ingest([folder / "later.jsonl"], batch=3)  # batch 1 stored; batch 2 holds the broken one
        finally:
            client.unregister_worker_plugin(_BreakOneArticle.name)
            monkeypatch.undo()
        stored = set(lib.graph.article_hashes())
        assert stored == {r["id"] for r in [*first, *later[:3]]}
        assert len(lib.index) == lib.graph.stats()["sentences"]  # graph and passages agree
    with Library(settings) as lib:  # reopens clean (no repair needed), and the ingest goes on where it stopped
        assert len(lib.index) == lib.graph.stats()["sentences"]
        report = lib.ingest([folder / "later.jsonl"])
        assert report.stored == len(later) - 3 and report.unchanged == 3 and not report.errors


def test_settings_ask_for_one_cluster_and_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="not both"):
        Settings(dask_scheduler="tcp://127.0.0.1:8786", dask_workers=2)
    import importlib.util

    from kg._distributed import DaskParser

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "distributed" else real(name, *a))
    with pytest.raises(ConfigError, match=r"scale extra"):
        DaskParser(Settings(dask_workers=2))
