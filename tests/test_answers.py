"""Answers with cited sentences: the output contract, the seed dev set, and the index kept in step with the graph."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda

from kg import KnowledgeGraph, Settings
from retrieval import Answerer, HybridRetriever, IndexMismatch, Library, evaluate_qa
from tests.conftest import ENCODER_CACHE, ROOT, SEED

DEV = ROOT / "tests" / "qa" / "seed_dev.jsonl"
pytestmark = pytest.mark.slow

CONTRACT_KEYS = {"answer", "abstained", "confidence", "certainty", "citations", "facts", "sparql"}
CITATION_KEYS = {"n", "sentence", "article", "headline", "section", "start", "end", "url", "commenter"}


@pytest.fixture(scope="module")
def seed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("answers") / "built", base_iri="http://test.example/id/", encoder_cache=ENCODER_CACHE)


@pytest.fixture(scope="module")
def library(seed_settings: Settings) -> Iterator[Library]:
    lib = Library(seed_settings)
    lib.ingest([SEED])
    yield lib
    lib.close()


@pytest.fixture(scope="module")
def answerer(library: Library) -> Answerer:
    return Answerer(library)


def article_text(graph: KnowledgeGraph, article_iri: str) -> str:
    rows = graph.select(f"""SELECT ?t WHERE {{ GRAPH <{article_iri}> {{
        <{article_iri}> <https://w3id.org/kgqa/ns#hasContext> ?c .
        ?c <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString> ?t }} }}""")
    return rows[0][0][1]


def check_contract(payload: dict, graph: KnowledgeGraph) -> None:
    assert set(payload) == CONTRACT_KEYS
    assert isinstance(payload["answer"], str) and payload["answer"]
    assert isinstance(payload["abstained"], bool)
    assert 0.0 <= payload["confidence"] <= 1.0
    numbers = [c["n"] for c in payload["citations"]]
    assert numbers == list(range(1, len(numbers) + 1))
    for c in payload["citations"]:
        assert set(c) == CITATION_KEYS
        assert article_text(graph, c["article"])[c["start"] : c["end"]] == c["sentence"]
        assert (c["commenter"] is not None) == (c["section"] == "comment")
    for f in payload["facts"]:
        assert set(f) == {"subject", "predicate", "object", "sentence"} and f["sentence"] in numbers
    assert payload["sparql"] is None or "SELECT" in payload["sparql"]


@pytest.mark.parametrize("question", [
    "Who is Iran's defence minister?", "What did Alinejad specify?", "What does SSM stand for?",
    "Which Iranian officials are quoted?", "Why does Hatami say the war against Syria is not over?",
    "According to the reader comment, what are the keys to the tinder box?", "Who is Israel's Prime Minister?",
])
def test_every_answer_keeps_the_contract(answerer: Answerer, library: Library, question: str) -> None:
    check_contract(answerer.ask(question).to_json(), library.graph)


def test_post_answer_from_the_graph_with_its_fact_and_query(answerer: Answerer, library: Library) -> None:
    answer = answerer.ask("Who is Iran's Defense Minister?")
    assert answer.answer == "Amir Hatami" and not answer.abstained
    assert "Amir Hatami" in answer.citations[0].sentence
    assert answer.facts[0].predicate == "org:holds" and answer.facts[0].sentence == 1
    rows = library.graph.query(answer.sparql).bindings  # the query shown to the user runs and finds the fact
    assert rows


def test_pronoun_speaker_is_resolved(answerer: Answerer) -> None:
    answer = answerer.ask("Who said the world war against Syria was not over?")
    assert "Hatami" in answer.answer
    assert answer.citations[0].sentence.startswith("He added")


def test_comment_is_labelled_as_a_readers_comment(answerer: Answerer) -> None:
    answer = answerer.ask("What does the commenter say about the Straits of Hormuz?")
    assert "reader's comment by Thomas J Irwin" in answer.answer
    assert answer.citations[0].section == "comment" and answer.citations[0].commenter == "Thomas J Irwin"
    assert "comment by Thomas J Irwin" in answer.format()


def test_unanswerable_question_abstains_without_citations(answerer: Answerer) -> None:
    answer = answerer.ask("When was Aziz Asber born?")
    assert answer.abstained and answer.citations == [] and answer.answer == "The articles don't say."


@pytest.mark.parametrize("question", ["What is the capital of Australia?", "Who is the Defense Minister of Peru?"])
def test_a_question_about_a_name_no_article_mentions_abstains(answerer: Answerer, question: str) -> None:
    answer = answerer.ask(question)
    assert answer.abstained and answer.citations == []


@pytest.mark.parametrize("bad", ["", "   ", "x" * 2001])
def test_bad_questions_are_refused_clearly(answerer: Answerer, bad: str) -> None:
    with pytest.raises(ValueError, match="empty|limit"):
        answerer.ask(bad)


def test_seed_dev_set_meets_the_targets(answerer: Answerer) -> None:
    scores = evaluate_qa(DEV, answerer).to_json()
    assert scores["questions"] >= 40
    assert scores["answer_accuracy"] >= 0.95, scores
    assert scores["evidence_hit@1"] >= 0.95, scores
    abstained, unanswerable = map(int, scores["unanswerable_abstained"].split("/"))
    assert unanswerable >= 6 and abstained == unanswerable, scores


def test_graph_facts_lookups_each_return_their_own_query(library: Library) -> None:
    import dataclasses
    from concurrent.futures import ThreadPoolExecutor

    from retrieval.graph_facts import Found, GraphFacts

    facts = GraphFacts(library.graph)
    rows = facts.graph.select("SELECT DISTINCT ?h WHERE { GRAPH ?g { ?h <http://www.w3.org/ns/org#holds> ?p } } "
                              "ORDER BY ?h LIMIT 2")
    first, second = (r[0][1] for r in rows)
    a, b = facts.posts_of([first]), facts.posts_of([second])
    assert f"<{first}>" in a.query and f"<{second}>" not in a.query
    assert f"<{second}>" in b.query and f"<{first}>" not in b.query
    assert a and {p.holder for p in a} >= {first} and {p.holder for p in b} >= {second}
    assert facts.posts_of([first, second]).query == a.query  # several queries: the first one's
    assert facts.posts_of([]) == Found((), None)
    # Nothing of a lookup stays on the object, which concurrent requests share: each gets its own query.
    assert not hasattr(facts, "last_query") and [f.name for f in dataclasses.fields(facts)] == ["graph"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.last_query = "SELECT"  # type: ignore[misc]
    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda e: (e, facts.posts_of([e]).query), [first, second] * 8))
    assert all(f"<{e}>" in query for e, query in found)


def test_graph_facts_skip_only_lookups_that_find_nothing(library: Library) -> None:
    """The per-snapshot keys (who holds posts, has posts in it, is quoted) skip a lookup only when it would find no
    rows; the query shown is the same either way, and the keys are read once, even by racing threads."""
    from concurrent.futures import ThreadPoolExecutor

    from retrieval.graph_facts import GraphFacts

    facts = GraphFacts(library.graph)
    with ThreadPoolExecutor(4) as pool:
        keys = set(map(id, pool.map(lambda _: facts.keys, range(8))))
    assert len(keys) == 1 and facts.keys.holders and facts.keys.speakers
    entities = [r[0][1] for r in library.graph.select(
        "SELECT DISTINCT ?e WHERE { GRAPH ?g { ?m <http://www.w3.org/2005/11/its/rdf#taIdentRef> ?e } }")]
    assert entities
    unskipped = GraphFacts(library.graph)
    object.__setattr__(unskipped, "_keys", type(facts.keys)(*(frozenset(entities),) * 3))  # every lookup runs
    for e in entities:
        assert facts.posts_of([e]) == unskipped.posts_of([e]), e
        assert facts.quotes_by([e]) == unskipped.quotes_by([e]), e


def test_retriever_keeps_nothing_of_a_question(library: Library) -> None:
    from retrieval import analyze

    retriever = HybridRetriever.from_library(library)
    q = analyze("Who is Iran's defence minister?", retriever.names)
    first = [(c.row, c.score, c.relevance) for c in retriever.rank(q, retriever.graph_evidence(q))]
    # No caches of its own, shared by the requests it serves (LangChain's two flags are all it has).
    assert set(HybridRetriever.__private_attributes__) == set(BaseRetriever.__private_attributes__)
    assert [(c.row, c.score, c.relevance) for c in retriever.rank(q, retriever.graph_evidence(q))] == first


def test_retriever_is_a_langchain_retriever(library: Library) -> None:
    retriever = HybridRetriever.from_library(library, k=3)
    chain = RunnableLambda(lambda q: q.strip()) | retriever
    docs = chain.invoke("  Who heads the IRGC Qods Force?  ")
    assert len(docs) == 3 and all(isinstance(d, Document) for d in docs)
    assert "Soleimani" in docs[0].page_content
    assert {"sentence", "article", "start", "end", "section", "score"} <= set(docs[0].metadata)


def test_search_ranks_the_supporting_sentence_first(answerer: Answerer) -> None:
    cites = answerer.search("Which Israeli company published satellite pictures?", k=5)
    assert [c.n for c in cites] == [1, 2, 3, 4, 5]
    assert "Israeli firm ISI" in cites[0].sentence


# --- the command line ----------------------------------------------------------------


def kgqa(settings: Settings, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {"KGQA_DATA_DIR": str(settings.data_dir), "KGQA_BASE_IRI": settings.base_iri,
           "KGQA_ENCODER_CACHE": str(ENCODER_CACHE), "PATH": "/usr/bin:/bin",
           "HOME": str(settings.data_dir)}
    return subprocess.run([sys.executable, str(ROOT / "app.py"), *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=240, cwd=ROOT)


@pytest.fixture(scope="module")
def cli_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A store of its own (the embedded store admits one process): filled by `kgqa ingest`."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("cli") / "built", base_iri="http://test.example/id/", encoder_cache=ENCODER_CACHE)
    out = kgqa(settings, "ingest", str(SEED))
    assert out.returncode == 0, out.stderr
    return settings


def test_cli_ask_json_and_stdin_batch(cli_settings: Settings) -> None:
    seed_settings = cli_settings
    one = kgqa(seed_settings, "ask", "What does IRGC stand for?", "--json")
    assert one.returncode == 0, one.stderr
    payload = json.loads(one.stdout)
    assert payload["answer"] == "Islamic Revolutionary Guard Corps"
    with KnowledgeGraph(seed_settings) as graph:
        check_contract(payload, graph)
    many = kgqa(seed_settings, "ask", "-", "--json", stdin="Who is Russia's foreign minister?\n\nWhat is the SDF?\n")
    lines = [json.loads(line) for line in many.stdout.splitlines()]
    assert [("Lavrov" in x["answer"]) for x in lines] == [True, False]
    assert "Syrian Democratic Forces" in lines[1]["answer"]
    text = kgqa(seed_settings, "ask", "Who is Russia's foreign minister?")
    assert "Sergey Lavrov" in text.stdout and "[1]" in text.stdout


def test_cli_search_json(cli_settings: Settings) -> None:
    out = kgqa(cli_settings, "search", "Where was Aziz Asber killed?", "-k", "4", "--json")
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert len(payload["citations"]) == 4
    with KnowledgeGraph(cli_settings) as graph:
        for c in payload["citations"]:
            assert set(c) == CITATION_KEYS
            assert article_text(graph, c["article"])[c["start"] : c["end"]] == c["sentence"]


# --- graph and index in step -----------------------------------------------------------


def test_ingest_and_delete_update_graph_and_index_together(graph: KnowledgeGraph, tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text("Rain in Madrid\n\nIt rained in Madrid on Aug. 3, 2018. Mayor Ana Lopez said the streets flooded.\n")
    with Library(graph.settings, graph) as lib:
        lib.ingest([SEED, other])
        assert set(lib.index.articles) == {"000_b3bb278fd8698310", "other"}
        before = len(lib.index)
        lib.delete("other")
        assert set(lib.index.articles) == {"000_b3bb278fd8698310"}
        assert len(lib.index) == before - 3
        assert lib.index.articles == graph.article_hashes()
        assert not any(d.metadata["article_id"] == "other" for d in lib.index.docs)


def test_a_mismatched_index_is_refused_and_reindex_repairs_it(settings: Settings, tmp_path: Path) -> None:
    with Library(settings) as lib:
        lib.ingest([SEED])
    other = tmp_path / "other.txt"
    other.write_text("Rain in Madrid\n\nIt rained in Madrid on Aug. 3, 2018.\n")
    with KnowledgeGraph(settings) as graph:  # changed behind the index's back
        graph.ingest([other])
    with pytest.raises(IndexMismatch, match=r"1 not indexed \(e.g. other\).*kgqa reindex"):
        Library(settings)
    out = kgqa(settings, "ask", "Who is Iran's defense minister?")
    assert out.returncode == 1 and "kgqa reindex" in out.stderr
    assert kgqa(settings, "reindex").returncode == 0
    with Library(settings) as lib:
        assert set(lib.index.articles) == {"000_b3bb278fd8698310", "other"}


def test_index_records_its_model_and_versions(library: Library) -> None:
    meta = json.loads((library.settings.index_path / "meta.json").read_text())
    assert meta["model"] == "all-MiniLM-L6-v2" and meta["dimension"] == 384
    assert meta["passages"] == len(library.index) and {"sentence-transformers", "scipy"} <= set(meta["versions"])
    assert sum(len(s) for s in library.index.segments) >= meta["passages"] and meta["segments"]


def test_another_embedding_model_is_refused(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Rain in Spain\n\nIt rained in Madrid on Aug. 3.\n")
    with Library(settings.replace(nlp_model="")) as lib:
        lib.ingest([tmp_path / "a.txt"])
    with pytest.raises(IndexMismatch, match="KGQA_EMBEDDING_MODEL is 'other-model'.*kgqa reindex"):
        Library(settings.replace(nlp_model="", embedding_model="other-model"))


def test_an_uninstalled_llm_provider_is_a_clear_config_error(library: Library) -> None:
    from kg import ConfigError

    with pytest.raises(ConfigError, match="KGQA_LLM"):
        Answerer(library, library.settings.replace(llm="ollama:llama3.1"))


def test_answerer_with_a_fake_llm_cites_only_what_it_was_given(library: Library) -> None:
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    model = FakeListChatModel(responses=["Iran's defence minister is Amir Hatami [1], says the article [12]."])
    answer = Answerer(library, chat_model=model).ask("Who is Iran's defence minister?")
    assert answer.answer == "Iran's defence minister is Amir Hatami [1], says the article."
    assert len(answer.citations) == 1 and "Amir Hatami" in answer.citations[0].sentence


def test_a_name_with_digits_is_one_word(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """'Carrow812565' is a stored word; its letters alone ('Carrow') are not, and must not make kgqa abstain."""
    from kg import Settings
    from retrieval import Library

    (tmp_path / "a.txt").write_text("Lighthouse news\n\nThe keeper of the Carrow812565 lighthouse is Maeve Tolland.")
    with Library(Settings(data_dir=tmp_path / "built", base_iri="http://test.example/id/", encoder_cache=ENCODER_CACHE)) as library:
        library.ingest([tmp_path / "a.txt"])
        answer = Answerer(library).ask("Who is the keeper of the Carrow812565 lighthouse?")
    assert "Maeve Tolland" in answer.answer


# --- the learned steps ------------------------------------------------------------------


def test_the_sentence_reranker_reorders_the_fused_candidates_and_nothing_else(library: Library) -> None:
    from retrieval import analyze

    fused = HybridRetriever.from_library(library, reranker=None)
    learned = HybridRetriever.from_library(library)
    assert learned.reranker is not None
    q = analyze("Who is Iran's defence minister?", fused.names)
    depth = learned.reranker.depth
    before = fused.rank(q, fused.graph_evidence(q), k=depth)
    after = learned.rank(q, learned.graph_evidence(q), k=depth)
    assert {c.row for c in before} == {c.row for c in after}
    assert all(c.relevance is None for c in before)
    probabilities = [c.relevance for c in after]
    assert all(p is not None and 0.0 <= p <= 1.0 for p in probabilities)
    assert probabilities == sorted(probabilities, reverse=True)  # no date in the question: one tier


def test_the_line_before_counts_for_a_sentence_that_continues_it(library: Library) -> None:
    from retrieval import analyze

    retriever = HybridRetriever.from_library(library)
    q = analyze("What did Iran's defence minister Hatami say about the Syrian army?", retriever.names)
    ranked = retriever.rank(q, retriever.graph_evidence(q), k=30)
    index = library.index
    for c in ranked:
        assert 0.0 <= c.context_coverage <= 1.0 - c.coverage + 1e-9 and 0.0 <= c.context_entity <= 1.0
        before = index.neighbour(c.row, -1)
        if before is None or before.metadata["section"] != c.doc.metadata["section"]:
            assert c.context_coverage == 0.0 and c.context_entity == 0.0
    assert any(c.context_coverage > 0 for c in ranked)  # some best sentence leans on the line before it


@pytest.mark.parametrize("module, trainer", [("answer_scoring", "train_answer_scorer"), ("reranker", "train_sentence_reranker")])
def test_learned_weights_cover_every_feature_and_name_their_trainer(module: str, trainer: str) -> None:
    import importlib

    mod = importlib.import_module(f"retrieval.{module}")
    path = mod.SCORER_PATH if module == "answer_scoring" else mod.RERANKER_PATH
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data["coefficients"]) == set(mod.FEATURES)
    assert f"scripts/{trainer}.py" in data["how"] and (ROOT / "scripts" / f"{trainer}.py").is_file()
    assert data["trained_on"]  # what it saw, so a reader can judge it


def test_a_weights_file_without_a_feature_is_refused_with_the_command_that_retrains(tmp_path: Path) -> None:
    from retrieval.reranker import RERANKER_PATH, SentenceReranker

    data = json.loads(RERANKER_PATH.read_text(encoding="utf-8"))
    del data["coefficients"]["fused"]
    stale = tmp_path / "stale.json"
    stale.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="train_sentence_reranker"):
        SentenceReranker.load(stale)


@pytest.mark.parametrize("sentence, amount", [
    ("It employs 50,000 staff in Kazakhstan alone.", "50,000"),
    ("Armed robber Robert Napier, 25, won £2,450 after he claimed", "£2,450"),
    ("it will replace more than 14 million power cables", "14 million"),
    ("holding a 37.6% stake", "37.6%"),
    ("profits rose 3.5 per cent", "3.5 per cent"),
    ("William Hill made him 5-2 favourite", "5-2"),
])
def test_amounts_are_extracted_whole(sentence: str, amount: str) -> None:
    from retrieval._amounts import quantities

    assert amount in [a for a, _ in quantities(sentence)]


def test_a_two_part_question_is_answered_part_by_part_with_citations_renumbered(answerer: Answerer) -> None:
    answer = answerer.ask("Who is Iran's Defense Minister, and what post does Abolghassem Alinejad hold?")
    assert not answer.abstained
    assert "Hatami" in answer.answer and "attach" in answer.answer.lower()
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert len({(c.article, c.start) for c in answer.citations}) >= 2  # each half cites its own sentence
    assert all(1 <= f.sentence <= len(answer.citations) for f in answer.facts)


def test_the_missing_half_of_a_two_part_question_is_named(answerer: Answerer) -> None:
    answer = answerer.ask("Who is Iran's Defense Minister, and what is the capital of Australia?")
    assert "Hatami" in answer.answer
    assert "not in the articles: what is the capital of Australia?" in answer.answer


def test_the_answers_sparql_returns_the_facts_it_used_and_no_others(answerer: Answerer, library: Library) -> None:
    """Issue 23 item 6: "Open this answer's SPARQL" ran the title lookup, which finds every holder of the title
    (113 chief executives for one company's); it is now narrowed to the sentences of the answer's facts."""
    answer = answerer.ask("Who is Iran's Defense Minister?")
    assert answer.facts and answer.sparql
    cited = {f"{c.article}#char={c.start},{c.end}" for c in answer.citations}
    result = library.graph.query(answer.sparql)
    rows = result.bindings()
    assert rows, "the query finds the fact the answer used"
    assert {r["sentence"][1] for r in rows} <= cited
    assert any("Hatami" in r["holderLabel"][1] for r in rows)
