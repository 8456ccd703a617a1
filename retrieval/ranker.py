"""Answer candidates from the best sentences, their features, and the learned scorer that picks one.

One pipeline for every extractive question shape: the top sentences give
candidates (typed spans: people, organisations, places, groups, dates, numbers
with what they count; the whole sentence for why/how/what-did-X-say), each
candidate gets the same features, and one logistic model, trained on the dev
split by ``scripts/train_answer_scorer.py``, turns them into the probability
that the candidate is right. That probability is the answer's confidence.

The model is a small JSON file beside this module (``answer_scorer.json``):
feature names, coefficients, intercept, and how it was trained.

Measured, and not what answers today: trained on the BBC dev split, the seed
dev set and the dev half of SQuAD (each weighted alike, the rules' own pick one
of its features), it scored BBC dev strict accuracy 0.277 against 0.311 for the
hand-written rules of :mod:`retrieval.answer` at the time (they have improved
since), and the seed dev set 0.930 against 0.972. So :class:`retrieval.Answerer` keeps the rules; this module's
:func:`quantities` (whole amounts: ``£2,450``, ``14 million``) is what they use,
and the trainer reproduces the comparison.

>>> scorer = AnswerScorer.load()
>>> 0.0 <= scorer.probability({name: 0.0 for name in FEATURES}) <= 1.0
True
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path

from ._text import anchor, normalize_answer, tokens
from .question import Question
from .retriever import Candidate

__all__ = ["quantities", "DATE_PHRASE", "Span", "AnswerScorer", "FEATURES", "CALIBRATION", "candidates", "features", "calibration_values",
           "SCORER_PATH"]

SCORER_PATH = Path(__file__).with_name("answer_scorer.json")

#: Kinds of span each expected answer type is looking for.
_WANTS: dict[str, frozenset[str]] = {
    "person": frozenset({"person"}),
    "organization": frozenset({"organization", "group"}),
    "place": frozenset({"place"}),
    "date": frozenset({"date"}),
    "number": frozenset({"number"}),
    "duration": frozenset({"number", "date"}),
}
#: Question types whose answer is a statement, not a name: the sentence (or the quoted words) is the answer.
_SENTENCE_TYPES = frozenset({"reason", "manner", "quote", "any", "definition", "post"})
_PLACE_PHRASE = re.compile(
    r"\b(?:in|at|near|from)\s+(?:the\s+)?([A-Z][\w-]+(?:\s+[A-Z][\w-]+){0,3})")

FEATURES = (
    "bias_sentence_rank",  # 1 / rank of the sentence the span is in
    "score_gap",  # the sentence's score minus the best sentence's, clipped to [-5, 0] and scaled to [-1, 0]
    "coverage",  # share of the question's words (or synonyms) in the sentence
    "dense",  # cosine of question and sentence
    "entity",  # share of the question's entities the sentence mentions
    "type_exact",  # the span is of the kind the question asks for
    "type_none",  # the question asks for a kind and the span is not of it
    "is_sentence",  # the span is the whole sentence
    "wants_sentence",  # the question asks why/how/what was said: a statement
    "sentence_for_name",  # a whole sentence offered where a name or number is asked for
    "near",  # 1 - distance of the span from where the question's words are in the sentence (share of length)
    "agreement",  # share of the other top sentences that contain the same span
    "short",  # 1 for a one-word span, falling with its length
    "graph",  # the span is a post holder or speaker the graph links to the question's words
    "date_constraint",  # the sentence holds the date the question restricts itself to
    # Interactions a linear model cannot form itself:
    "sentence_wanted",  # is_sentence and wants_sentence
    "typed_near",  # type_exact and near
    "typed_rank",  # type_exact and bias_sentence_rank
    "typed_agreement",  # type_exact and agreement
    "typed_coverage",  # type_exact and coverage
    "specific",  # a date with its day and month, a number with what it counts: more of the answer
    "missing",  # share of the question's words the sentence matches not even by a synonym
    "rule_pick",  # the span is what the hand-written extraction rules pick from this sentence
    "typed_rule",  # type_exact and rule_pick
)
#: Question-level features of the calibration model, which turns the best candidate's score into the
#: probability that the answer is right.
CALIBRATION = ("best", "margin", "share", "coverage", "missing")


@dataclass(frozen=True)
class Span:
    """One candidate answer: its text, kind, the sentence it came from and its features."""

    text: str
    kind: str
    sentence: str  # IRI
    rank: int
    values: dict[str, float] = field(default_factory=dict)
    entity: str | None = None  # the entity IRI of a mention span


def _near(text: str, start: int, anchor: int) -> float:
    return 1.0 - min(1.0, abs(start - anchor) / max(len(text), 1))


_DAY_MONTH = re.compile(r"\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+|[A-Z][a-z]{2,}\.?\s+\d{1,2}\b")


def _specificity(span: str, kind: str) -> float:
    """How complete a date or number span is: ``17 October 2000`` over ``2000``, ``14 million cables`` over ``14``."""
    if kind == "date" or (kind == "number" and _DAY_MONTH.search(span)):
        return (0.5 if _DAY_MONTH.search(span) else 0.0) + (0.5 if re.search(r"\b\d{4}\b", span) else 0.0)
    if kind == "number":
        return min(1.0, len(span.split()) / 3)
    return 0.0


#: An amount as news writes it: currency, digits with thousands separators, a scale word or a percent.
_QUANTITY = re.compile(
    r"(?:(?:US|A|C)?[£$€¥]\s?)?(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:st|nd|rd|th)?"
    r"|(?:(?:US|A|C)?[£$€¥]\s?)?(?<![\w.,])\d+(?:\.\d+)?(?:st|nd|rd|th)?"
)
_SCALE = re.compile(r"\s?(?:%|per\s?cent\b|(?:m|bn|k|tn)\b|\s(?:million|billion|trillion|thousand|hundred)\b)", re.I)
_SCORE = re.compile(r"\b\d{1,3}-\d{1,3}\b")
_WORD_NUMBER = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundreds?|thousands?|millions?|dozens?|a decade|decades)(?:\s(?:million|billion|thousand|hundred))?\b", re.I)
_MONTHS = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
           r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?")
DATE_PHRASE = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}(?:\s+(?:1[89]|20)\d\d)?\b"
                   rf"|\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?:1[89]|20)\d\d)?\b"
                   rf"|\b{_MONTHS}\s+(?:1[89]|20)\d\d\b|\b(?:1[5-9]|20)\d\ds?\b")


def quantities(text: str) -> list[tuple[str, int]]:
    """Every amount in ``text`` (``£2,450``, ``14 million``, ``37.6%``, ``5-2``, ``eight``) with its offset."""
    out: list[tuple[str, int]] = []
    covered: set[int] = set()
    for pattern in (_SCORE, _QUANTITY, _WORD_NUMBER):
        for hit in pattern.finditer(text):
            if hit.start() in covered:
                continue
            end = hit.end()
            scale = _SCALE.match(text, end)
            if scale and pattern is not _SCORE:
                end = scale.end()
            covered.update(range(hit.start(), end))
            out.append((text[hit.start():end], hit.start()))
    return out


def _spans_of(q: Question, c: Candidate) -> list[tuple[str, str, int, str | None]]:
    """(text, kind, offset in the sentence, entity) of every span of ``c`` the question does not already name."""
    text = c.doc.page_content
    start0 = c.doc.metadata["start"]
    asked = set(q.tokens) | {t for e in q.entities for t in tokens(e.text) + tokens(e.label)}

    def new(span: str) -> bool:
        words = set(tokens(span))
        return bool(words) and not words <= asked

    out = [(m.text, m.kind, m.start - start0, m.entity) for m in c.mentions if new(m.text)]
    for amount, offset in quantities(text):
        if not new(amount) or DATE_PHRASE.fullmatch(amount):
            continue
        out.append((amount, "number", offset, None))
        # With what it counts ("50,000 staff", "14 million power cables"): an answer a reader can use alone.
        counted = re.match(r"(?:\s+(?:of\s+)?[a-z][\w-]*){1,2}", text[offset + len(amount):])
        if counted:
            out.append((amount + counted.group(0), "number", offset, None))
    for hit in DATE_PHRASE.finditer(text):
        if new(hit.group(0)):
            out.append((hit.group(0), "date", hit.start(), None))
    if q.expected == "place":
        for hit in _PLACE_PHRASE.finditer(text):
            if new(hit.group(1)):
                out.append((hit.group(1), "place", hit.start(1), None))
    out.append((text, "sentence", 0, None))
    return out


def candidates(q: Question, ranked: Sequence[Candidate], graph_names: Set[str] = frozenset(),
               k: int = 5, rule_picks: Mapping[str, tuple[str, bool]] | None = None) -> list[Span]:
    """The candidate answers in the ``k`` best sentences, each with its :data:`FEATURES`.

    ``rule_picks`` maps a sentence IRI to the span the rules of :mod:`retrieval.answer` extract from it and
    whether it is of the asked-for type; the pick is a candidate too, and being it is one more feature, so the
    model learns how far to trust the rules.
    """
    rule_picks = rule_picks or {}
    top = list(ranked[:k])
    if not top:
        return []
    best = top[0].score
    lowered = [c.doc.page_content.lower() for c in top]
    wants = _WANTS.get(q.expected)
    out: list[Span] = []
    seen: set[tuple[str, str, str]] = set()
    for rank, c in enumerate(top, 1):
        text = c.doc.page_content
        middle = anchor(q.words, text)
        spans = _spans_of(q, c)
        rule = rule_picks.get(c.sentence)
        if rule is not None and rule[0] != text:
            kind = next(iter(sorted(wants))) if wants and rule[1] else "phrase"
            spans.append((rule[0], kind, max(text.find(rule[0]), 0), None))
        for span, kind, offset, entity in spans:
            key = (normalize_answer(span), c.sentence, kind)
            if key in seen or not key[0]:
                continue
            seen.add(key)
            is_sentence = kind == "sentence"
            exact = bool(wants and kind in wants)
            n_words = len(span.split())
            others = sum(1 for i, low in enumerate(lowered) if i != rank - 1 and span.lower() in low)
            values = {
                "bias_sentence_rank": 1.0 / rank,
                "score_gap": max(-5.0, min(0.0, c.score - best)) / 5.0,
                "coverage": c.coverage,
                "dense": c.dense,
                "entity": c.entity if q.entities else 1.0,
                "type_exact": 1.0 if exact else 0.0,
                "type_none": 1.0 if wants and not exact and not is_sentence else 0.0,
                "is_sentence": 1.0 if is_sentence else 0.0,
                "wants_sentence": 1.0 if q.expected in _SENTENCE_TYPES else 0.0,
                "sentence_for_name": 1.0 if is_sentence and wants else 0.0,
                "near": 1.0 if is_sentence else _near(text, offset, middle),
                "agreement": others / max(len(top) - 1, 1),
                "short": 1.0 / n_words if not is_sentence else 0.0,
                "graph": 1.0 if normalize_answer(span) in graph_names else 0.0,
                "date_constraint": c.date,
            }
            values["sentence_wanted"] = values["is_sentence"] * values["wants_sentence"]
            values["typed_near"] = values["type_exact"] * values["near"]
            values["typed_rank"] = values["type_exact"] * values["bias_sentence_rank"]
            values["typed_agreement"] = values["type_exact"] * values["agreement"]
            values["typed_coverage"] = values["type_exact"] * values["coverage"]
            values["specific"] = _specificity(span, kind)
            values["missing"] = len(c.missing) / max(len(q.words), 1)
            values["rule_pick"] = 1.0 if rule is not None and normalize_answer(rule[0]) == key[0] else 0.0
            values["typed_rule"] = values["type_exact"] * values["rule_pick"]
            out.append(Span(span, kind, c.sentence, rank, values, entity))
    return out


def features(span: Span) -> list[float]:
    return [span.values[name] for name in FEATURES]


def calibration_values(scored: Sequence[tuple[Span, float]]) -> dict[str, float]:
    """What the calibration model reads: the best candidate's probability, its lead, its share, its sentence's coverage."""
    ordered = sorted((p for _, p in scored), reverse=True)
    best = ordered[0] if ordered else 0.0
    second = ordered[1] if len(ordered) > 1 else 0.0
    top = max(scored, key=lambda x: x[1])[0] if scored else None
    return {"best": best, "margin": best - second, "share": best / (sum(ordered) or 1.0),
            "coverage": top.values["coverage"] if top else 0.0, "missing": top.values["missing"] if top else 1.0}


@dataclass(frozen=True)
class AnswerScorer:
    """Two logistic models: one scores each candidate, one calibrates the best into P(answer right).

    Immutable, so every request may share it.
    """

    coefficients: tuple[float, ...]
    intercept: float
    calibration: tuple[float, ...] = (0.0,) * len(CALIBRATION)
    calibration_intercept: float = 0.0

    @classmethod
    def untrained(cls) -> AnswerScorer:
        """All weights zero (every candidate 0.5): what the training script extracts candidates with."""
        return cls(tuple(0.0 for _ in FEATURES), 0.0)

    @classmethod
    def load(cls, path: Path = SCORER_PATH) -> AnswerScorer:
        data = json.loads(path.read_text(encoding="utf-8"))
        weights, calibration = data["coefficients"], data["calibration"]["coefficients"]
        missing = [n for n in FEATURES if n not in weights] + [n for n in CALIBRATION if n not in calibration]
        if missing:
            raise ValueError(f"{path} has no weight for {', '.join(missing)}: retrain with "
                             "scripts/train_answer_scorer.py")
        return cls(tuple(float(weights[n]) for n in FEATURES), float(data["intercept"]),
                   tuple(float(calibration[n]) for n in CALIBRATION), float(data["calibration"]["intercept"]))

    def probability(self, values: dict[str, float]) -> float:
        """How likely one candidate is to be right, judged alone."""
        return _logistic(self.intercept + sum(w * values[n] for w, n in zip(self.coefficients, FEATURES)))

    def confidence(self, scored: Sequence[tuple[Span, float]]) -> float:
        """The calibrated probability that the best of ``scored`` is the right answer."""
        values = calibration_values(scored)
        return _logistic(self.calibration_intercept + sum(w * values[n] for w, n in zip(self.calibration, CALIBRATION)))

    def best(self, spans: Sequence[Span]) -> tuple[Span, float] | None:
        """The best candidate and the calibrated probability that it is right."""
        scored = [(s, self.probability(s.values)) for s in spans]
        if not scored:
            return None
        top = max(scored, key=lambda x: (x[1], -x[0].rank))[0]
        return top, self.confidence(scored)


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
