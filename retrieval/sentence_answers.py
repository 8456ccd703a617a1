"""Answer candidates read from the best sentences: the typed span each holds, or the whole sentence.

For a name, date or number question a sentence gives the span of that kind
nearest the question's words (:func:`retrieval._spans.extract_answer`); for
why/how/what-was-said the sentence (or its quoted words) is the answer.
"""

from __future__ import annotations

from collections.abc import Sequence, Set

from ._spans import extract_answer, span_confidence
from .compose import sentence_query
from .draft import Draft
from .question import Question
from .retriever import Candidate

__all__ = ["sentence_drafts", "rules_choice", "SPAN_SENTENCES", "RULE_SENTENCES"]

#: How many of the best sentences give candidates (the sentence with the answer is in the top 5 for most dev
#: questions it is found for at all; more adds distractors).
SPAN_SENTENCES = 5
#: How many the hand-written choice (:func:`rules_choice`) looked at before the learned scorer.
RULE_SENTENCES = 3
#: A typed span at least this sure (hand-set measure) ended the hand-written choice's search.
_SURE = 0.6
#: How much surer a lower sentence's span had to be to win over rank order without the cross-encoder.
_FAR_SURER = 0.15


def sentence_drafts(q: Question, ranked: Sequence[Candidate], vetoed: Set[str]) -> list[Draft]:
    """One draft per sentence of the best :data:`SPAN_SENTENCES` that yields an answer, in rank order."""
    out = []
    for c in ranked[:SPAN_SENTENCES]:
        text, typed = extract_answer(q, c, set(vetoed))
        if text is None:
            continue
        generator = "sentence" if text == c.doc.page_content else "span"
        out.append(Draft(text, (c.sentence,), span_confidence(q, c, typed), (), sentence_query(c.sentence),
                         generator, typed=typed))
    return out


def rules_choice(drafts: Sequence[Draft], ranked: Sequence[Candidate]) -> int | None:
    """Which of ``drafts`` (from :func:`sentence_drafts`) the hand-written rules chose: rank order, unless a
    lower sentence has the asked-for type and this one not, or is far surer by the hand-set measure (that
    last only when the cross-encoder has not read them). The learned scorer reads it as a feature."""
    cross_read = {c.sentence for c in ranked if c.cross is not None}
    order = [c.sentence for c in ranked[:RULE_SENTENCES]]
    best: int | None = None
    for n, d in enumerate(drafts):
        if d.sentences[0] not in order:
            break
        if best is None:
            best = n
        else:
            b = drafts[best]
            surer = d.sentences[0] not in cross_read and d.prior > b.prior + _FAR_SURER
            if (d.typed and not b.typed) or (d.typed == b.typed and surer):
                best = n
        if drafts[best].prior >= _SURE and drafts[best].typed:
            break
    return best
