"""One ingest: article files found and loaded, then classified, parsed, built and written batch by batch.

:meth:`kg.KnowledgeGraph.ingest` is the entry point; this module holds its loop, so ``kg/graph.py`` stays the
store's facade. It drives the graph's own steps (classify, build, describe, write), which stay with the graph
because single-article writes (:meth:`~kg.KnowledgeGraph.add_article`) use them too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._memory import release_free_memory
from .errors import InputError
from .ingest import IngestReport, find_article_files
from .loading import load_file
from .model import Article
from .rdf import article_content_hash
from .settings import Settings
from .timing import stage, timed

if TYPE_CHECKING:
    from .graph import KnowledgeGraph

__all__ = ["load_articles", "default_batch", "IngestRun"]

log = logging.getLogger(__name__)


def default_batch(settings: Settings) -> int:
    """Articles parsed together: spaCy batches well; with ``KGQA_NLP_PROCESSES`` > 1 each batch starts its processes."""
    return 64 if settings.nlp_processes == 1 else 400 * settings.nlp_processes


def load_articles(paths: Iterable[Path | str], settings: Settings, report: IngestReport) -> list[Article]:
    """Every article under ``paths``; a file or record that cannot be read goes to ``report.errors`` instead."""
    items: list[Article] = []
    max_bytes = int(settings.max_file_mb * 1_000_000)
    for found in timed("load", find_article_files(Path(p) for p in paths)):
        if isinstance(found, InputError):
            report.errors.append(str(found))
            continue
        try:
            for item in timed("load", load_file(found, max_bytes=max_bytes, max_chars=settings.max_article_chars)):
                if isinstance(item, InputError):
                    report.errors.append(str(item))
                else:
                    items.append(item)
        except InputError as exc:
            report.errors.append(str(exc))
    return items


@dataclass
class IngestRun:
    """The batches of one ingest, written in article order; what happened is added to ``report``.

    ``replace=False`` refuses (as a reported error) every article whose id is stored with other content.
    ``after_batch`` is called once each batch is stored, with the stored articles' ids and record hashes.
    """

    graph: KnowledgeGraph
    report: IngestReport
    batch: int
    replace: bool = True
    after_batch: Callable[[dict[str, str]], None] | None = None
    bar: Any = None  # a tqdm bar, or None

    def run(self, items: list[Article]) -> None:
        pipeline = self.graph.pipeline
        ahead = self._parse_ahead(items, pipeline)
        try:
            for first in range(0, len(items), self.batch):
                self._one_batch(items[first : first + self.batch], first // self.batch, pipeline, ahead)
                if self.bar is not None:
                    self.bar.update(min(self.batch, len(items) - first))
        finally:
            if ahead is not None:
                ahead.close()

    def _parse_ahead(self, items: list[Article], pipeline: str) -> Any:
        """On Dask, the parse of the ingest's batches on the workers ahead of the writer; else ``None``."""
        graph = self.graph
        if graph._remote is None or not items:
            return None
        from ._distributed import ParseAhead

        batches = [items[i : i + self.batch] for i in range(0, len(items), self.batch)]
        return ParseAhead(graph._remote, graph.extractor, batches,
                          lambda a: graph._classify(a, pipeline)[0] in {"new", "changed"})

    def _todo(self, articles: list[Article], pipeline: str) -> list[tuple[Article, bool]]:
        """The batch's articles to write, each with whether it replaces a stored version; the rest reported."""
        report = self.report
        todo: list[tuple[Article, bool]] = []
        batch_hashes: dict[str, str] = {}
        for article in articles:
            state, duplicate_of = self.graph._classify(article, pipeline)
            content = article_content_hash(article)
            if state == "new" and batch_hashes.get(content, article.id) != article.id:
                state, duplicate_of = "duplicate", batch_hashes[content]
            if state == "duplicate" and duplicate_of:
                report.duplicates.append((article.id, duplicate_of))
            elif state == "unchanged":
                report.unchanged += 1
            elif state == "changed" and not self.replace:
                report.errors.append(f"{article.source}: an article with the id {article.id!r} is already "
                                     "stored; replacing it needs the admin token")
            else:
                batch_hashes[content] = article.id
                todo.append((article, state == "changed"))
        return todo

    def _one_batch(self, articles: list[Article], number: int, pipeline: str, ahead: Any) -> None:
        graph, report = self.graph, self.report
        todo = self._todo(articles, pipeline)
        with ahead.batch(number) if ahead is not None else nullcontext():
            built_batch = graph._build([a for a, _ in todo])
        with stage("RDF write"):  # one transaction for the batch's new descriptions
            graph._describe(b for (_, exists), b in zip(todo, built_batch) if not exists)
        for (article, exists), built in zip(todo, built_batch):
            graph._write(built, exists, described=True)
            report.stored += not exists
            report.updated += exists
            report.written.append(article.id)
            report.sentences += len(built.sentences)
            report.triples += len(built.triples) + len(built.descriptions)
        if not todo:
            return
        with stage("RDF write"):
            graph.store.flush()  # bounded memory: the store's write buffers go to disk batch by batch
        release_free_memory()
        if self.after_batch is not None:
            index = graph._articles_index()
            self.after_batch({a.id: index[a.id].record_hash for a, _ in todo})
