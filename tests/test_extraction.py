"""Fact extraction: quality against the gold files, provenance, and exact re-ingest and delete."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg import KnowledgeGraph, Settings
from kg.evaluation import evaluate_facts
from kg.extraction import Extractor

from .conftest import ROOT, SEED

GOLD = ROOT / "tests" / "gold"


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor("en_core_web_sm")


def test_seed_meets_the_quality_targets(extractor: Extractor) -> None:
    scores = evaluate_facts(GOLD / "seed_facts.json", extractor)
    k = scores.kinds
    assert sum(s.gold for s in k.values()) >= 60
    assert k["entity"].precision >= 0.9 and k["entity"].recall >= 0.9
    assert k["post"].recall >= 0.9 and k["post"].precision >= 0.85
    assert k["acronym"].recall == 1.0
    assert scores.comment_misattributed == 0
    assert scores.rank_correct == scores.rank_gold
    # Every attributed statement kgqa finds has the right speaker, pronoun speakers included.
    assert k["statement"].precision == 1.0 and k["statement"].recall >= 0.9
    assert not [m for m in k["statement"].misses if '"He' in m or "Alinejad" in m or "Hatami" in m]


def test_bbc_articles_of_three_categories_generalise(extractor: Extractor) -> None:
    scores = evaluate_facts(GOLD / "bbc_facts.json", extractor)
    assert scores.articles == 3
    for kind in ("entity", "post"):
        assert scores.kinds[kind].precision >= 0.8 and scores.kinds[kind].recall >= 0.8, kind


def _rows(graph: KnowledgeGraph, sparql: str) -> list[dict[str, str]]:
    return [{k: v[1] for k, v in row.items() if v is not None} for row in graph.query(sparql).bindings()]


def test_every_fact_points_at_its_sentence_and_every_mention_at_its_text(graph: KnowledgeGraph) -> None:
    graph.ingest([SEED])
    text = SEED.read_text(encoding="utf-8")
    phrases = _rows(graph, "SELECT ?a ?b ?e WHERE { ?m a nif:Phrase ; nif:anchorOf ?a ; nif:beginIndex ?b ; nif:endIndex ?e }")
    assert len(phrases) > 100
    assert all(text[int(r["b"]) : int(r["e"])] == r["a"] for r in phrases)
    orphans = _rows(graph, """SELECT ?st WHERE { ?st a rdf:Statement .
        FILTER NOT EXISTS { ?st prov:wasDerivedFrom ?s . ?s a nif:Sentence } }""")
    assert orphans == []
    unasserted = _rows(graph, """SELECT ?st WHERE { ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ;
        rdf:object ?o . FILTER NOT EXISTS { ?s ?p ?o } }""")
    assert unasserted == []


def test_comment_sentences_are_the_commenters_statements_only(embedded: KnowledgeGraph) -> None:
    embedded.ingest([SEED])
    rows = _rows(embedded, """SELECT ?creator ?commenter WHERE {
        ?q a schema:Quotation ; prov:wasDerivedFrom ?s . ?s kgqa:section kgqa:CommentSection ; kgqa:commenter ?commenter .
        OPTIONAL { ?q schema:creator ?creator } }""")
    assert len(rows) == 10 and all(r.get("creator") == r["commenter"] for r in rows)
    other = _rows(embedded, """SELECT ?p WHERE { ?st rdf:predicate ?p ; prov:wasDerivedFrom ?s .
        ?s kgqa:section kgqa:CommentSection . FILTER(?p != schema:creator) }""")
    assert other == []


def test_names_resolve_across_articles_and_delete_is_exact(graph: KnowledgeGraph, tmp_path: Path) -> None:
    graph.ingest([SEED])
    before = {tuple(r) for r in graph.store.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    later = tmp_path / "later.txt"
    later.write_text("Talks go on\n\nHatami said that the talks would continue. The IRGC agreed with him.",
                     encoding="utf-8")
    graph.ingest([later])
    linked = _rows(graph, """SELECT ?text ?label WHERE { ?m nif:anchorOf ?text ; itsrdf:taIdentRef/rdfs:label ?label ;
        nif:referenceContext ?ctx . ?a kgqa:hasContext ?ctx ; schema:identifier "later" }""")
    assert {(r["text"], r["label"]) for r in linked} >= {
        ("Hatami", "Amir Hatami"), ("IRGC", "Islamic Revolutionary Guard Corps")}
    said = _rows(graph, """SELECT DISTINCT ?who WHERE { ?q schema:creator/rdfs:label ?who ; schema:isPartOf ?a .
        ?a schema:identifier "later" }""")
    assert said == [{"who": "Amir Hatami"}]
    graph.delete("later")
    after = {tuple(r) for r in graph.store.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert after == before


def test_one_post_however_its_title_is_spelled(embedded: KnowledgeGraph, tmp_path: Path) -> None:
    for name, text in (("a", "Blair visits Ghana\n\nPremier Tony Blair visited Ghana on Monday."),
                       ("b", "Blair in Africa\n\nPrime Minister Tony Blair spoke in Accra on Tuesday.")):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    embedded.ingest([tmp_path / "a.txt", tmp_path / "b.txt"])
    rows = _rows(embedded, """SELECT DISTINCT ?post ?title ?canonical WHERE { ?p rdfs:label "Tony Blair" ;
        org:holds ?post . ?post kgqa:title ?title ; kgqa:canonicalTitle ?canonical }""")
    assert {r["title"] for r in rows} == {"Premier", "Prime Minister"}
    assert {r["canonical"] for r in rows} == {"prime minister"} and len({r["post"] for r in rows}) == 1


def test_relative_dates_resolve_against_the_publication_date(embedded: KnowledgeGraph, tmp_path: Path) -> None:
    record = {"title": "Talks", "body": "Officials met late last month in Vienna. Sergey Lavrov spoke on Aug. 29.",
              "published_at": "2018-09-04T10:00:00+00:00", "source": "Wire"}
    path = tmp_path / "dated.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert embedded.ingest([path]).stored == 1
    rows = _rows(embedded, "SELECT ?text ?value WHERE { ?m kgqa:dateValue ?value ; nif:anchorOf ?text }")
    assert {(r["text"], r["value"]) for r in rows} == {("late last month", "2018-08"), ("Aug. 29", "2018-08-29")}


def test_undated_articles_keep_relative_dates_as_text(embedded: KnowledgeGraph) -> None:
    embedded.ingest([SEED])
    rows = _rows(embedded, """SELECT ?text ?value WHERE { ?m itsrdf:taClassRef schema:Date ; nif:anchorOf ?text
        OPTIONAL { ?m kgqa:dateValue ?value } }""")
    values = {r["text"]: r.get("value") for r in rows}
    assert values["Aug. 30, 2018"] == "2018-08-30" and values["Aug. 29"] is None and values["late last month"] is None


def test_extraction_can_be_switched_off(tmp_path: Path) -> None:
    with KnowledgeGraph(Settings(data_dir=tmp_path / "built", nlp_model="")) as graph:
        report = graph.ingest([SEED])
        assert report.sentences == 45
        assert graph.query("ASK { ?q a schema:Quotation }").boolean is False


def test_an_unknown_pipeline_is_a_clear_config_error(tmp_path: Path) -> None:
    from kg import ConfigError

    with KnowledgeGraph(Settings(data_dir=tmp_path / "built", nlp_model="xx_no_such_model")) as graph:
        with pytest.raises(ConfigError, match="KGQA_NLP_MODEL"):
            graph.ingest([SEED])
        assert graph.articles() == []  # nothing half-written


def test_a_name_after_a_bare_rank_is_not_a_crash(extractor: Extractor) -> None:
    from kg.model import Article, Sentence

    text = "Captain Jack Smith arrived at its base."
    x = extractor.extract([(Article("r", text), [Sentence(0, 0, len(text), text, "body")])])[0]
    assert ("person", "Jack Smith") in x.entities


def _speakers(extractor: Extractor, body: str) -> list[tuple[tuple[str, str] | None, str]]:
    from kg.model import Article
    from kg.rdf import article_sentences

    article = Article(id="t", text="Headline\n\n" + body)
    x = extractor.extract([(article, list(article_sentences(article)))])[0]
    return [(q.speaker, q.speaker_text) for q in x.quotes]


@pytest.mark.parametrize("body, speaker", [
    ("Shares in Yukos fell sharply on Monday. The firm said it would appeal against the ruling.",
     ("organization", "Yukos")),
    # The post named earlier decides, not the person named last.
    ("Chancellor Gordon Brown met Tony Blair in London. The chancellor said the talks had gone well.",
     ("person", "Gordon Brown")),
    ("Tony Blair visited Ghana on Monday. The prime minister said Africa needed more help.",
     ("person", "Tony Blair")),
    ("Analysts at Merrill Lynch were cautious. Analysts said the shares were too expensive.", None),
])
def test_a_speaker_the_sentence_only_describes_is_who_it_means(extractor: Extractor, body: str,
                                                               speaker: tuple[str, str] | None) -> None:
    assert _speakers(extractor, body)[-1][0] == speaker


def _posts(extractor: Extractor, body: str) -> list[tuple[str, str]]:
    from kg.model import Article
    from kg.rdf import article_sentences

    article = Article(id="t", text="Headline\n\n" + body)
    x = extractor.extract([(article, list(article_sentences(article)))])[0]
    return [(p.holder[1], p.title.lower()) for p in x.posts]


@pytest.mark.parametrize("body, holder, title", [
    ("Prime Minister Tony Blair visited Ghana. A spokesman for Mr Blair said the talks went well.",
     "Tony Blair", "spokesman"),
    ("Chancellor Gordon Brown spoke on Monday. An adviser to Mr Brown said the budget was ready.",
     "Gordon Brown", "adviser"),
])
def test_a_post_named_before_for_to_someone_is_not_theirs(extractor: Extractor, body: str, holder: str,
                                                         title: str) -> None:
    posts = _posts(extractor, body)
    assert (holder, title) not in posts
    assert any(h == holder for h, _ in posts)  # their own post still is: "Prime Minister", "Chancellor"


@pytest.mark.parametrize("body, noise", [
    ("Tony Blair spoke in London. Blair&#191;s government is all talk, the opposition said.", "Blair&#191;s"),
    ("Tony Blair and Gordon Brown met. The Brown/Blair feud was over, aides said.", "Brown/Blair"),
])
def test_noise_is_not_minted_as_an_entity(extractor: Extractor, body: str, noise: str) -> None:
    from kg.model import Article
    from kg.rdf import article_sentences

    article = Article(id="t", text="Headline\n\n" + body)
    x = extractor.extract([(article, list(article_sentences(article)))])[0]
    labels = {label for _, label in x.entities}
    assert noise not in labels and not any(noise in label for label in labels)
    assert "Tony Blair" in labels


def test_the_27_article_gold_is_scored(extractor: Extractor) -> None:
    """The larger BBC gold, both splits: held at today's figures (the issue's targets are for the test split)."""
    scores = evaluate_facts(GOLD / "bbc_more_facts.json", extractor)
    assert scores.articles == 27
    k = scores.kinds
    assert k["entity"].recall >= 0.83 and k["date"].recall >= 0.85 and k["entity"].precision >= 0.78
    # Today (both splits): statement P 0.93 R 0.88, post P 0.85 R 0.80, entity P 0.80: no regression.
    assert k["statement"].precision >= 0.9 and k["statement"].recall >= 0.85
    assert k["post"].precision >= 0.8 and k["post"].recall >= 0.75


def test_eval_facts_scores_the_gold_by_split(extractor: Extractor) -> None:
    from kg.evaluation import evaluate_facts, split_of

    gold = ROOT / "tests" / "gold" / "bbc_more_facts.json"
    ids = [a["id"] for a in json.loads(gold.read_text(encoding="utf-8"))["articles"]]
    dev, test = (evaluate_facts(gold, extractor, split) for split in ("dev", "test"))
    assert dev.articles == sum(split_of(i) == "dev" for i in ids) > 0
    assert test.articles == sum(split_of(i) == "test" for i in ids) > 0
    assert dev.articles + test.articles == len(ids)


def test_eval_pairs_scores_cross_article_resolution(extractor: Extractor, tmp_path: Path) -> None:
    from kg.entity_pairs import evaluate_pairs

    articles = [
        {"id": "p/1", "title": "Blair visits Ghana",
         "body": "Prime Minister Tony Blair visited Ghana. Mr Blair said aid would rise."},
        {"id": "p/2", "title": "Blair in Accra", "body": "Tony Blair spoke in Accra on Tuesday."},
        {"id": "p/3", "title": "Cherie Blair speaks", "body": "Cherie Blair gave a lecture in London on Monday."},
    ]
    (tmp_path / "corpus.jsonl").write_text("\n".join(json.dumps(a) for a in articles), encoding="utf-8")
    pairs = [
        {"a": {"article": "p/1", "mention": "Mr Blair"}, "b": {"article": "p/2", "mention": "Tony Blair"}, "same": True},
        {"a": {"article": "p/2", "mention": "Tony Blair"}, "b": {"article": "p/3", "mention": "Cherie Blair"},
         "same": False},
    ]
    gold = tmp_path / "pairs.json"
    gold.write_text(json.dumps({"corpus": "corpus.jsonl", "pairs": pairs}), encoding="utf-8")
    scores = evaluate_pairs(gold, extractor)
    assert (scores.true_same, scores.false_same, scores.missed_same, scores.true_different) == (1, 0, 0, 1)
    assert scores.precision == scores.recall == 1.0
    pairs[1]["same"] = True  # a gold that says they are one person: now a miss
    gold.write_text(json.dumps({"corpus": "corpus.jsonl", "pairs": pairs}), encoding="utf-8")
    assert evaluate_pairs(gold, extractor).missed_same == 1


@pytest.mark.parametrize("others, expected", [
    (["Cherie Blair"], ("person", "Tony Blair")),  # Tony Blair named by 6 articles of 7: he is meant
    (["Ian Blair"] * 6, ("person", "Blair")),  # 6 against 6: nothing supports a choice
])
def test_a_bare_surname_resolves_to_its_dominant_bearer_or_stays_apart(extractor: Extractor, others: list[str],
                                                                      expected: tuple[str, str]) -> None:
    from kg.extraction import AliasTable
    from kg.model import Article
    from kg.rdf import article_sentences

    texts = [f"Visit {n}\n\nTony Blair visited Ghana on day {n}." for n in range(6)]
    texts += [f"Talk {n}\n\n{name} spoke in London on day {n}." for n, name in enumerate(others)]
    texts.append("Poll\n\nVoters said Mr Blair was doing well, the poll found.")
    items = [(Article(id=f"a{n}", text=t), None) for n, t in enumerate(texts)]
    items = [(a, list(article_sentences(a))) for a, _ in items]
    last = extractor.extract(items, AliasTable())[-1]
    assert [m.entity for m in last.mentions if m.text == "Blair"] == [expected]


def _kinds(extractor: Extractor, body: str) -> dict[str, str]:
    from kg.model import Article
    from kg.rdf import article_sentences

    article = Article(id="t", text="Headline\n\n" + body)
    x = extractor.extract([(article, list(article_sentences(article)))])[0]
    return {label: kind for kind, label in x.entities}


@pytest.mark.parametrize("body, name, kind", [
    # A country, a first-level region (written without its accents) and a big city are places.
    ("Paraguay said on Monday it would review the deal with Brazil.", "Paraguay", "place"),
    ("The blogger was arrested in the northern province. Gilan officials refused to comment.", "Gilan", "place"),
    # Competitions, prizes and titles of works are not the people, organisations and places the graph describes.
    ("Kelly Holmes won at the Birmingham Grand Prix on Saturday.", "Birmingham Grand Prix", None),
    ("L'Esquive earned a Cesar prize for its director, Abdellatif Kechiche.", "Cesar", None),
    ("Pete Hautman won the prize for his novel Godless.", "Godless", None),
    ("Animated movie Robots has opened at the top of the US box office. Robots took $36m.", "Robots", None),
])
def test_a_names_kind_is_checked_against_what_it_is_and_how_it_is_used(extractor: Extractor, body: str, name: str,
                                                                        kind: str | None) -> None:
    kinds = _kinds(extractor, body)
    assert kinds.get(name) == kind, kinds


def test_the_place_gazetteer_is_read_once_and_immutable() -> None:
    from kg.extraction._entity_kinds import _gazetteer, is_place_name

    countries, places = _gazetteer()
    assert isinstance(countries, frozenset) and isinstance(places, frozenset)
    assert _gazetteer() is _gazetteer()
    assert is_place_name("Paraguay") and is_place_name("Kyoto") and is_place_name("Gīlān")
    assert not is_place_name("Chelsea") and not is_place_name("Reading")  # towns that are also clubs and firms


def test_a_lone_tagged_surname_takes_the_given_name_before_it(extractor: Extractor) -> None:
    kinds = _kinds(extractor, "Amit Yoran was director of the National Cyber Security Division. "
                              "Prime Minister Tony Blair said so.")
    assert kinds.get("Amit Yoran") == "person" and "Yoran" not in kinds
    assert "Minister Tony Blair" not in kinds  # a title is not a given name


@pytest.mark.parametrize("body, person, not_a_name", [
    ("Rapper Eminem topped the chart.", "Eminem", "Rapper Eminem"),
    ("Briton Hayley Yelling won the race.", "Hayley Yelling", "Briton Hayley Yelling"),
    ("Banned American Tim Montgomery appealed.", "Tim Montgomery", "Banned American"),
])
def test_a_role_or_nationality_before_a_name_is_not_part_of_it(extractor: Extractor, body: str, person: str,
                                                               not_a_name: str) -> None:
    kinds = _kinds(extractor, body)
    assert kinds.get(person) == "person" and not_a_name not in kinds


def test_a_country_the_tagger_calls_a_person_is_a_place(extractor: Extractor) -> None:
    kinds = _kinds(extractor, "Former Wales captain Gareth Thomas said he was happy.")
    assert kinds.get("Wales") == "place" and kinds.get("Gareth Thomas") == "person"


def test_an_awards_body_the_article_abbreviates_is_an_organisation(extractor: Extractor) -> None:
    kinds = _kinds(extractor, "Vera Drake has seven nominations at the British Independent Film Awards. "
                              "\"It is a strong year,\" said BIFA founder Elliot Grove.")
    assert kinds.get("British Independent Film Awards") == "organization"
