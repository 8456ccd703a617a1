"""Finding article files and reporting what an ingest run did."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, UnsupportedFormat
from .loading import SUPPORTED_SUFFIXES

__all__ = ["IngestReport", "find_article_files"]


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
