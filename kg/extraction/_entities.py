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

from ._aliases import AliasTable, initials, norm
from ._earlier_articles import _PENDING, EarlierArticles
from ._entity_kinds import recheck_kinds
from ._lexicon import COUNTRY_ALIASES, NAME_TITLES
from ._name_forms import (
    _FIRST_NAME_TITLES, _GROUPS, _KIND, _PEERS, _PEOPLE, _PLACES, _TITLES, _Raw,
    _abbreviates, _gender, _initial, _is_acronym, _peer, extend_given_name,
    strip_descriptors,
)
from ._pieces import MAX_MENTIONS_PER_SENTENCE
from ._span_rules import ACRONYM_STOP, join_known, clean_span, extend_geo, long_form_start, longer_names, trim_glued
from ._types import Acronym, Entity, Mention

if TYPE_CHECKING:  # spaCy is imported when a pipeline loads, not with kg
    from spacy.tokens import Doc, Span

__all__ = ["EntityFinder", "TokenEntities"]

_UNSURE = frozenset({"PRODUCT", "WORK_OF_ART", "EVENT", "LAW"})
_PLACE_PREPS = frozenset({"in", "at", "near", "from", "outside", "into", "across"})
_ACRONYM = re.compile(r"\(\s*([A-Z][A-Za-z0-9&]{1,9})\s*\)")
#: Single capitalised words the tagger takes for organisations inside post titles ("Defense Minister").
_PORTFOLIOS = frozenset("""defense defence foreign interior finance health trade culture home education justice
economy economic energy environment transport agriculture labour labor industry information intelligence
communications sport sports treasury state war""".split())

#: Per sentence: token index -> entity key.
TokenEntities = list[dict[int, tuple[str, str]]]




