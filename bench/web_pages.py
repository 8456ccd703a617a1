"""Render the linked-data pages, the SPARQL description page and the Accept negotiation N times; print medians.

Direct calls into the web modules (no HTTP), so the figure is the page's own
cost: its queries and its rendering. Works on the code before issue 26 (the
f-string pages) and after it (the Jinja2 templates), so the two can be compared
from two checkouts::

    .venv/bin/python bench/web_pages.py                         # the seed article, in a temp library
    .venv/bin/python bench/web_pages.py --data-dir /tmp/bbc/built --entity "Tony Blair" --repeat 5

``--data-dir`` opens a library already built (only its store is read); the
entity defaults to the one most articles mention, the article to the one
with most quotations.
"""

from __future__ import annotations

import argparse
import inspect
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import KnowledgeGraph, Settings, sparql_literal  # noqa: E402
from web import _linked_data as ld  # noqa: E402
from web import _sparql  # noqa: E402

__all__ = ["main"]

log = logging.getLogger(__name__)

SEED = Path("/work/shared/seed") if Path("/work/shared/seed").exists() else ROOT / "data" / "seed"
ACCEPTS = ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/turtle;q=0.5, "
           "application/ld+json;q=0.9", "*/*;q=0.1, text/turtle;q=0", "image/png", "")


def _median_ms(fn: Callable[[], object], repeat: int) -> tuple[float, int]:
    times, size = [], 0
    fn()  # warm: templates compiled, store pages cached
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - started) * 1000)
        size = len(out) if isinstance(out, str) else size
    return statistics.median(times), size


def _one(graph: KnowledgeGraph, sparql: str) -> str:
    rows = graph.select(sparql)
    if not rows or rows[0][0] is None:
        raise SystemExit(f"nothing found for: {sparql}")
    return rows[0][0][1]


def _page_caller(fn: Callable[..., str], graph: KnowledgeGraph) -> Callable[..., str]:
    """The page function with the router's shared templates when it takes them (after issue 26)."""
    if "templates" in inspect.signature(fn).parameters:
        from web._templates import PageTemplates

        templates = PageTemplates(graph.settings)
        return lambda *a: fn(*a, templates=templates)
    return fn


def _description_caller(settings: Settings) -> Callable[[], str]:
    page = _sparql._description_page
    endpoint = "http://localhost:7860/sparql"
    if "templates" in inspect.signature(page).parameters:
        from web._templates import PageTemplates

        templates = PageTemplates()
        return lambda: page(templates, endpoint, settings)
    return lambda: page(endpoint, settings)  # type: ignore[call-arg]


def _sparql_negotiate() -> Callable[[str], object]:
    offers = list(_sparql.GRAPH_TYPES)
    try:
        from web._negotiation import best_offer
    except ImportError:  # before issue 26: the route's own parser
        return lambda accept: _sparql.negotiate(accept, offers)  # type: ignore[attr-defined]
    return lambda accept: best_offer(accept, offers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", type=Path, help="a built library (default: the seed article in a temp one)")
    parser.add_argument("--base-iri", default="http://localhost:7860/id/")
    parser.add_argument("--entity", help="the entity's label (default: the one most articles mention)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp) / "built"
        settings = Settings(data_dir=data_dir, base_iri=args.base_iri, nlp_model="" if args.data_dir else
                            Settings().nlp_model, query_timeout=120.0)
        with KnowledgeGraph(settings) as graph:
            if args.data_dir is None:
                graph.ingest([SEED])
            label = "<http://www.w3.org/2000/01/rdf-schema#label>"
            entity_filter = f"GRAPH ?lg {{ ?e {label} {sparql_literal(args.entity)} }}" if args.entity else ""
            entity = _one(graph, f"""SELECT ?e WHERE {{ GRAPH ?g {{ ?m <http://www.w3.org/2005/11/its/rdf#taIdentRef>
                ?e }} {entity_filter} FILTER(STRSTARTS(STR(?e), {sparql_literal(args.base_iri + 'entity/')})) }}
                GROUP BY ?e ORDER BY DESC(COUNT(DISTINCT ?g)) LIMIT 1""")
            article = _one(graph, """SELECT ?g WHERE { GRAPH ?g { ?q a <http://schema.org/Quotation> } }
                GROUP BY ?g ORDER BY DESC(COUNT(?q)) ?g LIMIT 1""")
            limit = settings.row_limit
            entity_page, article_page = _page_caller(ld.entity_page, graph), _page_caller(ld.article_page, graph)
            described = {iri: ld.describe(graph, iri, limit=limit) for iri in (entity, article)}
            sparql_negotiate = _sparql_negotiate()
            rows = [
                ("entity page", lambda: entity_page(graph, ld.describe(graph, entity, limit=limit))),
                ("entity page (render only: describe once)", lambda: entity_page(graph, described[entity])),
                ("article page", lambda: article_page(graph, ld.describe(graph, article, limit=limit))),
                ("SPARQL description page", _description_caller(settings)),
                (f"linked-data negotiate x{len(ACCEPTS)}", lambda: [ld.negotiate(a) for a in ACCEPTS]),
                (f"/sparql negotiate x{len(ACCEPTS)}",
                 lambda: [sparql_negotiate(a) for a in ACCEPTS]),
            ]
            print(f"entity {entity}\narticle {article}\nrepeat {args.repeat}, medians")
            for name, fn in rows:
                ms, size = _median_ms(fn, args.repeat)
                print(f"{name:45s} {ms:9.3f} ms" + (f"  ({size:,} chars)" if size else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
