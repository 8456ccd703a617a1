"""Quotation sentences that no cue of their own attributes: whose they are, from the sentences around them.

News copy often sets a quotation apart with its speaker named only in the sentence after ('"We are
ready." / "It will be hard," he said.'), or quotes the person the sentence before was about with no
reporting verb at all ('Mr Negroponte adapted the idea in Cambodia. / "We put in 25 laptops ..."').
Such a sentence waits ("pending") until the next one is read: a next sentence that attributes a direct
quotation gives its speaker; else the person or organisation the sentence before was about, else the
speaker quoted in the last few sentences. With none of those the quotation stays unattributed.

A sentence that only borrows some of a speaker's words ('The "worst thing in politics" was that ...')
between two sentences that quote the same speaker is that speaker's too; between others it is no one's
statement (a scare quote, a slogan).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from ._quotes_words import Key, _Ref
from ._types import Quote

log = logging.getLogger(__name__)

__all__ = ["Pending", "PendingQuotes", "LOOK_BACK"]

#: How many sentences back the last speaker may be quoted and still be taken for a quotation's speaker.
LOOK_BACK = 4
#: How many sentences an unclosed quotation may run before it is taken for a stray mark.
_MAX_OPEN = 6
#: '"..." That was the view of John Smith': a next sentence that names a quotation's speaker without a verb.
_VIEW_OF = re.compile(r"^\s*(?:that|this|such|these|those)\s+(?:was|is|were|are)\s+(?:also\s+)?the\s+"
                      r"(?:view|verdict|opinion|message|words|assessment|warning|reaction|response|thinking)\s+of\b",
                      re.IGNORECASE)


@dataclass(frozen=True)
class Pending:
    """An unattributed quotation sentence and whom the sentences before it suggest as its speaker."""

    sentence: int
    text: str
    fallback: Quote | None  # the quote it would continue, or None; its speaker and how it was named
    between: bool = False  # a quoted phrase in narration: the speaker's only if the next sentence quotes them too


class PendingQuotes:
    """Holds consecutive unattributed quotation sentences until the sentence after them is read."""

    def __init__(self) -> None:
        self.waiting: list[Pending] = []
        self.open = False  # the last sentence held leaves its quotation open

    def hold_between(self, si: int, said: str, last: Quote) -> None:
        """Keep sentence ``si``, narration with some quoted words, right after ``last`` quoted someone."""
        self.open = False
        self.waiting.append(Pending(si, said, last, between=True))

    def hold(self, si: int, said: str, about: _Ref | None, last: Quote | None, still_open: bool = False) -> None:
        """Keep sentence ``si`` (its quoted words ``said``) for the next sentence to attribute; ``about``:
        whom the sentence before was about, ``last``: the last quote of the article so far; ``still_open``:
        the quotation goes on into the next sentence."""
        self.open = still_open and len(self.waiting) < _MAX_OPEN
        fallback = None
        if self.waiting:
            fallback = self.waiting[-1].fallback  # a quotation over several sentences: one speaker
        elif about is not None and about.key is not None and about.kind in {"person", "organization"}:
            fallback = Quote(about.key, about.text or about.key[1], "", si, "")
        elif last is not None and last.cue != "comment" and last.sentence >= si - LOOK_BACK \
                and (last.speaker is not None or last.speaker_text):
            if about is None or about.kind not in {"person"} or about.key in {None, last.speaker}:
                fallback = last  # nobody else came in between
        self.waiting.append(Pending(si, said, fallback))

    def resolve(self, quote: Quote | None, direct: bool, text: str, named: Key | None) -> list[Quote]:
        """The held sentences' quotes, now that the next sentence is read: ``quote`` what it attributes,
        ``direct`` whether that is a direct quotation, ``named`` the first person or organisation it names."""
        waiting, self.waiting, self.open = self.waiting, [], False
        if not waiting:
            return []
        if any(p.between for p in waiting):
            same = quote is not None and waiting[0].fallback is not None and quote.cue != "comment" and (
                quote.speaker == waiting[0].fallback.speaker if quote.speaker is not None
                else quote.speaker_text == waiting[0].fallback.speaker_text)
            return [Quote(p.fallback.speaker, p.fallback.speaker_text, p.text, p.sentence, "between")
                    for p in waiting if same and p.fallback is not None]
        if quote is not None and direct and quote.cue not in {"continuation", "comment"}:
            return [Quote(quote.speaker, quote.speaker_text, p.text, p.sentence, "look-ahead") for p in waiting]
        if named is not None and _VIEW_OF.match(text):
            return [Quote(named, named[1], p.text, p.sentence, "look-ahead") for p in waiting]
        return self.finish(waiting)

    def finish(self, waiting: list[Pending] | None = None) -> list[Quote]:
        """The held sentences' quotes when no sentence after them names a speaker."""
        if waiting is None:
            waiting, self.waiting, self.open = self.waiting, [], False
        out = []
        for p in waiting:
            if p.fallback is not None and not p.between:
                out.append(Quote(p.fallback.speaker, p.fallback.speaker_text, p.text, p.sentence, "continuation"))
        return out
