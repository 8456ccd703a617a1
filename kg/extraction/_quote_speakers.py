"""Who a statement's speaker is: a name, a pronoun or a description resolved within the article (see
:mod:`._statements`), and what each sentence is about, which pronouns after it mean."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._lexicon import is_role_noun
from ._quote_cues import PEOPLE, who_clause
from ._quotes_text import inside
from ._quotes_words import (
    _DEMONYM_NOUNS, _FITS, _INSTITUTIONS, Key, _kind_of, _ORG_NOUNS, _PERSON_NOUNS, _phrase, _PRONOUNS, _Ref,
    _RELATIVE, _SKIP, _SOURCES, _speaker_in, _THING_VERBS, _UNNAMED, _WRITINGS,
)
from ._types import Post, Quote

if TYPE_CHECKING:  # spaCy is imported when a pipeline loads, not with kg
    from spacy.tokens import Doc, Token

log = logging.getLogger(__name__)

__all__ = ["SpeakerResolver"]


class SpeakerResolver:
    """The speaker half of :class:`._statements.QuoteFinder`: the article so far, as the finder keeps it."""

    last: Quote | None
    last_ref: _Ref | None
    last_person: Key | None
    last_org: Key | None
    previous: tuple[int, _Ref | None]
    meant: dict[str, Key]
    quoted: dict[str, Key]
    surnames: dict[str, Key]
    org_names: dict[str, Key]
    source: Key | None
    _si: int
    _speaker_ref: _Ref | None
    _posts: Sequence[Post]
    _history: list[tuple[int, _Ref | None]]

    # -- speakers -----------------------------------------------------------------------------------------

    def _speaker(self, subject: Token, doc: Doc, ents: dict[int, Key], posts: Sequence[Post],
                 verb: Token) -> tuple[Key | None, str]:
        lower = subject.lower_
        if lower in _PRONOUNS:
            ref = self._pronoun(lower, doc, ents, subject)
            if ref is None:
                return None, subject.text
            self._speaker_ref = ref
            return ref.key, subject.text if ref.key is not None else ref.text
        if subject.tag_ in {"WP", "WDT"}:
            before = ents.get(subject.i - 1) if subject.i > 0 else None
            if lower == "who" and before is not None and before[0] in {"person", "organization"}:
                return before, doc[subject.i - 1].text  # "... Secretary Tessa Jowell who said": the name before it
            if lower in _RELATIVE and verb.dep_ == "relcl":
                return self._relative(verb.head, doc, ents)
            return _SKIP, subject.text  # "what promises to be a huge encounter"
        if subject.pos_ == "NUM" and not (subject.lower_ == "one" and any(c.dep_ == "prep" for c in subject.children)):
            return _SKIP, subject.text  # "60% said": a share of those asked, not someone
        tokens = _phrase(subject)
        name = doc[tokens[0].i : tokens[-1].i + 1].text.strip(" ,")
        if subject.i in ents:
            self._speaker_ref = _Ref(_kind_of(subject, ents[subject.i]), ents[subject.i], name)
            return ents[subject.i], name
        kind = _kind_of(subject)
        if kind == "thing" and verb.lemma_ in _THING_VERBS and subject.pos_ == "NOUN" \
                and subject.lemma_.lower() not in PEOPLE and not who_clause(subject) \
                and subject.lemma_.lower() not in _SOURCES and not any(
                t.pos_ == "PROPN" or _kind_of(t) != "thing" for t in tokens if t.pos_ in {"NOUN", "PROPN"}):
            return _SKIP, name  # "the box warns you": not someone
        self._speaker_ref = _Ref("person" if kind == "thing" else kind, None, name)  # a speaker is someone
        named = subject.pos_ == "PROPN" or is_role_noun(subject.text)
        possessors = {t.i for c in subject.children if c.dep_ == "poss" for t in c.subtree}
        inner = [t for t in tokens if t.i not in possessors]
        speaker = _speaker_in(inner, ents, subject) if named else None
        if speaker is None and (subject.pos_ in {"PROPN", "NOUN"} or subject.tag_ == "MD") \
                and subject.text[:1].isupper() and len(inner) == 1:
            # "Hanks said" after "Tom Hanks", "Parmalat said" after "Parmalat" (a name left unlinked)
            speaker = self.surnames.get(subject.lower_) or self.org_names.get(subject.lower_)
        lemma = subject.lemma_.lower()
        if speaker is None and lemma in _SOURCES:
            orgs = [ents[t.i] for t in inner if ents.get(t.i, ("",))[0] == "organization"]
            if orgs:  # "A study by Jupiter Research": the study's words are Jupiter Research's
                self.source = speaker = orgs[-1]
            elif any(c.dep_ == "det" and c.lower_ == "the" for c in subject.children):
                speaker = self.source  # "the report said": the one named before
        if speaker is None and any(c.dep_ == "appos" and c.pos_ == "PROPN" for c in subject.children):
            return None, name  # "The group which represents universities, Universities UK,": named here
        # "the two-time Academy Award winner": a name that only qualifies who is meant names nobody speaking
        qualified = subject.i not in ents and (subject.lemma_.lower() in _PERSON_NOUNS or (
            is_role_noun(subject.lemma_.lower()) and any(c.dep_ == "det" and c.lower_ == "the" for c in subject.children)))
        if speaker is None and (qualified or not any(t.i in ents for t in inner)):
            speaker = self._described(subject, posts, bool(possessors))
        if speaker is not None:
            self._speaker_ref = _Ref(speaker[0], speaker, name)
        return speaker, name

    def _relative(self, antecedent: Token, doc: Doc, ents: dict[int, Key]) -> tuple[Key | None, str]:
        """Who "who"/"that" means: the noun the clause hangs on, or for a note or letter, whoever carries it."""
        if antecedent.i in ents:
            if ents[antecedent.i][0] not in {"person", "organization", "group"}:
                return _SKIP, antecedent.text
            return ents[antecedent.i], antecedent.text
        kind = _kind_of(antecedent)
        if kind != "thing":
            tokens = _phrase(antecedent)
            return None, doc[tokens[0].i : tokens[-1].i + 1].text
        writing = False
        for t in [antecedent, *antecedent.ancestors]:
            writing = writing or t.lemma_.lower() in _WRITINGS
            if writing and t.i in ents and ents[t.i][0] in {"person", "organization"}:
                return ents[t.i], t.text
        return _SKIP, antecedent.text

    def _pronoun(self, pronoun: str, doc: Doc | None = None, ents: dict[int, Key] | None = None,
                 subject: Token | None = None) -> _Ref | None:
        fits = _FITS.get(pronoun)
        if fits is None:  # "we", "I": whoever spoke last
            return self.last_ref
        if doc is not None and subject is not None and ents is not None and subject.head.dep_ != "ROOT":
            # "The government is cracking down on estates, which it says are idle": the nearest subject before
            before = [t for t in doc[: subject.i] if t.dep_ == "nsubj" and t.lower_ not in _PRONOUNS
                      and t.tag_ not in {"WP", "WDT"}]
            for first in reversed(before):
                ref = self._ref(first, ents)
                if ref is not None and ref.kind in fits:
                    return ref
        si, previous = self.previous
        if previous is not None and si == self._si - 1 and (previous.kind in fits or (
                pronoun == "it" and previous.kind == "place" and previous.key is not None)):
            return previous
        # "Dave Winer is doubtful. He designed RSS. Podcasts rely on it. He is ...": whom the sentences just
        # before were about, unless someone was quoted since or just before them
        quoted_at = self.last.sentence if self.last is not None else -1
        for at, ref in reversed(self._history[:-1]):
            if at >= self._si - 3 and at > quoted_at and self._si - quoted_at > 3 and ref is not None \
                    and ref.key is not None and ref.kind in fits:
                return ref
        if self.last_ref is not None and self.last_ref.kind in fits:
            return self.last_ref
        if pronoun in {"he", "she"}:
            return _Ref("person", self.last_person, "") if self.last_person else None
        if pronoun == "it":
            return _Ref("organization", self.last_org, "") if self.last_org else None
        return self.last_ref

    def _described(self, subject: Token, posts: Sequence[Post], possessed: bool) -> Key | None:
        """Whom "the firm", "the prime minister" or "the American" means, from earlier in the article."""
        determiners = [c for c in subject.children if c.dep_ in {"det", "poss"}]
        if not determiners and (not subject.is_sent_start or subject.tag_ in {"NNS", "NNPS"}):
            return None  # "analysts said": people in general, not someone named before
        if any(c.dep_ == "det" and c.lower_ in {"a", "an", "another", "one", "some", "any"} for c in determiners):
            return None  # "a spokesman said": someone not named before
        head = subject.lemma_.lower()
        if head in _INSTITUTIONS or subject.lower_ in _INSTITUTIONS:
            return None
        if head in _ORG_NOUNS:
            return self._recent("organization")
        if is_role_noun(head) or head in _PERSON_NOUNS or subject.lower_ in _DEMONYM_NOUNS:
            if subject.tag_ in {"NNS", "NNPS"}:
                return None  # "the authors concluded", "the judges wrote": several people, not the one named last
            title = " ".join(t.lower_ for t in subject.subtree if t.dep_ in {"compound", "amod"} or t == subject)
            holders = [p.holder for p in posts if p.title.lower().endswith(title) or p.title.lower() == head]
            if holders:
                return holders[-1]
            if possessed:
                return None  # "Mr Sigarchi's lawyer", "his spokesman": not the one named before
            if title in self.meant:
                return self.meant[title]
            found = self._recent("person", head)
            if found is not None:
                self.meant[title] = found
            return found
        return None

    def _recent(self, kind: str, head: str = "") -> Key | None:
        """The entity of ``kind`` the sentence before was about, else the one quoted last, else named last;
        ``head``: the description's noun ("runner"), which a subject named by another post ("New coach Tony
        Lester") does not answer."""
        si, previous = self.previous
        other_post = bool(head) and previous is not None and any(
            w != head and is_role_noun(w) for w in previous.text.lower().split())
        if previous is not None and si == self._si - 1 and not other_post:
            if previous.key is not None and previous.kind == kind:
                return previous.key
            if kind == "organization" and previous.org is not None:
                return previous.org
        if self.last_ref is not None and self.last_ref.kind == kind and self.last_ref.key is not None:
            return self.last_ref.key
        if kind in self.quoted:
            return self.quoted[kind]
        return self.last_person if kind == "person" else self.last_org

    # -- what the sentence is about -----------------------------------------------------------------------

    def _ref(self, subject: Token, ents: dict[int, Key]) -> _Ref | None:
        tokens = _phrase(subject)
        text = subject.doc[tokens[0].i : tokens[-1].i + 1].text
        key = ents.get(subject.i) or _speaker_in(tokens, ents, subject)
        if key is not None:
            return _Ref(_kind_of(subject, key), key, text)
        if subject.lower_ in _PRONOUNS:
            return None
        kind = _kind_of(subject)
        if kind == "person" and any(c.dep_ == "det" and c.lower_ == "the" for c in subject.children):
            title = " ".join(t.lower_ for t in subject.subtree if t.dep_ in {"compound", "amod"} or t == subject)
            holders = [p.holder for p in self._posts if p.title.lower().endswith(title)]
            key = holders[-1] if holders else self.meant.get(title) or self._recent("person")
            if key is not None:  # "The 48-year-old actor crossed a bridge, which he said ..."
                return _Ref("person", key, text)
        org = next((ents[t.i] for t in tokens if ents.get(t.i, ("",))[0] == "organization"), None) \
            or next((self.org_names[t.lower_] for t in tokens if t.pos_ == "PROPN" and t.lower_ in self.org_names
                     and t.i not in ents), None)  # "Rosneft officials", Rosneft left unlinked here
        if org is not None and subject.pos_ == "PROPN" and len(tokens) == 1:
            return _Ref("organization", org, text)  # "Parmalat has not identified ..."
        return _Ref(_kind_of(subject), None, text, org)

    def _ref_of(self, quote: Quote) -> _Ref | None:
        if quote.speaker is not None:
            return _Ref(quote.speaker[0], quote.speaker, quote.speaker_text)
        if quote.speaker_text == _UNNAMED or not quote.speaker_text:
            return None
        words = quote.speaker_text.split()
        last = words[-1].lower().strip(",.") if words else ""
        kind = "organization" if last in _ORG_NOUNS or last in _INSTITUTIONS else \
            "plural" if last.endswith("s") and not is_role_noun(last) else "person"
        return _Ref(kind, None, quote.speaker_text)

    def _main_subject(self, doc: Doc, ents: dict[int, Key], spans: list[tuple[int, int]]) -> _Ref | None:
        if not len(doc):
            return None
        root = doc[0]
        while root.head.i != root.i:  # the first sentence's root, without reading every word
            root = root.head
        subject = next((c for c in root.children if c.dep_ in {"nsubj", "nsubjpass"} and not inside(c, spans)),
                       None)
        if subject is None:
            return None
        if subject.lower_ in _PRONOUNS:
            return self._pronoun(subject.lower_)
        if root.lemma_ == "be":  # "The musical's director is Matthew Warchus": the sentence is about him
            named = next((ents[c.i] for c in root.children if c.dep_ == "attr" and ents.get(c.i, ("",))[0] == "person"),
                         None)
            if named is not None:
                return _Ref("person", named, named[1])
        return self._ref(subject, ents)
