from __future__ import annotations

import pytest

from kg.loading import load_file
from kg.rdf import build_article_graph
from kg.sentences import split_sentences
from kg.vocab import Iris

from .conftest import SEED


def spans(text: str) -> list[str]:
    return [text[b:e] for b, e in split_sentences(text)]


@pytest.fixture(scope="module")
def seed_graph():
    article = next(load_file(SEED))
    return article, build_article_graph(article, Iris("http://test.example/id/"))


def test_every_seed_sentence_offset_reproduces_its_text(seed_graph) -> None:
    article, built = seed_graph
    assert len(built.sentences) == 45
    for s in built.sentences:
        assert article.text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text


def test_irgc_sentence_is_one_sentence(seed_graph) -> None:
    _, built = seed_graph
    hits = [s.text for s in built.sentences if "Abolghassem Alinejad." in s.text]
    assert len(hits) == 1
    assert hits[0].startswith("The “defense and technical” agreement")


def test_abbreviated_dates_do_not_split(seed_graph) -> None:
    _, built = seed_graph
    lavrov = [s.text for s in built.sentences if "Lavrov" in s.text]
    assert lavrov == ["Russian Foreign Minister Sergey Lavrov on Aug. 29 warned against “interfering in anti-terrorist operations in Idlib.”"]
    assert "Source: ISIS, Aug. 30, 2018." in [s.text for s in built.sentences]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The U.S. Army left. Then it rained.", ["The U.S. Army left.", "Then it rained."]),
        ("He said: “We won. They lost.” Then he left.", ["He said: “We won. They lost.”", "Then he left."]),
        ("Talks (held in Jan. and Feb. 2019) failed. Why? Nobody knows!", ["Talks (held in Jan. and Feb. 2019) failed.", "Why?", "Nobody knows!"]),
        ("Gen. J. Smith met Dr. Lee. It went well.", ["Gen. J. Smith met Dr. Lee.", "It went well."]),
        ("Prices rose 3.5% in the U.S. The Fed reacted.", ["Prices rose 3.5% in the U.S.", "The Fed reacted."]),
        ("“Is it over?” she asked. Yes.", ["“Is it over?” she asked.", "Yes."]),
    ],
)
def test_split_rules(text: str, expected: list[str]) -> None:
    assert spans(text) == expected


def test_offsets_with_leading_space_and_newlines() -> None:
    text = "  First one.\n Second\none.  "
    assert [(b, e) for b, e in split_sentences(text)] == [(2, 12), (14, 25)]
    assert spans(text) == ["First one.", "Second\none."]
