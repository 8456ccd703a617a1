"""The learned sentence re-ranker: which of the fused top sentences holds the answer.

The hybrid retriever (:mod:`retrieval.retriever`) fuses BM25, dense and graph
scores with hand-set weights. Its best sentence is often the article's lead,
which restates the question's words but not the answer; the sentence that
answers is usually a few places down, in the same article, and holds something
of the asked-for type. This module turns what the retriever already measured
about each of its top sentences, plus what the other top sentences say about
its article, into one probability: that the sentence contains the answer.

The weights are a logistic regression trained by
``scripts/train_sentence_reranker.py`` on the dev splits only (BBC analyst
questions, the seed dev set and half of SQuAD dev, each split by article);
they live beside this module in ``sentence_reranker.json`` with how they were
trained and their cross-validated figures.

>>> reranker = SentenceReranker.load()
>>> len(reranker.coefficients) == len(FEATURES)
True
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ._text import content_tokens

if TYPE_CHECKING:
    from .question import Question
    from .retriever import Candidate

__all__ = ["SentenceReranker", "FEATURES", "RERANKER_PATH", "feature_rows", "logistic_weights"]

RERANKER_PATH = Path(__file__).with_name("sentence_reranker.json")

_SHORT = 6  # content words below which a line is a headline or a caption rather than a statement
_ARTICLE_TOP = 10  # how many of the best sentences vote for their article

FEATURES = (
    "fused",  # the fused score minus the best one's, clipped to [-10, 0] and scaled to [-1, 0]
    "fused_rank",  # 1 / place in the fused order
    "dense",  # cosine of question and "headline. sentence"
    "bm25",  # sentence BM25 relative to the best
    "coverage",  # IDF-weighted share of the question's words (or synonyms) in the sentence
    "entity",  # share of the question's entities the sentence mentions
    "type_yes",  # holds something of the asked-for type that the question does not name
    "type_no",  # the question asks for a type and the sentence holds none
    "fact",  # a graph fact about the question's entities comes from this sentence
    "date",  # holds the date the question restricts itself to
    "top_article",  # in the same article as the best fused sentence
    "article_votes",  # share of the best sentences that are from its article
    "article_best",  # the best fused score of its article minus the best overall, scaled as ``fused``
    "lead",  # 1 / (1 + its place in the article): leads and headlines restate, later lines detail
    "short",  # fewer than six content words
    "typed_coverage",  # type_yes and coverage
    "typed_article",  # type_yes and top_article
    "entity_coverage",  # entity and coverage
    "context_coverage",  # what the sentence before adds to its coverage ("He said ..." after the named line)
    "context_entity",  # what the sentence before adds to its share of the question's entities
)


def _clip(value: float) -> float:
    return max(-10.0, min(0.0, value)) / 10.0


def feature_rows(question: Question, ranked: Sequence[Candidate]) -> list[list[float]]:
    """The :data:`FEATURES` of each candidate, in the fused order given."""
    if not ranked:
        return []
    best = ranked[0].score
    top_article = ranked[0].doc.metadata["article_id"]
    votes: dict[str, int] = defaultdict(int)
    for c in ranked[:_ARTICLE_TOP]:
        votes[c.doc.metadata["article_id"]] += 1
    article_best: dict[str, float] = {}
    for c in ranked:
        article_best.setdefault(c.doc.metadata["article_id"], c.score)
    voters = min(len(ranked), _ARTICLE_TOP)
    rows = []
    for place, c in enumerate(ranked, 1):
        article = c.doc.metadata["article_id"]
        type_yes = 1.0 if c.answer_type > 0 else 0.0
        same = 1.0 if article == top_article else 0.0
        rows.append([
            _clip(c.score - best), 1.0 / place, c.dense, c.bm25, c.coverage, c.entity if question.entities else 1.0,
            type_yes, 1.0 if c.answer_type < 0 else 0.0, c.fact, c.date, same, votes[article] / voters,
            _clip(article_best[article] - best), 1.0 / (1 + int(c.doc.metadata.get("index", 0))),
            1.0 if len(content_tokens(c.doc.page_content)) < _SHORT else 0.0,
            type_yes * c.coverage, type_yes * same, (c.entity if question.entities else 1.0) * c.coverage,
            c.context_coverage, c.context_entity,
        ])
    return rows


@dataclass(frozen=True)
class SentenceReranker:
    """Logistic weights over :data:`FEATURES`; immutable, so every request may share one."""

    coefficients: tuple[float, ...]
    intercept: float
    depth: int = 30  # how many of the fused best sentences it re-orders

    @classmethod
    def load(cls, path: Path = RERANKER_PATH) -> SentenceReranker:
        coefficients, intercept, depth = logistic_weights(path, FEATURES, "scripts/train_sentence_reranker.py")
        return cls(coefficients, intercept, depth)

    def probabilities(self, question: Question, ranked: Sequence[Candidate]) -> list[float]:
        """For each candidate, the probability that it holds the answer."""
        return [_logistic(self.intercept + sum(w * x for w, x in zip(self.coefficients, row)))
                for row in feature_rows(question, ranked)]


def logistic_weights(path: Path, features: Sequence[str], script: str) -> tuple[tuple[float, ...], float, int]:
    """Coefficients (in the order of ``features``), intercept and depth of a trained JSON file;
    :class:`ValueError` naming the script to rerun when a feature has no weight."""
    data = json.loads(path.read_text(encoding="utf-8"))
    weights = data["coefficients"]
    missing = [n for n in features if n not in weights]
    if missing:
        raise ValueError(f"{path} has no weight for {', '.join(missing)}: retrain with {script}")
    return tuple(float(weights[n]) for n in features), float(data["intercept"]), int(data.get("depth", 0))


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
