"""Entity mentions and their resolution within and across articles (issue 24, item 1).

Each test builds a few small articles, extracts them in order with one alias table (as an ingest would) and
checks which entity a name resolves to, and why (``Mention.resolution``).
"""

from __future__ import annotations

import pytest

from kg.extraction import RESOLUTIONS, AliasTable, Extraction, Extractor
from kg.model import Article
from kg.rdf import article_sentences


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor("en_core_web_sm")


def _extract(extractor: Extractor, texts: list[str], table: AliasTable | None = None) -> list[Extraction]:
    articles = [Article(id=f"a{n}", text=t) for n, t in enumerate(texts)]
    items = [(a, list(article_sentences(a))) for a in articles]
    return extractor.extract(items, AliasTable() if table is None else table)


def _linked(x: Extraction, text: str) -> list[tuple[tuple[str, str], str]]:
    return [(m.entity, m.resolution) for m in x.mentions if m.text == text]


def test_a_short_name_resolves_to_the_full_name_its_article_gives(extractor: Extractor) -> None:
    x = _extract(extractor, ["Blair in Ghana\n\nPrime Minister Tony Blair visited Ghana on Monday. "
                             "Mr Blair said aid to Africa would rise."])[0]
    assert _linked(x, "Tony Blair") == [(("person", "Tony Blair"), "")]  # the label itself: no reason
    assert set(_linked(x, "Blair")) == {(("person", "Tony Blair"), "same-article")}
    assert all(m.resolution in RESOLUTIONS for m in x.mentions if m.resolution)
    assert all(m.resolution for m in x.mentions if m.text != m.entity[1])  # every other name says why


def test_mrs_is_not_the_man_her_surname_names(extractor: Extractor) -> None:
    x = _extract(extractor, ["Howard campaigns\n\nMichael Howard spoke in Kent on Monday. Mr Howard said taxes "
                             "would fall. Mr Howard repeated his pledge on Tuesday. Mrs Howard did not speak."])[0]
    howards = [(m.sentence, m.entity, m.resolution) for m in x.mentions if m.text == "Howard"]
    mister = [(2, ("person", "Michael Howard"), "same-article"), (3, ("person", "Michael Howard"), "same-article")]
    assert all(h in howards for h in mister)
    assert not [h for h in howards if h[0] == 4 and h[1] == ("person", "Michael Howard")]  # "Mrs Howard"


def test_mr_takes_a_surname_not_a_first_name(extractor: Extractor) -> None:
    x = _extract(extractor, ["Tory row\n\nHoward Flight resigned on Friday. Michael Howard spoke in Kent. "
                             "Mr Howard said the party was united."])[0]
    assert _linked(x, "Howard")[-1] == (("person", "Michael Howard"), "same-article")


def test_noise_names_are_not_minted(extractor: Extractor) -> None:
    x = _extract(extractor, [
        "Campaign news\n\nTony Blair and Gordon Brown spoke in London on Monday. Labour said it would win. "
        "The Blair-Brown rift was the talk of Westminster. The Blairs' son Leo turned four. "
        "Tories Ken Clarke and Robin Cook joined the group. Critics said Blair&#191;s plan was weak. "
        "Blair Labour's longest-serving PM, the papers said."])[0]
    labels = {key[1] for key in x.entities}
    assert {"Tony Blair", "Gordon Brown", "Ken Clarke"} <= labels
    noise = [label for label in labels if "Blair" in label and label != "Tony Blair"]
    assert noise == [], noise
    assert not any(label.startswith("Tories") for label in labels)


def test_an_honorific_glued_to_a_word_before_it_is_not_a_name(extractor: Extractor) -> None:
    x = _extract(extractor, ["Mac mini\n\nThe machine is small, analysts said. Said Mr Fogg: \"It's very much "
                             "a computer.\""])[0]
    assert not any("Said" in key[1] for key in x.entities)


def _table_with_a_leader(extractor: Extractor) -> tuple[AliasTable, list[str]]:
    texts = [f"Lib Dems {n}\n\nCharles Kennedy, the Liberal Democrats leader, spoke in Brighton on day {n}. "
             f"Mr Kennedy said Labour had failed." for n in range(6)]
    texts += [f"Rugby {n}\n\nScotland beat Ireland at Murrayfield on day {n}, coach Matt Williams said. "
              f"Chris Paterson kicked three penalties for Scotland." for n in range(3)]
    table = AliasTable()
    _extract(extractor, texts, table)
    return table, texts


