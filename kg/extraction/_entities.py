"""Entity mentions and their resolution within an article (and against the cross-article alias table).

spaCy's tagger proposes spans; rules settle what context can: a name already
resolved as a person stays a person, a defined acronym names its long form,
"US", "U.S." and "the US" are one place, a nationality adjective is its group,
and a later surname ("Hatami") is the person named in full earlier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass


from ._aliases import AliasTable, norm
from ._pieces import MAX_MENTIONS_PER_SENTENCE
from ._lexicon import COUNTRY_ALIASES, DEMONYMS, GEO_HEADS, GROUP_FORMS, HONORIFICS, NAME_TITLES
from ._types import Acronym, Entity, Mention

if TYPE_CHECKING:  # spaCy is imported when a pipeline loads, not with kg
    from spacy.tokens import Doc, Span

__all__ = ["EntityFinder", "TokenEntities"]

_KIND = {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place", "FAC": "place", "NORP": "group"}
_UNSURE = frozenset({"PRODUCT", "WORK_OF_ART", "EVENT", "LAW"})
_PLACE_PREPS = frozenset({"in", "at", "near", "from", "outside", "into", "across"})
_ACRONYM = re.compile(r"\(\s*([A-Z][A-Za-z0-9&]{1,9})\s*\)")
_ACRONYM_STOP = frozenset({"of", "and", "the", "for", "to", "de", "on", "in", "&", "-", "at"})
#: Single capitalised words the tagger takes for organisations inside post titles ("Defense Minister").
_PORTFOLIOS = frozenset("""defense defence foreign interior finance health trade culture home education justice
economy economic energy environment transport agriculture labour labor industry information intelligence
communications sport sports treasury state war""".split())
_GROUPS = {**{adj: people for adj, (_, people) in DEMONYMS.items()}, **GROUP_FORMS}
_PEOPLE = {people: adj for adj, people in _GROUPS.items()}

#: Per sentence: token index -> entity key.
TokenEntities = list[dict[int, tuple[str, str]]]


@dataclass
class _Raw:
    sentence: int
    first: int  # token index in the sentence's doc
    last: int  # exclusive
    text: str
    label: str
    start: int  # offsets into the article text
    end: int


#: Characters no name is written with (names keep letters, digits, spaces, hyphens, apostrophes, dots, "&").
_NOT_IN_NAMES = re.compile(r"[^\w\s'’\-.&]|&#|_")


def _clean(span: Span) -> Span | None:
    """The span without a leading article or honorific and a trailing possessive or punctuation."""
    first, last = span.start, span.end
    doc = span.doc
    while first < last and (doc[first].lower_ in {"the", "a", "an"} or doc[first].lower_ in HONORIFICS
                            or doc[first].is_punct):
        first += 1
    while last > first and (doc[last - 1].lower_ in {"'s", "’s", "'", "’"} or doc[last - 1].is_punct
                            or doc[last - 1].text in {"″", "”"}):
        last -= 1
    # "Vote Blair" (a slogan): a verb is not the first word of a name.
    while last - first > 1 and doc[first].pos_ in {"VERB", "AUX"} and doc[first].tag_ == "VB":
        first += 1
    if last <= first or not any(c.isalpha() for c in doc[first:last].text):
        return None
    if _NOT_IN_NAMES.search(doc[first:last].text):
        return None  # "Blair&#191;s" (a character reference left in the text), "Brown/Blair": not one name
    return doc[first:last]


def _extend_geo(span: Span) -> Span:
    """"Straits of Hormuz": a capitalised geographic head before "of NAME" belongs to the name."""
    doc = span.doc
    i = span.start
    if i >= 2 and doc[i - 1].lower_ == "of" and doc[i - 2].lower_ in GEO_HEADS and doc[i - 2].is_title:
        return doc[i - 2 : span.end]
    return span


def _long_form(doc: Doc, paren: int, short: str) -> int | None:
    """Token index where the long form of ``short`` starts, walking back from the ``(`` at ``paren``."""
    letters = [c for c in short if c.isupper()]
    j = len(letters) - 1
    i = paren - 1
    while i >= 0 and j >= 0 and paren - i <= 12:
        word = doc[i].text
        if word in {"-", "–"} or (word.lower() in _ACRONYM_STOP and j < len(letters) - 1):
            i -= 1
            continue
        if not word[:1].isalpha() or word[0].upper() != letters[j]:
            return None
        j -= 1
        if j < 0:
            return i
        i -= 1
    return None


#: Longest name (in words) matched as the end of a longer organisation name; real ones have a handful.
_SUFFIX_WORDS = 10


def _longer_names(names: list[str]) -> dict[str, str]:
    """Each name of 2+ words that ends a longer one in ``names`` -> the first such longer name.

    One pass over the names' word-suffixes (at most :data:`_SUFFIX_WORDS` words), not a scan of every pair.
    """
    first_ending: dict[str, str] = {}  # " ".join(last k words) -> first name in ``names`` ending with it
    for name in names:
        words = name.split(" ")
        for k in range(1, min(len(words), _SUFFIX_WORDS + 1)):
            first_ending.setdefault(" ".join(words[-k:]), name)
    return {n: first_ending[n] for n in names
            if len(n.split()) >= 2 and n in first_ending and first_ending[n] != n}


class EntityFinder:
    """Finds and resolves the entities of one article; ``aliases`` links names across articles."""

    def __init__(self, aliases: AliasTable | None = None) -> None:
        self.aliases = aliases
        self._longer_org: dict[str, str] = {}
        self._org_text: dict[str, str] = {}

    def find(self, docs: list[Doc], offsets: list[int], sentence_of: list[int] | None = None) -> tuple[
        dict[tuple[str, str], Entity], list[Mention], list[Acronym], TokenEntities
    ]:
        """Entities of the article whose docs (in order) start at ``offsets`` in its text.

        ``sentence_of`` maps each doc to the sentence it is part of (one sentence may be parsed as several
        pieces); by default doc ``i`` is sentence ``i``. At most :data:`MAX_MENTIONS_PER_SENTENCE` raw
        mentions are kept per sentence. The returned token maps are per doc.
        """
        self._sentence_of = sentence_of if sentence_of is not None else list(range(len(docs)))
        self._per_sentence: Counter[int] = Counter()
        raws: list[_Raw] = []
        acronyms: list[tuple[str, _Raw | None, str, int]] = []  # short, long-form span, long text, sentence
        for si, doc in enumerate(docs):
            here: list[_Raw] = []  # this doc's raws: the acronym holders are looked up among them only
            for ent in doc.ents:
                if ent.label_ not in _KIND and ent.label_ not in _UNSURE:
                    continue
                span = _clean(ent)
                if span is None:
                    continue
                span = _extend_geo(span)
                label = "GPE" if span.start < ent.start else ent.label_
                self._keep(raws, here, self._raw(si, span, label, offsets[si]))
            token_at: dict[int, int] | None = None  # char offset -> token index, built on the first acronym
            for m in _ACRONYM.finditer(doc.text):
                if token_at is None:
                    token_at = {t.idx: t.i for t in doc}
                paren = token_at.get(m.start())
                start = _long_form(doc, paren, m[1]) if paren is not None else None
                if start is None:
                    continue
                long_span = doc[start:paren]
                holder = next((r for r in here if r.first <= start < r.last and r.label != "NORP"), None)
                if holder is None and all(t.is_title or t.lower_ in _ACRONYM_STOP for t in long_span):
                    holder = self._raw(si, long_span, "ORG", offsets[si])
                    if not self._keep(raws, here, holder):
                        continue
                acronyms.append((m[1], holder, long_span.text, si))
        return self._resolve(docs, offsets, raws, acronyms)

    def _keep(self, raws: list[_Raw], here: list[_Raw], raw: _Raw) -> bool:
        """Add ``raw`` unless its sentence has its fill of mentions already."""
        sentence = self._sentence_of[raw.sentence]
        if self._per_sentence[sentence] >= MAX_MENTIONS_PER_SENTENCE:
            return False
        self._per_sentence[sentence] += 1
        raws.append(raw)
        here.append(raw)
        return True

    @staticmethod
    def _raw(si: int, span: Span, label: str, offset: int) -> _Raw:
        return _Raw(si, span.start, span.end, span.text, label, offset + span.start_char, offset + span.end_char)

    def _resolve(self, docs, offsets, raws, acronyms):  # noqa: ANN001, ANN202 - private, typed by find()
        short_of: dict[str, _Raw] = {norm(s): r for s, r, _, _ in acronyms if r is not None}
        # Full person names, in order, so a later surname finds the closest earlier one.
        full_people = [r for r in raws if r.label == "PERSON" and len(r.text.split()) >= 2]
        first_full: dict[str, _Raw] = {}  # a full name -> its first mention (what person_for returns for it)
        surnames: dict[str, list[_Raw]] = defaultdict(list)
        for r in full_people:
            first_full.setdefault(norm(r.text), r)
            for part in {r.text.split()[-1], r.text.split()[0]}:
                if part.lower().rstrip(".") not in NAME_TITLES:
                    surnames[norm(part)].append(r)
        # Positions of each surname's candidates, in mention order (full_people is), for bisecting.
        where = {n: [(p.sentence, p.first) for p in ps] for n, ps in surnames.items()}
        # The tagger misses some later mentions of a known surname or acronym: add them.
        known_tokens = set(surnames) | set(short_of)
        by_doc: dict[int, list[_Raw]] = defaultdict(list)
        for r in raws:
            by_doc[r.sentence].append(r)
        for si, doc in enumerate(docs):
            covered = {i for r in by_doc[si] for i in range(r.first, r.last)}
            for tok in doc:
                if tok.i not in covered and tok.text[:1].isupper() and norm(tok.text) in known_tokens \
                        and tok.pos_ == "PROPN":
                    self._keep(raws, by_doc[si], self._raw(si, doc[tok.i : tok.i + 1], "SURNAME", offsets[si]))
        raws.sort(key=lambda r: (r.sentence, r.first))

        votes: dict[str, Counter[str]] = defaultdict(Counter)
        for r in raws:
            if r.label in _KIND:
                votes[norm(r.text)][_KIND[r.label]] += 1

        def person_for(r: _Raw) -> _Raw | None:
            n = norm(r.text)
            if r.label in {"GPE", "LOC", "NORP"} and votes[n]["person"] == 0:
                return None
            if n in first_full:
                return first_full[n]
            candidates = surnames.get(n) if len(r.text.split()) == 1 else None
            if not candidates:
                return None
            before = bisect_right(where[n], (r.sentence, r.first))  # how many start at or before r
            return candidates[before - 1] if before else candidates[-1]

        # "the Guard Corps" is the "Islamic Revolutionary Guard Corps" named in full elsewhere.
        org_names = sorted({norm(r.text) for r in raws if r.label == "ORG"}, key=len, reverse=True)
        self._longer_org = _longer_names(org_names)
        self._org_text = {norm(r.text): r.text for r in raws if r.label == "ORG"}
        keys: dict[int, tuple[str, str]] = {}  # id(raw) -> entity key
        for r in raws:
            key = self._key(r, votes, person_for, short_of, docs)
            if key is not None:
                keys[id(r)] = key

        entities: dict[tuple[str, str], Entity] = {}
        mentions: list[Mention] = []
        tokens: TokenEntities = [dict() for _ in docs]
        for r in raws:
            key = keys.get(id(r))
            if key is None:
                continue
            ent = entities.setdefault(key, Entity(key[0], key[1]))
            if r.text != key[1]:
                ent.aliases.add(r.text)
            mentions.append(Mention(r.start, r.end, r.text, key, self._sentence_of[r.sentence]))
            for i in range(r.first, r.last):
                tokens[r.sentence][i] = key
        found: list[Acronym] = []
        for short, holder, long_text, si in acronyms:
            key = keys.get(id(holder)) if holder is not None else None
            if key is not None:
                entities[key].aliases.add(short)
            found.append(Acronym(short, long_text, key, self._sentence_of[si]))
        return entities, mentions, found, tokens

    def _key(self, r: _Raw, votes, person_for, short_of, docs) -> tuple[str, str] | None:  # noqa: ANN001
        text, n = r.text, norm(r.text)
        if n in short_of and short_of[n] is not r:
            holder = short_of[n]
            return self._key(holder, votes, person_for, {}, docs)
        if r.label in {"ORG", "SURNAME"} and n in _PORTFOLIOS:
            return None
        person = person_for(r)
        if person is not None:
            return ("person", person.text if len(person.text) >= len(text) else text)
        if n in COUNTRY_ALIASES:
            return ("place", COUNTRY_ALIASES[n])
        if r.label == "NORP" or text in _GROUPS or text in _PEOPLE:
            adjective = text if text in _GROUPS else _PEOPLE.get(text)
            if adjective:
                return ("group", _GROUPS[adjective])
            return ("group", text) if r.label == "NORP" else None
        known = self._known(r)
        if known is not None:
            return known
        kinds = votes.get(n)
        if kinds:
            kind = kinds.most_common(1)[0][0]
            if kind == "person" and len(text.split()) == 1 and len(kinds) > 1:
                # People are introduced by full name; a lone word also tagged otherwise is not one.
                kind = next(k for k, _ in kinds.most_common() if k != "person")
        elif r.label in _UNSURE or r.label == "SURNAME":
            doc = docs[r.sentence]
            before = doc[r.first - 1].lower_ if r.first else ""
            if before not in _PLACE_PREPS:
                return None
            kind = "place"
        else:
            return None
        if kind == "person" and len(text.split()) == 1 and text.isupper():
            return None  # an all-caps single word tagged PERSON is rarely one
        if kind == "organization" and n in self._longer_org:
            longer = self._longer_org[n]
            return (kind, self._org_text[longer])
        return (kind, text)

    def _known(self, r: _Raw) -> tuple[str, str] | None:
        """The entity an earlier article gave this name, when exactly one fits."""
        if self.aliases is None:
            return None
        found = self.aliases.lookup(r.text)
        if r.label in _KIND:
            found = [k for k in found if k[0] == _KIND[r.label]]
        if len(found) == 1 and found[0][1] != r.text:
            return found[0]
        if r.label == "PERSON" and len(r.text.split()) == 1:
            # "Mr Blair" in an article that never gives his first name: the Blair most articles name, when
            # one dominates (Tony Blair in 147 of 154 articles naming a Blair); else nothing supports a choice.
            return self.aliases.dominant(r.text, "person")
        return None
