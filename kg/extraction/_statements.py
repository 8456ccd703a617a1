"""Attributed statements: who said what, pronoun and description speakers resolved to whom they mean.

Cues: "according to X"; a reporting verb ("said", "added", "warned", "specified"
...) with its subject, before or after the quote; a sentence that opens a
quote right after an attributed one continues it. A reader's comment is the
commenter's statement, whatever it says.

A speaker the sentence only describes is resolved within the article: "he"/"she"
to the person quoted (or named) last; "it" and "the firm", "the company", "the
organisation" to the organisation quoted (or named) last; "the prime minister",
"the campaign's director", "the Oscar winner" to the holder of that post earlier
in the article, else the person named last.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING


from ._lexicon import DEMONYMS, REPORTING_VERBS, is_role_noun
from ._types import Post, Quote

if TYPE_CHECKING:  # spaCy is imported when a pipeline loads, not with kg
    from spacy.tokens import Doc, Token

__all__ = ["QuoteFinder"]

Key = tuple[str, str]
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i"})
_OPEN_QUOTES = ("“", '"', "‘", "'")
_SPEAKER_ORDER = ("person", "organization", "place", "group")
#: Heads of a description that means an organisation named before ("the firm said").
_ORG_NOUNS = frozenset("""company firm group organisation organization bank club government agency party union
body board airline carmaker retailer network broadcaster team side association council ministry department
commission authority regulator watchdog charity business corporation maker manufacturer giant operator""".split())
#: Heads of a description that means a person named before ("the Oscar winner said"), besides role nouns.
_PERSON_NOUNS = frozenset("""winner champion holder star player singer actor actress director man woman veteran
striker midfielder defender keeper captain coach manager boss""".split())
_DEMONYM_NOUNS = frozenset(word.lower() for word in DEMONYMS)


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
        self.last_org: Key | None = None

    def comment(self, text: str, commenter: str | None, si: int) -> Quote:
        quote = Quote(("person", commenter) if commenter else None, commenter or "a reader", text, si, "comment")
        return quote

    def sentence(self, doc: Doc, ents: dict[int, Key], si: int, posts: Sequence[Post] = ()) -> Quote | None:
        """The statement sentence ``si`` attributes, if any; ``posts``: the article's posts found so far."""
        quote = self._according_to(doc, ents, si) or self._reporting_verb(doc, ents, si, posts) \
            or self._continuation(doc, si)
        for t in doc:
            kind = ents.get(t.i, ("",))[0]
            if kind == "person":
                self.last_person = ents[t.i]
            elif kind == "organization":
                self.last_org = ents[t.i]
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

    def _reporting_verb(self, doc: Doc, ents: dict[int, Key], si: int, posts: Sequence[Post]) -> Quote | None:
        verbs = [t for t in doc if t.lemma_ in REPORTING_VERBS and t.pos_ in {"VERB", "AUX"}]
        text = doc.text  # once: Doc.text is rebuilt from the tokens on every access
        quoted = any(ch in text for ch in ("“", '"'))
        for verb in sorted(verbs, key=_depth):
            subject = self._subject(verb)
            if subject is None:
                continue
            content = [c for c in verb.children if c.dep_ in {"ccomp", "xcomp", "dobj", "prep"}
                       and c.dep_ != "xcomp"]
            if not content and not quoted:
                continue
            said = " ".join(doc[c.left_edge.i : c.right_edge.i + 1].text for c in content) or text
            if subject.lower_ in _PRONOUNS:
                speaker = self._pronoun(subject.lower_)
                return Quote(speaker, subject.text, said, si, verb.lemma_)
            tokens = list(subject.subtree)
            named = subject.pos_ == "PROPN" or is_role_noun(subject.text)
            speaker = ents.get(subject.i) or (_speaker_in(tokens, ents, subject) if named else None)
            if speaker is None and not any(t.i in ents for t in tokens):
                speaker = self._described(subject, posts)
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
        if pronoun == "it":
            return last if last and last[0] == "organization" else self.last_org
        return last

    def _described(self, subject: Token, posts: Sequence[Post]) -> Key | None:
        """Whom "the firm", "the prime minister" or "the American" means, from earlier in the article."""
        if not any(c.dep_ in {"det", "poss"} for c in subject.children) and not subject.is_sent_start:
            return None  # "analysts said": people in general, not someone named before
        head = subject.lemma_.lower()
        if head in _ORG_NOUNS:
            last = self.last.speaker if self.last else None
            return last if last and last[0] == "organization" else self.last_org
        if is_role_noun(head) or head in _PERSON_NOUNS or subject.lower_ in _DEMONYM_NOUNS:
            title = " ".join(t.lower_ for t in subject.subtree if t.dep_ in {"compound", "amod"} or t == subject)
            holders = [p.holder for p in posts if p.title.lower().endswith(title) or p.title.lower() == head]
            if holders:
                return holders[-1]
            last = self.last.speaker if self.last else None
            return last if last and last[0] == "person" else self.last_person
        return None

    def _continuation(self, doc: Doc, si: int) -> Quote | None:
        last = self.last
        if last is None or last.sentence != si - 1 or not doc.text.lstrip().startswith(_OPEN_QUOTES):
            return None
        return Quote(last.speaker, last.speaker_text, doc.text, si, "continuation")
