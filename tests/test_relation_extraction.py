"""Relations (#24 item 4): a normalised verb between two entities, measured on the BBC gold by split."""

from __future__ import annotations

import pytest

from kg.evaluation import _predicate_match, evaluate_facts
from kg.extraction import AliasTable, Extractor
from kg.model import Article
from kg.rdf import article_sentences

from .conftest import ROOT

GOLD = ROOT / "tests" / "gold"


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor("en_core_web_sm")


def _relations(extractor: Extractor, body: str) -> set[tuple[str, str, str]]:
    article = Article("relations", f"Relations\n\n{body}")
    x = extractor.extract([(article, article_sentences(article))], AliasTable())[0]
    return {(r.subject[1], r.predicate, r.object[1]) for r in x.relations}


@pytest.mark.parametrize(("body", "expected"), [
    ("Syria depends on Iran for survival.", ("Syria", "depend on", "Iran")),
    ("Microsoft bought Skype in May.", ("Microsoft", "buy", "Skype")),
    # the doer of a passive is the subject
    ("Kelly Holmes has been advised by her coach Margot Jennings not to rush back.",
     ("Margot Jennings", "advise", "Kelly Holmes")),
    # a light verb keeps its noun; any other verb drops the nouns on the way to the object
    ("Arash Sigarchi gave interviews to Radio Farda.", ("Arash Sigarchi", "give interview to", "Radio Farda")),
    # "it" in what an organisation said it will do is that organisation
    ("Nintendo has said it will release the DS in Europe from 11 March.", ("Nintendo", "release in", "Europe")),
    # the subject of a relative clause is the noun it hangs on
    ("Airbus, which overtook Boeing in 2003, is focusing on super jumbos.", ("Airbus", "overtake", "Boeing")),
    # a preposition that belongs to the verb stays in the predicate
    ("Cairn, which also operates in Nepal and Bangladesh, rose.", ("Cairn", "operate in", "Bangladesh")),
])
def test_a_relation_is_a_normalised_verb_between_its_subject_and_object(
        extractor: Extractor, body: str, expected: tuple[str, str, str]) -> None:
    assert expected in _relations(extractor, body)


@pytest.mark.parametrize("body", [
    "State prosecutor Alexis Ortiz told Reuters the boundaries did not match.",  # speech is a statement
    "Brian McFadden did not attend St Fintian's High School.",  # negated
    "Wales can beat England in Cardiff.",  # hedged
    "Tony Blair bought France last year.",  # a person does not buy a country
    "Under President Chavez, Venezuela has expanded the state's role.",  # an adjunct, not an argument
    "Prince Edward will join the delegation for National Holocaust Memorial Day.",  # purpose, not argument
])
def test_fragments_that_are_no_relation_are_not_minted(extractor: Extractor, body: str) -> None:
    assert _relations(extractor, body) == set()


def test_predicates_hold_no_nouns_but_a_light_verbs_own() -> None:
    assert _predicate_match("sell in", "sell in") and _predicate_match("sell", "sell to")
    assert not _predicate_match("leave", "say leave to firm as")  # the verb must come first
    assert not _predicate_match("depend on", "depend")
    assert not _predicate_match("attend", "attend", negated=True)


@pytest.mark.parametrize("split", ["dev", "test"])
def test_relations_are_precise_on_the_bbc_gold(extractor: Extractor, split: str) -> None:
    # The gate: precision >= 0.8 on the hand-written gold (relations read from the article text),
    # or the kind is not emitted. Recall is what those rules reach, recorded so a change that loses it shows.
    r = evaluate_facts(GOLD / "bbc_more_facts.json", extractor, split).kinds["relation"]
    assert r.gold >= 25
    assert r.predicted >= 5 and r.precision >= 0.8, r.extras
    assert r.recall >= {"dev": 0.4, "test": 0.15}[split], r.misses
