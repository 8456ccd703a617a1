"""The relevance stage: the cross-encoder's reading of the best sentences, combined with what ranking measured.

The hybrid retriever orders sentences by what it can count (BM25, cosine,
question words and entities present, graph facts) and the learned sentence
re-ranker (:mod:`retrieval.reranker`) turns those counts into a probability.
Both miss what a reader sees at once: whether the sentence *answers* the
question. The cross-encoder (:mod:`retrieval.cross_encoder`) reads question
and sentence together; this stage scores the re-ranker's best ``depth``
sentences with it and combines the two with one logistic model,
:data:`FEATURES` below, trained by ``scripts/train_relevance.py`` on the dev
splits only. Its weights live in ``relevance.json`` beside this module, with
the cross-validated figures they were chosen by.

The result is each sentence's ``relevance``: the probability that it holds
the answer, which orders the candidates and feeds the answer scorer.

>>> model = RelevanceModel.load()
>>> len(model.coefficients) == len(FEATURES) and model.depth > 0
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .cross_encoder import CrossEncoder, passage_text
from .reranker import logistic_weights

if TYPE_CHECKING:
    from .retriever import Candidate

__all__ = ["RelevanceModel", "RelevanceStage", "FEATURES", "RELEVANCE_PATH", "feature_rows", "load_relevance"]

RELEVANCE_PATH = Path(__file__).with_name("relevance.json")

FEATURES = (
    "reranker",  # the sentence re-ranker's log-odds (clipped to +-10, scaled by 1/10)
    "reranker_rank",  # 1 / place in the re-ranker's order
    "cross",  # the cross-encoder's logit, scaled by 1/10
    "cross_gap",  # that logit minus the best of the head, clipped to [-10, 0], scaled by 1/10
    "cross_rank",  # 1 / place in the cross-encoder's order of the head
)


def _log_odds(p: float | None) -> float:
    p = min(max(p if p is not None else 0.5, 1e-5), 1 - 1e-5)
    return max(-10.0, min(10.0, math.log(p / (1 - p)))) / 10.0


def feature_rows(head: Sequence[Candidate], cross: Sequence[float]) -> list[list[float]]:
    """The :data:`FEATURES` of each candidate of ``head`` (in the re-ranker's order) given its cross-encoder logit."""
    if not head:
        return []
    best = max(cross)
    order = sorted(range(len(cross)), key=lambda i: (-cross[i], i))
    place = {i: n for n, i in enumerate(order, 1)}
    return [[_log_odds(c.relevance), 1.0 / n, x / 10.0, max(-10.0, min(0.0, x - best)) / 10.0, 1.0 / place[n - 1]]
            for n, (c, x) in enumerate(zip(head, cross), 1)]


@dataclass(frozen=True)
class RelevanceModel:
    """Logistic weights over :data:`FEATURES` and how many of the best sentences the cross-encoder reads."""

    coefficients: tuple[float, ...]
    intercept: float
    depth: int = 10

    @classmethod
    def load(cls, path: Path = RELEVANCE_PATH) -> RelevanceModel:
        coefficients, intercept, depth = logistic_weights(path, FEATURES, "scripts/train_relevance.py")
        return cls(coefficients, intercept, depth)

    def probabilities(self, head: Sequence[Candidate], cross: Sequence[float]) -> list[float]:
        return [_logistic(self.intercept + sum(w * x for w, x in zip(self.coefficients, row)))
                for row in feature_rows(head, cross)]


@dataclass(frozen=True)
class RelevanceStage:
    """The cross-encoder and the combining model; immutable, shared by every request of a process."""

    encoder: CrossEncoder
    model: RelevanceModel

    @property
    def depth(self) -> int:
        return self.model.depth

    def cross_scores(self, question: str, head: Sequence[Candidate]) -> list[float]:
        """The cross-encoder's logit for each candidate, read as headline then sentence."""
        passages = [passage_text(c.doc.metadata.get("headline"), c.doc.page_content) for c in head]
        return self.encoder.score(question, passages)

    def run(self, question: str, head: list[Candidate]) -> list[Candidate]:
        """``head`` (the re-ranker's best, in its order) re-ordered by relevance; each candidate's ``relevance``
        and ``cross`` set."""
        if not head:
            return head
        cross = self.cross_scores(question, head)
        for c, x, p in zip(head, cross, self.model.probabilities(head, cross)):
            c.cross, c.relevance = x, p
        return sorted(head, key=lambda c: (-c.date, -(c.relevance or 0.0), c.row))


def load_relevance(setting: str) -> RelevanceStage | None:
    """The stage ``KGQA_CROSS_ENCODER`` asks for: ``off`` gives ``None``; ``on`` the shipped model; else a folder.

    A model that is asked for and missing is a :class:`kg.ConfigError` that says how to install it.
    """
    value = setting.strip()
    if value.lower() == "off":
        return None
    folder = None if value.lower() == "on" else Path(value)
    return RelevanceStage(CrossEncoder.load(folder), RelevanceModel.load())


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
