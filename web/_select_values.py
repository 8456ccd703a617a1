"""kgqa's own read queries, with kgqa's prefixes declared, as rows of plain strings.

The pages and the graph view only need the lexical value of each term, so the
store's ``(kind, value)`` terms are reduced to their value here, once.
"""

from __future__ import annotations

import logging

from kg import KnowledgeGraph, PREFIXES
from kg.results import Term

__all__ = ["select_values"]

log = logging.getLogger(__name__)

_PREFIX_LINES = "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items())


def _value(term: Term | None) -> str | None:
    return None if term is None else term[1]


def select_values(graph: KnowledgeGraph, body: str) -> list[tuple[str | None, ...]]:
    """Rows of one of kgqa's own SELECTs (kgqa's prefixes declared) as plain strings, ``None`` when unbound.

    Only for queries kgqa writes itself: :meth:`KnowledgeGraph.select` runs them with no guard.
    """
    return [tuple(_value(t) for t in row) for row in graph.select(f"{_PREFIX_LINES}\n{body}")]
