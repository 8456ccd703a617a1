"""The Chat tab's example questions come from the store's facts and are answered, on the seed and on BBC articles.

Each store here is its own (a fresh folder), so no other test's articles change the chips.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg import Settings
from tests.conftest import ENCODER_CACHE, ROOT, SEED
from web import Services
from web._examples import MAX_EXAMPLES, candidate_questions, choose_examples
from web.ui.chat import examples_of

BBC = ROOT.parent / "shared" / "bench" / "bbc" / "articles.jsonl"
BBC_SAMPLE = 8


def _services(folder: Path) -> Services:
    return Services(Settings(data_dir=folder / "built", base_iri="http://test.example/id/",
                             encoder_cache=ENCODER_CACHE, query_timeout=10.0), ingest_shipped=False)


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    s = _services(tmp_path_factory.mktemp("examples-seed"))
    s.library.ingest([SEED])
    yield s
    s.close()


@pytest.fixture(scope="module")
def bbc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """A few BBC politics articles, loaded as tests/test_bbc_sample.py loads its sample."""
    if not BBC.is_file():
        pytest.skip("../shared/bench/bbc is not beside the project")
    folder = tmp_path_factory.mktemp("examples-bbc")
    records = [json.loads(line) for line in BBC.read_text(encoding="utf-8").splitlines() if line.strip()]
    sample = [r for r in records if r["id"].startswith("politics/")][:BBC_SAMPLE]
    source = folder / "sample.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in sample), encoding="utf-8")
    s = _services(folder)
    report = s.library.ingest([source])
    assert report.stored == BBC_SAMPLE and not report.errors
    yield s
    s.close()


def _answered(services: Services, questions: tuple[str, ...]) -> None:
    for question in questions:
        _, answer = services.ask(question)
        assert not answer.abstained, question
        assert answer.citations, question


def test_the_seed_stores_chips_are_its_facts_and_each_is_answered(seed: Services) -> None:
    chips = examples_of(seed).current()
    assert 3 <= len(chips) <= MAX_EXAMPLES
    assert "What does IRGC stand for?" in chips  # an acronym the article defines
    assert any(q.startswith("What did ") and q.endswith(" say?") for q in chips)  # a quoted person
    assert any(q.startswith("Who is the ") for q in chips)  # a post
    _answered(seed, chips)


def test_chips_are_deterministic_for_a_store(seed: Services) -> None:
    assert candidate_questions(seed.graph) == candidate_questions(seed.graph)
    assert examples_of(seed).current() == examples_of(seed).current()


def test_a_bbc_stores_chips_differ_from_the_seeds_and_are_answered(seed: Services, bbc: Services) -> None:
    chips = examples_of(bbc).current()
    assert len(chips) >= 3
    assert not set(chips) & set(examples_of(seed).current())
    assert not any("Iran" in q or "IRGC" in q for q in chips)
    _answered(bbc, chips)


def test_chips_are_worked_out_again_after_a_delete(tmp_path: Path) -> None:
    s = _services(tmp_path)
    try:
        s.library.ingest([SEED])
        examples = examples_of(s)
        before = examples.current()
        assert before and examples.current() is before  # the same store state: the same tuple, not asked again
        s.library.delete(next(iter(s.graph.article_hashes())))
        assert examples.current() == ()  # an empty store has nothing to ask about
    finally:
        s.close()


def test_choose_keeps_only_answered_questions_up_to_the_limit() -> None:
    asked: list[str] = []

    def answered(q: str) -> bool:
        asked.append(q)
        return "good" in q

    candidates = [f"{'good' if i % 2 else 'bad'} {i}?" for i in range(20)]
    assert choose_examples(candidates, answered, limit=3) == ("good 1?", "good 3?", "good 5?")
    assert asked == candidates[:6]  # stops once it has enough


def test_choose_stops_when_its_time_budget_runs_out() -> None:
    def slow(q: str) -> bool:
        time.sleep(0.05)
        return True

    started = time.monotonic()
    chosen = choose_examples([f"q{i}?" for i in range(100)], slow, limit=100, budget_s=0.2)
    assert 1 <= len(chosen) < 10 and time.monotonic() - started < 1.0
