"""What the web surfaces share: one library (graph + passage index), one answerer, serialized writes.

Questions run concurrently; ingests and deletes run one at a time, and the
passage index is locked only while it changes (see ``retrieval.Library``), so
answers keep flowing while an article is parsed.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kg import KnowledgeGraph, InputTooLarge, NotFound, Settings, UnsupportedFormat
from kg.loading import SUPPORTED_SUFFIXES
from retrieval import Answer, Answerer, Citation, Library, Turn

from ._limits import ClientSlots
from ._policy import WritePolicy

__all__ = ["Services", "ArticleRow", "UploadResult", "UPLOAD_SUFFIXES"]

log = logging.getLogger(__name__)

#: What the Articles tab and ``POST /api/articles`` accept.
UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".json", ".jsonl")

_FACTS_QUERY = """
SELECT ?g (COUNT(?x) AS ?n) WHERE { GRAPH ?g { ?x <http://www.w3.org/ns/prov#wasDerivedFrom> ?s } } GROUP BY ?g
"""
_SOURCES_QUERY = """
SELECT ?g ?publisher ?url WHERE { GRAPH ?g { ?a a <http://schema.org/NewsArticle> .
  OPTIONAL { ?a <http://schema.org/publisher> ?p . OPTIONAL { ?p <http://schema.org/name> ?pn } }
  OPTIONAL { ?a <http://schema.org/url> ?url }
  BIND(COALESCE(?pn, IF(isLiteral(?p), ?p, ?unbound)) AS ?publisher) } }
"""


@dataclass(frozen=True)
class ArticleRow:
    """One stored article as the Articles tab and ``GET /api/articles`` list it."""

    id: str
    iri: str
    headline: str | None
    published: str | None
    source: str | None
    url: str | None
    sentences: int
    facts: int
    format: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class UploadResult:
    """What one uploaded or pasted file did: the articles it stored, or why it was refused."""

    name: str
    articles: list[str]
    errors: list[str]
    sentences: int = 0
    triples: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _safe_name(name: str) -> str:
    stem = Path(name).name
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-") or "upload"
    return stem[-120:]


class Services:
    """The library and answerer behind every page and endpoint; ``close()`` when done.

    ``library`` may be passed in (tests, benchmarks); otherwise one is opened
    from ``settings``, and the shipped articles are ingested when the store is empty.
    """

    def __init__(self, settings: Settings, library: Library | None = None, *, ingest_shipped: bool = True) -> None:
        self.settings = settings
        self._owns_library = library is None
        self.library = library or Library(settings)
        self.policy = WritePolicy.from_settings(settings)
        self.query_slots = ClientSlots(settings.client_queries)  # user SPARQL, per client address
        try:
            if ingest_shipped and not self.library.graph.article_hashes() and settings.articles_dir.is_dir():
                log.warning("the store is empty: ingesting the shipped articles in %s", settings.articles_dir)
                self.library.ingest([settings.articles_dir])
            self.answerer = Answerer(self.library, settings)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._owns_library:
            self.library.close()

    @property
    def graph(self) -> KnowledgeGraph:
        return self.library.graph

    @property
    def upload_dir(self) -> Path:
        """Where an upload sits while it is ingested (each in its own folder, removed right after)."""
        return self.settings.data_dir / "uploads"

    @property
    def max_upload_bytes(self) -> int:
        return int(self.settings.max_file_mb * 1_000_000)

    # --- answering ----------------------------------------------------------------------

    def ask(self, question: str, history: list[Turn] | None = None) -> tuple[str, Answer]:
        """The question as understood (follow-up pronouns resolved) and its answer."""
        resolved = self.answerer.resolve(question, history or [])
        return resolved, self.answerer.ask(resolved)

    def search(self, question: str, k: int = 10) -> list[Citation]:
        return self.answerer.search(question, k=k)

    # --- articles -------------------------------------------------------------------------

    def articles(self) -> list[ArticleRow]:
        facts = {g: int(n or 0) for g, n in self._values(_FACTS_QUERY)}
        sources = {g: (publisher, url) for g, publisher, url in self._values(_SOURCES_QUERY)}
        out = []
        for a in self.graph.articles():
            source, url = sources.get(a.iri, (None, None))
            out.append(ArticleRow(id=a.id, iri=a.iri, headline=a.headline, published=a.published, source=source,
                                  url=url, sentences=a.sentences, facts=facts.get(a.iri, 0), format=a.format))
        return out

    def _values(self, query: str) -> list[tuple[str | None, ...]]:
        return [tuple(t[1] if t else None for t in row) for row in self.graph.select(query)]

    def add_file(self, name: str, data: bytes, *, token: str | None = None) -> UploadResult:
        """Store one uploaded file's articles; a refused file says why and changes nothing.

        The write policy (:class:`~web._policy.WritePolicy`) decides with ``token``:
        adding needs the right to add, and an article whose id is stored with
        other text is refused unless the token also allows replacing. The file
        itself is not kept: the graph holds the text.
        """
        self.policy.check("add", token)
        may_replace = self.policy.allows("replace", token)
        safe = _safe_name(name)
        suffix = Path(safe).suffix.lower()
        try:
            if suffix not in UPLOAD_SUFFIXES:
                raise UnsupportedFormat(f"unsupported file type {suffix or '(no extension)'!r}; "
                                        f"upload one of {', '.join(UPLOAD_SUFFIXES)}")
            if len(data) > self.max_upload_bytes:
                raise InputTooLarge(f"the file is {len(data) / 1e6:.1f} MB, over the "
                                    f"{self.settings.max_file_mb:g} MB limit (KGQA_MAX_FILE_MB)")
        except (UnsupportedFormat, InputTooLarge) as exc:
            return UploadResult(name=name, articles=[], errors=[str(exc)])
        assert suffix in SUPPORTED_SUFFIXES
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        # No lock of our own: the library runs one writer at a time and parses an upload before it takes its
        # writer lock, so a large upload's parse never makes other writes wait.
        with tempfile.TemporaryDirectory(dir=self.upload_dir) as folder:
            path = Path(folder) / safe
            if path.stem in self.library.graph.article_hashes():  # a file of this name was stored before:
                path = path.with_name(f"{path.stem}-{hashlib.sha256(data).hexdigest()[:8]}{suffix}")  # own id
            path.write_bytes(data)
            report = self.library.ingest([path], replace=may_replace)
        written = sorted(report.written)
        errors = [e.replace(str(path), name) for e in report.errors]
        unchanged = report.unchanged
        for new_id, dup in report.duplicates:
            if new_id.startswith(f"{Path(safe).stem}-") and dup == Path(safe).stem:
                unchanged += 1  # the same file uploaded again
            else:
                errors.append(f"the same text is already stored as {dup!r}")
        return UploadResult(name=name, articles=written, errors=errors, sentences=report.sentences,
                            triples=report.triples, unchanged=unchanged)

    def add_text(self, text: str, title: str | None = None, *, token: str | None = None) -> UploadResult:
        """Store pasted text as a ``.txt`` article (the title, if given, becomes its first line)."""
        body = text.strip()
        if title and title.strip():
            body = f"{' '.join(title.split())}\n\n{body}"
        slug = re.sub(r"[^a-z0-9]+", "-", (title or body[:40]).lower()).strip("-")[:40] or "pasted"
        digest = hashlib.sha256(body.encode()).hexdigest()[:8]
        return self.add_file(f"{slug}-{digest}.txt", body.encode("utf-8"), token=token)

    def update(self, sparql: str, *, token: str | None = None) -> Any:
        """A SPARQL Update on the graph, the passage index kept in step; one write at a time."""
        self.policy.check("update", token)
        return self.library.update(sparql)

    def delete(self, article_id: str, *, token: str | None = None) -> None:
        """Remove one article (graph and index); :class:`kg.NotFound` if there is none."""
        self.policy.check("delete", token)
        if article_id not in self.graph.article_hashes():
            raise NotFound(f"no article with id {article_id!r}")
        self.library.delete(article_id)

    def neighbours(self, citation: Citation) -> tuple[str, str]:
        """The sentences just before and after a cited one in its article (empty at the edges)."""
        iri = f"{citation.article}#char={citation.start},{citation.end}"
        index = self.library.snapshot().index  # one snapshot: rows mean the same throughout
        row = index.row_of(iri)
        if row is None:
            return "", ""
        here = index.docs[row].metadata
        around = [index.neighbour(row, -1), index.neighbour(row, 1)]
        # A body sentence's neighbour is never a reader's comment, nor one comment's another's.
        same = [d.page_content if d is not None and d.metadata.get("section") == here.get("section")
                and d.metadata.get("commenter") == here.get("commenter") else "" for d in around]
        return same[0], same[1]
