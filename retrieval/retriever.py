"""The hybrid retriever: dense + BM25 + graph candidates, fused and re-ranked.

It is a LangChain ``BaseRetriever``, so it drops into a user's own chain::

    retriever = HybridRetriever.from_library(library, k=5)
    docs = retriever.invoke("Who is Iran's defence minister?")
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from kg import AliasTable, Mention
from kg.extraction import normalize_date

from ._milvus import MilvusPassages
from ._text import bm25_tokens, content_tokens, stems, tokens
from .graph_facts import GraphFacts, Post, Quotation
from .index import PassageIndex
from .library import Snapshot
from .question import Question, analyze
from .relevance import RelevanceStage
from .reranker import SentenceReranker
from .scoring import Weights, coverage, fuse, has_date, has_number, idf_weights
from .vectors import top_k

__all__ = ["HybridRetriever", "Candidate", "GraphEvidence"]

log = logging.getLogger(__name__)

_POOL = 60  # candidates re-ranked per question
_MISSING_LISTED = 6  # of which this many get the question words they lack listed
_DATE_POOL = 400  # how deep a question with a date looks for sentences holding that date
_EVENT_WORDS = 6  # content words a dated sentence needs to tell of something that happened
_CONTEXT = 30  # the best sentences whose previous line is read for the re-ranker (its depth)


@dataclass
class Candidate:
    row: int
    doc: Document
    score: float
    dense: float
    bm25: float
    entity: float = 0.0
    answer_type: float = 0.0
    fact: float = 0.0
    coverage: float = 0.0
    date: float = 0.0  # 1 when a date in the sentence is the one the question restricts itself to
    relevance: float | None = None  # the probability that the sentence holds the answer (re-ranker, relevance)
    cross: float | None = None  # the cross-encoder's logit, for the sentences the relevance stage read
    # What the sentence before it adds: "He said ..." answers a question whose words are in the line before.
    context_coverage: float = 0.0  # coverage of the two sentences together, minus this one's
    context_entity: float = 0.0  # likewise for the share of the question's entities
    missing: list[str] = field(default_factory=list)  # question words the sentence lacks (the best few only)
    mentions: list[Mention] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        return self.doc.metadata["sentence"]


@dataclass
class GraphEvidence:
    """Graph facts about the question's entities, and the sentences they came from."""

    posts: list[Post] = field(default_factory=list)
    quotes: list[Quotation] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)

    def sentences(self) -> set[str]:
        return {p.sentence for p in self.posts} | {q.sentence for q in self.quotes}


class _Reading:
    """What one :meth:`HybridRetriever.rank` call reads of the sentences it scores, each worked out once.

    Made per call and dropped with it: the retriever is shared by concurrent requests, so it keeps no
    caches of its own (the tokens and stems under these are memoised in :mod:`retrieval._text`). A remote
    collection hands over the documents it read to score its candidates (:meth:`know`), so they are not
    read again.
    """

    def __init__(self, index: PassageIndex | MilvusPassages) -> None:
        self._docs = index.docs
        self._known: dict[int, Document] = {}
        self._rows: dict[str, int] = {}
        self._words: dict[int, tuple[frozenset[str], list[str]]] = {}
        self._mentions: dict[int, list[Mention]] = {}

    def know(self, documents: Mapping[int, Document]) -> None:
        self._known.update(documents)
        self._rows.update((d.id, r) for r, d in documents.items())

    def doc(self, row: int) -> Document:
        found = self._known.get(row)
        return found if found is not None else self._docs[row]

    def row_of(self, sentence: str, index: PassageIndex | MilvusPassages) -> int | None:
        found = self._rows.get(sentence)
        return found if found is not None else index.row_of(sentence)

    def words(self, row: int) -> tuple[frozenset[str], list[str]]:
        """A sentence's word stems and its content words."""
        found = self._words.get(row)
        if found is None:
            text = self.doc(row).page_content
            found = self._words[row] = (frozenset(stems(tokens(text))), list(dict.fromkeys(content_tokens(text))))
        return found

    def mentions(self, row: int) -> list[Mention]:
        found = self._mentions.get(row)
        if found is None:
            found = self._mentions[row] = [Mention(**m) for m in self.doc(row).metadata.get("mentions", ())]
        return found


