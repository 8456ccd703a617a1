"""A writer killed at any moment (``kill -9``) leaves a library the next start repairs by itself.

A child process ingests and deletes small articles in a loop; the test kills it
at ten different moments after it is ready, and after each kill opens the
library in this process: it must open without ``reindex``, hold in its index
exactly the graph's articles, and answer from them. The writes pick up where
the killed one stopped, so later kills land in a bigger library.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kg import KnowledgeGraph, Settings
from retrieval import Answerer, Library
from retrieval.index import IndexMismatch
from tests.conftest import ENCODER_CACHE

KILLS = 10
READY_TIMEOUT_S = 120

_CHILD = textwrap.dedent("""
    import sys, itertools
    from pathlib import Path
    from kg import Settings
    from retrieval import Answerer, Library

    data, articles = Path(sys.argv[1]), Path(sys.argv[2])
    settings = Settings(data_dir=data, nlp_model="", base_iri="http://test.example/id/",
                        encoder_cache=Path(sys.argv[3]))
    with Library(settings) as lib:
        print("ready", flush=True)
        for n in itertools.count():
            path = articles / f"a{n % 40}.txt"
            path.write_text(f"Harbour log {n}\\n\\nThe ferry from Oskarvik left at {n % 12} o'clock on day {n}. "
                            f"Its captain Ilse Marrow{n % 40} logged calm seas. Nobody minded.\\n")
            lib.ingest([path])
            if n % 3 == 2:
                lib.delete(f"a{(n - 1) % 40}")
""")


def _settings(data: Path) -> Settings:
    return Settings(data_dir=data, nlp_model="", base_iri="http://test.example/id/", encoder_cache=ENCODER_CACHE)


def _kill_after(data: Path, articles: Path, delay: float) -> None:
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(data), str(articles), str(ENCODER_CACHE)], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        line = child.stdout.readline() if child.stdout else ""
        assert line.strip() == "ready" and time.monotonic() < deadline, f"the writer did not start: {line!r}"
        time.sleep(delay)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)


@pytest.mark.timeout(600)
def test_a_killed_writer_leaves_a_library_that_opens_repaired(tmp_path: Path, caplog: pytest.LogCaptureFixture
                                                              ) -> None:
    data, articles = tmp_path / "built", tmp_path / "articles"
    articles.mkdir()
    delays = [0.05 + 0.37 * i for i in range(KILLS)]  # from inside the first write to several writes in
    seen_counts = []
    for delay in delays:
        _kill_after(data, articles, delay)
        with Library(_settings(data), merge_in_background=False) as lib:
            graph_articles = lib.graph.article_hashes()
            assert lib.index.articles == graph_articles
            assert {d.metadata["article_id"] for d in lib.index.docs} == {a for a in graph_articles}
            assert not (data / "index" / "pending.json").exists()
            seen_counts.append(len(graph_articles))
            if graph_articles:
                cited = Answerer(lib).search("Which captain logged calm seas?", k=3)
                assert cited and {c.article for c in cited} <= {d.metadata["article"] for d in lib.index.docs}
    repairs = [r for r in caplog.records if "before the passage index caught up" in r.getMessage()]
    print(f"articles after each kill: {seen_counts}; {len(repairs)} repaired on opening")
    assert max(seen_counts) > 0, "no kill landed after a write: the test proves nothing"
    assert repairs, "no kill landed between a graph write and its index: the test proves nothing"


def test_an_index_changed_behind_kgqa_s_back_is_still_refused(tmp_path: Path) -> None:
    """Without kgqa's own note of an unfinished write, a disagreeing index is not "repaired" silently."""
    data = tmp_path / "built"
    (tmp_path / "a.txt").write_text("Harbour\n\nThe ferry left at noon.\n")
    (tmp_path / "b.txt").write_text("Rain\n\nIt rained in Madrid.\n")
    with Library(_settings(data)) as lib:
        lib.ingest([tmp_path / "a.txt"])
    with KnowledgeGraph(_settings(data)) as graph:
        graph.ingest([tmp_path / "b.txt"])
    with pytest.raises(IndexMismatch, match="changed by another program"):
        Library(_settings(data))
