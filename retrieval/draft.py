"""A candidate answer before it is scored and numbered (what every candidate generator returns)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Draft", "FactTuple"]

#: (subject, predicate, object, IRI of the sentence the fact was read from)
FactTuple = tuple[str, str, str, str]


@dataclass(frozen=True)
class Draft:
    """One candidate answer: its text, the sentences it rests on and the graph facts it used.

    ``prior`` is the generator's own hand-set confidence; the learned answer scorer
    (:mod:`retrieval.answer_scoring`) reads it among its features and gives the answer's ``confidence``.
    """

    text: str
    sentences: tuple[str, ...]
    prior: float
    facts: tuple[FactTuple, ...] = ()
    sparql: str | None = None
    generator: str = "span"  # which generator made it (see retrieval.candidates.GENERATORS)
    about_comment: bool = False  # the answer is about a comment (its writer, their number), not a claim in one
    typed: bool = False  # an extracted span of the kind the question asks for
    confidence: float | None = None  # set by the answer scorer

    def __post_init__(self) -> None:
        object.__setattr__(self, "sentences", tuple(self.sentences))
        object.__setattr__(self, "facts", tuple(self.facts))

    @property
    def refusal(self) -> bool:
        """A generator's "the articles do not say" (it knows where the answer would be, and it is not there)."""
        return not self.sentences