class HybridRetriever(BaseRetriever):
    """Ranks stored sentences for a question; ``invoke`` returns LangChain documents with scores in metadata.

    Shared by concurrent requests, so it holds only what it reads (index, graph facts, names, weights):
    whatever one question works out lives in that question's ``rank`` call.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: PassageIndex | MilvusPassages
    facts: GraphFacts
    names: AliasTable
    entity_iri: Any  # (kind, label) -> IRI
    k: int = 10
    weights: Weights = Weights()
    reranker: SentenceReranker | None = None  # the learned last step; None: the fused order
    relevance: RelevanceStage | None = None  # the cross-encoder over the re-ranker's best; None: not used

    @classmethod
    def from_library(cls, library: Any, k: int = 10, weights: Weights | None = None,
                     reranker: SentenceReranker | None | bool = True,
                     relevance: RelevanceStage | None = None) -> HybridRetriever:
        """A retriever over ``library``'s current snapshot; ``reranker=True`` loads the trained one, ``None``
        keeps the fused order. It keeps reading that snapshot: build another after the articles change."""
        return cls.from_snapshot(library.snapshot(), k=k, weights=weights, reranker=reranker, relevance=relevance)

    @classmethod
    def from_snapshot(cls, snapshot: Snapshot, k: int = 10, weights: Weights | None = None,
                      reranker: SentenceReranker | None | bool = True,
                      relevance: RelevanceStage | None = None) -> HybridRetriever:
        """A retriever over one :class:`retrieval.library.Snapshot` (its index, names and graph)."""
        iris = snapshot.graph.iris
        return cls(index=snapshot.index, facts=GraphFacts(snapshot.graph), names=snapshot.names,
                   entity_iri=lambda kind, label: iris.entity(kind, label), k=k, weights=weights or Weights(),
                   reranker=SentenceReranker.load() if reranker is True else (reranker or None),
                   relevance=relevance)

    # --- LangChain --------------------------------------------------------------

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        question = analyze(query, self.names)
        out = []
        for c in self.rank(question, self.graph_evidence(question), k=self.k):
            doc = Document(id=c.doc.id, page_content=c.doc.page_content,
                           metadata={**c.doc.metadata, "score": round(c.score, 4)})
            out.append(doc)
        return out

    # --- the pieces -------------------------------------------------------------

    def focus_iris(self, question: Question) -> list[str]:
        return [self.entity_iri(e.kind, e.label) for e in question.entities]

    def graph_evidence(self, question: Question) -> GraphEvidence:
        """Posts and quotations of the question's entities (the graph candidates)."""
        evidence = GraphEvidence()
        focus = self.focus_iris(question)
        if not focus:
            return evidence
        posts = self.facts.posts_of(focus)
        evidence.posts = list(posts)
        if posts.query:
            evidence.queries.append(posts.query)
        people = [self.entity_iri(e.kind, e.label) for e in question.entities if e.kind == "person"]
        if people:
            quotes = self.facts.quotes_by(people)
            evidence.quotes = list(quotes)
            if quotes.query:
                evidence.queries.append(quotes.query)
        return evidence

    def rank(self, question: Question, evidence: GraphEvidence | None = None, k: int = 10,
             pool: int = _POOL, vector: np.ndarray | None = None) -> list[Candidate]:
        """The ``k`` best sentences with their features, best first (``vector``: the question's, if already
        embedded, by ``encode_queries``: a question's vector may differ from a passage's of the same text)."""
        if not len(self.index):
            return []
        index = self.index
        reading = _Reading(index)
        if vector is None:
            vector = index.embeddings.encode_queries([question.text])[0]
        # The date is matched against the sentences' dates (below), not as words: "2018" is in many sentences.
        words = bm25_tokens(question.text.replace(question.date_text, " ") if question.date_text else question.text)
        fact_sentences = evidence.sentences() if evidence else set()
        # The candidates and their measures: every row of the embedded index, a Milvus collection's hybrid search.
        first = index.first_stage(vector, words, also=fact_sentences)
        reading.know(first.read)
        dense, lexical = first.dense, first.bm25
        base = fuse(self.weights, lexical, dense, first.paragraphs, first.bigrams)
        if question.section:
            base = base - 100.0 * (first.sections != question.section)
        at = list(top_k(base, pool))  # positions among the candidates
        if question.date:  # "in August 2018": sentences with that date count even if the words differ
            at += [int(p) for p in top_k(base, _DATE_POOL)[pool:]
                   if date_matches(question.date, reading.mentions(first.row(int(p))))]
        for sentence in fact_sentences:
            row = reading.row_of(sentence, index)
            p = None if row is None else first.position(row)
            if p is not None and p not in at:
                at.append(p)
        focus = self.focus_iris(question)
        focus_words = [set(stems(tokens(e.text))) for e in question.entities]
        qwords = stems(question.words)
        idf = _idf(first.document_frequency or index.document_frequency, first.documents or len(index),
                   question.words)
        top_lexical = float(lexical.max()) if lexical.size else 0.0
        out = []
        for p in at:
            r = first.row(p)
            doc = reading.doc(r)
            mentions = reading.mentions(r)
            c = Candidate(r, doc, 0.0, float(dense[p]), float(lexical[p] / top_lexical) if top_lexical else 0.0,
                          mentions=mentions)
            present, _ = reading.words(r)
            if question.entities:
                # A comment's writer is who the comment is by, though it never names them.
                writer = set(stems(tokens(doc.metadata.get("commenter") or "")))
                c.entity = _entity_share(focus, focus_words, mentions, present, writer)
            c.answer_type = _type_score(question, c, set(focus))
            c.fact = 1.0 if c.sentence in fact_sentences else 0.0
            c.coverage = coverage(qwords, present, idf)
            if question.date and date_matches(question.date, mentions):
                # A line that is little more than its date ("Source: ISIS, Aug. 30, 2018.") tells of no event.
                c.date = 1.0 if len(content_tokens(doc.page_content)) >= _EVENT_WORDS else 0.5
            c.score = self._score(float(base[p]), c)
            out.append(c)
        # A date in the question is a constraint, not a preference: sentences holding it come first.
        out.sort(key=lambda c: (-c.date, -c.score, c.row))
        # The question words the few best do not have: the answer scorer's "missing" feature. (Synonyms by word
        # vectors once counted here too; they moved ReQA MRR@10 by 0.001 and BBC dev not at all, for a model
        # call per distinct word of the corpus at ingest, so they were dropped.)
        for c in out[:_MISSING_LISTED]:
            present = reading.words(c.row)[0]
            c.missing = [w for w, s in zip(question.words, qwords) if s not in present]
        before = index.neighbours([c.row for c in out[:_CONTEXT]], -1)
        reading.know(dict(before.values()))
        for c in out[:_CONTEXT]:
            if c.row in before:
                self._with_context(question, c, before[c.row][0], qwords, idf, focus, focus_words, reading)
        if self.reranker is not None and out:
            head, rest = out[: self.reranker.depth], out[self.reranker.depth:]
            for c, p in zip(head, self.reranker.probabilities(question, head)):
                c.relevance = p
            head.sort(key=lambda c: (-c.date, -(c.relevance or 0.0), c.row))
            out = head + rest
        if self.relevance is not None and out:
            depth = self.relevance.depth
            out = self.relevance.run(question.text, out[:depth]) + out[depth:]
        return out[:k]

    def _with_context(self, question: Question, c: Candidate, before: int, qwords: list[str], idf: dict[str, float],
                      focus: list[str], focus_words: list[set[str]], reading: _Reading) -> None:
        """Set what the previous sentence (row ``before``) adds to ``c``'s coverage and entities, if it is in the
        same section."""
        if reading.doc(before).metadata.get("section") != c.doc.metadata.get("section"):
            return
        present = reading.words(c.row)[0] | reading.words(before)[0]
        if qwords:
            c.context_coverage = max(0.0, coverage(qwords, present, idf) - c.coverage)
        if question.entities:
            mentions = c.mentions + reading.mentions(before)
            c.context_entity = max(0.0, _entity_share(focus, focus_words, mentions, present) - c.entity)

    def _score(self, base: float, c: Candidate) -> float:
        w = self.weights
        typed = c.answer_type >= 0  # -1: the question wants a type this sentence does not have
        return float(base + w.entity * c.entity - (0.0 if typed else w.answer_type) + w.fact * c.fact * c.coverage
                     + w.coverage * c.coverage)

