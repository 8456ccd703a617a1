"""Pure pieces of retrieval checked against brute-force references: top-k, fusion, coverage, the vector store."""

from __future__ import annotations

import math
import zlib

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from kg import AliasTable
from retrieval import NumpyVectorStore, analyze
from retrieval._text import normalize_answer, stems, tokens
from retrieval.scoring import coverage, rrf
from retrieval.vectors import top_k


class HashEmbeddings(Embeddings):
    """Deterministic vectors from word hashes: a stand-in model for checking the store's arithmetic only."""

    def _vector(self, text: str) -> list[float]:
        v = np.zeros(32)
        for word in text.lower().split():
            v[zlib.crc32(word.encode()) % 32] += 1.0  # hash() changes between processes
        n = np.linalg.norm(v)
        return list(v / n) if n else list(v)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


@pytest.mark.parametrize("seed", range(5))
def test_top_k_matches_a_full_sort(seed: int) -> None:
    scores = np.random.default_rng(seed).normal(size=500).astype(np.float32)
    scores[10] = scores[20]  # a tie: the lower index wins
    expected = sorted(range(500), key=lambda i: (-scores[i], i))[:25]
    assert list(top_k(scores, 25)) == expected
    assert list(top_k(scores, 1000)) == sorted(range(500), key=lambda i: (-scores[i], i))


def test_vector_store_search_matches_brute_force_and_survives_deletes(tmp_path) -> None:
    rng = np.random.default_rng(0)
    words = ["iran", "syria", "minister", "defense", "rain", "madrid", "bomb", "idlib", "missile", "talks"]
    texts = [" ".join(rng.choice(words, size=5)) + f" doc{i}" for i in range(60)]
    store = NumpyVectorStore(HashEmbeddings())
    store.add_texts(texts, [{"i": i} for i in range(60)], ids=[f"d{i}" for i in range(60)])
    store.delete([f"d{i}" for i in range(0, 60, 3)])
    query = "defense minister of syria"
    emb = HashEmbeddings()
    q = np.array(emb.embed_query(query))
    kept = [i for i in range(60) if i % 3]
    reference = {i: float(np.dot(emb.embed_query(texts[i]), q)) for i in kept}  # brute force, in float64
    best = sorted(reference.values(), reverse=True)[:10]
    got = store.similarity_search_with_score(query, k=10)
    # Same top-10 scores (ties may come in any order), each the document's true cosine.
    assert [s for _, s in got] == pytest.approx(best, abs=1e-5)
    for doc, score in got:
        assert score == pytest.approx(reference[int(doc.metadata["i"])], abs=1e-5)
    store.save(tmp_path)
    again = NumpyVectorStore.load(tmp_path, emb)
    assert [d.id for d in again.similarity_search(query, k=10)] == [d.id for d, _ in got]


def test_rrf_matches_the_formula() -> None:
    a, b = [3, 1, 2], [2, 3]
    score = {i: sum(1 / (60 + r.index(i) + 1) for r in (a, b) if i in r) for i in {1, 2, 3}}
    assert rrf([a, b]) == sorted(score, key=lambda i: (-score[i], i))


def test_coverage_is_idf_weighted() -> None:
    idf = {"born": 3.0, "asber": 1.0}
    assert coverage(["born", "asber"], {"asber"}, idf) == pytest.approx(0.25)
    assert coverage([], set(), {}) == 1.0


def test_text_helpers() -> None:
    assert tokens("Iran’s Defence Ministry, U.S. forces") == ["iran", "defense", "ministry", "us", "forces"]
    assert stems(["warning", "warned"]) == ["warn", "warn"]
    assert normalize_answer("The U.S.-backed SDF!") == "usbacked sdf"


def test_question_analysis() -> None:
    names = AliasTable()
    names.add(("person", "Amir Hatami"), {"Hatami"})
    names.add(("organization", "IRGC Qods Force"), {"Qods Force"})
    names.add(("place", "Iran"))
    q = analyze("Who commands Iran's Quds Force?", names)
    assert [(e.kind, e.label) for e in q.entities] == [("place", "Iran"), ("organization", "IRGC Qods Force")]
    assert analyze("When did Hatami warn?", names).expected == "date"
    assert analyze("Which Iranian officials are quoted?", names).is_list
    assert analyze("Who said Idlib should be cleansed?", names).speaker_wanted
    assert not analyze("Who does the commenter call a joker?", names).speaker_wanted
    assert analyze("What did the reader comment say?", names).section == "comment"
    assert math.isclose(len(analyze("How many soldiers died?", names).words), 2)


def test_a_common_noun_is_not_the_person_of_the_same_name() -> None:
    # spaCy can tag a headline's "Ferry" as a person; "the ferry captain" still asks about a ferry.
    names = AliasTable()
    names.add(("person", "Ferry"))
    assert analyze("Who is the ferry captain of Oskarvik?", names).entities == []
    assert [e.label for e in analyze("What did the Ferry say?", names).entities] == ["Ferry"]


