"""Split an article's text into sections: headline, caption, byline, body, comment, boilerplate.

The rules are patterns that recur across news and blog pages, not strings of
any one article: "By NAME" bylines, "NAME is a ... analyst" author notes,
"Photo:"/"Source:" credit lines, "N Comments" headers, "NAME says:" commenter
lines, "Tags:" lines, share-button rows, breadcrumb trails, and the run of
short link-like lines (tag clouds, menus) that pages end with.

>>> text = "Title\\n\\nBody one. Body two.\\n\\nTags: a, b\\n\\n2 Comments\\n\\nAnn Lee says:\\n\\nNice.\\n\\nMenu"
>>> [(s.kind, text[s.start:s.end], s.commenter) for s in segment(text).segments]
... # doctest: +NORMALIZE_WHITESPACE
[('headline', 'Title', None), ('body', 'Body one. Body two.', None), ('boilerplate', 'Tags: a, b', None),
 ('boilerplate', '2 Comments', None), ('boilerplate', 'Ann Lee says:', None), ('comment', 'Nice.', 'Ann Lee'),
 ('boilerplate', 'Menu', None)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Segment

__all__ = ["segment", "Segmentation", "paragraph_spans"]

_NAME = r"[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|van|von|al|bin|la|le|da|del)){0,4}"
_BULLET = r"[•*·\-–—]?\s*"
_COMMENTS_HEADER = re.compile(
    r"^(?:\d+|no|one|two|three|four|five)\s+(?:comments?|responses?|replies|reactions?|thoughts?\b.*)$"
    r"|^(?:comments?|reader comments|leave a (?:reply|comment)|join the (?:discussion|conversation)|"
    r"discussion|what readers (?:say|think))\s*:?$",
    re.IGNORECASE,
)
_COMMENTER = re.compile(
    rf"^{_BULLET}(?P<name>[^\n:]{{1,60}}?)(?:\s+on\s+[^\n:]{{4,40}}?)?\s+(?:says|said|writes|wrote|commented|replied)\s*(?::|\.\.\.|…)?$",
    re.IGNORECASE,
)
_TAGS = re.compile(r"^(?:tags?|tagged|filed under|categories|topics|related topics|keywords)\s*:", re.IGNORECASE)
_CREDIT = re.compile(
    r"^(?:\(?\s*(?:photos?|images?|pictures?|pictured|caption|credits?|source|graphic|video|file photo|"
    r"illustration|map)\s*(?:by|credit)?\s*:)"
    r"|(?:getty images|reuters|afp|ap photo|associated press|epa|shutterstock)\s*\)?\.?$",
    re.IGNORECASE,
)
_BYLINE = re.compile(rf"^(?i:by)\s+(?P<name>{_NAME}(?:\s+(?:and|&)\s+{_NAME})?)(?:\s*(?:,|\||-|–).*)?$")
_AUTHOR_NOTE = re.compile(
    rf"^(?P<name>{_NAME})\s+is\s+(?:an?|the)\s+[^\n]{{0,200}}?\b(?:analyst|contributor|editor|writer|reporter|"
    r"correspondent|journalist|fellow|author|professor|columnist|researcher|founder|blogger|producer|"
    r"lecturer|scholar|commentator)s?\b",
)
_SHARE_WORDS = frozenset(
    "share this article story page on via tweet email e-mail print facebook twitter x linkedin whatsapp "
    "pinterest reddit telegram copy link save comment comments follow us".split()
)
_SHARE_CUES = frozenset("share tweet facebook twitter linkedin whatsapp email e-mail print".split())
_CRUMB_SEPARATORS = re.compile(r"\s*(?:>|»|›|\|)\s*")
_VERB_CUES = frozenset(
    "is are was were be been being has have had will would can could may might must shall should "
    "said says say do does did".split()
)
_TERMINAL = tuple(".!?…\"”’:;)")


@dataclass(frozen=True)
class Segmentation:
    segments: list[Segment]
    author: str | None


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Non-empty paragraphs: runs of lines separated by blank lines, trimmed."""
    spans = []
    for m in re.finditer(r"\S(?:.|\n(?![ \t]*\n))*", text):
        spans.append((m.start(), m.start() + len(m.group().rstrip())))
    return spans


