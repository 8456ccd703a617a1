"""Amounts and dates as news writes them: ``£2,450``, ``14 million``, ``37.6%``, ``5-2``, ``17 October 2000``."""

from __future__ import annotations

import re

__all__ = ["quantities", "DATE_PHRASE"]

#: An amount as news writes it: currency, digits with thousands separators, a scale word or a percent.
_QUANTITY = re.compile(
    r"(?:(?:US|A|C)?[£$€¥]\s?)?(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:st|nd|rd|th)?"
    r"|(?:(?:US|A|C)?[£$€¥]\s?)?(?<![\w.,])\d+(?:\.\d+)?(?:st|nd|rd|th)?"
)
_SCALE = re.compile(r"\s?(?:%|per\s?cent\b|(?:m|bn|k|tn)\b|\s(?:million|billion|trillion|thousand|hundred)\b)", re.I)
_SCORE = re.compile(r"\b\d{1,3}-\d{1,3}\b")
_WORD_NUMBER = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundreds?|thousands?|millions?|dozens?|a decade|decades)(?:\s(?:million|billion|thousand|hundred))?\b", re.I)
_MONTHS = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
           r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?")
DATE_PHRASE = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}(?:\s+(?:1[89]|20)\d\d)?\b"
                   rf"|\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?:1[89]|20)\d\d)?\b"
                   rf"|\b{_MONTHS}\s+(?:1[89]|20)\d\d\b|\b(?:1[5-9]|20)\d\ds?\b")


def quantities(text: str) -> list[tuple[str, int]]:
    """Every amount in ``text`` (``£2,450``, ``14 million``, ``37.6%``, ``5-2``, ``eight``) with its offset."""
    out: list[tuple[str, int]] = []
    covered: set[int] = set()
    for pattern in (_SCORE, _QUANTITY, _WORD_NUMBER):
        for hit in pattern.finditer(text):
            if hit.start() in covered:
                continue
            end = hit.end()
            scale = _SCALE.match(text, end)
            if scale and pattern is not _SCORE:
                end = scale.end()
            covered.update(range(hit.start(), end))
            out.append((text[hit.start():end], hit.start()))
    return out