@pytest.mark.parametrize("question, unit", [
    ("What share of Sunderland FC did Bob Murray own?", "percent"),
    ("How much was Robert Napier paid in compensation?", "money"),
    ("What salary will Dave Collins earn?", "money"),
    ("How many flights did Lufthansa cancel?", "count"),
    ("Which number was the star Godzilla received?", None),
])
def test_a_number_question_names_the_kind_of_amount_it_wants(question: str, unit: str | None) -> None:
    from retrieval._spans import unit_of as _unit_of, unit_wanted as _unit_wanted

    q = analyze(question, AliasTable())
    assert q.expected == "number"
    assert _unit_wanted(q) == unit
    assert [_unit_of(a) for a in ("37.6%", "3.5 per cent", "£2,450", "$2.8m", "14 million")] == \
        ["percent", "percent", "money", "money", "count"]


def test_which_noun_questions_take_their_type_from_roles_and_the_corpus_names() -> None:
    names = AliasTable()
    for name in ("Channel 4", "Channel 5", "Discovery Channel"):
        names.add(("organization", name))
    assert analyze("Which TV channel is Chris Morris making his sitcom for?", names).expected == "organization"
    assert analyze("Which Vodafone executive is moving to Japan?", names).expected == "person"
    assert analyze("Which Tory MP chairs the committee?", names).expected == "person"
    assert analyze("Which Jefferies analyst warned about Crestor?", names).speaker_wanted
    assert analyze("What post does Abolghassem Alinejad hold?", names).expected == "post"


def test_who_said_is_never_answered_by_a_name_the_question_uses() -> None:
    from retrieval._spans import speaker_name as _speaker_name
    from retrieval.graph_facts import Quotation

    asked = set(tokens("Which Forrester analyst predicted that local makers would win?"))
    quote = Quotation("q", "Western vendors won't dominate", "said", "Simon Yates, a senior analyst for Forrester,",
                      "e/forrester", "Forrester", "s")
    assert _speaker_name(quote, asked) == "Simon Yates"
    pronoun = Quotation("q", "local makers will win", "said", "he", "e/forrester", "Forrester", "s")
    assert _speaker_name(pronoun, asked) is None
    assert _speaker_name(quote, set(tokens("Who predicted that local makers would win?"))) == "Forrester"


def test_hearsay_and_hyphenated_words_are_not_a_quote_cue() -> None:
    names = AliasTable()
    q = analyze("Which small state-owned Chinese carmaker was said to be negotiating a stake in Rover?", names)
    assert q.cue is None and q.head == "carmaker"
    assert analyze("What did the minister state about Rover?", names).cue is not None


def test_a_name_links_to_the_entity_called_that_before_one_with_it_as_a_surname() -> None:
    names = AliasTable()
    names.add(("person", "Michael London"))
    names.add(("place", "London"))
    assert [(e.kind, e.label) for e in analyze("Who visited London?", names).entities] == [("place", "London")]
    assert [e.label for e in analyze("What did Michael London say?", names).entities] == ["Michael London"]


# --- the segmented index ----------------------------------------------------------------


class HashSentenceEmbeddings:
    """:class:`retrieval.embedding.SentenceEmbeddings`'s interface over :class:`HashEmbeddings` (no model)."""

    model_name = "hash"
    dimension = 32
    identity = {"backend": "hash"}

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        return np.asarray(HashEmbeddings().embed_documents(texts), dtype=np.float32).reshape(len(texts), 32)


def _articles(n: int, seed: int = 0) -> dict[str, list]:
    from kg import StoredSentence

    rng = np.random.default_rng(seed)
    words = ["iran", "syria", "minister", "defense", "rain", "madrid", "bomb", "idlib", "missile", "talks", "said"]
    out = {}
    for a in range(n):
        out[f"a{a}"] = [StoredSentence(iri=f"http://x/a{a}#s{i}", article_id=f"a{a}", article_iri=f"http://x/a{a}",
                                       index=i, start=0, end=1, text=" ".join(rng.choice(words, size=6)) + f" w{a}",
                                       section="body", headline=f"news {a % 3}", segment=f"http://x/a{a}#p{i // 2}")
                        for i in range(4)]
    return out


def _scores(index, q: str) -> dict[str, tuple[float, ...]]:  # type: ignore[no-untyped-def]
    from retrieval._text import bigrams, bm25_tokens

    vector = np.asarray(HashEmbeddings().embed_query(q), dtype=np.float32)
    columns = [index.bm25_scores(bm25_tokens(q)), index.bm25_scores(bigrams(bm25_tokens(q)), "bm25_bigrams"),
               index.bm25_scores(bm25_tokens(q), "bm25_paragraphs"), index.dense_scores(vector)]
    return {d.id: tuple(round(float(c[r]), 5) for c in columns) for r, d in enumerate(index.docs)}


