"""Plain data passed between loading, segmentation, sentence splitting and RDF."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Article", "Segment", "Sentence", "SECTION_KINDS", "ANSWERABLE_KINDS"]

#: Every section kind a segment can have, in reading order.
SECTION_KINDS = ("headline", "caption", "byline", "body", "comment", "boilerplate")
#: Kinds whose text becomes ``nif:Sentence`` nodes; boilerplate never does.
ANSWERABLE_KINDS = frozenset({"headline", "caption", "byline", "body", "comment"})


@dataclass(frozen=True)
class Article:
    """One article as loaded; ``text`` is what offsets point into."""

    id: str
    text: str
    headline: str | None = None
    url: str | None = None
    author: str | None = None
    published: str | None = None
    publisher: str | None = None
    category: str | None = None
    format: str = "txt"
    source: str | None = None  # file (and line) it came from, for messages only
    comments: tuple[tuple[str | None, str], ...] = field(default=())


@dataclass(frozen=True)
class Segment:
    """A run of the article text with one role; ``[start, end)`` into ``Article.text``."""

    kind: str
    start: int
    end: int
    commenter: str | None = None
    comment_no: int | None = None


@dataclass(frozen=True)
class Sentence:
    """A sentence: ``article.text[start:end] == text``."""

    index: int
    start: int
    end: int
    text: str
    kind: str
    commenter: str | None = None
    comment_no: int | None = None
