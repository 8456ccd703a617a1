"""Two questions in one: "How many Grammys did Ray Charles win, and who played him on screen?".

An analyst often asks two things at once, and the two answers may sit in two
articles. Each part is answered on its own (the second with its pronouns
resolved against the first, as a follow-up would be), and the answers are
joined with their citations renumbered. Pure functions of text and answers.

>>> split_compound("How many Grammys did Ray Charles win, and who played him on screen?")
['How many Grammys did Ray Charles win?', 'Who played him on screen?']
>>> split_compound("Who founded and who now runs the firm?")
['Who founded and who now runs the firm?']
>>> split_compound("Which two parties spent more than Labour?")
['Which two parties spent more than Labour?']
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from .contract import NO_ANSWER, Answer

__all__ = ["split_compound", "combine"]

_WH = r"(?:who|whom|whose|what|which|when|where|why|how)\b"
# ", and who ..." / "; and which ...": a comma or semicolon, then "and", then a new wh-question.
_JOINT = re.compile(rf"\s*[,;]\s*and\s+(?={_WH})", re.I)
_MIN_WORDS = 3  # words each part needs to be a question of its own


def split_compound(text: str) -> list[str]:
    """The parts of a question that asks two things (each ending in ``?``), or the question itself."""
    parts = _JOINT.split(text.strip(), maxsplit=1)
    if len(parts) != 2 or not re.match(rf"(?i:.*\b{_WH})", parts[0]):
        return [text]
    first, second = (p.strip(" ?") for p in parts)
    if min(len(first.split()), len(second.split())) < _MIN_WORDS:
        return [text]
    return [first + "?", second[0].upper() + second[1:] + "?"]


def combine(parts: Sequence[str], answers: Sequence[Answer]) -> Answer:
    """One answer from the answers to each part: texts joined, citations renumbered, the lower confidence.

    A part the articles do not answer is said so by name, so the reader sees which half is missing.
    """
    given = [a for a in answers if not a.abstained]
    if not given:
        return Answer(answer=NO_ANSWER, abstained=True, confidence=min(a.confidence for a in answers))
    texts, citations, facts, queries = [], [], [], []
    for part, answer in zip(parts, answers):
        if answer.abstained:
            texts.append(f"not in the articles: {part[0].lower() + part[1:]}")
            continue
        offset = len(citations)
        citations += [dataclasses.replace(c, n=c.n + offset) for c in answer.citations]
        facts += [dataclasses.replace(f, sentence=f.sentence + offset) for f in answer.facts]
        texts.append(answer.answer)
        if answer.sparql:
            queries.append(answer.sparql)
    return Answer(answer="; ".join(texts), abstained=False, confidence=min(a.confidence for a in answers),
                  citations=citations, facts=facts, sparql=queries[0] if queries else None)
