"""kgqa's own read queries (linked-data pages, the graph view, entity search) give the same on Virtuoso
as on the embedded store, for the same two articles."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kg import KnowledgeGraph, Settings
from web import _entity_search as search
from web import _linked_data as ld
from web import _neighbourhood as nb

from ..conftest import FIXTURES, SEED, virtuoso_settings

pytestmark = [pytest.mark.remote, pytest.mark.scaleout]


def _reads(graph: KnowledgeGraph) -> dict[str, object]:
    graph.ingest([SEED, FIXTURES / "blog_with_comments.html"])
    entities = graph.query("SELECT DISTINCT ?e WHERE { ?m itsrdf:taIdentRef ?e } ORDER BY ?e").values("e")
    articles = graph.query("SELECT ?a WHERE { ?a a schema:NewsArticle } ORDER BY ?a").values("a")
    out: dict[str, object] = {"entities": entities, "articles": articles,
                              "find": sorted(map(str, search.find_entities(graph, "Iran"))),
                              "popular": sorted(map(str, search.popular_entities(graph)))}
    for iri in entities[:12] + articles:
        desc = ld.describe(graph, iri, limit=10_000)  # no LIMIT cut: a cut picks engine-dependent rows
        assert desc is not None, iri
        out[f"subject {iri}"] = sorted(map(str, desc.subject))
        page = ld.entity_page(graph, desc) if iri in entities else ld.article_page(graph, desc)
        out[f"page {iri}"] = len(page)
        hood = nb.neighbourhood(graph, iri)
        out[f"hood {iri}"] = (sorted(n.iri for n in hood.nodes), len(hood.edges)) if hood else None
    return out


@pytest.fixture
def embedded_reads(settings: Settings) -> Iterator[dict[str, object]]:
    with KnowledgeGraph(settings) as graph:
        yield _reads(graph)


def test_pages_graph_view_and_search_agree_with_the_embedded_store(embedded_reads, virtuoso, settings,  # type: ignore[no-untyped-def]
                                                                   tmp_path) -> None:
    on_virtuoso = virtuoso_settings(settings.replace(data_dir=tmp_path / "virtuoso-built"), virtuoso)
    with KnowledgeGraph(on_virtuoso) as graph:
        reads = _reads(graph)
    assert len(reads["entities"]) > 10 and len(reads["articles"]) == 2  # type: ignore[arg-type]
    assert reads == embedded_reads
