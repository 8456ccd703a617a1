"""Rule-based sentence splitting with exact character offsets.

Rules, in order: a sentence may end after ``.``, ``!``, ``?`` or ``…`` (with any
closing quotes or brackets) when whitespace and then a capital, digit or opening
quote follow; never inside parentheses or a quotation that closes in the same
paragraph; never after a known abbreviation (``Aug.``, ``Gen.``, ``Mr.``), an
initial (``J.``) or a dotted acronym (``U.S.``) unless a typical sentence
opener follows.

>>> text = "He met U.S. officials on Aug. 29 in Damascus. They (he said. Not) agreed."
>>> [text[b:e] for b, e in split_sentences(text)]
['He met U.S. officials on Aug. 29 in Damascus.', 'They (he said. Not) agreed.']
"""

from __future__ import annotations

import re
from bisect import bisect_left

__all__ = ["split_sentences", "ABBREVIATIONS"]

ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen col lt sgt capt maj brig adm cmdr cpl pvt sen rep gov pres
    supt det insp rev fr st ste mt ft jr sr esq hon amb inc ltd co corp bros plc llc dept
    univ assn est approx vs etc al cf eg ie viz no nos vol fig figs pp op ed eds
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    am pm ave blvd rd hwy
    ariz calif colo conn fla ga ill ind kan ky la md mass mich minn miss mo mont neb nev okla
    ore pa tenn tex va vt wash wis wyo""".split()
)

# Words that usually start a sentence: after "U.S." they mean the sentence did end.
_OPENERS = frozenset(
    "the this that these those it he she they we i but however in a an there his her their its".split()
)

# Possessive, and never starting inside a run of marks: a long run of dots not followed by whitespace is
# then rejected once, not once per starting position (which was quadratic in the run's length).
_CANDIDATE = re.compile(r"(?<![.!?…])[.!?…]++[\"”’'»)\]″]*+(?=\s)")
_NEXT = re.compile(r"\s+([\"“‘'«(\[]*)(\w+)")
_TOKEN_BEFORE = re.compile(r"([\w.’'-]+)$")
_TOKEN_WINDOW = 64  # how far back the token before a mark is looked for: abbreviations are far shorter
_ACRONYM = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")
_OPEN, _CLOSE = "([", ")]"
_QUOTES = {"“": "”", "‘": "’"}
_LONG_QUOTE = 400  # longer quotations may hold sentence breaks after all


def _protected_spans(text: str) -> list[tuple[int, int]]:
    """Spans inside brackets or quotations that close within ``text``."""
    spans: list[tuple[int, int]] = []
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch in _OPEN:
            stack.append(i)
        elif ch in _CLOSE and stack:
            spans.append((stack.pop(), i))
    for opening, closing in _QUOTES.items():
        pos = 0
        while (i := text.find(opening, pos)) >= 0:
            j = text.find(closing, i + 1)
            if opening == "‘":  # ’ doubles as an apostrophe: need a closing one followed by non-letter
                m = re.compile(r"’(?!\w)").search(text, i + 1)
                j = m.start() if m else -1
            if j < 0:
                j = min((k for k in (text.find("″", i + 1),) if k >= 0), default=-1)
            if j < 0:
                break
            if j - i <= _LONG_QUOTE:
                spans.append((i, j))
            pos = j + 1
    straight = [m.start() for m in re.finditer('"', text)]
    if len(straight) % 2 == 0:
        spans.extend((a, b) for a, b in zip(straight[::2], straight[1::2]) if b - a <= _LONG_QUOTE)
    return spans


class _Protected:
    """Whether a mark lies inside a protected span, in O(log n) per mark rather than a scan of every span."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans = sorted(spans)
        self._starts = [a for a, _ in spans]
        self._reach: list[int] = []  # the furthest end among the spans sorted up to here
        for _, b in spans:
            self._reach.append(max(b, self._reach[-1]) if self._reach else b)

    def covers(self, begin: int, end: int) -> bool:
        """True when some span ``(a, b)`` has ``a < begin`` and ``end <= b``."""
        n = bisect_left(self._starts, begin)  # the spans with a < begin
        return n > 0 and self._reach[n - 1] >= end


def _is_boundary(text: str, mark: re.Match[str], spans: _Protected) -> bool:
    end = mark.end()
    nxt = _NEXT.match(text, end)
    if nxt is None:
        return False
    word = nxt.group(2)
    if not (word[0].isupper() or word[0].isdigit() or nxt.group(1)):
        return False
    if spans.covers(mark.start(), mark.end()):
        return False
    if mark.group().startswith(".") and len(mark.group().rstrip("\"”’'»)]″")) == 1:
        before = _TOKEN_BEFORE.search(text, max(0, mark.start() - _TOKEN_WINDOW), mark.start())
        token = before.group(1).lstrip("'’-") if before else ""
        if token.lower().replace(".", "") in ABBREVIATIONS and not (token.isupper() and len(token) > 2):
            return False
        if len(token) == 1 and token.isalpha() and token.isupper():
            return False  # an initial: "J. Smith"
        if _ACRONYM.match(token) and word.lower() not in _OPENERS:
            return False
    return True


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans ``(begin, end)`` of ``text[start:end]``, trimmed of whitespace.

    Offsets are into ``text`` itself, so ``text[b:e]`` is each sentence.
    """
    end = len(text) if end is None else end
    chunk = text[start:end]
    spans = _Protected(_protected_spans(chunk))
    cuts = [m.end() for m in _CANDIDATE.finditer(chunk) if _is_boundary(chunk, m, spans)]
    out: list[tuple[int, int]] = []
    begin = 0
    for cut in [*cuts, len(chunk)]:
        piece = chunk[begin:cut]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            b = start + begin + lead
            out.append((b, b + len(stripped)))
        begin = cut
    return out
