"""Read article files into :class:`~kg.model.Article` records.

Formats: ``.txt`` (first non-empty line is the headline), ``.md``/``.markdown``
(optional YAML-ish front matter, markup stripped), ``.html``/``.htm`` (through
trafilatura, comments with their commenters) and ``.json``/``.jsonl`` records
with ``title`` and ``body`` plus optional ``id``, ``url``, ``source``,
``author``, ``published_at``, ``category``.

Bad input raises an :class:`~kg.errors.InputError` subclass with a message that
names the file; one bad JSONL line yields an error for that line only.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
>>> _ = p.write_bytes("Caf\\xe9 news\\n\\nA body.".encode("cp1252"))
>>> [a.headline for a in load_file(p)]
['Café news']
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .errors import BinaryInput, EmptyInput, InputError, InputTooLarge, MalformedRecord, UnsupportedFormat
from .html import extract_html
from .model import Article

__all__ = ["SUPPORTED_SUFFIXES", "load_file", "decode_bytes", "article_from_record", "markdown_to_text", "web_url"]

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_ID_OK = re.compile(r"^[^\x00-\x1f\x7f]{1,200}$")
_TOO_DEEP = "the JSON is nested too deeply to be an article record (an article is one flat object)"


def decode_bytes(data: bytes, source: str) -> str:
    """Decode text: UTF-8 (BOM dropped), UTF-16 with a BOM, else cp1252; newlines normalised."""
    if not data:
        raise EmptyInput("the file is empty", source=source)
    if not data.strip():
        raise EmptyInput("the file holds only whitespace", source=source)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise BinaryInput(f"the file starts like UTF-16 but is not valid UTF-16 ({exc.reason} at byte "
                              f"{exc.start})", source=source) from None
    elif b"\x00" in data:  # anywhere, not only near the start: a NUL is never stored
        at = data.index(b"\x00")
        raise BinaryInput(f"this is a binary file, not text (a NUL byte at byte {at:,})", source=source)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # cp1252 is what non-UTF-8 news text nearly always is; its five
            # undefined bytes fall back to Latin-1 so nothing is refused.
            text = data.decode("cp1252", errors="kgqa-latin1")
    _refuse_nul(text, source)
    sample = text[:8192]
    if sample and len(_CONTROL.findall(sample)) > 0.05 * len(sample):
        raise BinaryInput("this is a binary file, not text (too many control characters)", source=source)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise EmptyInput("the file holds only whitespace", source=source)
    return text


def _refuse_nul(text: str, source: str, what: str = "the file") -> None:
    """:class:`BinaryInput` if ``text`` holds a NUL anywhere (RDF stores and browsers treat it differently)."""
    at = text.find("\x00")
    if at >= 0:
        raise BinaryInput(f"{what} contains a NUL character (at character {at:,}); kgqa stores only text",
                          source=source)


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error("kgqa-latin1", _latin1_fallback)


def _text_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def web_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) address, else ``None``: a ``javascript:`` or ``file:`` link is never kept.

    >>> web_url("https://www.bbc.co.uk/news"), web_url(" JavaScript:alert(1)"), web_url(None)
    ('https://www.bbc.co.uk/news', None, None)
    """
    if url and re.match(r"https?://[^\s/?#]+", url.strip(), re.IGNORECASE):
        return url.strip()
    return None


def _first_line(text: str) -> str | None:
    for line in text.split("\n"):
        if line.strip():
            return " ".join(line.split())
    return None


def _check_length(text: str, source: str, max_chars: int) -> None:
    if len(text) > max_chars:
        raise InputTooLarge(
            f"the article has {len(text):,} characters, over the {max_chars:,} limit (KGQA_MAX_ARTICLE_CHARS)",
            source=source,
        )


_FRONT_MATTER = re.compile(r"^---\n(.*?)\n---\n", re.DOTALL)


def _front_matter(md: str) -> tuple[str, dict[str, str]]:
    """The text after a ``---`` front-matter block and its ``key: value`` fields (keys lower-cased)."""
    meta: dict[str, str] = {}
    fm = _FRONT_MATTER.match(md)
    if not fm:
        return md, meta
    for line in fm.group(1).split("\n"):
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return md[fm.end() :], meta


def _inline_text(tokens: list[Token]) -> str:
    """The words of an inline run: emphasis and links keep their text, images their alt, raw HTML goes."""
    out: list[str] = []
    for token in tokens:
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif token.type == "image":
            out.append(_inline_text(token.children or []))
    return "".join(out)


def _blocks(tokens: list[Token]) -> Iterator[tuple[str, str]]:
    """``(separator, text)`` of each block in reading order: paragraphs, headings, list items, code, table rows.

    Blocks are parted by a blank line, except the items of a tight list and the rows of a table, which
    get a line each; HTML blocks and thematic breaks give nothing.
    """
    cells: list[str] | None = None
    joined = False  # the next block continues a table or a tight list: one newline, not a blank line
    tight = False
    for token in tokens:
        if token.type in ("table_open", "bullet_list_open", "ordered_list_open", "bullet_list_close",
                          "ordered_list_close", "heading_open", "blockquote_open"):
            joined = tight = False
        elif token.type == "paragraph_open":
            tight = token.hidden  # markdown-it hides the paragraphs of a tight list's items
        elif token.type == "tr_open":
            cells = []
        elif token.type == "tr_close" and cells is not None:
            yield ("\n" if joined else "\n\n"), " | ".join(cells)
            cells, joined = None, True
        elif token.type == "inline":
            text = _inline_text(token.children or []).strip()
            if cells is not None:
                cells.append(" ".join(text.split()))
            elif text:
                yield ("\n" if joined and tight else "\n\n"), text
                joined = tight
        elif token.type in ("fence", "code_block") and token.content.strip():
            yield "\n\n", token.content.rstrip("\n")
            joined = False
        elif token.type == "table_close":
            joined = False


