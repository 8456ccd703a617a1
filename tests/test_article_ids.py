"""Article ids are data (issue 22 item 3): ids with spaces, ``%``, quotes and non-ASCII letters round-trip.

Before, the read-back query was built with ``%``-formatting after the
article's IRI was written into it, so ``%20`` (a space, percent-encoded) was
read as a format code: the ingest failed, every later write failed, the
pending note stayed and the next start died in recovery.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg import Settings
from retrieval import Library

IDS = ["my story", "naïve über café", "100% sure", "it's \"quoted\"", "a%20b %s %d {0}", "Ελληνικά/slash#hash?q"]


def _articles(tmp_path: Path) -> Path:
    path = tmp_path / "odd-ids.jsonl"
    lines = [json.dumps({"id": article_id, "title": f"Story {n}",
                         "body": f"Rain fell in Madrid on day {n} of the storm. The city council met on Monday."})
             for n, article_id in enumerate(IDS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _stored_ids(library: Library) -> set[str]:
    return {str(v) for v in library.query("SELECT ?id WHERE { ?a schema:identifier ?id }").values("id")}


@pytest.fixture
def odd_settings(settings: Settings) -> Settings:
    return settings.replace(nlp_model="")  # the ids are the point, not the facts: no spaCy, fast


def test_odd_ids_ingest_query_delete_and_reopen(odd_settings: Settings, tmp_path: Path) -> None:
    path = _articles(tmp_path)
    with Library(odd_settings) as library:
        report = library.ingest([path])
        assert report.stored == len(IDS), report
        assert _stored_ids(library) == set(IDS)
        assert set(library.graph.article_hashes()) == set(IDS)
        indexed = {s.article_id for s in library.graph.sentences(IDS)}
        assert indexed == set(IDS)
        assert len(library.snapshot().index) >= 2 * len(IDS)
        library.delete("100% sure")
        assert _stored_ids(library) == set(IDS) - {"100% sure"}
        library.update('INSERT DATA { GRAPH <http://test.example/id/article/x> { <http://a.example/s> '
                       '<http://a.example/p> "later writes still work" } }')
    with Library(odd_settings) as reopened:  # a clean restart
        assert set(reopened.graph.article_hashes()) == set(IDS) - {"100% sure"}
        assert {s.article_id for s in reopened.graph.sentences()} == set(IDS) - {"100% sure"}


def test_recovery_reads_odd_ids_back(odd_settings: Settings, tmp_path: Path) -> None:
    """A crash between graph and index (graph written, index behind, the pending note left) is repaired at the
    next start, odd ids included; before, that start died ("not enough arguments for format string")."""
    from kg import KnowledgeGraph

    path = _articles(tmp_path)
    with Library(odd_settings) as library:
        library.ingest([path])
        library.delete("my story")
    with KnowledgeGraph(odd_settings) as graph:  # the graph gets the article back; the index never hears of it
        graph.ingest([path])
    (odd_settings.index_path / "pending.json").write_text(json.dumps({"operation": "ingest", "pid": 1}),
                                                          encoding="utf-8")
    with Library(odd_settings) as reopened:
        assert set(reopened.snapshot().index.articles) == set(IDS)
        assert not (odd_settings.index_path / "pending.json").exists()


def test_recovery_skips_and_reports_an_article_it_cannot_read(odd_settings: Settings, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    """One article the store cannot read back no longer keeps the library (and the app) from opening: it is
    left out of the index, named in the log, and the pending note stays for the next start to try again."""
    from kg import KnowledgeGraph, StoreError

    path = _articles(tmp_path)
    with KnowledgeGraph(odd_settings) as graph:
        graph.ingest([path])
        graph.delete("100% sure")
    with Library(odd_settings):
        pass  # builds the index from the graph, without that article
    with KnowledgeGraph(odd_settings) as graph:  # back in the graph only: the index must catch up
        graph.ingest([path])
    (odd_settings.index_path / "pending.json").write_text("{}", encoding="utf-8")
    real = KnowledgeGraph.sentences

    def failing(self, article_ids=None):  # type: ignore[no-untyped-def]
        if article_ids is not None and "100% sure" in set(article_ids):
            raise StoreError("the store could not read this graph (simulated)")
        return real(self, article_ids)

    monkeypatch.setattr(KnowledgeGraph, "sentences", failing)
    with Library(odd_settings) as reopened:
        assert set(reopened.snapshot().index.articles) == set(IDS) - {"100% sure"}
        assert (odd_settings.index_path / "pending.json").exists()
    assert "'100% sure' cannot be read" in caplog.text