def _entity_share(focus: list[str], focus_words: list[set[str]], mentions: list[Mention], present: frozenset[str],
                  writer: set[str] | frozenset[str] = frozenset()) -> float:
    """Share of the question's entities that ``mentions`` name or whose words are all ``present`` (or are the
    comment's ``writer``)."""
    hits = sum(1 for iri, ws in zip(focus, focus_words)
               if any(m.entity == iri for m in mentions) or (ws and (ws <= present or ws <= writer)))
    return hits / len(focus)


def _date_parts(value: str) -> tuple[str | None, str | None, str | None]:
    """Year, month and day of ``2018``, ``2018-08``, ``2018-08-29`` or ``--08-29`` (a day without its year)."""
    if value.startswith("--"):
        return None, value[2:4], value[5:7]
    parts = value.split("-")
    return parts[0], parts[1] if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None


def date_matches(wanted: str, mentions: list[Mention]) -> bool:
    """Whether a date mention falls in ``wanted`` (``2018``, ``2018-08``, ``2018-08-29`` or ``--08-29``).

    A mention with no year (``Aug. 29`` in an undated article) matches on its month and day.

    >>> date_matches("2018-08", [Mention(0, 7, "Aug. 29", "date", None, None)])
    True
    >>> date_matches("2018-08", [Mention(0, 7, "Aug. 29", "date", None, "2017-08-29")])
    False
    >>> date_matches("2015", [Mention(0, 15, "the end of 2015", "date", None, "2015")])
    True
    """
    year, month, day = _date_parts(wanted)
    for m in mentions:
        if m.kind != "date":
            continue
        value = m.date
        if not value:
            in_2000 = normalize_date(m.text + ", 2000", None)  # month and day of a date written without its year
            value = "--" + in_2000[5:] if in_2000 and len(in_2000) == 10 else None
        if not value:
            continue
        y, mo, d = _date_parts(value)
        if (year and y and year != y) or (month and mo != month) or (day and d != day) or (year and not month and y != year):
            continue
        return True
    return False


