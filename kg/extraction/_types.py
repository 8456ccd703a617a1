"""What extraction finds in one article: plain data, offsets into ``Article.text``."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "ENTITY_KINDS", "RESOLUTIONS", "Entity", "Mention", "Acronym", "Post", "Quote", "Relation", "DateMention", "Extraction",
]

#: Entity kinds kgqa extracts (``date`` mentions are kept apart in :class:`DateMention`).
ENTITY_KINDS = ("person", "organization", "place", "group")


@dataclass
class Entity:
    """An entity resolved within an article; ``key`` is ``(kind, label)``, which also fixes its IRI."""

    kind: str
    label: str
    aliases: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.label)


@dataclass(frozen=True)
class Mention:
    """``text[start:end]`` names ``entity`` in sentence ``sentence`` (its index).

    ``resolution`` says why a name that is not the entity's own label names it (one of
    :data:`RESOLUTIONS`); it is empty when the text is the label itself.
    """

    start: int
    end: int
    text: str
    entity: tuple[str, str]
    sentence: int
    resolution: str = ""


#: Why a mention names an entity whose label it is not: the reason recorded as ``kgqa:resolution``.
RESOLUTIONS = {
    "same-article": "a short form of a fuller name the same article uses (\"Mr Blair\" after \"Tony Blair\")",
    "acronym": "an acronym the article defines (\"IRGC\" after \"Islamic Revolutionary Guard Corps (IRGC)\")",
    "known-alias": "a name or alias an earlier article gave exactly one entity",
    "dominant-bearer": "a bare surname no full form in its article completes, given to the bearer most articles name",
    "variant": "a spelling or form of the label (country short names, demonyms, a longer organisation name)",
}


@dataclass(frozen=True)
class Acronym:
    short: str
    long: str
    entity: tuple[str, str] | None  # the entity the long form names, if any
    sentence: int


@dataclass(frozen=True)
class Post:
    """``holder`` holds ``title`` in ``org`` (an organisation or country), with a rank where given."""

    holder: tuple[str, str]
    title: str
    org: tuple[str, str] | None
    rank: str | None
    sentence: int
    source: str  # "premodifier", "apposition" or "copula": which rule found it


@dataclass(frozen=True)
class Quote:
    """``speaker`` said ``text`` (what sentence ``sentence`` attributes to them)."""

    speaker: tuple[str, str] | None  # an entity, when the speaker is one
    speaker_text: str  # how the sentence names the speaker ("He", "Islamic Republic officials")
    text: str
    sentence: int
    cue: str  # reporting verb lemma, "according to", "continuation" or "comment"


@dataclass(frozen=True)
class Relation:
    subject: tuple[str, str]
    predicate: str  # words, e.g. "depend on"
    object: tuple[str, str]
    sentence: int
    negated: bool = False


@dataclass(frozen=True)
class DateMention:
    """A date or time expression; ``value`` is ISO (``2018-08-30``, ``2018-08``, ``2011``) when resolved."""

    start: int
    end: int
    text: str
    value: str | None
    sentence: int


@dataclass
class Extraction:
    """Everything found in one article."""

    entities: dict[tuple[str, str], Entity] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)
    acronyms: list[Acronym] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)

    def sentence_dates(self) -> dict[int, str]:
        """The first resolved date each sentence gives."""
        out: dict[int, str] = {}
        for d in self.dates:
            if d.value and d.sentence not in out:
                out[d.sentence] = d.value
        return out
