"""The retrieve stage: graph evidence of the question's linked entities, and the sentences ranked for it.

Ranking is :meth:`retrieval.retriever.HybridRetriever.rank`: BM25, dense
cosine and the graph's fact sentences fused, the learned sentence re-ranker,
then the relevance stage (:mod:`retrieval.relevance`, the cross-encoder) over
the re-ranker's best.
"""

from __future__ import annotations

from dataclasses import dataclass

from .question import Question
from .retriever import Candidate, GraphEvidence, HybridRetriever

__all__ = ["Retrieved", "retrieve", "ANSWER_POOL"]

#: How many ranked sentences an answer reads (candidates come from the best few; an LLM's context from more).
ANSWER_POOL = 20


@dataclass(frozen=True)
class Retrieved:
    """What the retrieve stage found for one question."""

    evidence: GraphEvidence
    ranked: list[Candidate]


def retrieve(retriever: HybridRetriever, q: Question, k: int = ANSWER_POOL) -> Retrieved:
    """The graph evidence of ``q``'s entities and its ``k`` best sentences, best first."""
    evidence = retriever.graph_evidence(q)
    return Retrieved(evidence, retriever.rank(q, evidence, k=k))