def markdown_to_text(md: str) -> tuple[str, dict[str, str]]:
    r"""Plain text of Markdown (markdown-it-py's CommonMark parser, tables on) and its front-matter fields.

    The same Markdown always gives the same text: sentence offsets are computed from it.

    >>> markdown_to_text("---\ntitle: A\n---\n# Head\n\nSome *em* and [a link](http://x).\n")
    ('Head\n\nSome em and a link.', {'title': 'A'})
    """
    body, meta = _front_matter(md)
    parts: list[str] = []
    for separator, text in _blocks(MarkdownIt("commonmark").enable("table").parse(body)):
        parts += [separator, text] if parts else [text]
    return "".join(parts), meta


def _str_field(record: dict[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, list):  # MultiHop-RAG style author lists
        value = ", ".join(str(v) for v in value)
    return " ".join(str(value).split()) or None


def article_from_record(record: Any, source: str, *, fmt: str, max_chars: int) -> Article:
    """An article from one JSON object with ``title`` and ``body``."""
    if not isinstance(record, dict):
        raise MalformedRecord(f"expected a JSON object, got {type(record).__name__}", source=source)
    title, body = record.get("title"), record.get("body")
    if not isinstance(body, str) or not body.strip():
        raise MalformedRecord("the record has no non-empty string field 'body'", source=source)
    if title is not None and not isinstance(title, str):
        raise MalformedRecord("the field 'title' must be a string", source=source)
    for name, value in record.items():  # JSON's \u0000 escape decodes to a NUL the bytes never showed
        if isinstance(value, str):
            _refuse_nul(value, source, f"the field {str(name)[:40]!r}")
    title = " ".join((title or "").split())
    text = f"{title}\n\n{body.strip()}" if title else body.strip()
    text = text.replace("\r\n", "\n")
    _check_length(text, source, max_chars)
    article_id = _str_field(record, "id") or _text_id(text)
    if not _ID_OK.match(article_id):
        raise MalformedRecord(f"the id {article_id[:40]!r} is not usable", source=source)
    return Article(
        id=article_id,
        text=text,
        headline=title or _first_line(body),
        url=web_url(_str_field(record, "url")),
        author=_str_field(record, "author"),
        published=_str_field(record, "published_at"),
        publisher=_str_field(record, "source"),
        category=_str_field(record, "category"),
        format=fmt,
        source=source,
    )


def load_file(path: Path, *, max_bytes: int = 20_000_000, max_chars: int = 1_000_000) -> Iterator[Article | InputError]:
    """Articles in ``path``; a file-level problem raises, a bad JSONL line is yielded as its error."""
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFormat(
            f"unsupported file type {suffix or '(no extension)'!r}; kgqa reads {', '.join(SUPPORTED_SUFFIXES)}",
            source=source,
        )
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputTooLarge(
                f"the file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit (KGQA_MAX_FILE_MB)",
                source=source,
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", source=source) from None
    text = decode_bytes(data, source)
    stem = path.stem
    fmt = suffix.lstrip(".")
    if suffix == ".jsonl":
        yield from _jsonl(text, source, max_chars)
    elif suffix == ".json":
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MalformedRecord(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", source=source) from None
        except RecursionError:
            raise MalformedRecord(_TOO_DEEP, source=source) from None
        records = parsed if isinstance(parsed, list) else [parsed]
        for i, record in enumerate(records):
            where = f"{source}[{i}]" if isinstance(parsed, list) else source
            try:
                yield article_from_record(record, where, fmt="json", max_chars=max_chars)
            except InputError as exc:
                yield exc
    elif suffix in (".html", ".htm"):
        page = extract_html(text)
        body = page.as_text()
        _check_length(body, source, max_chars)
        yield Article(
            id=stem, text=body, headline=page.headline or _first_line(body), url=web_url(page.url), author=page.author,
            published=page.date, publisher=page.publisher, format="html", source=source,
            comments=tuple(page.comments),
        )
    else:
        meta: dict[str, str] = {}
        if suffix in (".md", ".markdown"):
            text, meta = markdown_to_text(text)
            fmt = "md"
            if not text.strip():
                raise EmptyInput("the Markdown file holds no text", source=source)
        _check_length(text, source, max_chars)
        yield Article(
            id=meta.get("id") or stem,
            text=text,
            headline=meta.get("title") or _first_line(text),
            url=web_url(meta.get("url")),
            author=meta.get("author"),
            published=meta.get("date") or meta.get("published_at"),
            publisher=meta.get("source"),
            category=meta.get("category"),
            format=fmt,
            source=source,
        )


def _jsonl(text: str, source: str, max_chars: int) -> Iterator[Article | InputError]:
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{source}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield MalformedRecord(f"invalid JSON at column {exc.colno}: {exc.msg}", source=where)
            continue
        except RecursionError:
            yield MalformedRecord(_TOO_DEEP, source=where)
            continue
        try:
            yield article_from_record(record, where, fmt="jsonl", max_chars=max_chars)
        except InputError as exc:
            yield exc