def test_segments_with_deletes_and_merges_score_exactly_like_one_fresh_index(tmp_path) -> None:
    """Adding article by article, deleting, replacing and merging gives a rebuild's scores, row for row."""
    from retrieval.index import PassageIndex

    emb = HashSentenceEmbeddings()
    articles = _articles(12)
    grown = PassageIndex(tmp_path / "grown", emb)  # type: ignore[arg-type]
    for a, sentences in articles.items():
        grown = grown.with_changes((), sentences, {a: "h"})
    grown = grown.with_changes(["a3", "a7"], [], {})  # deleted
    replaced = _articles(12, seed=1)["a5"]
    grown = grown.with_changes((), replaced, {"a5": "h2"})  # changed: old rows masked, new segment
    assert len(grown.segments) == 13 and set(grown.articles) == set(articles) - {"a3", "a7"}
    fresh_sentences = [s for a, ss in articles.items() if a not in {"a3", "a5", "a7"} for s in ss] + replaced
    fresh = PassageIndex(tmp_path / "fresh", emb).with_changes(  # type: ignore[arg-type]
        (), fresh_sentences, {a: "h2" if a == "a5" else "h" for a in set(articles) - {"a3", "a7"}})
    for q in ["defense minister of syria", "rain in madrid said", "w5 talks", "news 1 missile missile"]:
        assert _scores(grown, q) == _scores(fresh, q)
        merged = grown.merged([s.name for s in grown.segments[:8]])
        assert len(merged.segments) == 6 and _scores(merged, q) == _scores(fresh, q)
    # Saved and loaded, the index is the same; a folder a cut-short write left is removed.
    grown.save()
    (tmp_path / "grown" / "segments" / "seg-left-by-a-crash.tmp").mkdir()
    again = PassageIndex.load(tmp_path / "grown", emb)  # type: ignore[arg-type]
    assert _scores(again, "defense minister") == _scores(grown, "defense minister")
    assert sorted(p.name for p in (tmp_path / "grown" / "segments").iterdir()) == sorted(s.name for s in grown.segments)
    row = again.row_of("http://x/a4#s2")
    assert again.docs[row].id == "http://x/a4#s2" and again.docs[again.neighbour_row(row, -1)].id == "http://x/a4#s1"
    assert again.article_rows("a3") == [] and len(again.article_rows("a5")) == 4


def test_merge_plan_keeps_the_segment_count_logarithmic(tmp_path) -> None:
    from retrieval.index import MERGE_FANOUT, PassageIndex

    index = PassageIndex(tmp_path, HashSentenceEmbeddings())  # type: ignore[arg-type]
    for a, sentences in _articles(64).items():
        index = index.with_changes((), sentences, {a: "h"})
        while plan := index.merge_plan():
            index = index.merged(plan)
    assert len(index) == 256 and len(index.segments) <= MERGE_FANOUT * math.ceil(math.log(256, MERGE_FANOUT))
    index = index.with_changes([f"a{i}" for i in range(0, 64, 2)], [], {})  # half of every segment deleted
    while plan := index.merge_plan():
        index = index.merged(plan)
    assert len(index) == 128 and sum(len(s) for s in index.segments) == 128  # the dead rows are gone


def test_merge_plan_merges_batches_that_straddle_a_size_tier(tmp_path) -> None:
    from retrieval.index import MERGE_FANOUT, PassageIndex

    index = PassageIndex(tmp_path, HashSentenceEmbeddings())  # type: ignore[arg-type]
    articles = list(_articles(40).items())
    sizes = [3, 5, 3, 5, 4, 3, 5, 3, 5, 4]  # a segment per ingest batch, sizes on both sides of 4 = MERGE_FANOUT
    for n in sizes:
        batch, articles = articles[:n], articles[n:]
        index = index.with_changes((), [s for _, ss in batch for s in ss], {a: "h" for a, _ in batch})
        while plan := index.merge_plan():
            index = index.merged(plan)
    assert len(index) == 4 * sum(sizes) and len(index.segments) < MERGE_FANOUT, [len(s) for s in index.segments]


def test_bm25_over_segments_equals_bm25s() -> None:
    import bm25s

    from retrieval._lexical import Postings, bm25

    rng = np.random.default_rng(3)
    docs = [[f"w{x}" for x in rng.integers(0, 40, size=rng.integers(0, 12))] for _ in range(200)]
    reference = bm25s.BM25(k1=0.9, b=0.4)
    reference.index(docs, show_progress=False)
    query = ["w1", "w2", "w2", "w7", "unknown"]
    expected = reference.get_scores([t for t in query if t in reference.vocab_dict])
    parts = [(Postings.build(docs[:70]), None), (Postings.build(docs[70:]), None)]
    assert np.concatenate(bm25(parts, query, k1=0.9, b=0.4)) == pytest.approx(expected, abs=1e-5)
