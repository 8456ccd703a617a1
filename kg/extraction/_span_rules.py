"""Rules on the tagger's spans before entities are resolved: an honorific, an article or glue trimmed off, a
geographic head ("Straits of") taken in, the start of an acronym's long form, and organisation names ending longer
ones. Pure functions of the spans; :mod:`kg.extraction._entities` applies them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ._aliases import AliasTable, initials, norm
from ._lexicon import GEO_HEADS
from ._name_forms import _abbreviates, _GROUPS, _NOT_IN_NAMES, _OPENERS, _PEOPLE, _TITLES, _Raw

if TYPE_CHECKING:  # spaCy is imported when a pipeline loads, not with kg
    from spacy.tokens import Doc, Span

__all__ = ["ACRONYM_STOP", "clean_span", "join_known", "extend_geo", "long_form_start", "longer_names", "trim_glued"]

#: Words an acronym's long form may hold that its letters skip ("Bank of England" is BoE, "B&Q").
ACRONYM_STOP = frozenset({"of", "and", "the", "for", "to", "de", "on", "in", "&", "-", "at"})


def clean_span(span: Span) -> tuple[Span | None, str]:
    """The span without a leading article or honorific and a trailing possessive or punctuation, and the
    honorific it had ("" if none)."""
    first, last = span.start, span.end
    doc = span.doc
    title = doc[first - 1].lower_ if first and doc[first - 1].lower_ in _TITLES else ""
    while first < last and (doc[first].lower_ in {"the", "a", "an"} or doc[first].lower_ in _TITLES
                            or doc[first].is_punct):
        if doc[first].lower_ in _TITLES:
            title = doc[first].lower_
        first += 1
    while last > first and (doc[last - 1].lower_ in {"'s", "’s", "'", "’"} or doc[last - 1].is_punct
                            or doc[last - 1].text in {"″", "”"}):
        last -= 1
    # "Said Mr" + "Fogg", "Describing Mr Jackson": a name starts after its honorific, and takes the
    # capitalised words after the honorific that the tagger left out.
    inner = next((i for i in range(last - 1, first, -1) if doc[i].lower_ in _TITLES), None)
    if inner is not None:
        title, first = doc[inner].lower_, inner + 1
        if first >= last:
            while last < len(doc) and doc[last].is_title and doc[last].pos_ == "PROPN":
                last += 1
    # "Vote Blair" (a slogan): a verb is not the first word of a name.
    while last - first > 1 and doc[first].pos_ in {"VERB", "AUX"} and doc[first].tag_ == "VB":
        first += 1
    if last <= first or not any(c.isalpha() for c in doc[first:last].text):
        return None, title
    if _NOT_IN_NAMES.search(doc[first:last].text):
        return None, title  # "Blair&#191;s" (a character reference left in the text), "Brown/Blair": not one name
    return doc[first:last], title


def extend_geo(span: Span) -> Span:
    """"Straits of Hormuz": a capitalised geographic head before "of NAME" belongs to the name."""
    doc = span.doc
    i = span.start
    if i >= 2 and doc[i - 1].lower_ == "of" and doc[i - 2].lower_ in GEO_HEADS and doc[i - 2].is_title:
        return doc[i - 2 : span.end]
    return span


def long_form_start(doc: Doc, paren: int, short: str) -> int | None:
    """Token index where the long form of ``short`` starts, walking back from the ``(`` at ``paren``."""
    letters = [c for c in short if c.isupper()]
    if len(letters) < 2:
        return None  # "Serge Betsen (Biarritz)": a club, not an acronym
    j = len(letters) - 1
    i = paren - 1
    while i >= 0 and j >= 0 and paren - i <= 12:
        word = doc[i].text
        if word in {"-", "–"} or (word.lower() in ACRONYM_STOP and j < len(letters) - 1):
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


def longer_names(names: list[str]) -> dict[str, str]:
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


def join_known(raws: list[_Raw], docs: list[Doc], aliases: AliasTable | None) -> None:
    """"Scottish" + "FA" tagged apart (or "FA" not at all): one organisation when together they name or
    shorten one the article or earlier articles (``aliases``) give ("Scottish Football Association").
    ``raws`` is changed in place."""
    in_article = [r.text.split() for r in raws if r.label == "ORG" and " " in r.text]
    starts = {(r.sentence, r.first): r for r in raws}
    covered = {(r.sentence, t) for r in raws for t in range(r.first, r.last)}
    joins: dict[int, _Raw] = {}  # id(a raw) -> what replaces it
    gone: set[int] = set()
    for left in raws:
        if left.label != "NORP":
            continue
        doc = docs[left.sentence]
        right = starts.get((left.sentence, left.last))
        if right is not None and right.label == "ORG":
            end = right.last
        else:
            right, end = None, left.last
            while end < len(doc) and (left.sentence, end) not in covered and doc[end].pos_ == "PROPN" \
                    and doc[end].text[:1].isupper():
                end += 1
            if end == left.last:
                continue
        text = doc[left.first : end].text
        words = text.split()
        known = any(_abbreviates(words, other) or words == other for other in in_article)
        if not known and aliases is not None:
            known = any(k[0] == "organization" for k in aliases.lookup(text)) or any(
                k[0] == "organization" and _abbreviates(words, k[1].split())
                for k in aliases.by_initials(initials(text)))
        if known and id(left) not in gone:
            joins[id(left)] = _Raw(left.sentence, left.first, end, text, "ORG", left.start,
                                   left.start + doc[end - 1].idx + len(doc[end - 1].text) - doc[left.first].idx,
                                   left.title)
            if right is not None:
                gone.add(id(right))
    if joins:
        raws[:] = [joins.get(id(r), r) for r in raws if id(r) not in gone]


def trim_glued(raws: list[_Raw], docs) -> None:  # noqa: ANN001
    """"Tories Ken Clarke", "Blair Labour", "Vote Blair": a person's name does not begin with a group or
    organisation the article names on its own, nor end with an organisation, nor begin a sentence with a
    word the article also writes in lower case, before the surname of someone else it names in full."""
    others = {norm(r.text) for r in raws if r.label in {"ORG", "NORP"} and " " not in r.text}
    # Last names of the article's full person names: "Blair Labour" is Blair, glued to his party.
    firsts_of: dict[str, set[str]] = defaultdict(set)
    for r in raws:
        words = r.text.split()
        if r.label == "PERSON" and len(words) >= 2:
            firsts_of[norm(words[-1])].add(norm(words[0]))
    last_names = set(firsts_of) - others
    lower: set[str] | None = None  # the article's lower-case words, gathered when first needed
    for r in raws:
        if r.label != "PERSON" or r.last - r.first < 2:
            continue
        doc = docs[r.sentence]
        first, last = r.first, r.last
        # A group word ("Tories") or an organisation before a name of two words or more.
        while last - first > 2 and (doc[first].text in _PEOPLE or doc[first].text in _GROUPS
                                    or norm(doc[first].text) in others):
            first += 1
        if last - first == 2 and norm(doc[last - 1].text) in others and norm(doc[first].text) in last_names:
            last -= 1
        elif last - first == 2 and (first == 0 or doc[first - 1].is_sent_end or doc[first - 1].text in _OPENERS) \
                and firsts_of.get(norm(doc[last - 1].text), set()) - {norm(doc[first].text)}:
            if lower is None:
                lower = {t.text for d in docs for t in d if t.is_lower}
            if doc[first].text.lower() in lower:
                first += 1  # "Vote Blair, Get Brown": a slogan, in an article that says "vote"
        if (first, last) != (r.first, r.last):
            base = r.start - doc[r.first].idx
            r.first, r.last = first, last
            r.start, r.end = base + doc[first].idx, base + doc[last - 1].idx + len(doc[last - 1].text)
            r.text = doc[first:last].text
