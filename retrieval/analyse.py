"""The analyse stage: a question's text becomes a :class:`~retrieval.question.Question`, and kgqa learns
whether it names something no stored sentence mentions (then it can only be answered by a guess)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from kg import AliasTable

from ._text import bm25_tokens, tokens
from .index import PassageIndex
from .question import MONTH_NAMES, Question, analyze

__all__ = ["Analysis", "analyse", "unknown_name", "MAX_QUESTION_CHARS"]

#: Longest question accepted; a longer one is a clear error, not a slow search.
MAX_QUESTION_CHARS = 2000

_NAME = re.compile(r"\b[A-Z][\w’'-]*\w")  # a whole capitalised word, digits included (Carrow81)
_NAME_RUN = re.compile(r"\b[A-Z][\w’'-]*\w(?:\s+(?:[A-Z][\w’'-]*\w|[A-Z]\b\.?))*")  # "Thomas J Irwin"


@dataclass(frozen=True)
class Analysis:
    """The analysed question, and the first name in it no article mentions (``None`` when all are known)."""

    question: Question
    unknown: str | None

    @property
    def unknown_name(self) -> str | None:
        """The whole name around :attr:`unknown` as the question writes it ("Thomas J Irwin" for "Irwin")."""
        if not self.unknown:
            return None
        for m in _NAME_RUN.finditer(self.question.text):
            if self.unknown in m.group(0).split():
                return m.group(0)
        return self.unknown


def analyse(text: str, names: AliasTable, index: PassageIndex) -> Analysis:
    """Analyse ``text``; a :class:`ValueError` when it is empty or too long."""
    text = " ".join(str(text).split())
    if not text:
        raise ValueError("the question is empty")
    if len(text) > MAX_QUESTION_CHARS:
        raise ValueError(f"the question is {len(text)} characters long; the limit is {MAX_QUESTION_CHARS}")
    q = analyze(text, names)
    return Analysis(q, unknown_name(q, index))


def unknown_name(q: Question, index: PassageIndex) -> str | None:
    """A capitalised word in the question (not its first) that no stored sentence contains, even misspelt.

    "What is the capital of Australia?" over articles that never mention
    Australia can only be answered by a guess, so kgqa abstains.
    """
    linked = {w.lower() for e in q.entities for w in tokens(e.text)}  # the alias table knows these
    names = [(m.group(0), bm25_tokens(re.sub(r"['’]s$", "", m.group(0)))) for m in _NAME.finditer(q.text)
             if m.start() and m.group(0).lower() not in linked and m.group(0).lower() not in MONTH_NAMES]
    stored = index.stored_words(w for _, words in names for w in words)  # one look for all (a remote store's call)
    for name, words in names:
        for word in words:
            if word in stored or (len(word) >= 5 and _near(word, index.vocabulary(word[:3]))):
                continue
            return name
    return None


def _near(word: str, vocabulary: Iterable[str]) -> bool:
    """A corpus word spelt almost the same (``strait``/``straight``): same start, similar letters."""
    head = word[:3]
    return any(w.startswith(head) and abs(len(w) - len(word)) <= 2
               and difflib.SequenceMatcher(None, w, word).ratio() >= 0.8 for w in vocabulary)
