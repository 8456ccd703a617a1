"""Reading a short answer out of one sentence: the typed span a question asks for, and the helpers it needs.

The answering steps in :mod:`retrieval.answer` call :func:`extract_answer` on
their best sentences; the rest are the pieces it is made of, each with the
case that shaped it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kg import Mention
from kg.extraction import demonym_country

from ._text import STOPWORDS, anchor, content_tokens, normalize_answer, stems, tokens
from .graph_facts import Quotation
from .question import MONTH_NAMES, Question
from ._amounts import DATE_PHRASE, quantities
from .retriever import Candidate
from .scoring import has_date

__all__ = ["extract_answer", "join_names", "named_as", "span_confidence", "speaker_name", "unit_of", "unit_wanted",
           "unrecognised_name", "whole_date", "word_overlap"]


def join_names(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]



def word_overlap(q: Question, text: str) -> float:
    words = set(q.words)
    return len(words & set(tokens(text))) / len(words) if words else 0.0


def span_confidence(q: Question, c: Candidate, typed: bool) -> float:
    dense = min(1.0, max(0.0, (c.dense - 0.25) / 0.45))
    value = 0.55 * c.coverage + 0.3 * dense + 0.15 * (c.entity if q.entities else 1.0)
    if q.expected in {"person", "organization", "place", "date", "number", "duration"} and not typed:
        value *= 0.5
        if q.expected in {"place", "date", "number", "duration"}:
            value *= 0.5  # not a place, date or amount in it at all (a name the parser missed may still be there)
    if q.expected in {"number", "duration"} and c.missing:
        value *= 0.6  # a count means nothing without what was counted and what happened to it
    if q.head and stems([q.head])[0] not in stems(tokens(c.doc.page_content)):
        value *= 0.5  # "which hospital": a name from a sentence that says nothing of a hospital is a guess
    return round(value, 4)


def extract_answer(q: Question, c: Candidate, vetoed: set[str]) -> tuple[str | None, bool]:
    """The short answer inside one sentence, and whether it is of the expected type."""
    text = c.doc.page_content
    start0 = c.doc.metadata["start"]
    qwords = set(q.tokens)
    focus_words = {t for e in q.entities for t in tokens(e.text) + tokens(e.label)}

    def new(m: Mention) -> bool:
        # Mostly the question's own entity ("Gen Pervez Musharraf" for "President Musharraf") is not new.
        words = set(tokens(m.text))
        return bool(words) and not words <= (qwords | focus_words) and len(words & focus_words) * 2 <= len(words)

    if q.head and not q.is_list:
        named = named_as(text, q.head, qwords | focus_words)
        if named:
            return named, True
    kinds = {"person": {"person"}, "organization": {"organization", "group"}, "place": {"place"},
             "date": {"date"}}.get(q.expected)
    if q.expected == "place" and not q.is_list:
        # "Where does he come from?" is answered by "from Omaha"; elsewhere "from" names a source, not a place.
        preps = "in|at|near|from" if "from" in qwords else "in|at|near"
        for hit in re.finditer(rf"\b(?:(?:north|south|east|west)(?:ern)? of|{preps}) (?:the )?[A-Z][\w-]+(?: [A-Z][\w-]+)*", text):
            if not set(tokens(hit.group(0))) <= (qwords | focus_words | {"in", "at", "near", "from", "the", "of"}):
                return hit.group(0), True
    if kinds:
        found = [m for m in c.mentions if m.kind in kinds and new(m) and m.entity not in vetoed]
        if q.expected == "organization":
            # "Which company ...": a company before a body of people, and never a nationality ("Indian").
            found = [m for m in found if not (m.kind == "group" and demonym_country(m.text))]
            found = [m for m in found if m.kind == "organization"] or found
        if q.expected == "date":
            found = [m for m in found if not re.fullmatch(r"\d{1,3}", m.text.strip())]  # "59": an age, not a date
            if "year" in q.tokens:  # "in what year": a date with its year, not "two years"
                found = [m for m in found if re.search(r"\b(?:1[5-9]|20)\d\d\b", whole_date(text, m, start0))]
            if {"date", "day"} & set(q.tokens):  # "on what date": the day, not just its month or year
                with_day = [m for m in found if re.search(r"(?<!\d)\d{1,2}\b", whole_date(text, m, start0))]
                if found and not with_day:  # "in 2000" half answers it; a lower sentence may give the day
                    m = min(found, key=lambda m: abs((m.start - start0) - anchor(q.words, text)))
                    return whole_date(text, m, start0), False
                found = with_day
        if q.expected == "person" and not found and not q.is_list:
            name = unrecognised_name(text, c.mentions, start0, qwords | focus_words)
            if name:
                return name, True
            found = ([m for m in c.mentions if m.kind in {"organization", "place"} and new(m)]
                     or [m for m in c.mentions if m.kind == "group" and new(m)])
        # "FDD's Long War Journal": the owner is not the thing asked for.
        found = [m for m in found if not any(re.match(r"['’]s\s", text[m.end - start0:]) and o.start - m.end <= 3
                                             and o.start > m.start for o in found)] or found
        if found:
            middle = anchor(q.words, text)
            if q.is_list:
                names = list(dict.fromkeys(m.text for m in found))
                return join_names(names), True
            m = min(found, key=lambda m: abs((m.start - start0) - middle))
            if q.expected == "date":
                return whole_date(text, m, start0), True
            if q.expected == "place":
                before = text[: m.start - start0]
                direction = re.search(r"((?:north|south|east|west)(?:ern)? of (?:the )?)$", before)
                if direction:
                    return direction.group(1) + m.text, True
            return m.text, True
        if q.expected == "date":
            for pattern in (r"\b(?:in |since |by )?(?:the end of )?(?:1[5-9]\d\d|20\d\d)\b", r"\b(?:this|last|next) (?:week|month|year)\b"):
                hit = re.search(pattern, text)
                if hit:
                    return hit.group(0), True
        return text, False
    if q.expected in {"number", "duration"}:
        hits = [(amount, offset) for amount, offset in quantities(text) if normalize_answer(amount) not in qwords]
        # A year is a date, not an amount, unless the sentence has nothing else.
        hits = [h for h in hits if not re.fullmatch(r"(?:1[5-9]|20)\d\d", h[0])] or hits
        unit = unit_wanted(q)
        if unit is not None:
            # "What share": a percentage; "how much was he paid": money; "how many flights": a plain count.
            # A sentence without an amount of that kind does not answer, however many numbers it has.
            hits = [h for h in hits if unit_of(h[0]) == unit]
        if hits:
            middle = anchor(q.words, text)
            amount, offset = min(hits, key=lambda h: abs(h[1] - middle))
            return amount + what_it_counts(text[offset + len(amount):]), True
        return text, False
    return text, q.expected not in {"date"} or has_date(text)


def what_it_counts(rest: str) -> str:
    """Up to two words after an amount that say what it counts, never ending on a word that counts nothing
    (a preposition, an article, a verb like "said"): an answer is a whole phrase, not "3,248 patents in".

    >>> what_it_counts(" patents in 2004"), what_it_counts(" from the bank"), what_it_counts(" power cables were")
    (' patents', '', ' power cables')
    """
    counted = re.match(r"(?:\s+(?:of\s+)?[a-z][\w-]*){1,2}", rest)
    words = counted.group(0).split() if counted else []
    while words and not content_tokens(words[-1]):
        words.pop()
    return " " + " ".join(words) if words else ""


def balanced_quotes(text: str) -> str:
    """``text`` without a quotation mark that opens or closes nothing at its start or end.

    An answer cut from a quote keeps the quote's marks only when it keeps both.

    >>> balanced_quotes('“We will not retreat'), balanced_quotes('he said "no"'), balanced_quotes('talks failed."')
    ('We will not retreat', 'he said "no"', 'talks failed.')
    """
    out = text.strip()
    for opening, closing in (("“", "”"), ('"', '"')):  # not ‘’: ’ is the apostrophe of "Iran’s" too
        if opening == closing:
            if out.count(opening) % 2:
                out = out[1:] if out.startswith(opening) else out[:-1] if out.endswith(opening) else out
            continue
        if out.count(opening) > out.count(closing) and out.startswith(opening):
            out = out[1:]
        elif out.count(closing) > out.count(opening) and out.endswith(closing):
            out = out[:-1]
    return out.strip()


_PERCENT_WORDS = frozenset("share percentage proportion stake percent rate".split())
_MONEY_WORDS = frozenset("""cost costs pay paid fee fees salary price worth donate donated donation spend spent profit
profits revenue revenues sales compensation damages bid earn earned earns fine fined value valued raise raised
money loss losses""".split())


def unit_wanted(q: Question) -> str | None:
    """The kind of amount a number question asks for: ``percent``, ``money``, ``count``; None when unclear."""
    words = set(q.tokens)
    if words & _PERCENT_WORDS:
        return "percent"
    if words & _MONEY_WORDS or "money" in words:
        return "money"
    if q.wh == "how many" and re.match(r"(?i)how many\b", q.text.lstrip()):
        return "count"
    return None


def unit_of(amount: str) -> str:
    if re.search(r"%|per\s?cent", amount, re.I):
        return "percent"
    if re.search(r"[£$€¥]", amount):
        return "money"
    return "count"


_NAME_WORDS = r"[A-Z][\w'’&-]*(?:\s+(?:of\s+|the\s+|de\s+)?[A-Z0-9][\w'’&-]*){0,4}"


def named_as(text: str, noun: str, asked: set[str]) -> str | None:
    """The name the sentence gives to what it calls ``noun``: "a drugs charity, Addaction", "the shantytown
    of Kibera", "new owner Yeahronimo Media Ventures", "the Waldorf Astoria hotel".

    >>> named_as("She backs a drugs charity, Addaction, which she supports.", "charity", {"drugs", "charity"})
    'Addaction'
    >>> named_as("U2 were inducted at the Waldorf Astoria hotel in New York.", "hotel", {"hotel", "u2"})
    'Waldorf Astoria'
    >>> named_as("Shochiku film studios, founded 110 years ago, will receive it.", "studio", {"film", "studio"})
    'Shochiku'
    >>> named_as("The charity said nothing.", "charity", {"charity"}) is None
    True
    """
    word = re.escape(noun)
    # The name before the noun may have one word between them: "Shochiku film studios".
    for pattern in (rf"\b{word}s?,?\s+(?:of\s+)?(?:the\s+)?({_NAME_WORDS})",
                    rf"\b(?:the\s+)?({_NAME_WORDS})\s+(?:[a-z]+\s+)?{word}s?\b"):
        for hit in re.finditer(pattern, text):
            name = hit.group(1).strip()
            # "Kenya's biggest shantytown" names the owner, not the shantytown.
            if set(tokens(name)) - asked and not re.match(r"(?:The|A|An|It|He|She|They)\b", name) \
                    and not re.search(r"['’]s$", name):
                return name
    return None


def whole_date(text: str, m: Mention, start0: int) -> str:
    """A date mention with the day or year the sentence writes next to it ("March" of "11 March 2005")."""
    start, end = m.start - start0, m.end - start0
    for hit in DATE_PHRASE.finditer(text):
        if hit.start() <= start < hit.end() or start <= hit.start() < end:
            return text[min(start, hit.start()):max(end, hit.end())]
    return m.text


_NAME_RUN = re.compile(r"(?<![\w’'-])[A-Z][a-z][\w’'-]*(?: [A-Z][a-z][\w’'-]*){1,3}(?![\w’'-])")


def unrecognised_name(text: str, mentions: Sequence[Mention], start0: int, known: set[str]) -> str | None:
    """Two to four capitalised words that no mention covers and the question does not use: a person the
    parser missed. spaCy's small model tags "Ilse Marrow" as nothing, a date or a company depending on the
    words around it; a name it tagged as something else stays that thing.

    >>> unrecognised_name("The ferry captain of Oskarvik is Ilse Marrow.", [], 0, {"oskarvik"})
    'Ilse Marrow'
    """
    covered = [(m.start - start0, m.end - start0) for m in mentions]
    for hit in _NAME_RUN.finditer(text):
        words = hit.group(0).split()
        if hit.start() == 0 and words[0].lower() in STOPWORDS:
            words = words[1:]  # "The Ferry ...": the sentence's first word, not a name
        if len(words) < 2 or any(w.lower() in STOPWORDS or w.lower() in MONTH_NAMES for w in words):
            continue
        if any(s < hit.end() and hit.start() < e for s, e in covered) or set(tokens(" ".join(words))) & known:
            continue
        return " ".join(words)
    return None


def speaker_name(quote: Quotation, asked: set[str]) -> str | None:
    """Who made a statement, for "who said ...": its speaker's entity, unless the question already names that
    entity ("Which Forrester analyst ..." is not answered by "Forrester"); then a person's name in the words
    that introduce the statement ("Simon Yates, a senior analyst for Forrester").
    """
    label = quote.creator_label
    if label and not set(tokens(label)) <= asked:
        return label
    return unrecognised_name(quote.speaker_text, [], 0, asked)
