"""Every graph of a store written out in one RDF format (``kgqa export``)."""

from __future__ import annotations

from typing import BinaryIO

import pyoxigraph as ox

from .results import term_to_ox
from .store import GraphStore
from .vocab import PREFIXES

__all__ = ["EXPORT_FORMATS", "export_store"]

EXPORT_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def export_store(store: GraphStore, fmt: str, out: BinaryIO) -> int:
    """Write every graph (Turtle and JSON-LD: their union) to ``out``; returns the statement count."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    rows = store.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    quads = [ox.Quad(*(term_to_ox(t) for t in row[:3]), ox.NamedNode(row[3][1])) for row in rows]  # type: ignore[index]
    if fmt in ("turtle", "jsonld"):
        data = list(dict.fromkeys(q.triple for q in quads))
    else:
        data = quads
    ox.serialize(data, out, EXPORT_FORMATS[fmt], prefixes=PREFIXES if fmt != "jsonld" else None)
    return len(data)