def _idf(document_frequency: Callable[[str], int], n: int, words: list[str]) -> dict[str, float]:
    """IDF of the question's words (keyed by Snowball stem) from the sentence BM25's document frequencies."""
    freq = {}
    for word in words:
        found = bm25_tokens(word)
        freq[stems([word])[0]] = document_frequency(found[0]) if found else 0
    return idf_weights(list(freq), freq, max(n, 1))


def _type_score(question: Question, c: Candidate, focus: set[str]) -> float:
    """1 when the sentence holds something of the expected answer type that the question does not name; -1 when
    the question wants a type and the sentence has none; 0 for questions without a type."""
    expected = question.expected
    text = c.doc.page_content
    asked = set(question.tokens)
    new = [m for m in c.mentions if m.entity not in focus and not set(tokens(m.text)) <= asked]
    kinds = {"person": {"person", "organization", "group"}, "organization": {"organization", "group", "person", "place"},
             "place": {"place", "organization"}, "date": {"date"}}.get(expected)
    if kinds is not None:
        if any(m.kind in kinds for m in new):
            return 1.0
        if expected == "date" and has_date(text):
            return 1.0
        return -1.0
    if expected in {"number", "duration"}:
        return 1.0 if has_number(text) or has_date(text) else -1.0
    return 0.0
