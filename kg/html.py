"""Article text, metadata and reader comments from a saved HTML page.

trafilatura finds the article body and metadata and drops scripts, styles and
navigation; it keeps comment text but not who wrote it, so the comment
section is read separately from the common markup of comment threads
(WordPress, Disqus exports, most CMSs): a comment element holding an author
element and a content element.
"""

from __future__ import annotations

import logging
import re

import lxml.html
import trafilatura

from .errors import EmptyInput

__all__ = ["HtmlArticle", "extract_html"]

log = logging.getLogger(__name__)

_COMMENT_NODE = re.compile(r"(?:^|[\s_-])(?:comment|comment-body|comment-item|reply)(?:$|\s)", re.IGNORECASE)
_AUTHOR_NODE = re.compile(r"comment-author|\bfn\b|\bauthor\b|username|user-name|commenter|\bnick", re.IGNORECASE)
_CONTENT_NODE = re.compile(r"comment-content|comment-body|comment-text|\bcontent\b|\btext\b|message", re.IGNORECASE)
_SAYS = re.compile(r"\s*(?:says|said|wrote)\s*:?\s*$", re.IGNORECASE)


class HtmlArticle:
    """What a page yields: headline, body paragraphs, metadata, comments."""

    def __init__(
        self,
        headline: str | None,
        paragraphs: list[str],
        author: str | None,
        date: str | None,
        url: str | None,
        publisher: str | None,
        comments: list[tuple[str | None, str]],
    ) -> None:
        self.headline = headline
        self.paragraphs = paragraphs
        self.author = author
        self.date = date
        self.url = url
        self.publisher = publisher
        self.comments = comments

    def as_text(self) -> str:
        """The article laid out as kgqa's plain-text convention, which the segmenter reads."""
        parts = [self.headline or (self.paragraphs[0] if self.paragraphs else "")]
        parts += self.paragraphs[0 if self.headline else 1 :]
        if self.comments:
            parts.append(f"{len(self.comments)} Comment" + ("s" if len(self.comments) > 1 else ""))
            for name, text in self.comments:
                parts.append(f"{name or 'Anonymous'} says:")
                parts.append(text)
        return "\n\n".join(p for p in parts if p)


def _class_and_id(el: lxml.html.HtmlElement) -> str:
    return f"{el.get('class', '')} {el.get('id', '')}"


def _text(el: lxml.html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


def _comments(tree: lxml.html.HtmlElement) -> list[tuple[str | None, str]]:
    out: list[tuple[str | None, str]] = []
    for el in tree.iter():
        if not isinstance(el.tag, str) or not _COMMENT_NODE.search(_class_and_id(el)):
            continue
        author = content = None
        for sub in el.iterdescendants():
            if not isinstance(sub.tag, str):
                continue
            if _COMMENT_NODE.search(_class_and_id(sub)) and sub is not el and sub.tag in ("li", "article"):
                break  # a nested reply: it is read on its own
            cls = _class_and_id(sub)
            if author is None and _AUTHOR_NODE.search(cls) and "content" not in cls:
                author = _SAYS.sub("", _text(sub)).strip(" :") or None
            elif content is None and _CONTENT_NODE.search(cls):
                content = "\n\n".join(
                    t for p in (sub.findall(".//p") or [sub]) if (t := _text(p))
                )
        if content:
            if author:
                author = re.sub(r"[:\n]", " ", author)[:60].strip()
            out.append((author, content))
    return out


def extract_html(html: str) -> HtmlArticle:
    """Read a saved page; raises :class:`EmptyInput` when it holds no article text."""
    doc = trafilatura.bare_extraction(html, include_comments=False, with_metadata=True)
    if doc is None or not (doc.text or "").strip():
        raise EmptyInput("no article text found in the HTML page")
    lines = [" ".join(line.split()) for line in doc.text.split("\n")]
    lines = [line for line in lines if line]
    title = " ".join((doc.title or "").split()) or None
    if title and lines and lines[0] == title:
        lines = lines[1:]
    try:
        tree = lxml.html.fromstring(html)
        for bad in tree.xpath("//script|//style|//noscript|//template"):
            bad.drop_tree()
        comments = _comments(tree)
    except (ValueError, lxml.etree.ParserError) as exc:  # pragma: no cover - trafilatura parsed it already
        log.warning("could not read the comment section: %s", exc)
        comments = []
    return HtmlArticle(
        headline=title,
        paragraphs=lines,
        author=doc.author,
        date=doc.date,
        url=doc.url,
        publisher=doc.sitename,
        comments=comments,
    )
