"""The answer contract shared by the CLI, the Python API and the HTTP API.

>>> c = Citation(n=1, sentence="It rained.", article="http://x/id/article/a", headline="Rain", section="body",
...              start=0, end=10, url=None, commenter=None)
>>> Answer(answer="rain", abstained=False, confidence=0.9, citations=[c]).to_json()["citations"][0]["n"]
1
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from langchain_core.documents import Document

from kg.loading import web_url

__all__ = ["Answer", "Citation", "FactRef", "citation_from_document", "certainty", "NO_ANSWER"]

#: What an abstention says.
NO_ANSWER = "The articles don't say."
#: Confidence from which an answer is stated plainly; under it the reader is told how sure it is. The
#: confidence is the answer scorer's probability that the answer is right, calibrated on the dev questions
#: (``scripts/train_answer_scorer.py`` prints its reliability table), so "about N in 10" is a measured rate.
PLAINLY_SURE = 0.8
#: Under this, the reader is told to check the cited sentence before relying on the answer.
FAIRLY_SURE = 0.55


def certainty(confidence: float) -> str | None:
    """How sure an answer is, in words a reader understands; ``None`` when it is sure enough to state plainly.

    >>> certainty(0.9) is None
    True
    >>> certainty(0.62)
    'Fairly sure: about 6 in 10 answers given this confidently are right.'
    >>> certainty(0.41)
    'Not sure: only about 4 in 10 answers given this confidently are right. Check the cited sentence.'
    """
    if confidence >= PLAINLY_SURE:
        return None
    in_ten = max(1, round(confidence * 10))
    if confidence >= FAIRLY_SURE:
        return f"Fairly sure: about {in_ten} in 10 answers given this confidently are right."
    return f"Not sure: only about {in_ten} in 10 answers given this confidently are right. Check the cited sentence."


@dataclass(frozen=True)
class Citation:
    """One cited sentence; ``sentence`` equals the article text at ``[start, end)``."""

    n: int
    sentence: str
    article: str
    headline: str
    section: str
    start: int
    end: int
    url: str | None
    commenter: str | None
    date: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("date")
        return out

    @property
    def label(self) -> str:
        """How the sentence is presented: a reader's comment is never passed off as the article."""
        if self.section == "comment":
            return f"comment by {self.commenter or 'an anonymous reader'}"
        return self.headline or self.article


@dataclass(frozen=True)
class FactRef:
    """A graph fact the answer used; ``sentence`` is the ``n`` of the citation it came from."""

    subject: str
    predicate: str
    object: str
    sentence: int


@dataclass
class Answer:
    answer: str
    abstained: bool
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    facts: list[FactRef] = field(default_factory=list)
    sparql: str | None = None

    @property
    def certainty(self) -> str | None:
        """How sure the answer is, in words (see :func:`certainty`); ``None`` for a plain or withheld answer."""
        return None if self.abstained else certainty(self.confidence)

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer, "abstained": self.abstained, "confidence": round(float(self.confidence), 4),
            "certainty": self.certainty,
            "citations": [c.to_json() for c in self.citations], "facts": [asdict(f) for f in self.facts],
            "sparql": self.sparql,
        }

    def format(self) -> str:
        """A readable answer with numbered footnotes."""
        lines = [self.answer if not self.abstained else f"{self.answer} (confidence {self.confidence:.2f})"]
        if self.certainty:
            lines.append(self.certainty)
        if self.citations:
            lines.append("")
        for c in self.citations:
            where = f"{c.label}" + (f", {c.date}" if c.date else "")
            lines.append(f"[{c.n}] “{c.sentence}” — {where} ({c.article}#char={c.start},{c.end})")
        return "\n".join(lines)


def citation_from_document(n: int, doc: Document) -> Citation:
    """Number a passage document as a citation."""
    m = doc.metadata
    return Citation(
        n=n, sentence=doc.page_content, article=m["article"], headline=m.get("headline") or "",
        section=m["section"], start=int(m["start"]), end=int(m["end"]), url=web_url(m.get("url")),
        commenter=m.get("commenter") if m["section"] == "comment" else None, date=m.get("date"),
    )
