"""How names are written: the tagged span a name starts as, entity kinds, honorifics and short forms.

Shared by the within-article rules (:mod:`._entities`) and the choices made against earlier articles
(:mod:`._earlier_articles`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._lexicon import DEMONYMS, GROUP_FORMS, HONORIFICS

if TYPE_CHECKING:  # spaCy is imported when a pipeline loads, not with kg
    from spacy.tokens import Span

_KIND = {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place", "FAC": "place", "NORP": "group"}
_GROUPS = {**{adj: people for adj, (_, people) in DEMONYMS.items()}, **GROUP_FORMS}
_PEOPLE = {people: adj for adj, people in _GROUPS.items()}
_COUNTRIES = frozenset(country for country, _ in DEMONYMS.values())  # "Wales", "France": never a surname


@dataclass
class _Raw:
    sentence: int
    first: int  # token index in the sentence's doc
    last: int  # exclusive
    text: str
    label: str
    start: int  # offsets into the article text
    end: int
    title: str = ""  # the honorific before the name ("mr"), if any


#: Characters no name is written with (names keep letters, digits, spaces, hyphens, apostrophes, dots, "&").
_NOT_IN_NAMES = re.compile(r"[^\w\s'’\-.&]|&#|_|\s[-–]\s")


#: Titles of peers, stripped like honorifics ("Baroness Kennedy" is Kennedy).
_PEERAGE = frozenset({"baroness", "baron", "viscount", "viscountess", "countess"})
#: Honorifics dropped from a name; a peer's title stays ("Lord Kinnock", "Baroness Kennedy" are how peers are
#: named), and the surname after it still finds the full name the article gives ("Helena Kennedy").
_TITLES = HONORIFICS - {"lord", "lady"}
_PEERS = _PEERAGE | {"lord", "lady"}
#: Honorifics that say a woman or a man is meant: "Mrs Howard" is not the Michael Howard of "Mr Howard".
_FEMALE = frozenset({"mrs", "mrs.", "ms", "ms.", "miss", "lady", "dame", "baroness", "viscountess", "countess"})
_MALE = frozenset({"mr", "mr.", "sir", "lord", "baron", "viscount"})
_INITIAL = re.compile(r"^([A-Z])\.? [A-Z][\w'’-]+$")


_FIRST_NAME_TITLES = frozenset({"sir", "dame"})
_PLACES = frozenset({"GPE", "LOC", "FAC"})
_OPENERS = frozenset({".", "!", "?", ":", ";", '"', "“", "‘", "(", "-", "–", "—"})


def _peer(r: _Raw) -> bool:
    """Whether ``r`` is a peer's name with its title ("Lord Kinnock")."""
    return r.title in _PEERS and r.text.split()[0].lower() == r.title


def _initial(text: str) -> str:
    """"S" for "S Murray" (an initial and a surname), else ""."""
    m = _INITIAL.match(text)
    return m[1] if m else ""


def _abbreviates(short: list[str], long: list[str]) -> bool:
    """Whether each word of ``short`` is a word of ``long``, its abbreviation ("Man", "Utd", "Dems": the same
    first letter, then letters of it in order) or the initials of some of its words ("FA"), in order, with at
    least one word shortened. Proper names of people are not compared this way (callers)."""
    def walk(i: int, j: int, shortened: bool) -> bool:
        if i == len(short):
            return j == len(long) and shortened
        if j == len(long):
            return False
        a, b = short[i].lower().rstrip("."), long[j].lower()
        if a == b:
            return walk(i + 1, j + 1, shortened)
        if short[i].isupper() and 2 <= len(a) <= 4 and len(long) - j >= len(a) \
                and "".join(w[0] for w in long[j : j + len(a)]).lower() == a and walk(i + 1, j + len(a), True):
            return True
        return _shortens(a, b) and walk(i + 1, j + 1, True)
    return walk(0, 0, False)


_VOWELS = frozenset("aeiouy")


def _shortens(a: str, b: str) -> bool:
    """Whether word ``a`` is a short form of word ``b``: its start ("Man", "Lib", "Dems" for "Democrats") or its
    first letter and some of its consonants ("Utd", "Intl")."""
    if len(a) < 2 or len(a) >= len(b) or a[0] != b[0]:
        return False
    stem = a[:-1] if a.endswith("s") and b.endswith("s") and len(a) > 3 else a
    if b.startswith(stem) and len(stem) >= 3:
        return True
    return not (_VOWELS & set(a[1:])) and _in_order(a, b)


def _in_order(a: str, b: str) -> bool:
    letters = iter(b)
    return all(c in letters for c in a)


def _is_acronym(text: str) -> bool:
    letters = text.replace(".", "")
    return 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()


def _gender(title: str) -> str:
    return "f" if title in _FEMALE else "m" if title in _MALE else ""



def extend_given_name(span: Span) -> Span:
    """"Amit Yoran" tagged as "Yoran": a lone tagged surname takes the one capitalised proper noun before it,
    when that word is no title, role, honorific or group and the word before it is not a name too."""
    from ._lexicon import NAME_TITLES, RANKS, ROLE_HEADS

    doc, i = span.doc, span.start
    if len(span) != 1 or i == 0:
        return span
    given = doc[i - 1]
    if not (given.pos_ == "PROPN" and given.is_title and given.ent_type_ in {"", "PERSON"} and given.is_alpha
            and given.lower_ not in HONORIFICS | NAME_TITLES | RANKS | ROLE_HEADS and given.text not in _GROUPS):
        return span
    if i >= 2 and (doc[i - 2].pos_ == "PROPN" or doc[i - 2].is_title and not doc[i - 2].is_sent_start):
        return span
    return doc[i - 1 : span.end]


#: Singular nouns for a nationality that the adjective does not spell ("Briton Hayley Yelling").
_NATIONALS = frozenset({"briton", "scot", "frenchman", "frenchwoman", "englishman", "englishwoman", "welshman",
                        "welshwoman", "irishman", "irishwoman", "dutchman", "dane", "swede", "finn", "pole",
                        "turk", "spaniard", "kiwi", "aussie", "yank"})


def _descriptor(word: str) -> bool:
    """A role or a nationality written before a name: "Rapper", "Briton", "American"."""
    from ._lexicon import NAME_TITLES, ROLE_HEADS

    w = word.lower()
    return (w in ROLE_HEADS and w not in NAME_TITLES) or w in _NATIONALS or word in DEMONYMS


def strip_descriptors(span: Span) -> Span | None:
    """"Rapper Eminem" is Eminem, "Briton Hayley Yelling" Hayley Yelling: the tagger reads a capitalised role or
    nationality at the start of a sentence as part of the name. "Banned American", all description, is no
    name at all (None); a one-word name stays as it is ("Dean")."""
    if len(span) < 2:
        return span
    i = span.start
    while i < span.end and (_descriptor(span.doc[i].text)
                            or (span.doc[i].pos_ in {"ADJ", "VERB"} and i + 1 < span.end
                                and _descriptor(span.doc[i + 1].text))):
        i += 1
    return None if i == span.end else span.doc[i : span.end]
