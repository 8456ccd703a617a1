"""Reading articles' sentences back from the graph for the passage index, one bad article not blocking the rest."""

from __future__ import annotations

import logging

from kg import KgqaError, KnowledgeGraph, StoredSentence

__all__ = ["read_back"]

log = logging.getLogger(__name__)


def read_back(graph: KnowledgeGraph, changed: list[str]) -> tuple[list[StoredSentence], set[str]]:
    """The stored sentences of ``changed``, and the ids of articles that could not be read.

    One unreadable article (a store error on its graph) must not keep the rest of the library, or the
    app, from opening: it is reported and left out of the index, and the caller keeps its pending note
    so the next start tries it again.
    """
    if not changed:
        return [], set()
    try:
        return list(graph.sentences(changed)), set()
    except (KgqaError, ValueError) as exc:
        log.warning("reading %d article(s) back at once failed (%s); reading them one by one", len(changed), exc)
    sentences: list[StoredSentence] = []
    unreadable: set[str] = set()
    for article_id in changed:
        try:
            sentences.extend(graph.sentences([article_id]))
        except (KgqaError, ValueError) as exc:
            unreadable.add(article_id)
            log.error("article %r cannot be read from the graph and is left out of the passage index: %s "
                      "(delete it, or re-ingest it, to repair)", article_id, exc)
    return sentences, unreadable
