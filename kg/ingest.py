"""Finding article files, choosing what an ingest will parse, and reporting what it did."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, UnsupportedFormat
from .loading import SUPPORTED_SUFFIXES, load_file
from .model import Article, Sentence
from .rdf import article_record_hash, article_sentences
from .vocab import Iris

__all__ = ["IngestReport", "find_article_files", "articles_to_parse", "PARSE_AHEAD_CHARS"]

log = logging.getLogger(__name__)

#: Most article text parsed ahead of an ingest, outside the writer lock (:func:`articles_to_parse`). The
#: docs wait in memory until the ingest writes them: about 48 MB per MB of text without their tensors
#: (measured 2026-12-06). Above this a bulk ingest parses in the lock, batch by batch, as before: there
#: parsing overlaps with embedding the previous batch, so it is faster, and its memory stays bounded.
PARSE_AHEAD_CHARS = 2_000_000


@dataclass
class IngestReport:
    """Counts of one ingest run; ``errors`` holds one clear line per problem."""

    stored: int = 0
    updated: int = 0
    unchanged: int = 0
    sentences: int = 0
    triples: int = 0
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: Ids of the articles this run stored or replaced, in the order written.
    written: list[str] = field(default_factory=list)

    @property
    def articles(self) -> int:
        return self.stored + self.updated

    def summary(self) -> str:
        rate = f" in {self.seconds:.1f} s" if self.seconds else ""
        lines = [
            f"articles: {self.articles} written ({self.stored} new, {self.updated} updated), "
            f"{self.unchanged} unchanged{rate}",
            f"sentences: {self.sentences}",
            f"triples: {self.triples}",
            f"skipped duplicates: {len(self.duplicates)}",
            f"errors: {len(self.errors)}",
        ]
        lines += [f"  error: {e}" for e in self.errors[:50]]
        if len(self.errors) > 50:
            lines.append(f"  ... and {len(self.errors) - 50} more errors")
        return "\n".join(lines)


def find_article_files(paths: Iterable[Path]) -> Iterator[Path | InputError]:
    """Files named directly, and supported files under folders (hidden ones skipped), sorted."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if child.is_file() and not any(part.startswith(".") for part in rel.parts):
                    if child.suffix.lower() in SUPPORTED_SUFFIXES:
                        yield child
                    else:
                        yield UnsupportedFormat(
                            f"skipped: unsupported file type {child.suffix or '(no extension)'!r}", source=str(child)
                        )
        elif path.is_file():
            yield path
        else:
            yield InputError("no such file or folder", source=str(path))


def articles_to_parse(
    paths: Iterable[Path | str], stored: Mapping[str, str], iris: Iris, pipeline: str, *,
    max_bytes: int, max_chars: int, budget: int = PARSE_AHEAD_CHARS,
) -> list[tuple[Article, list[Sentence]]]:
    """The articles under ``paths`` an ingest would parse, with their sentences; none if over ``budget``.

    ``stored`` maps article ids to record hashes: an article stored with the same record is skipped, as the
    ingest will skip it. Files that fail to load are skipped here (the ingest reports them); an upload of
    one or a few articles fits the budget, a bulk ingest over it gets an empty list.
    """
    found: list[tuple[Article, list[Sentence]]] = []
    chars = 0
    for path in find_article_files(Path(p) for p in paths):
        if isinstance(path, InputError):
            continue
        try:
            for article in load_file(path, max_bytes=max_bytes, max_chars=max_chars):
                if isinstance(article, InputError) or stored.get(article.id) == article_record_hash(
                        article, iris, pipeline):
                    continue
                chars += len(article.text)
                if chars > budget:
                    log.info("over %d characters to parse: parsing batch by batch in the ingest instead", budget)
                    return []
                found.append((article, article_sentences(article)))
        except InputError:
            continue
    return found