class EntityFinder(EarlierArticles):
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
                span, title = clean_span(ent)
                if span is None:
                    continue
                span = extend_geo(span)
                label = "GPE" if span.start < ent.start else ent.label_
                if label == "PERSON":
                    span = strip_descriptors(span)
                    if span is None:
                        continue
                    if not title:
                        span = extend_given_name(span)
                self._keep(raws, here, self._raw(si, span, label, offsets[si], title))
            token_at: dict[int, int] | None = None  # char offset -> token index, built on the first acronym
            for m in _ACRONYM.finditer(doc.text):
                if token_at is None:
                    token_at = {t.idx: t.i for t in doc}
                paren = token_at.get(m.start())
                if paren is not None and paren and doc[paren - 1].lower_ in {"'s", "’s"}:
                    paren -= 1  # "Deutsche Boerse's (DB) shares"
                start = long_form_start(doc, paren, m[1]) if paren is not None else None
                if start is None:
                    continue
                long_span = doc[start:paren]
                holder = next((r for r in here if r.first <= start < r.last and r.label != "NORP"), None)
                if holder is None and all(t.is_title or t.lower_ in ACRONYM_STOP for t in long_span):
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
    def _raw(si: int, span: Span, label: str, offset: int, title: str = "") -> _Raw:
        if not title and span.start and span.doc[span.start - 1].lower_ in _TITLES:
            title = span.doc[span.start - 1].lower_
        if not title and len(span) >= 2 and span[0].lower_ in _PEERS:
            title = span[0].lower_  # "Baroness Kennedy": the title stays in the name
        return _Raw(si, span.start, span.end, span.text, label, offset + span.start_char, offset + span.end_char,
                    title)

    def _resolve(self, docs, offsets, raws, acronyms):  # noqa: ANN001, ANN202 - private, typed by find()
        short_of: dict[str, _Raw] = {norm(s): r for s, r, _, _ in acronyms if r is not None}
        trim_glued(raws, docs)
        join_known(raws, docs, self.aliases)
        self._retype(raws)
        recheck_kinds(raws, docs)
        # "BA" in an article naming "British Airways": an all-capital word is the one organisation of the
        # article whose initials it spells.
        by_initials: dict[str, list[_Raw]] = defaultdict(list)
        for r in raws:
            if r.label == "ORG" and " " in r.text:
                short = initials(r.text)
                if short and all(norm(o.text) == norm(r.text) for o in by_initials[short]):
                    by_initials[short].append(r)
                elif short:
                    by_initials[short].append(r)
        for r in raws:
            n = norm(r.text)
            if _is_acronym(r.text) and n not in short_of:
                holders = by_initials.get(r.text.replace(".", "").upper(), ())
                if holders and len({norm(h.text) for h in holders}) == 1:
                    short_of[n] = holders[0]
                    acronyms.append((r.text, holders[0], holders[0].text, None))
        # "Man Utd" in an article naming "Manchester United": the short form names the long one.
        longs: dict[str, list[_Raw]] = defaultdict(list)
        for r in raws:
            if r.label in {"ORG", "NORP", "GPE", "FAC", "PERSON"} and " " in r.text:
                longs[initials(r.text)].append(r)
        for r in raws:
            words = r.text.split()
            if len(words) < 2 or norm(r.text) in short_of or _initial(r.text):
                continue
            holders = [h for h in longs.get(initials(r.text), ()) if len(h.text) > len(r.text)
                       and not ({h.label, r.label} & _PLACES and {h.label, r.label} & {"NORP"})
                       and _abbreviates(words, h.text.split())]
            if holders and len({norm(h.text) for h in holders}) == 1:
                short_of[norm(r.text)] = holders[0]
        # Full person names, in order, so a later surname finds the closest earlier one.
        full_people = [r for r in raws if r.label == "PERSON" and len(r.text.split()) >= 2 and not _initial(r.text)
                       and not _peer(r)]
        first_full: dict[str, _Raw] = {}  # a full name -> its first mention (what person_for returns for it)
        surnames: dict[str, list[_Raw]] = defaultdict(list)  # first or last name -> full names
        lasts: dict[str, list[_Raw]] = defaultdict(list)  # last name -> full names ("Mr Howard" is not Howard Flight)
        for r in full_people:
            first_full.setdefault(norm(r.text), r)
            words = r.text.split()
            for part in {words[-1], words[0]}:
                if part.lower().rstrip(".") not in NAME_TITLES:
                    surnames[norm(part)].append(r)
            lasts[norm(words[-1])].append(r)
        # Positions of each surname's candidates, in mention order (full_people is), for bisecting.
        where = {n: [(p.sentence, p.first) for p in ps] for n, ps in surnames.items()}
        where_last = {n: [(p.sentence, p.first) for p in ps] for n, ps in lasts.items()}
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

        def closest(r: _Raw, n: str, titled: bool, initial: str) -> _Raw | None:
            candidates, at = (lasts.get(n), where_last.get(n)) if titled or initial else (surnames.get(n), where.get(n))
            if not candidates:
                return None
            if initial:
                kept = [i for i, c in enumerate(candidates) if c.text[:1].upper() == initial]
                candidates, at = [candidates[i] for i in kept], [at[i] for i in kept]
                if not candidates:
                    return None
            before = bisect_right(at, (r.sentence, r.first))  # how many start at or before r
            return candidates[before - 1] if before else candidates[-1]

        gender: dict[str, str] = {}  # full name -> "f" or "m", from most of the honorifics that name it

        def person_for(r: _Raw) -> _Raw | None:
            n = norm(r.text)
            if r.label in {"GPE", "LOC", "NORP"} and votes[n]["person"] == 0 and not self._surname_not_place(r, lasts):
                return None
            words = r.text.split()
            if n in first_full:
                found = first_full[n]
            elif _peer(r):  # "Baroness Kennedy" after "Helena Kennedy", "Lord John Russell" after "John Russell"
                found = first_full.get(norm(" ".join(words[1:])))
                if found is None and len(words) == 2:
                    found = closest(r, norm(words[-1]), True, "")
            else:
                initial = _initial(r.text)
                if initial:
                    found = closest(r, norm(words[-1]), True, initial)
                elif len(words) == 1:
                    # After "Mr" a surname; after "Sir" or "Dame" a first name ("Sir Ian").
                    found = closest(r, n, bool(r.title) and r.title not in _FIRST_NAME_TITLES, "")
                else:
                    return None
            if found is not None and _gender(r.title) and gender_of(found) not in {"", _gender(r.title)}:
                return _CONFLICT  # "Mrs Howard" in an article whose Michael Howard is "Mr Howard"
            return found

        def gender_of(full: _Raw) -> str:
            """What earlier articles' honorifics say of this name, else most of this article's."""
            known = self.aliases.gender(("person", full.text)) if self.aliases is not None else ""
            return known or gender.get(norm(full.text), "")

        said: dict[str, Counter[str]] = defaultdict(Counter)
        for r in raws:
            if _gender(r.title) and r.label in {"PERSON", "SURNAME"}:
                found = person_for(r)
                if found is not None:
                    said[norm(found.text)][_gender(r.title)] += 1
        for name, counts in said.items():
            (top, n), *rest = counts.most_common()
            if not rest or n > rest[0][1]:
                gender[name] = top

        # "the Guard Corps" is the "Islamic Revolutionary Guard Corps" named in full elsewhere.
        org_names = sorted({norm(r.text) for r in raws if r.label == "ORG"}, key=len, reverse=True)
        self._longer_org = longer_names(org_names)
        self._org_text = {norm(r.text): r.text for r in raws if r.label == "ORG"}
        self._short_of = short_of
        self._first_full = first_full
        self._surnames = surnames
        keys: dict[int, tuple[tuple[str, str], str]] = {}  # id(raw) -> (entity key, resolution)
        pending: list[tuple[_Raw, list[tuple[str, str]]]] = []  # bare names whose bearer the context decides
        guessed: set[int] = set()  # raws the context gave a bearer (no evidence for the next article's context)
        for r in raws:
            found = self._key(r, votes, person_for, short_of, docs)
            if found is None:
                continue
            if found[1] == _PENDING:
                pending.append((r, found[0]))
            else:
                keys[id(r)] = found
        if pending:
            context = {k for k, _ in keys.values() if not (k[0] == "person" and " " not in k[1])}
            decided: dict[tuple[str, tuple], tuple[tuple[str, str], str] | None] = {}
            for r, candidates in pending:
                memo = (norm(r.text), tuple(candidates), _gender(r.title))
                if memo not in decided:
                    bearer = self._bearer(candidates, context, _gender(r.title))
                    reason = "acronym" if candidates[0][0] != "person" else \
                        "known-alias" if len(candidates) == 1 else "dominant-bearer"
                    decided[memo] = (bearer, reason) if bearer else self._fallback(r, votes)
                if decided[memo] is not None:
                    keys[id(r)] = decided[memo]
                    guessed.add(id(r))
        self._absorb_acronyms(raws, keys, short_of)

        entities: dict[tuple[str, str], Entity] = {}
        mentions: list[Mention] = []
        tokens: TokenEntities = [dict() for _ in docs]
        for r in raws:
            found = keys.get(id(r))
            if found is None:
                continue
            key, reason = found
            ent = entities.setdefault(key, Entity(key[0], key[1]))
            if r.text != key[1]:
                ent.aliases.add(r.text)
            mentions.append(Mention(r.start, r.end, r.text, key, self._sentence_of[r.sentence],
                                    "" if r.text == key[1] else reason or "variant"))
            for i in range(r.first, r.last):
                tokens[r.sentence][i] = key
        found_acronyms: list[Acronym] = []
        for short, holder, long_text, si in acronyms:
            if si is None:
                continue  # spelled by initials, not defined: no acronym fact
            key = keys[id(holder)][0] if holder is not None and id(holder) in keys else None
            if key is not None:
                entities[key].aliases.add(short)
            found_acronyms.append(Acronym(short, long_text, key, self._sentence_of[si]))
        if self.aliases is not None and not getattr(self.aliases, "_frozen", False):
            titled: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
            for r in raws:
                if _gender(r.title) and id(r) in keys and keys[id(r)][0][0] == "person":
                    titled[keys[id(r)][0]][_gender(r.title)] += 1
            genders = {k: c.most_common(1)[0][0] for k, c in titled.items() if len(c) == 1}
            # An entity named only by names the context chose a bearer for is not counted as co-mentioned:
            # a choice must not become the support for the next one.
            named = {keys[id(r)][0] for r in raws if id(r) in keys and id(r) not in guessed}
            self.aliases.note_article([k for k in entities if k in named], genders)
        return entities, mentions, found_acronyms, tokens

    def _key(self, r: _Raw, votes, person_for, short_of, docs):  # noqa: ANN001, ANN202
        """(entity key, resolution) for ``r``; ``(candidates, _PENDING)`` when the article's context decides."""
        text, n = r.text, norm(r.text)
        if n in short_of and short_of[n] is not r:
            holder = short_of[n]
            found = self._key(holder, votes, person_for, {}, docs)
            if found and found[1] != _PENDING:
                return found[0], "acronym" if _is_acronym(text) else "variant"
            return found
        if r.label in {"ORG", "SURNAME"} and n in _PORTFOLIOS:
            return None
        if self._noise(r):
            return None
        person = person_for(r)
        if person is _CONFLICT:
            return None
        if person is not None:
            return ("person", person.text if len(person.text) >= len(text) else text), "same-article"
        if n in COUNTRY_ALIASES:
            return ("place", COUNTRY_ALIASES[n]), "variant"
        if r.label == "NORP" or text in _GROUPS or text in _PEOPLE:
            adjective = text if text in _GROUPS else _PEOPLE.get(text)
            if adjective:
                return ("group", _GROUPS[adjective]), "variant"
            if r.label != "NORP":
                return None
            known = self._known(r)  # "Lib Dems" after an article tied it to the "Liberal Democrats"
            return known if known is not None and known[1] != _PENDING else (("group", text), "")
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
            return (kind, self._org_text[longer]), "variant"
        return (kind, text), ""

    def _noise(self, r: _Raw) -> bool:
        """Names that are not one entity: "Blairs" (a family), "Blair-Brown", "Blair and Brown" (two people)."""
        text = r.text
        if " " not in text and len(text) > 3 and text.endswith("s") and norm(text[:-1]) in self._surnames \
                and norm(text) not in self._surnames:
            return True
        parts = [p for p in _JOINED.split(text) if p]
        return len(parts) > 1 and all(norm(p) in self._surnames or norm(p) in self._first_full for p in parts)


_CONFLICT = _Raw(-1, 0, 0, "", "", 0, 0)
_JOINED = re.compile(r"\s*(?:-|–|/|&|\band\b)\s*")
