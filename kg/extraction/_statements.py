"""Attributed statements: who said what, pronoun speakers resolved to the person quoted before.

Cues: "according to X"; a reporting verb ("said", "added", "warned", "specified"
...) with its subject, before or after the quote; a sentence that opens a
quote right after an attributed one continues it. A reader's comment is the
commenter's statement, whatever it says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING


from ._lexicon import REPORTING_VERBS, is_role_noun
from ._types import Quote

if TYPE_CHECKING:  # spaCy is imported when a pipeline loads, not with kg
    from spacy.tokens import Doc, Token

__all__ = ["QuoteFinder"]

Key = tuple[str, str]
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i"})
_OPEN_QUOTES = ("“", '"', "‘", "'")
_SPEAKER_ORDER = ("person", "organization", "place", "group")


def _speaker_in(tokens: list[Token], ents: dict[int, Key], head: Token) -> Key | None:
    """The entity a noun phrase names: its head's entity, else the last person in it."""
    people = [ents[t.i] for t in tokens if ents.get(t.i, ("",))[0] == "person"]
    if head.i in ents and not people:
        return ents[head.i]
    return people[-1] if people else None


def _depth(t: Token) -> int:
    return sum(1 for _ in t.ancestors)


class QuoteFinder:
    """Walks an article's sentences in order, remembering the last speaker for pronouns."""

    def __init__(self) -> None:
        self.last: Quote | None = None
        self.last_person: Key | None = None

    def comment(self, text: str, commenter: str | None, si: int) -> Quote:
        quote = Quote(("person", commenter) if commenter else None, commenter or "a reader", text, si, "comment")
        return quote

    def sentence(self, doc: Doc, ents: dict[int, Key], si: int) -> Quote | None:
        quote = self._according_to(doc, ents, si) or self._reporting_verb(doc, ents, si) \
            or self._continuation(doc, si)
        for t in doc:
            if ents.get(t.i, ("",))[0] == "person":
                self.last_person = ents[t.i]
        if quote is not None:
            self.last = quote
        return quote

    def _according_to(self, doc: Doc, ents: dict[int, Key], si: int) -> Quote | None:
        for t in doc:
            if t.lower_ == "according" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "to":
                to = doc[t.i + 1]
                objects = [c for c in to.children if c.dep_ == "pobj"]
                if not objects:
                    continue
                pobj = objects[0]
                # The parse of a long speaker phrase is often wrong; the words after "to" are not.
                window = [x for x in doc[to.i + 1 :] if x.i <= max(pobj.right_edge.i, pobj.i)] or [pobj]
                tail = doc[to.i + 1 :]
                cut = next((x.i for x in tail if x.text in {",", ";"} and x.i > pobj.i), len(doc))
                window = [x for x in tail if x.i < cut]
                speaker = _speaker_in(window, ents, pobj) or next(
                    (ents[x.i] for x in window if x.i in ents and ents[x.i][0] != "group"), None)
                said = doc[: t.i].text.rstrip(" ,;") if t.i > 2 else doc[cut:].text.strip(" ,;.")
                name = doc[window[0].i : window[-1].i + 1].text.rstrip(" .")
                return Quote(speaker, name, said, si, "according to")
        return None

    def _reporting_verb(self, doc: Doc, ents: dict[int, Key], si: int) -> Quote | None:
        verbs = [t for t in doc if t.lemma_ in REPORTING_VERBS and t.pos_ in {"VERB", "AUX"}]
        for verb in sorted(verbs, key=_depth):
            subject = self._subject(verb)
            if subject is None:
                continue
            content = [c for c in verb.children if c.dep_ in {"ccomp", "xcomp", "dobj", "prep"}
                       and c.dep_ != "xcomp"]
            quoted = any(ch in doc.text for ch in ("“", '"'))
            if not content and not quoted:
                continue
            said = " ".join(doc[c.left_edge.i : c.right_edge.i + 1].text for c in content) or doc.text
            if subject.lower_ in _PRONOUNS:
                speaker = self._pronoun(subject.lower_)
                return Quote(speaker, subject.text, said, si, verb.lemma_)
            tokens = list(subject.subtree)
            named = subject.pos_ == "PROPN" or is_role_noun(subject.text)
            speaker = ents.get(subject.i) or (_speaker_in(tokens, ents, subject) if named else None)
            name = doc[tokens[0].i : tokens[-1].i + 1].text
            return Quote(speaker, name, said, si, verb.lemma_)
        return None

    @staticmethod
    def _subject(verb: Token) -> Token | None:
        for t in (verb, verb.head):
            for c in t.children:
                if c.dep_ in {"nsubj"}:
                    return c
            if verb.dep_ not in {"xcomp", "conj"}:
                break
        return None

    def _pronoun(self, pronoun: str) -> Key | None:
        last = self.last.speaker if self.last else None
        if pronoun in {"he", "she"}:
            if last and last[0] == "person":
                return last
            return self.last_person
        return last

    def _continuation(self, doc: Doc, si: int) -> Quote | None:
        last = self.last
        if last is None or last.sentence != si - 1 or not doc.text.lstrip().startswith(_OPEN_QUOTES):
            return None
        return Quote(last.speaker, last.speaker_text, doc.text, si, "continuation")
