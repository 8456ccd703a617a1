"""The answerer: a question in; a short answer with numbered cited sentences, or an honest abstention.

One pipeline, a module per stage, each run once per question::

    analyse (retrieval.analyse) -> retrieve (retrieval.retrieve; its ranking ends with the relevance stage,
    retrieval.relevance) -> answer candidates (retrieval.candidates: retrieval.graph_answers and
    retrieval.sentence_answers) -> score (retrieval.answer_scoring) -> compose (retrieval.compose)

A two-part question runs the pipeline per part (:mod:`retrieval.compound`); an
LLM, when configured, rewrites the composed answer from the same citations
(:mod:`retrieval.llm`).
"""

from __future__ import annotations

import copy
import dataclasses
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from kg import Settings

from .analyse import Analysis, analyse
from .answer_scoring import AnswerScorer, feature_values
from .candidates import Candidates, answer_candidates
from .compose import compose
from .compound import combine, split_compound
from .contract import Answer, Citation, citation_from_document
from .followup import Turn, resolve_followup
from .graph_answers import GraphAnswers
from .library import Snapshot
from .relevance import load_relevance
from .reranker import SentenceReranker
from .retrieve import Retrieved, retrieve
from .retriever import Candidate, HybridRetriever
from .scoring import Weights

__all__ = ["Answerer", "Pipeline"]

log = logging.getLogger(__name__)

#: How many more ranked sentences than the answer cites an LLM may read.
_LLM_EXTRA = 5


@dataclass(frozen=True)
class Pipeline:
    """What each stage produced for one question (what ``scripts/train_answer_scorer.py`` learns from)."""

    analysis: Analysis
    retrieved: Retrieved
    candidates: Candidates

    def features(self) -> list[dict[str, float]]:
        """The answer scorer's features of each candidate."""
        return feature_values(self.analysis.question, self.candidates, self.retrieved.ranked)


class Answerer:
    """Answers questions over a :class:`retrieval.Library`; build once, ask many times."""

    def __init__(self, library: Any, settings: Settings | None = None, *, chat_model: Any = None,
                 weights: Weights | None = None, scorer: AnswerScorer | None = None) -> None:
        self.library = library
        self.settings = settings or library.settings
        self._weights = weights
        self._reranker = SentenceReranker.load()
        self._relevance = load_relevance(self.settings.cross_encoder)  # a missing model fails here, clearly
        self._scorer = scorer or AnswerScorer.load()
        snapshot = library.snapshot()
        #: The retriever of the latest snapshot seen, with its generation: one immutable pair, replaced whole.
        self._latest = (snapshot.generation, self._retriever_of(snapshot))
        self._bound: HybridRetriever | None = None  # set only on a request's own view (see _request)
        if chat_model is None and self.settings.llm:
            from .llm import load_chat_model

            chat_model = load_chat_model(self.settings.llm)  # a ConfigError here names KGQA_LLM
        self.chat_model = chat_model

    def _retriever_of(self, snapshot: Snapshot) -> HybridRetriever:
        return HybridRetriever.from_snapshot(snapshot, weights=self._weights, reranker=self._reranker,
                                             relevance=self._relevance)

    @property
    def retriever(self) -> HybridRetriever:
        """The retriever a request reads (its snapshot's), or the latest one outside a request."""
        return self._bound if self._bound is not None else self._request()._bound  # type: ignore[return-value]

    def _request(self) -> Answerer:
        """This answerer bound to the library's current snapshot, for one request: every step of it reads the
        same index, names and facts, however many ingests complete meanwhile. Nothing is locked."""
        snapshot = self.library.snapshot()
        generation, retriever = self._latest
        if generation != snapshot.generation:
            retriever = self._retriever_of(snapshot)
            self._latest = (snapshot.generation, retriever)  # a racing request may build its own: harmless
        view = copy.copy(self)
        view._bound = retriever
        return view

    # --- public -------------------------------------------------------------------

    def resolve(self, question: str, history: Sequence[Turn] = ()) -> str:
        """The question with pronouns that lean on earlier turns spelled out (see :mod:`retrieval.followup`)."""
        return resolve_followup(question, history, self._request().retriever.names)

    def search(self, question: str, k: int = 10) -> list[Citation]:
        """The ``k`` best sentences for a question, as citations numbered from 1."""
        view = self._request()
        analysis = view._analyse(question)
        ranked = retrieve(view.retriever, analysis.question, k=k).ranked
        return [citation_from_document(i + 1, c.doc) for i, c in enumerate(ranked)]

    def ask(self, question: str) -> Answer:
        """The answer contract for one question (see docs/answers.md)."""
        answer, context = self._answer(question)
        if self.chat_model is not None and not answer.abstained:
            from .llm import write_with_llm

            answer = write_with_llm(self.chat_model, question, answer, context)
        return answer

    def stream(self, question: str) -> Iterator[str | Answer]:
        """Text chunks as the answer is written, then the final :class:`Answer`."""
        answer, context = self._answer(question)
        if self.chat_model is None or answer.abstained:
            yield answer.answer
            yield answer
            return
        from .llm import stream_with_llm

        yield from stream_with_llm(self.chat_model, question, answer, context)

    def _answer(self, question: str) -> tuple[Answer, list[Citation]]:
        """The answer without an LLM, and the sentences an LLM may cite; a two-part question part by part."""
        parts = split_compound(" ".join(str(question).split()))
        view = self._request()
        if len(parts) == 1:
            return view._answer_one(question)
        first, first_context = view._answer_one(parts[0])
        second_question = resolve_followup(parts[1], [Turn(parts[0], "" if first.abstained else first.answer)],
                                           view.retriever.names)
        second, second_context = view._answer_one(second_question)
        answer = combine([parts[0], second_question], [first, second])
        cited = {(c.article, c.start) for c in answer.citations}
        extra = [c for c in first_context + second_context if (c.article, c.start) not in cited][:_LLM_EXTRA]
        n = len(answer.citations)
        return answer, answer.citations + [dataclasses.replace(c, n=n + i + 1) for i, c in enumerate(extra)]

    def _answer_one(self, question: str) -> tuple[Answer, list[Citation]]:
        run = self._run(question)
        draft = self._scorer.run(run.analysis.question, run.candidates, run.retrieved.ranked)
        answer = compose(draft, self.retriever.index, self.settings.abstain_below, run.analysis.unknown_name)
        return answer, self._context(run.retrieved.ranked, answer)

    def pipeline(self, question: str) -> Pipeline:
        """The stages up to the answer candidates for one question, on the current snapshot."""
        return self._request()._run(question)

    def _run(self, question: str) -> Pipeline:
        analysis = self._analyse(question)
        retrieved = retrieve(self.retriever, analysis.question)
        return Pipeline(analysis, retrieved, answer_candidates(analysis, retrieved, GraphAnswers(self.retriever)))

    # --- steps ------------------------------------------------------------------------

    def _analyse(self, question: str) -> Analysis:
        return analyse(question, self.retriever.names, self.retriever.index)

    def _context(self, ranked: list[Candidate], answer: Answer) -> list[Citation]:
        """What an LLM may cite: the answer's citations, then the next best sentences."""
        cited = {(c.article, c.start) for c in answer.citations}
        extra = [c for c in ranked if (c.doc.metadata["article"], c.doc.metadata["start"]) not in cited][:_LLM_EXTRA]
        n = len(answer.citations)
        return answer.citations + [citation_from_document(n + i + 1, c.doc) for i, c in enumerate(extra)]
