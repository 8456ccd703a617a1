"""``kgqa eval``: answer accuracy, evidence hits, abstention and latency on a QA file.

Each line of the file is ``{"question", "answers": [...], "evidence": [...]}``
(both lists empty: the articles do not answer it), optionally ``"match": "all"``
(every answer must appear, for list questions) and ``"kind"`` (reported per kind).
An answer is right when, normalised as SQuAD does, it contains one gold answer
(all of them for ``"match": "all"``); a cited sentence is a hit when it contains
one evidence string.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg import InputError

from ._text import normalize_answer
from .contract import Answer

__all__ = ["QAItem", "QAScores", "load_qa", "evaluate_qa", "is_correct"]


@dataclass(frozen=True)
class QAItem:
    question: str
    answers: list[str]
    evidence: list[str]
    match: str = "any"
    kind: str = ""

    @property
    def answerable(self) -> bool:
        return bool(self.answers or self.evidence)


def load_qa(path: Path) -> list[QAItem]:
    """Read a QA file; :class:`kg.InputError` names the first bad line."""
    items = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the QA file: {exc}", source=str(path)) from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            item = QAItem(str(row["question"]), [str(a) for a in row.get("answers", [])],
                          [str(e) for e in row.get("evidence", [])], row.get("match", "any"), row.get("kind", ""))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"line {n} is not a QA record ({exc})", source=str(path)) from None
        if item.match not in {"any", "all"}:
            raise InputError(f"line {n}: match must be 'any' or 'all'", source=str(path))
        items.append(item)
    if not items:
        raise InputError("the QA file has no questions", source=str(path))
    return items


def is_correct(item: QAItem, answer: Answer) -> bool:
    """Whether the answer is right (an abstention is right exactly when the question is unanswerable)."""
    if not item.answers:
        return answer.abstained
    if answer.abstained:
        return False
    got = normalize_answer(answer.answer)
    golds = [normalize_answer(a) for a in item.answers]
    return all(g in got for g in golds) if item.match == "all" else any(g in got for g in golds)


def _evidence_rank(item: QAItem, sentences: list[str]) -> int | None:
    for rank, sentence in enumerate(sentences[:10], 1):
        if any(e in sentence for e in item.evidence):
            return rank
    return None


@dataclass
class QAScores:
    n: int = 0
    correct: int = 0
    answerable: int = 0
    hit1: int = 0
    hit3: int = 0
    mrr: float = 0.0
    unanswerable: int = 0
    abstained_right: int = 0
    abstained_wrong: int = 0  # abstained on an answerable question
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    misses: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        lat = sorted(self.latencies)
        return {
            "questions": self.n,
            "answer_accuracy": round(self.correct / self.n, 4) if self.n else 0.0,
            "evidence_hit@1": round(self.hit1 / self.answerable, 4) if self.answerable else 0.0,
            "evidence_hit@3": round(self.hit3 / self.answerable, 4) if self.answerable else 0.0,
            "evidence_mrr@10": round(self.mrr / self.answerable, 4) if self.answerable else 0.0,
            "abstention_accuracy": round(
                (self.abstained_right + (self.answerable - self.abstained_wrong)) / self.n, 4) if self.n else 0.0,
            "unanswerable_abstained": f"{self.abstained_right}/{self.unanswerable}",
            "answerable_abstained": self.abstained_wrong,
            "latency_ms_p50": round(1000 * statistics.median(lat), 1) if lat else 0.0,
            "latency_ms_p95": round(1000 * lat[min(len(lat) - 1, int(0.95 * len(lat)))], 1) if lat else 0.0,
            "by_kind": {k: f"{v[0]}/{v[1]}" for k, v in sorted(self.by_kind.items())},
        }

    def format(self, details: bool = False) -> str:
        j = self.to_json()
        lines = [f"{k}: {v}" for k, v in j.items() if k != "by_kind"]
        lines.append("by kind: " + ", ".join(f"{k} {v}" for k, v in j["by_kind"].items()))
        if details:
            lines += [f"  miss: {m['question']} -> {m['answer']!r} (gold {m['gold']})" for m in self.misses]
        return "\n".join(lines)


def evaluate_qa(path: Path, answerer: Any) -> QAScores:
    """Ask every question of the file (one warm-up first) and score the answers."""
    items = load_qa(path)
    scores = QAScores()
    answerer.ask(items[0].question)  # the first call loads lazily built caches; latency is for warm calls
    for item in items:
        started = time.perf_counter()
        answer = answerer.ask(item.question)
        scores.latencies.append(time.perf_counter() - started)
        scores.n += 1
        right = is_correct(item, answer)
        scores.correct += right
        kind = scores.by_kind[item.kind or "-"]
        kind[0] += right
        kind[1] += 1
        if not right:
            scores.misses.append({"question": item.question, "answer": answer.answer, "gold": item.answers})
        if item.answerable:
            scores.answerable += 1
            scores.abstained_wrong += answer.abstained
            cited = [c.sentence for c in answer.citations]
            # Evidence is judged on what the answer cites, then on the ranked search list behind it.
            ranked = cited + [c.sentence for c in answerer.search(item.question, k=10) if c.sentence not in cited]
            rank = _evidence_rank(item, ranked)
            scores.hit1 += rank == 1
            scores.hit3 += rank is not None and rank <= 3
            scores.mrr += 1.0 / rank if rank else 0.0
        else:
            scores.unanswerable += 1
            scores.abstained_right += answer.abstained
    return scores
