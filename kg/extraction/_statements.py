"""Attributed statements: who said what, pronoun and description speakers resolved to whom they mean.

Cues: "according to X"; a reporting verb ("said", "added", "warned", "pointed
out", "dismissed claims" ...) with its subject, before or after the quote, or
its agent ("criticised by X"); "X is said to" (a statement whose speaker the
article does not name). A reporting verb inside a quotation is part of what was
said, not a cue. A sentence that opens a quotation, or goes on with one the
sentence before left open, right after an attributed sentence continues it
(across paragraphs too). A reader's comment is the commenter's statement,
whatever it says.

A speaker the sentence only describes is resolved within the article, the
subject of the sentence before first (who the text is about), then the speaker
quoted last, then the entity named last: "he"/"she" a person, "it" an
organisation, "they" a group or plural; "the firm", "the company" an
organisation; "the prime minister", "the Oscar winner" the holder of that post
earlier in the article or whom the same words meant before. "A spokesman" and
"Mr X's lawyer" are nobody named before; "the government" and "the authorities"
are not an organisation named before either. A pronoun that means an unnamed
speaker ("Officials said ... They also allege") takes that speaker's words as
its text.

A statement's text is the quoted words (direct quotations), else the clause the
verb reports (see :mod:`._quotes_text`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._lexicon import REPORTING_VERBS, is_role_noun
from ._quote_cues import (
    colon_subject, cue_hashes, name_after, named_words, NAMING_VERBS, quote_in_complement, quoted_as, second_cues,
    SOURCE_VERBS, subject_before, unnamed_post,
)
from ._quote_paragraphs import PendingQuotes
from ._quote_speakers import SpeakerResolver
from ._quotes_text import bare, direct_text, inside, odd_quotes, quote_spans, reported_text
from ._quotes_words import (
    _AGENT_VERBS, _ANSWER_VERBS, _around, _COMMISSIVE, _depth, _INSTITUTIONS, Key, _MORE_VERBS, _NEEDS_CLAUSE,
    _np_before, _OPEN_QUOTES, _ORG_NOUNS, _PASSIVE_REPORTS, _PERSON_NOUNS, _PHRASAL, _QUOTE_VERBS, _Ref, _SKIP,
    _SOURCES, _speaker_in, _SPEECH_NOUNS, _UNNAMED,
)
from ._types import Post, Quote

if TYPE_CHECKING:  # spaCy is imported when a pipeline loads, not with kg
    from spacy.tokens import Doc, Token

__all__ = ["QuoteFinder"]

_DOUBLE_MARKS = '"“”″'


class QuoteFinder(SpeakerResolver):
    """Walks an article's sentences in order, remembering who was said and named for pronouns."""

    def __init__(self) -> None:
        self.last: Quote | None = None
        self.last_ref: _Ref | None = None  # the last quote's speaker
        self.last_person: Key | None = None
        self.last_org: Key | None = None
        self.previous: tuple[int, _Ref | None] = (-1, None)  # the subject of the sentence before
        self.open_after: int = -1  # a sentence that ends inside a quotation
        self.meant: dict[str, Key] = {}  # "prime minister" -> whom those words meant before
        self.quoted: dict[str, Key] = {}  # kind -> the entity of that kind quoted last
        self.surnames: dict[str, Key] = {}  # "hanks" -> the person named so whom a bare surname means
        self.org_names: dict[str, Key] = {}  # "rosneft" -> the organisation a name the tagger left unlinked means
        self.source: Key | None = None  # the organisation whose report, study or survey was named last
        self._si = -1
        self._subject: _Ref | None = None
        self._speaker_ref: _Ref | None = None  # the speaker of the quote being made, as the sentence names them
        self._posts: Sequence[Post] = ()
        self._verb: Token | None = None  # the cue of the quote _reporting_verb found
        self._cue_verbs: list[Token] = []
        self._pending = PendingQuotes()
        self._history: list[tuple[int, _Ref | None]] = []  # the subjects of the last few sentences
        self._role_quote: Quote | None = None  # a quote whose speaker only a post names, held one sentence
        self._people: set[Key] = set()  # the people named so far

    def comment(self, text: str, commenter: str | None, si: int) -> Quote:
        quote = Quote(("person", commenter) if commenter else None, commenter or "a reader", text, si, "comment")
        return quote

    def sentence(self, doc: Doc, ents: dict[int, Key], si: int, posts: Sequence[Post] = (),
                 headline: bool = False) -> list[Quote]:
        """The statements sentence ``si`` (or a piece of it) attributes, and those of unattributed quotation
        sentences before it that it settles (see :mod:`._quote_paragraphs`); ``posts``: the article's posts
        found so far."""
        first_piece = si != self._si
        if si != self._si:  # the first piece of a sentence: what the one before leaves
            if self._si >= 0:
                self.previous = (self._si, self._subject)
                self._history = [*self._history[-3:], self.previous]
            self._si, self._subject = si, None
        text = doc.text  # once: Doc.text is rebuilt from the tokens on every access
        self._speaker_ref = None
        self._posts = posts
        continuing = self.open_after == si - 1 and self.last is not None and self.last.sentence == si - 1
        spans = quote_spans(text, continuing)
        self._verb, self._cue_verbs = None, []
        # a sentence with no double quotation mark inside a quotation held open before it is all quoted words
        held_open = self._pending.open and not any(mark in text for mark in _DOUBLE_MARKS)
        # A headline attributes nothing: it restates what the body attributes, in clipped words the parse
        # misreads ("Parties warned over 'grey vote'"); its names still count for the sentences after it.
        quote = None if held_open or headline else self._according_to(doc, ents, si, spans, text) \
            or self._reporting_verb(doc, ents, si, posts, spans, text, continuing) \
            or self._quoted_as(doc, ents, si, posts, spans, text) \
            or self._continuation(si, spans, text, continuing) \
            or self._after_colon(doc, ents, si, posts, spans, text)
        found = [quote] if quote is not None else []
        if quote is not None and self._verb is not None:
            found += [Quote(speaker, subject.text, bare(doc.text), si, verb.lemma_) for verb, subject, speaker
                      in second_cues(doc, self._cue_verbs, self._verb, spans, ents) if speaker != quote.speaker]
        out = self._settle(doc, ents, si, quote, spans, text, continuing, held_open) if first_piece else []
        if first_piece:
            out += self._named_next(quote)
            if quote is not None and len(found) == 1 and unnamed_post(quote) and quote.speaker_text in text:
                self._role_quote, found = quote, []  # the sentence after may name them
        for i in sorted(ents):
            kind = ents[i][0]
            if kind == "person":
                self._people.add(ents[i])
                self.last_person = ents[i]
                self.surnames[ents[i][1].rsplit(" ", 1)[-1].lower()] = ents[i]
                # "Archbishop Desmond Tutu", "Wales coach Mike Ruddock": whom "the archbishop", "the coach" mean
                first = ents.get(i - 1) != ents[i]
                title = doc[i].lower_ if first and ents.get(i + 1) == ents[i] else ""  # a title the name includes
                if first and not title and i > 0 and i - 1 not in ents and doc[i - 1].dep_ == "compound":
                    title = doc[i - 1].lower_
                if title and (is_role_noun(title) or title in _PERSON_NOUNS):
                    self.meant[title] = ents[i]
            elif kind == "organization":
                self.last_org = ents[i]
                if doc[i].pos_ == "PROPN" and doc[i].lower_ not in _ORG_NOUNS:
                    self.org_names[doc[i].lower_] = ents[i]
        if quote is not None:
            self.last = quote
            if quote.cue != "continuation":
                self.last_ref = self._speaker_ref or self._ref_of(quote)
                if quote.speaker is not None:
                    self.quoted[quote.speaker[0]] = quote.speaker
            self._subject = self.last_ref
        elif self._subject is None:
            self._subject = self._main_subject(doc, ents, spans)
            si_before, before = self.previous
            if self._subject is None and si_before == si - 1 and text.lstrip().startswith(_OPEN_QUOTES):
                self._subject = before  # a quotation no one is named for: "he" after it means whom it follows
        if odd_quotes(text, spans) and (quote is not None or text.lstrip().startswith(_OPEN_QUOTES)):
            self.open_after = si
        elif self.open_after == si - 1 or self.open_after == si:
            self.open_after = -1
        return out + found

    def finish(self) -> list[Quote]:
        """The statements of unattributed quotation sentences at the article's end."""
        return self._pending.finish() + self._named_next(None)

    def _named_next(self, quote: Quote | None) -> list[Quote]:
        """The quote held for a speaker named only by a post ("..., the campaign's director told the BBC."),
        given to the person this sentence's ``quote`` introduces ("Curt Hopkins said ..."), else as it was."""
        held, self._role_quote = self._role_quote, None
        if held is None:
            return []
        if quote is not None and quote.speaker is not None and quote.speaker[0] == "person" \
                and quote.speaker not in self._people and quote.cue not in {"continuation", "comment"}:
            return [Quote(quote.speaker, held.speaker_text, held.text, held.sentence, held.cue)]
        return [held]

    def _settle(self, doc: Doc, ents: dict[int, Key], si: int, quote: Quote | None, spans: list[tuple[int, int]],
                text: str, continuing: bool, held_open: bool) -> list[Quote]:
        """Hold this sentence if it is a quotation no cue attributes; else settle those held before it."""
        if held_open:
            self._pending.hold(si, bare(text), None, self.last, still_open=True)
            return []
        if quote is None and not self._cue_verbs and text.lstrip().startswith(_OPEN_QUOTES):
            said = direct_text(text, spans, continuing)
            if said is not None:
                si_before, about = self.previous
                self._pending.hold(si, said, about if si_before == si - 1 else None, self.last,
                                   still_open=odd_quotes(text, spans))
                return []
        elif quote is None and not self._cue_verbs and not self._pending.waiting and self.last is not None \
                and self.last.sentence == si - 1 and self.last.cue != "comment" \
                and any(len(text[a:b].split()) >= 2 for a, b in spans):
            self._pending.hold_between(si, bare(text), self.last)
            return []
        if not self._pending.waiting:
            return []
        named = next((ents[i] for i in sorted(ents) if ents[i][0] in {"person", "organization"}), None)
        # a direct quotation from the sentence's start: it opens one, or closes the one held open before it
        direct = quote is not None and bool(spans) and not text[: spans[0][0]].strip(" \"“'‘")
        return self._pending.resolve(quote, direct, text, named)

    # -- cues ---------------------------------------------------------------------------------------------

    def _according_to(self, doc: Doc, ents: dict[int, Key], si: int, spans: list[tuple[int, int]],
                      text: str) -> Quote | None:
        if "ccording to" not in text:
            return None
        for t in doc:
            if t.lower_ == "according" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "to" \
                    and not inside(t, spans):
                to = doc[t.i + 1]
                objects = [c for c in to.children if c.dep_ == "pobj"]
                if not objects:
                    continue
                pobj = objects[0]
                # The parse of a long speaker phrase is often wrong; the words after "to" are not.
                tail = doc[to.i + 1 :]
                cut = next((x.i for x in tail if x.text in {",", ";"} and x.i > pobj.i), len(doc))
                window = [x for x in tail if x.i < cut]
                speaker = _speaker_in(window, ents, pobj) or next(
                    (ents[x.i] for x in window if x.i in ents and ents[x.i][0] != "group"), None)
                said = doc[: t.i].text if t.i > 2 else doc[cut:].text
                name = doc[window[0].i : window[-1].i + 1].text.rstrip(" .")
                return Quote(speaker, name, bare(said), si, "according to")
        return None

    def _cues(self, doc: Doc, spans: list[tuple[int, int]], direct: bool) -> list[Token]:
        verbs = []
        hashes = cue_hashes(doc.vocab.strings)
        for t in doc:
            if t.lemma not in hashes or t.pos_ not in {"VERB", "AUX"} or inside(t, spans):
                continue
            lemma = t.lemma_
            if lemma in REPORTING_VERBS or lemma in _MORE_VERBS or (direct and lemma in _QUOTE_VERBS):
                verbs.append(t)
            elif lemma in SOURCE_VERBS and any(c.dep_ == "ccomp" for c in t.children):
                verbs.append(t)
            elif lemma in _AGENT_VERBS and any(c.dep_ == "agent" for c in t.children):
                verbs.append(t)
            elif lemma in _PHRASAL and any(c.dep_ == "prt" and c.lower_ == _PHRASAL[lemma] for c in t.children):
                verbs.append(t)
            elif lemma in _ANSWER_VERBS and any(c.dep_ == "dobj" and c.lemma_.lower() in _SPEECH_NOUNS
                                               for c in t.children):
                verbs.append(t)
            elif lemma in NAMING_VERBS and quote_in_complement(t, spans):
                verbs.append(t)
        return sorted(verbs, key=_depth)

    def _reporting_verb(self, doc: Doc, ents: dict[int, Key], si: int, posts: Sequence[Post],
                        spans: list[tuple[int, int]], text: str, continuing: bool) -> Quote | None:
        quoted = bool(spans)
        direct = direct_text(text, spans, continuing)
        self._cue_verbs = self._cues(doc, spans, direct is not None)
        for verb in self._cue_verbs:
            self._verb = verb
            lemma = verb.lemma_
            passive = any(c.dep_ == "auxpass" for c in verb.children)
            agent = next((c for c in verb.children if c.dep_ == "agent"), None)
            if passive and agent is None:  # 'described as "idle speculation" by Downing Street': "by" hung lower
                agent = next((t for t in verb.subtree if t.i > verb.i and t.lower_ == "by" and t.dep_ == "prep"
                              and any(c.dep_ == "pobj" and c.pos_ == "PROPN" for c in t.children)), None)
            if passive and agent is None:
                if lemma in _PASSIVE_REPORTS and any(c.dep_ == "nsubjpass" for c in verb.children) \
                        and any(c.dep_ == "xcomp" for c in verb.children) and verb.dep_ in {"ROOT", "ccomp", "conj"} \
                        and not any(c.dep_ == "aux" and c.tag_ == "MD" for c in verb.children):
                    said = reported_text(doc, verb, [c for c in verb.children if c.dep_ == "xcomp"])
                    return Quote(None, _UNNAMED, said, si, lemma)
                continue
            content = [c for c in verb.children if c.dep_ in {"ccomp", "dobj", "prep"}
                       or (c.dep_ == "xcomp" and lemma in _COMMISSIVE and c.lemma_ != "be")
                       or (c.dep_ == "advcl" and lemma == "call" and c.left_edge.lower_ in {"for", "on"})]
            aside = verb.dep_ == "parataxis" and not any(c.dep_ == "dobj" for c in content)  # "X, the suit added, ..."
            if lemma in _NEEDS_CLAUSE and not direct and not aside and not any(c.dep_ == "ccomp" for c in content):
                continue  # "add more content", "announced a study": no statement
            if lemma == "describe" and not direct and not quote_in_complement(verb, spans) and not any(
                    c.dep_ in {"ccomp", "oprd"} or (c.dep_ == "prep" and c.lower_ == "as") for c in verb.children):
                continue  # "having a colleague describe the maps": no statement without "as" or the words
            if lemma == "call" and not direct and not any(c.dep_ in {"ccomp", "oprd"} for c in verb.children) \
                    and (verb.i + 1 >= len(doc) or doc[verb.i + 1].lower_ not in {"for", "on"}):
                continue  # "staff called in sick"
            if verb.dep_ == "xcomp" and (verb.head.pos_ != "VERB" or any(c.dep_ == "acomp" for c in verb.head.children)):
                continue  # "it's safe to say that ..."
            infinitive = any(c.dep_ == "aux" and c.tag_ == "TO" for c in verb.children)
            if infinitive and not any(c.dep_ == "ccomp" for c in content) and not quoted:
                continue  # "used his website to report on arrests": a purpose, not a statement
            if agent is not None:
                objects = [c for c in agent.children if c.dep_ == "pobj"]
                if not objects:
                    continue
                head = objects[0]
                tokens = list(head.subtree)
                speaker = _speaker_in(tokens, ents, head) or next((ents[t.i] for t in tokens if t.i in ents), None)
                if speaker is None and lemma not in REPORTING_VERBS:
                    continue
                said = direct or bare(doc[verb.head.left_edge.i : verb.head.i + 1].text)
                return Quote(speaker, doc[tokens[0].i : tokens[-1].i + 1].text, said, si, lemma)
            subject, trailing = self._subject_of(verb, doc, ents, spans)
            if subject is None:
                continue
            if trailing and not content:
                said = direct or bare(doc[: subject.left_edge.i].text)
            elif not content and not quoted:
                said = _around(doc, verb)  # "This, said Sloncek, should help", "It would struggle, he said."
                rest = doc[verb.i + 1 :]
                if said is None and lemma in REPORTING_VERBS and subject.i < verb.i \
                        and any(c.dep_ == "advcl" and c.i > verb.i for c in verb.children) \
                        and any(t.pos_ in {"VERB", "AUX"} for t in rest):
                    said = bare(rest.text)  # "X said only when property was protected would ...": a misparsed clause
                if said is None:
                    continue
            else:
                said = direct or reported_text(doc, verb, content)
            if lemma in NAMING_VERBS:
                said = named_words(doc, verb, spans) or said
            if len(said.split()) < 2 and lemma not in NAMING_VERBS:  # "hailed him a "hero"" is one word enough
                continue  # "the movies they claimed to"
            speaker, name = self._speaker(subject, doc, ents, posts, verb)
            if speaker is _SKIP:
                continue
            if speaker is None and lemma in _MORE_VERBS and self._speaker_ref is not None \
                    and self._speaker_ref.kind not in {"person", "organization", "plural"}:
                continue
            if lemma in SOURCE_VERBS and lemma not in REPORTING_VERBS and not direct and not (
                    (speaker is not None and speaker[0] == "organization") or subject.lower_ == "it"
                    or subject.lemma_.lower() in _SOURCES or subject.lemma_.lower() in _INSTITUTIONS):
                continue  # "Ms Villalba found that ...": a person's finding is no statement here
            return Quote(speaker, name, said, si, lemma)
        self._verb = None
        return None

    def _quoted_as(self, doc: Doc, ents: dict[int, Key], si: int, posts: Sequence[Post],
                   spans: list[tuple[int, int]], text: str) -> Quote | None:
        """'"...," the agency quoted David Ogden as saying': the quoted one is the speaker."""
        found = quoted_as(doc, spans, text)
        if found is None:
            return None
        verb, obj = found
        speaker, name = self._speaker(obj, doc, ents, posts, verb)
        if speaker is _SKIP:
            return None
        said = direct_text(text, spans) or bare(doc[: verb.left_edge.i].text) or bare(text)
        return Quote(speaker, name, said, si, "quote")

    def _after_colon(self, doc: Doc, ents: dict[int, Key], si: int, posts: Sequence[Post],
                     spans: list[tuple[int, int]], text: str) -> Quote | None:
        """'He is prepared to go this far: "..."': a person's words with no reporting verb."""
        if ":" not in text or not spans:
            return None
        subject = colon_subject(doc, spans)
        if subject is None:
            return None
        speaker, name = self._speaker(subject, doc, ents, posts, subject.head)
        if speaker is _SKIP or speaker is None or speaker[0] != "person":
            return None
        said = direct_text(text, spans)
        return Quote(speaker, name, said, si, "colon") if said else None

    def _subject_of(self, verb: Token, doc: Doc, ents: dict[int, Key],
                    spans: list[tuple[int, int]]) -> tuple[Token | None, bool]:
        """The verb's subject outside any quotation, nearest first, and whether it trails what was said
        ("..., Downing Street has indicated."). A verb the parse joined to another with no subject of its own
        ("... and the Commission predicts") takes the noun phrase right before it, else the other's subject."""
        own = [c for c in verb.children if c.dep_ == "nsubj" and not inside(c, spans)]
        if own:
            return min(own, key=lambda c: abs(c.i - verb.i)), False
        participle = verb.dep_ == "advcl" and verb.tag_ == "VBG"  # "..., saying it was unsustainable"
        if verb.dep_ == "ROOT":  # the parse lost the subject: "Mike Hobday, from the League ..., said"
            before = subject_before(doc, verb, spans)
            if before is not None:
                return before, False
            after = name_after(doc, verb, spans)  # "At that point, says Dr Tuffy, games could ..."
            return (after, True) if after is not None else (None, False)
        if verb.dep_ not in {"xcomp", "conj"} and not participle:
            return None, False
        if verb.dep_ == "conj":
            found = _np_before(doc, verb.i)
            if found is not None:
                head, after = found
                return head, after == ","
        head = verb.head
        subjects = [c for c in head.children if c.dep_ == "nsubj" and not inside(c, spans)]
        return (min(subjects, key=lambda c: abs(c.i - verb.i)) if subjects else None), False

    def _continuation(self, si: int, spans: list[tuple[int, int]], text: str, continuing: bool) -> Quote | None:
        """A quotation that goes on from the sentence before, or opens right after the last speaker's quote
        with one sentence of narration between ("... he said. / The station sorts the data. / "It also ...")."""
        last = self.last
        if last is None or last.sentence < si - 2 or last.cue == "comment":
            return None
        if not continuing and not text.lstrip().startswith(_OPEN_QUOTES):
            return None
        if last.sentence == si - 2:
            _, between = self.previous
            if between is not None and between.kind == "person" and between.key != last.speaker:
                return None  # someone else came in between
            if direct_text(text, spans, False) is None:
                return None
        return Quote(last.speaker, last.speaker_text, direct_text(text, spans, continuing) or bare(text), si,
                     "continuation")
