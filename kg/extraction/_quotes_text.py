"""What a statement says: the quoted words of a sentence, else the clause its reporting verb reports.

A quotation is a span between an opening and a closing mark (“…”, "…", or a
closing double prime ″); a quotation a sentence opens and does not close runs
to the sentence's end and on into the next sentence. A quotation is *direct*
when it starts the sentence or follows a colon or comma ("Blair said: “…”",
"“…,” he said"); a short quotation inside reported speech ("he had no option
but to “confront it”") is not, and the statement's text is then the reported
clause.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy is imported when a pipeline loads, not with kg
    from spacy.tokens import Doc, Token

__all__ = ["quote_spans", "inside", "direct_text", "reported_text", "bare", "odd_quotes"]

_OPEN = "“"
_CLOSE = "”″"
_BOTH = '"'
_MARKS = _OPEN + _CLOSE + _BOTH
_STRIP = " \t\n,;:“”\"″'‘’"


def _opens(text: str, i: int) -> bool:
    """Whether the straight mark at ``i`` opens a quotation (else it closes one), from the characters around it."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before.isspace() or before in "([{-—–":
        return True
    if after.isspace() or after in ".,;:!?)]}-—–":
        return False
    return True


def _reopens(text: str, i: int) -> bool:
    """Whether a straight mark inside a quotation opens a new one (the one before ran on without closing, as
    a quotation over several paragraphs does): it stands before a word, after a space or nothing."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return before.isspace() and not after.isspace()


def quote_spans(text: str, open_at_start: bool = False) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the quoted words of ``text``, marks excluded.

    ``open_at_start``: the sentence continues a quotation the one before left open; a closing mark with
    no opening one before it closes a quotation that started before the sentence.

    >>> t = '“It is over,” he said. “We won.'
    >>> [t[a:b] for a, b in quote_spans(t)]
    ['It is over,', 'We won.']
    >>> t = '"We won. "We will win again." He left.'
    >>> [t[a:b] for a, b in quote_spans(t, open_at_start=True)]
    ['We won. ', 'We will win again.']
    >>> t = 'and so on," he said.'
    >>> [t[a:b] for a, b in quote_spans(t)]
    ['and so on,']
    """
    if not open_at_start and not any(mark in text for mark in _MARKS):
        return []
    spans: list[tuple[int, int]] = []
    start = 0 if open_at_start else -1
    for i, ch in enumerate(text):
        if ch == _BOTH:
            opening = _opens(text, i) if start < 0 else _reopens(text, i)
        elif ch == _OPEN:
            opening = True
        elif ch in _CLOSE:
            opening = False
        else:
            continue
        if opening:
            if start >= 0:  # an opening mark inside a quotation: the one before never closed
                spans.append((start, i))
            start = i + 1
        else:
            spans.append((max(start, 0), i))
            start = -1
    if 0 <= start < len(text):
        spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip(_STRIP)]


def odd_quotes(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether ``text`` ends inside a quotation (it opens one it does not close); ``spans``: its quotations."""
    return bool(spans) and spans[-1][1] == len(text)


def inside(t: Token, spans: list[tuple[int, int]]) -> bool:
    return any(a <= t.idx < b for a, b in spans)


def bare(text: str) -> str:
    """``text`` without the quotation marks and punctuation around it."""
    return text.strip(_STRIP)


def direct_text(text: str, spans: list[tuple[int, int]], open_at_start: bool = False) -> str | None:
    """The direct quotations of ``text`` joined, or ``None`` when it has none (see the module's note)."""
    direct = []
    for a, b in spans:
        before = text[: max(a - 1, 0)].rstrip()
        if a == 0 and open_at_start or not before or before[-1] in ":," or (direct and before[-1] in ".!?"):
            direct.append(bare(text[a:b]))
    return " ".join(d for d in direct if d) or None


def reported_text(doc: Doc, verb: Token, content: list[Token]) -> str:
    """What ``verb`` reports: its clause complement, else its other complements, else the sentence
    without the attribution ("Blair is pressing the US, Downing Street has indicated")."""
    clauses = [c for c in content if c.dep_ in {"ccomp", "xcomp"}]
    chosen = clauses or content
    if chosen:
        parts = []
        for c in chosen:
            tokens = list(c.subtree)
            while tokens and tokens[0].dep_ == "mark" and tokens[0].lower_ in {"that", "whether", "if"}:
                tokens = tokens[1:]
            if tokens:
                parts.append(doc[tokens[0].i : tokens[-1].i + 1].text)
        return bare(" ".join(parts))
    if verb.dep_ in {"ccomp", "parataxis", "advcl"} and verb.head.i != verb.i:
        left, right = verb.left_edge.i, verb.right_edge.i
        runs = [doc[:left].text, doc[right + 1 :].text]
        said = " ".join(bare(r) for r in runs if bare(r))
        if said:
            return said
    return bare(doc.text)
