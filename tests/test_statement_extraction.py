"""Attributed statements (#24 item 3): who said it across paragraphs, pronoun and description speakers,
and a statement's text being the words said."""

from __future__ import annotations

import pytest

from kg.evaluation import evaluate_facts
from kg.extraction import Extractor, Quote
from kg.model import Article
from kg.rdf import article_sentences

from .conftest import ROOT

GOLD = ROOT / "tests" / "gold"


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor("en_core_web_sm")


def _quotes(extractor: Extractor, body: str) -> tuple[list[str], dict[int, Quote]]:
    """The body's sentences (the headline first) and the quote of each attributed one, by sentence."""
    article = Article(id="t", text="Headline\n\n" + body)
    sentences = list(article_sentences(article))
    x = extractor.extract([(article, sentences)])[0]
    return [s.text for s in sentences], {q.sentence: q for q in x.quotes}


def _at(sentences: list[str], quotes: dict[int, Quote], start: str) -> Quote | None:
    index = next(i for i, s in enumerate(sentences) if s.lstrip('"“').startswith(start))
    return quotes.get(index)


def test_a_quotation_over_several_paragraphs_is_its_speakers_to_the_end(extractor: Extractor) -> None:
    body = ('Tony Blair visited Ghana on Monday.\n\nMr Blair said: "Africa needs help now.\n\n'
            '"The G8 must lead on debt.\n\nAid alone is not enough, and trade matters more."\n\n'
            'The visit ends on Friday.')
    sentences, quotes = _quotes(extractor, body)
    for start in ("The G8 must lead", "Aid alone"):
        quote = _at(sentences, quotes, start)
        assert quote is not None and quote.speaker == ("person", "Tony Blair"), start
    assert _at(sentences, quotes, "The visit ends") is None


def test_a_verb_inside_the_quotation_is_no_cue(extractor: Extractor) -> None:
    body = ('Gordon Brown spoke in Leeds.\n\n"Jobs matter more than anything," said Mr Brown.\n\n'
            '"People tell me that they have done enough, and I say to them: not yet."')
    sentences, quotes = _quotes(extractor, body)
    quote = _at(sentences, quotes, "People tell me")
    assert quote is not None and quote.speaker == ("person", "Gordon Brown") and quote.cue == "continuation"


def test_a_statements_text_is_the_quoted_words_else_the_reported_clause(extractor: Extractor) -> None:
    body = ('"We will win the vote easily," said Gordon Brown.\n\n'
            'Mr Brown told reporters that the budget was ready.')
    sentences, quotes = _quotes(extractor, body)
    assert _at(sentences, quotes, "We will win").text == "We will win the vote easily"
    told = _at(sentences, quotes, "Mr Brown told")
    assert told.text == "the budget was ready" and "reporters" not in told.text


@pytest.mark.parametrize("body, start, speaker, name", [
    # a pronoun means the unnamed speaker before it, and carries their words
    ("Officials said the land was idle. They also allege that the firm broke the law.",
     "They also", None, "Officials"),
    # "a spokesman" is nobody named before; "Mr X's lawyer" is not Mr X
    ("Tony Blair met the press in London. A spokesman said the talks went well.", "A spokesman", None, "A spokesman"),
    ("Arash Sigarchi was jailed on Monday. Mr Sigarchi's lawyer said the court was illegal.",
     "Mr Sigarchi's lawyer", None, "Mr Sigarchi's lawyer"),
    # "he" means the subject of the sentence before, not the person quoted long ago
    ('"It is over," said Gordon Brown. George W Bush was sworn in on Thursday. He said the world had changed.',
     "He said", ("person", "George W Bush"), None),
])
def test_a_speaker_the_sentence_describes_is_resolved_to_whom_it_means(
        extractor: Extractor, body: str, start: str, speaker: tuple[str, str] | None, name: str | None) -> None:
    sentences, quotes = _quotes(extractor, body)
    quote = _at(sentences, quotes, start)
    assert quote is not None
    if speaker is not None:
        assert quote.speaker == speaker
    else:
        assert quote.speaker is None or quote.speaker[1] not in {"Tony Blair", "Arash Sigarchi"}
    if name is not None:
        assert quote.speaker_text == name


@pytest.mark.parametrize("body, start, who", [
    ("The economy will grow next year, Gordon Brown said, but inflation is a risk.", "The economy", "Gordon Brown"),
    ("Tony Blair is pressing the US to cut emissions, Downing Street has indicated.", "Tony Blair", "Downing Street"),
    ("Mr Blair has vowed to put Africa at the top of his agenda.", "Mr Blair", "Blair"),
    ("The prime minister pointed out that the US had allowed Britain to take the lead.", "The prime minister",
     "prime minister"),
    ("His sentence, criticised by human rights watchdog Reporters Without Borders, comes a day after the protest.",
     "His sentence", "Reporters Without Borders"),
])
def test_more_ways_to_attribute_a_statement(extractor: Extractor, body: str, start: str, who: str) -> None:
    sentences, quotes = _quotes(extractor, body)
    quote = _at(sentences, quotes, start)
    assert quote is not None
    assert who in ((quote.speaker[1] if quote.speaker else "") + " " + quote.speaker_text)


def test_unnamed_sources_and_things_that_are_no_speakers(extractor: Extractor) -> None:
    sentences, quotes = _quotes(extractor, "Tony Blair met John McCain. He is said to have discussed the climate.")
    said = _at(sentences, quotes, "He is said")
    assert said is not None and said.speaker is None
    for body in ("The box does warn you of this measure, but not how many parts there are.",
                 "Staff calling in sick at the airline left passengers stranded.",
                 "It is safe to say that this is the most anticipated game of all time."):
        assert _quotes(extractor, body)[1] == {}, body


def test_the_bbc_gold_statements_do_not_regress(extractor: Extractor) -> None:
    """Dev is what the rules were tuned on; test is held out (issue targets: P >= 0.9, R >= 0.8)."""
    dev = evaluate_facts(GOLD / "bbc_more_facts.json", extractor, "dev").kinds["statement"]
    test = evaluate_facts(GOLD / "bbc_more_facts.json", extractor, "test").kinds["statement"]
    assert dev.precision >= 0.95 and dev.recall >= 0.9  # before this work: 0.838 and 0.720
    assert test.precision >= 0.79 and test.recall >= 0.7  # before this work: 0.776 and 0.673