def test_a_bare_surname_follows_its_context_or_stays_unresolved(extractor: Extractor) -> None:
    table, _ = _table_with_a_leader(extractor)
    politics, rugby = _extract(extractor, [
        "Election call\n\nMr Kennedy spoke in Brighton on Friday, the Liberal Democrats said.",
        "Scotland team\n\nKennedy replaces Paterson at full-back as Scotland face Ireland, Matt Williams said.",
    ], table)
    assert _linked(politics, "Kennedy") == [(("person", "Charles Kennedy"), "known-alias")]
    # Charles Kennedy is the only Kennedy earlier articles name, but nothing in a rugby report supports him.
    assert ("person", "Charles Kennedy") not in {key for key, _ in _linked(rugby, "Kennedy")}


def test_several_bearers_need_support_to_choose(extractor: Extractor) -> None:
    table, _ = _table_with_a_leader(extractor)
    _extract(extractor, [f"Rugby {n}\n\nFlanker Ian Kennedy scored as Scotland beat Ireland on day {n}."
                         for n in range(2)], table)
    rugby, politics, neither = _extract(extractor, [
        "Scotland team\n\nKennedy scored twice as Scotland beat Ireland.",
        "Election\n\nMr Kennedy spoke in Brighton on Friday, the Liberal Democrats said.",
        "Poll\n\nVoters said Kennedy was doing well, the poll found.",
    ], table)
    assert _linked(rugby, "Kennedy") == [(("person", "Ian Kennedy"), "dominant-bearer")]
    assert _linked(politics, "Kennedy") == [(("person", "Charles Kennedy"), "dominant-bearer")]
    # No context: Charles Kennedy is named by 6 articles of 8, short of the dominant share; nothing decides.
    assert [key for key, _ in _linked(neither, "Kennedy")] == [("person", "Kennedy")]


def test_an_acronym_resolves_to_the_organisation_an_earlier_article_named(extractor: Extractor) -> None:
    first, later, same = _extract(extractor, [
        "Rates\n\nThe European Central Bank kept interest rates on hold in Frankfurt on Thursday.",
        "Euro\n\nThe ECB said inflation in the eurozone would stay low.",
        "Airline\n\nBritish Airways said fuel costs rose. BA shares fell 2% in London.",
    ])
    assert first.entities.get(("organization", "European Central Bank"))
    assert _linked(later, "ECB") == [(("organization", "European Central Bank"), "acronym")]
    assert _linked(same, "BA") == [(("organization", "British Airways"), "acronym")]


def test_co_mentions_are_forgotten_with_the_entity_and_frozen_copies_keep_theirs() -> None:
    table = AliasTable()
    blair, labour = ("person", "Tony Blair"), ("organization", "Labour")
    for _ in range(3):
        table.add(blair)
        table.add(labour)
        table.note_article([blair, labour], {blair: "m"})
    assert table.support(blair, [labour]) == (0.75, 1)
    assert table.gender(blair) == "m"
    frozen = table.frozen()
    table.note_article([blair, labour])
    assert frozen.support(blair, [labour]) == (0.75, 1)  # the copy does not see later articles
    table.remove(blair)
    assert table.support(blair, [labour]) == (0.0, 0) and table.gender(blair) == ""
    assert frozen.support(blair, [labour]) == (0.75, 1)


def test_a_short_form_names_the_longer_name(extractor: Extractor) -> None:
    first, later = _extract(extractor, [
        "Party news\n\nThe Liberal Democrats met in Brighton on Monday. The Lib Dems said taxes would rise.",
        "Poll\n\nThe Lib Dems gained two points in the poll, the survey found.",
    ])
    assert _linked(first, "Lib Dems") == [(("group", "Liberal Democrats"), "variant")]
    assert [key for key, _ in _linked(later, "Lib Dems")] == [("group", "Liberal Democrats")]


def test_a_single_capital_in_brackets_is_no_acronym(extractor: Extractor) -> None:
    x = _extract(extractor, ["Team\n\nThe back row is Serge Betsen (Biarritz), Julien Bonnaire (Bourgoin) and "
                             "Imanol Harinordoquy (Biarritz)."])[0]
    assert not [m for m in x.mentions if m.text == "Biarritz" and m.entity == ("person", "Serge Betsen")]
    assert not [a for a in x.acronyms if a.short == "Biarritz"]
