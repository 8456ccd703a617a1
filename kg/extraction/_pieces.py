"""Bounds on what one parse and one sentence may cost: pieces of overlong sentences, mentions per sentence.

A "sentence" is whatever the splitter could not break: a normal one, or a
megabyte without a full stop. spaCy's cost per character is flat, but the
rules after it walk trees, token windows and entity pairs within one doc, and
spaCy refuses texts over ``nlp.max_length`` outright. So a sentence longer than
:data:`MAX_PARSE_CHARS` is parsed as consecutive pieces, each cut after the
last clause-like break (``. ``, ``; ``, ``, ``, a space) before the limit, and
the rules run piece by piece: the work per piece is bounded, so the work per
article is linear in its length.

>>> [(start, len(text)) for start, text in parse_pieces("a, " * 1000, limit=1000)]
[(0, 999), (999, 999), (1998, 999), (2997, 3)]
>>> parse_pieces("short")
[(0, 'short')]
"""

from __future__ import annotations

__all__ = ["MAX_PARSE_CHARS", "MAX_MENTIONS_PER_SENTENCE", "parse_pieces"]

#: Longest text handed to spaCy as one doc. The longest of the 42,504 BBC sentences has 1,902 characters
#: (99.9% have <= 425), so no real sentence there is cut; spaCy costs a flat ~35 us a character from 250 to
#: 32,000 characters (measured 2026-12-06, en_core_web_sm 3.8.0), so pieces cost no more than one long doc.
MAX_PARSE_CHARS = 2_000

#: Entity and date mentions kept per sentence. The most in one sentence over 400 BBC articles (4,850
#: sentences with a mention) were 10 entity mentions and 5 dates; 100 keeps every real one, and bounds what one
#: sentence adds to the graph (8 triples a mention) and to the rules that pair mentions.
MAX_MENTIONS_PER_SENTENCE = 100

# Where to cut, best first: after a sentence-like mark, a clause mark, any whitespace.
_BREAKS = ((". ", "? ", "! ", "; "), (", ", ": ", " – ", " — "), (" ", "\n", "\t"))


def parse_pieces(text: str, limit: int = MAX_PARSE_CHARS) -> list[tuple[int, str]]:
    """``text`` as ``(start, piece)`` pairs, each at most ``limit`` characters, that concatenate to ``text``.

    A cut falls after the last break of the best kind in the second half of the window, so pieces are
    at least half the limit long (the number of docs stays ~ ``len(text) / limit``); with no break at all
    (one giant token) the cut is at the limit.
    """
    if len(text) <= limit:
        return [(0, text)]
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        low, high = start + limit // 2, start + limit
        cut = high
        for kinds in _BREAKS:
            found = [at + len(mark) for mark in kinds if (at := text.rfind(mark, low, high)) >= 0]
            if found:
                cut = max(found)
                break
        pieces.append((start, text[start:cut]))
        start = cut
    pieces.append((start, text[start:]))
    return pieces
