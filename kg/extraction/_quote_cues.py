"""Statement cues besides a reporting verb with its subject (see :mod:`._statements`).

- "the agency quoted David Ogden as saying": the object of "quote" is the speaker;
- 'He is prepared to go this far: "..."': a direct quotation after a colon is the words of the person
  the clause before the colon is about, with no reporting verb;
- "branded Mr Howard "arrogant and wrong"": a verb of naming with a quotation after it reports the
  quoted words;
- a second cue in the sentence with a speaker of its own ("the powers - which President Chavez argues
  are needed - ", "Mr Brown said ..., while Mr Blair argued ...") is a second statement.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ._lexicon import REPORTING_VERBS, is_role_noun
from ._quotes_text import bare, inside
from ._quotes_words import _AGENT_VERBS, _ANSWER_VERBS, Key, _MORE_VERBS, _PHRASAL, _QUOTE_VERBS, _speaker_in
from ._types import Quote

if TYPE_CHECKING:  # spaCy is imported when a pipeline loads, not with kg
    from spacy.tokens import Doc, Token

log = logging.getLogger(__name__)

__all__ = ["NAMING_VERBS", "SOURCE_VERBS", "cue_hashes", "unnamed_post", "quote_in_complement", "PEOPLE", "subject_before", "name_after", "who_clause", "quoted_as", "colon_subject", "named_words", "second_cues"]

#: Verbs of naming, praising or blaming: a statement only with a quotation after them ("branded him
#: "arrogant"", "criticised the fact that "billions" have been spent").
NAMING_VERBS = frozenset("""brand label dub hail term criticise criticize condemn denounce praise slam question
thank""".split())
#: Nouns for people that no list of posts holds: "a witness has told jurors" is someone speaking.
PEOPLE = frozenset("""witness expert observer insider critic campaigner activist fan resident worker employee
official victim survivor doctor teacher parent investor trader voter consumer customer shopper user student
person people colleague friend neighbour neighbor relative member dealer banker broker buyer seller
source""".split())
#: Where a parenthetical set off before a verb starts and ends.
_ASIDE = frozenset({",", "-", "–", "—"})
#: "quoted X as saying" and the like.
_AS_VERBS = frozenset({"saying", "telling", "adding", "warning", "describing", "calling"})
#: Dependencies under which a second cue keeps a subject of its own.
_SECOND = frozenset({"relcl", "advcl", "conj"})
_CUES = REPORTING_VERBS | _MORE_VERBS | NAMING_VERBS


def quoted_as(doc: Doc, spans: list[tuple[int, int]], text: str) -> tuple[Token, Token] | None:
    """'"We are mourning," the agency quoted David Ogden as saying': the verb "quote" and its object."""
    if "quot" not in text or " as " not in text:
        return None
    for t in doc:
        if t.lemma_ != "quote" or t.pos_ != "VERB" or inside(t, spans):
            continue
        as_ = [c for c in t.children if c.dep_ == "prep" and c.lower_ == "as"
               and any(g.lower_ in _AS_VERBS for g in c.children)]
        obj = next((c for c in t.children if c.dep_ in {"dobj", "nsubjpass"} and not inside(c, spans)), None)
        if as_ and obj is not None and obj.pos_ in {"PROPN", "NOUN", "PRON"}:
            return t, obj
    return None


def colon_subject(doc: Doc, spans: list[tuple[int, int]]) -> Token | None:
    """'He is prepared to go this far: "..."': the subject of the clause before a colon that a quotation
    follows, when no quotation comes before the colon."""
    for t in doc:
        if t.text != ":" or inside(t, spans):
            continue
        after = t.idx + 1
        if not any(a >= after and not doc.text[after:a].strip(" \"“'‘") for a, _ in spans):
            continue
        if any(a < t.idx for a, _ in spans):
            return None
        return next((s for s in doc[: t.i] if s.dep_ == "nsubj" and s.pos_ in {"PROPN", "PRON", "NOUN"}), None)
    return None


def quote_in_complement(verb: Token, spans: list[tuple[int, int]]) -> bool:
    """Whether a quotation opens inside what ``verb`` takes after it (its object or complement), not in
    some other clause of the sentence: "praised the "spirit of cooperation"", not "criticised the approach,
    and X said ... "must be treated ...""."""
    for c in verb.children:
        if c.i > verb.i and c.dep_ in {"dobj", "prep", "oprd", "acomp", "ccomp", "xcomp", "attr", "advcl"}:
            start, end = c.left_edge.idx, c.right_edge.idx + len(c.right_edge)
            if any(start - 1 <= a <= end for a, _ in spans):
                return True
    return False


def named_words(doc: Doc, verb: Token, spans: list[tuple[int, int]]) -> str | None:
    """The quoted words after a verb of naming, or ``None`` when no quotation follows it."""
    text = doc.text
    after = [bare(text[a:b]) for a, b in spans if a > verb.idx]
    said = " ".join(w for w in after if w)
    return said or None


