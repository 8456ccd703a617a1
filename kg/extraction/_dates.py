"""Date expressions to ISO values: absolute ones always, relative ones against the publication date.

>>> from datetime import date
>>> normalize_date("Aug. 30, 2018", None)
'2018-08-30'
>>> normalize_date("Aug. 29", None) is None          # no year and no publication date: kept as text
True
>>> normalize_date("Aug. 29", date(2018, 9, 4))
'2018-08-29'
>>> normalize_date("late last month", date(2018, 9, 4))
'2018-08'
>>> normalize_date("the end of 2015", None)
'2015'
>>> normalize_date("on Friday", date(2005, 1, 19))  # the Friday before a Wednesday
'2005-01-14'
"""

from __future__ import annotations

import re
from datetime import date, timedelta

__all__ = ["normalize_date", "parse_published", "is_date_phrase"]

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MDY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b", re.I)
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(\d{{4}}))?\b", re.I)
_MY = re.compile(rf"\b{_MONTH}\s+(\d{{4}})\b", re.I)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_MONTH_ONLY = re.compile(rf"^(?:(?:early|mid|late|in|last|this|next)\s+)*{_MONTH}$", re.I)


_DATE_WORDS = re.compile(
    rf"\b(?:{_MONTH}|\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"today|tonight|yesterday|tomorrow|day|days|week|weeks|weekend|month|months|year|years|decade|decades|"
    r"century|centuries|ago|spring|summer|autumn|fall|winter|morning|afternoon|evening|night|season|quarter)\b",
    re.I,
)


def is_date_phrase(text: str) -> bool:
    """Whether a phrase the tagger calls a date has a date word in it ("The prince," has none)."""
    return bool(_DATE_WORDS.search(text)) and not re.search(r"\b(?:million|billion|bn|m)\b", text, re.I)


def parse_published(raw: str | None) -> date | None:
    """The date part of a publication date string, or ``None``."""
    if not raw:
        return None
    m = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", raw)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _month(word: str) -> int:
    return _MONTHS[word.lower().rstrip(".")[:4] if word.lower().startswith("sept") else word.lower().rstrip(".")[:3]]


def _day(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _shift_month(d: date, months: int) -> str:
    index = d.year * 12 + d.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _without_year(month: int, day: int, published: date | None) -> str | None:
    if published is None:
        return None
    value = _day(published.year, month, day)
    if value and date.fromisoformat(value) > published + timedelta(days=31):
        value = _day(published.year - 1, month, day)  # "Dec. 30" in a January article
    return value


def _relative(lowered: str, published: date) -> str | None:
    if re.search(r"\btoday\b|\btonight\b|\bthis (?:morning|afternoon|evening)\b", lowered):
        return published.isoformat()
    if re.search(r"\byesterday\b|\blast night\b", lowered):
        return (published - timedelta(days=1)).isoformat()
    if re.search(r"\btomorrow\b", lowered):
        return (published + timedelta(days=1)).isoformat()
    for i, name in enumerate(_WEEKDAYS):
        if re.search(rf"\b{name}\b", lowered):
            back = (published.weekday() - i) % 7 or 7
            if re.search(r"\bnext\b", lowered):
                return (published + timedelta(days=(i - published.weekday()) % 7 or 7)).isoformat()
            return (published - timedelta(days=back)).isoformat()
    if re.search(r"\bthis week\b", lowered):
        return (published - timedelta(days=published.weekday())).isoformat()
    if re.search(r"\blast week\b", lowered):
        return (published - timedelta(days=published.weekday() + 7)).isoformat()
    if re.search(r"\blast month\b", lowered):
        return _shift_month(published, -1)
    if re.search(r"\bthis month\b", lowered):
        return _shift_month(published, 0)
    if re.search(r"\bnext month\b", lowered):
        return _shift_month(published, 1)
    if re.search(r"\blast year\b", lowered):
        return f"{published.year - 1:04d}"
    if re.search(r"\bthis year\b", lowered):
        return f"{published.year:04d}"
    if re.search(r"\bnext year\b", lowered):
        return f"{published.year + 1:04d}"
    m = re.search(r"\b(a|one|two|three|four|five|six|seven|eight|nine|ten|\d+) (year|decade)s? ago\b", lowered)
    if m:
        words = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10}
        n = words.get(m[1]) or int(m[1])
        return f"{published.year - n * (10 if m[2] == 'decade' else 1):04d}"
    return None


def normalize_date(text: str, published: date | None) -> str | None:
    """ISO value of a date expression (day, month or year precision), or ``None`` to keep it as text."""
    lowered = text.lower()
    if m := _ISO.search(text):
        return _day(int(m[1]), int(m[2]), int(m[3]))
    if m := _MDY.search(text):
        month, day = _month(m[1]), int(m[2])
        return _day(int(m[3]), month, day) if m[3] else _without_year(month, day, published)
    if m := _DMY.search(text):
        month, day = _month(m[2]), int(m[1])
        return _day(int(m[3]), month, day) if m[3] else _without_year(month, day, published)
    if m := _MY.search(text):
        return f"{int(m[2]):04d}-{_month(m[1]):02d}"
    years = _YEAR.findall(text)
    if len(years) == 1 and not re.search(r"\b(ago|before|after|since)\b", lowered):
        return years[0]
    if published is None:
        return None
    if m := _MONTH_ONLY.match(text.strip()):
        month = _month(m[1])
        year = published.year if month <= published.month else published.year - 1
        return f"{year:04d}-{month:02d}"
    return _relative(lowered, published)