def _words(line: str) -> list[str]:
    return re.findall(r"[\w'’-]+", line)


def _is_share_line(line: str) -> bool:
    words = [w.lower() for w in _words(line)]
    return bool(words) and set(words) <= _SHARE_WORDS and bool(set(words) & _SHARE_CUES)


def _is_breadcrumb(line: str) -> bool:
    parts = [p for p in _CRUMB_SEPARATORS.split(line) if p]
    return len(parts) >= 3 and all(len(_words(p)) <= 4 for p in parts)


def _is_linklike(line: str) -> bool:
    """A short line with no sentence punctuation: menu entries, tag clouds."""
    return len(_words(line)) <= 4 and not line.rstrip().endswith(_TERMINAL) and "\n" not in line


def _looks_like_caption(line: str) -> bool:
    words = _words(line)
    if not 1 < len(words) <= 12 or line.count(". ") or "\n" in line:
        return False
    lowered = [w.lower() for w in words]
    return not any(w in _VERB_CUES or (w.endswith("ed") and len(w) > 4) for w in lowered)


def _structural(line: str) -> str | None:
    flat = " ".join(line.split())
    if _COMMENTS_HEADER.match(flat):
        return "comments_header"
    if _TAGS.match(flat) or _is_share_line(flat) or _is_breadcrumb(flat):
        return "boilerplate"
    if len(flat) <= 80 and _COMMENTER.match(flat) and flat.rstrip().endswith((":", "...", "…")):
        return "commenter"
    return None


def segment(text: str) -> Segmentation:
    """Classify every paragraph of ``text``; the first paragraph is the headline."""
    paras = paragraph_spans(text)
    kinds: list[str] = [""] * len(paras)
    commenters: list[str | None] = [None] * len(paras)
    comment_nos: list[int | None] = [None] * len(paras)
    author: str | None = None
    in_comments = False
    commenter: str | None = None
    comment_no = 0
    fresh_commenter = False

    # Trailing run of link-like lines (menus, tag clouds) ends most web pages.
    trailing = len(paras)
    while trailing > 1 and _is_linklike(text[slice(*paras[trailing - 1])]):
        trailing -= 1

    for i, (b, e) in enumerate(paras):
        line = text[b:e]
        flat = " ".join(line.split())
        kind = _structural(line)
        if i == 0:
            kinds[i] = "headline"
            continue
        if i >= trailing:
            kinds[i] = "boilerplate"
            continue
        if kind == "comments_header":
            in_comments, kinds[i] = True, "boilerplate"
            continue
        if kind == "commenter":
            in_comments, kinds[i] = True, "boilerplate"
            m = _COMMENTER.match(flat)
            commenter = m.group("name").strip(" •*·-–—") if m else None
            comment_no += 1
            fresh_commenter = True
            continue
        if kind == "boilerplate":
            kinds[i] = "boilerplate"
            continue
        if in_comments:
            if not fresh_commenter and _is_linklike(line):
                kinds[i] = "boilerplate"  # "Reply", "Like", dates under a comment
                continue
            kinds[i], commenters[i] = "comment", commenter
            comment_nos[i] = comment_no if comment_no else 1
            fresh_commenter = False
            continue
        if _CREDIT.search(flat) and len(_words(flat)) <= 30:
            kinds[i] = "caption"
        elif i <= 4 and (m := _BYLINE.match(flat)) and len(_words(flat)) <= 12:
            kinds[i] = "byline"
            author = author or m.group("name").strip()
        elif (m := _AUTHOR_NOTE.match(flat)) and i >= len(paras) // 2:
            kinds[i] = "byline"
            author = author or m.group("name").strip()
        elif i == 1 and len(paras) > 3 and _looks_like_caption(flat):
            kinds[i] = "caption"
        else:
            kinds[i] = "body"

    segments = [
        Segment(kinds[i], b, e, commenters[i], comment_nos[i]) for i, (b, e) in enumerate(paras)
    ]
    return Segmentation(segments, author)