def second_cues(doc: Doc, verbs: list[Token], first: Token, spans: list[tuple[int, int]],
                ents: dict[int, Key]) -> list[tuple[Token, Token, Key]]:
    """Cues besides ``first`` that name a speaker of their own: (verb, subject, speaker)."""
    out = []
    for verb in verbs:
        if verb.i == first.i or verb.dep_ not in _SECOND or verb.lemma_ not in _CUES:
            continue
        if any(c.dep_ in {"auxpass", "agent", "neg"} for c in verb.children):
            continue
        if verb.dep_ != "relcl" and not any(c.dep_ == "ccomp" for c in verb.children) \
                and not (verb.lemma_ in NAMING_VERBS and quote_in_complement(verb, spans)):
            continue  # "As Mr Brown announced the Budget date": no clause, no statement
        subjects = [c for c in verb.children if c.dep_ == "nsubj" and not inside(c, spans)]
        if not subjects:
            continue
        subject = subjects[0]
        speaker = ents.get(subject.i) or _speaker_in(list(subject.subtree), ents, subject)
        if speaker is None or speaker[0] not in {"person", "organization"}:
            continue
        out.append((verb, subject, speaker))
    return out


def subject_before(doc: Doc, verb: Token, spans: list[tuple[int, int]]) -> Token | None:
    """The noun right before a finite cue the parse gave no subject, past auxiliaries, adverbs and one
    parenthetical set off by commas or dashes: "Mike Hobday, from the League Against Cruel Sports, said",
    "On top of the deal with Tanzania Mr Brown said"."""
    if verb.tag_ not in {"VBD", "VBZ", "VBP"} and not any(c.dep_ == "aux" for c in verb.children):
        return None
    j = verb.i - 1
    while j >= 0 and (doc[j].pos_ in {"AUX", "ADV", "PART"} and doc[j].tag_ != "POS"):
        if doc[j].tag_ == "MD" and doc[j].text[:1].isupper() and verb.tag_ == "VBD" and j == verb.i - 1:
            return doc[j]  # "May said": no modal comes before a past tense; a name the tagger took for one
        j -= 1
    if j >= 0 and doc[j].text in _ASIDE:
        mark = doc[j].text
        k = j - 1
        while k >= 0 and doc[k].text != mark and not (mark == "," and doc[k].text in {"-", "–", "—"}):
            k -= 1
        if k <= 0:
            return None
        j = k - 1
        while j > 0 and doc[j].pos_ != "PROPN" and any(t.text == "," for t in doc[:j]) and verb.i - j < 40:
            j -= 1  # "Hugo Lueders, European director at CompTIA, an umbrella body, said": back to the name
        if doc[j].pos_ == "PROPN" and (j + 1 >= len(doc) or doc[j + 1].text not in {",", "-", "–", "—"}):
            return None  # a name inside the aside, not before it
    if j < 0 or doc[j].pos_ not in {"PROPN", "NOUN"} or inside(doc[j], spans):
        return None
    return doc[j]


def name_after(doc: Doc, verb: Token, spans: list[tuple[int, int]]) -> Token | None:
    """The name right after a cue set off by commas that the parse gave no subject ("At that point, says
    Dr Tuffy, games could ...", "..., added the spokesman."): the last word of a run of proper nouns, or of
    a noun phrase, ending at a comma or the end."""
    if verb.i == 0 or doc[verb.i - 1].text != ",":
        return None
    j = verb.i + 1
    if j < len(doc) and doc[j].lower_ in {"the", "a", "an"}:
        j += 1
        while j < len(doc) and doc[j].pos_ in {"ADJ", "NOUN", "PROPN"} and not inside(doc[j], spans):
            j += 1
        if doc[j - 1].pos_ not in {"NOUN", "PROPN"}:
            return None
    while j < len(doc) and doc[j].pos_ == "PROPN" and not inside(doc[j], spans):
        j += 1
    if j == verb.i + 1 or (j < len(doc) and doc[j].text not in {",", "."}):
        return None
    return doc[j - 1]


def who_clause(noun: Token) -> bool:
    """Whether a relative clause on ``noun`` opens with "who": "one dealer, who asked not to be named"."""
    return any(c.dep_ == "relcl" and any(g.lower_ == "who" for g in c.children) for c in noun.children)


#: What a report, a court or an organisation finds or decides ("the study found that ...").
SOURCE_VERBS = frozenset("find show decide rule conclude estimate".split())
_CUE_LEMMAS = SOURCE_VERBS | REPORTING_VERBS | _MORE_VERBS | _QUOTE_VERBS | _AGENT_VERBS | _ANSWER_VERBS \
    | NAMING_VERBS | frozenset(_PHRASAL)
_HASHES: dict[int, frozenset[int]] = {}


def cue_hashes(strings) -> frozenset[int]:  # noqa: ANN001 - a spaCy StringStore
    """The string-store hashes of every cue lemma: comparing a token's ``lemma`` (an int) is cheaper than
    reading its ``lemma_`` for every word of every sentence."""
    found = _HASHES.get(id(strings))
    if found is None:
        found = _HASHES[id(strings)] = frozenset(strings[word] for word in _CUE_LEMMAS)
    return found


def unnamed_post(quote: Quote) -> bool:
    """Whether a quote's speaker is a post the article has given no one: "the campaign's director",
    not "a spokesman" (someone new) nor "the directors"."""
    words = quote.speaker_text.lower().split()
    if quote.speaker is not None or quote.cue in {"continuation", "comment"} or len(words) < 2:
        return False
    definite = words[0] in {"the", "its", "his", "her", "their"} or words[0].endswith("'s")
    return definite and is_role_noun(words[-1].strip(",."))
