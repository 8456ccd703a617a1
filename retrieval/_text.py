"""Pure text helpers shared by indexing, question analysis and answer scoring.

>>> tokens("Iran's Defence Minister, Brig. Gen. Amir Hatami")
['iran', 'defense', 'minister', 'brig', 'gen', 'amir', 'hatami']
>>> normalize_answer("The U.S. and Israel!")
'us and israel'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN

__all__ = ["tokens", "content_tokens", "stems", "normalize_answer", "bm25_tokens", "bigrams", "anchor", "STOPWORDS",
           "SPELLING"]

#: British spellings (and a few variants) folded to the form most news text uses.
SPELLING = {
    "defence": "defense", "offence": "offense", "programme": "program", "programmes": "programs",
    "organisation": "organization", "organisations": "organizations", "centre": "center",
    "favour": "favor", "labour": "labor", "honour": "honor", "neighbour": "neighbor", "neighbours": "neighbors",
    "armour": "armor", "rumour": "rumor", "behaviour": "behavior", "analyse": "analyze", "licence": "license",
    "straights": "straits", "travelling": "traveling", "colour": "color", "theatre": "theater",
}

STOPWORDS = frozenset("""
a an the and or but if of at by for with about against between into through during before after above below to
from up down in out on off over under again further then once here there all any both each few more most other
some such no nor not only own same so than too very s t can will just don should now is are was were be been
being have has had having do does did doing would could might must shall may i me my we our you your he him his
she her it its they them their what which who whom whose this that these those am as until while when where why
how also said says say told according per via yet ever
""".split())

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_POSSESSIVE = ("'s", "’s")


def _fold(text: str) -> str:
    # ASCII text (nearly every sentence) has no accents to fold: lower-casing is all, at a fraction of the cost.
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def tokens(text: str) -> list[str]:
    """Lower-case, accent-folded words; possessive 's dropped, British spellings folded, dots in acronyms kept out."""
    return list(_tokens(text))


@lru_cache(maxsize=100_000)
def _tokens(text: str) -> tuple[str, ...]:
    out = []
    for word in _WORD.findall(_fold(text.replace("U.S.", "US").replace("U.K.", "UK"))):
        if word.endswith(_POSSESSIVE):  # (a plain test: a regex here took a third of the time)
            word = word[:-2]
        word = word.replace("’", "'")
        out.append(SPELLING.get(word, word))
    return tuple(out)


def content_tokens(text: str) -> list[str]:
    """:func:`tokens` without stop words."""
    return [t for t in tokens(text) if t not in STOPWORDS]


_STEMMER = Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def stems(words: list[str]) -> list[str]:
    """Snowball stems, so "warning" meets "warned": ``stems(["warning", "warned"]) == ["warn", "warn"]``."""
    return [_stem(w) for w in words]


def normalize_answer(text: str) -> str:
    """SQuAD-style answer normalisation: lower case, no punctuation, no articles, single spaces."""
    text = _fold(text).replace("’", "'")
    text = re.sub(r"[^\w\s]", "", text)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


# BM25's own tokens, as measured on ReQA SQuAD (bench/reqa_squad.py): bm25s' token pattern,
# Lucene's English stop words plus question words, and plural stripping only.
_BM25_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_BM25_STOP = frozenset(STOPWORDS_EN) | frozenset(
    "what which who whom whose when where why how did does do was were is are has have had".split())


def _plural(word: str) -> str:
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def bm25_tokens(text: str) -> list[str]:
    """Tokens for BM25: ``bm25_tokens("The Taxes of cities") == ["tax", "city"]``."""
    return [_plural(w) for w in _BM25_TOKEN.findall(_fold(text)) if w not in _BM25_STOP]


def anchor(words: list[str], text: str) -> int:
    """Character offset in ``text`` around which ``words`` match: ``anchor(["b"], "a b") == 2``."""
    lowered = text.lower()
    spots = [lowered.find(w) for w in words if lowered.find(w) >= 0]
    return int(sum(spots) / len(spots)) if spots else len(text) // 2


def bigrams(words: list[str]) -> list[str]:
    """Adjacent pairs: ``bigrams(["super", "bowl", "50"]) == ["super_bowl", "bowl_50"]``."""
    return [a + "_" + b for a, b in zip(words, words[1:])]
