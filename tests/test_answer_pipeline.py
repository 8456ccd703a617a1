"""The answer pipeline stage by stage: analyse, retrieve, answer candidates, score, compose (issue 23)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from kg import Settings
from retrieval import Answerer, Library
from retrieval.answer_scoring import FEATURES, SCORER_PATH, AnswerScorer
from retrieval.contract import Answer, certainty
from retrieval.graph_answers import GRAPH_GENERATORS
from tests.conftest import ENCODER_CACHE, SEED

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Answerer]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("pipeline") / "built", encoder_cache=ENCODER_CACHE)
    with Library(settings) as lib:
        lib.ingest([SEED])
        yield Answerer(lib)


def test_a_post_question_gets_candidates_from_the_graph_and_from_the_sentences(answerer: Answerer) -> None:
    run = answerer.pipeline("Who is Iran's Defense Minister?")
    generators = {d.generator for d in run.candidates.drafts}
    assert "post_holder" in generators and generators & {"span", "sentence"}
    assert run.candidates.rules_pick is not None
    values = run.features()
    assert len(values) == len(run.candidates.drafts) and all(set(v) == set(FEATURES) for v in values)


def test_the_scorer_answers_with_its_most_probable_candidate_and_that_probability(answerer: Answerer) -> None:
    question = "Who is Iran's Defense Minister?"
    run = answerer.pipeline(question)
    scorer = AnswerScorer.load()
    probabilities = [scorer.probability(v) for v in run.features()]
    best = run.candidates.drafts[max(range(len(probabilities)), key=probabilities.__getitem__)]
    answer = answerer.ask(question)
    assert answer.answer == best.text and answer.confidence == pytest.approx(max(probabilities), abs=1e-4)
    assert "Hatami" in answer.answer


def test_every_graph_generator_is_named_and_a_refusal_is_never_the_answer(answerer: Answerer) -> None:
    # An acronym the graph has never seen: its generator refuses ("not said"), and nothing else answers it.
    run = answerer.pipeline("What does ZQXW stand for?")
    assert all(d.generator in {*GRAPH_GENERATORS, "post_in_sentences", "span", "sentence"}
               for d in run.candidates.drafts)
    assert answerer.ask("What does ZQXW stand for?").abstained


def test_a_question_about_a_name_no_article_mentions_says_which(answerer: Answerer) -> None:
    answer = answerer.ask("Who is Horatio Quibbleworth?")
    assert answer.abstained and answer.citations == []
    assert answer.answer.startswith("The articles don't say.") and "Horatio Quibbleworth" in answer.answer


def test_the_default_threshold_is_the_one_the_trainer_chose_on_dev() -> None:
    trained = json.loads(SCORER_PATH.read_text(encoding="utf-8"))
    assert Settings().abstain_below == pytest.approx(trained["abstain_below"])
    assert set(trained["coefficients"]) == set(FEATURES)


@pytest.mark.parametrize(("confidence", "words"), [(0.95, None), (0.7, "Fairly sure"), (0.3, "Not sure")])
def test_a_middling_confidence_is_said_in_words(confidence: float, words: str | None) -> None:
    said = certainty(confidence)
    assert (said is None) if words is None else (said is not None and said.startswith(words))
    answer = Answer("Amir Hatami", False, confidence)
    assert answer.to_json()["certainty"] == said
    assert (said in answer.format()) if said else answer.format() == "Amir Hatami"


def test_a_post_of_another_organisation_never_answers(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("posts-articles")
    (folder / "tesco.txt").write_text("Tesco sales rise\n\nTesco said its sales rose in the Christmas period. "
                                      "The retailer said profits were up.", encoding="utf-8")
    (folder / "aer.txt").write_text("Executive trio leave Aer Lingus\n\nThe trio are chief executive Willie Walsh, "
                                    "chief financial officer Brian Dunne and chief operations officer Seamus "
                                    "Kearney.", encoding="utf-8")
    settings = Settings(data_dir=tmp_path_factory.mktemp("posts") / "built", encoder_cache=ENCODER_CACHE)
    with Library(settings) as lib:
        lib.ingest([folder])
        answer = Answerer(lib).ask("Who is the chief executive of Tesco?")
        assert "Walsh" not in answer.answer and answer.abstained
        assert "Walsh" in Answerer(lib).ask("Who is the chief executive of Aer Lingus?").answer
