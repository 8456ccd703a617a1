"""The store suite: every test runs on the embedded store, on `oxigraph serve` and on Virtuoso."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import KnowledgeGraph, NotFound, StoreError

from .conftest import FIXTURES, SEED

NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"


def count(graph: KnowledgeGraph, where: str) -> int:
    return graph.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}").values("n")[0]


def all_quads(graph: KnowledgeGraph) -> set[tuple]:
    return set(graph.store.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"))


def test_seed_sentences_counted_and_offsets_exact(graph: KnowledgeGraph) -> None:
    report = graph.ingest([SEED.parent])
    assert (report.stored, report.sentences, report.errors) == (1, 45, [])
    assert count(graph, f"?s a <{NIF}Sentence>") == 45
    rows = graph.query(
        "SELECT ?text ?b ?e ?all WHERE { ?s a nif:Sentence ; nif:anchorOf ?text ; nif:beginIndex ?b ; "
        "nif:endIndex ?e ; nif:referenceContext ?c . ?c nif:isString ?all }"
    )
    assert len(rows) == 45
    for text, b, e, whole in zip(*(rows.values(v) for v in ("text", "b", "e", "all"))):
        assert whole[b:e] == text


def test_rdf_contract_for_the_seed(graph: KnowledgeGraph) -> None:
    graph.ingest([SEED])
    r = graph.query(
        "SELECT ?headline ?author WHERE { ?a a schema:NewsArticle ; schema:headline ?headline ; "
        "schema:author/schema:name ?author ; kgqa:hasContext/a nif:Context }"
    )
    assert r.values("author") == ["Amir Toumaj"]
    comment = graph.query(
        "SELECT ?name (COUNT(?s) AS ?n) WHERE { ?s kgqa:section kgqa:CommentSection ; kgqa:commenter/schema:name ?name ;"
        " kgqa:inComment/a schema:Comment } GROUP BY ?name"
    )
    assert comment.values("name") == ["Thomas J Irwin"] and comment.values("n")[0] == 10
    boiler = graph.query("SELECT ?t WHERE { ?seg kgqa:section kgqa:BoilerplateSection ; nif:anchorOf ?t }")
    assert {"Islamic state", "Al shabaab", "Boko Haram"} <= set(boiler.values("t"))
    assert count(graph, "?s a nif:Sentence ; nif:anchorOf ?t FILTER(?t IN ('Islamic state', 'Boko Haram'))") == 0
    # one named graph per article, the entities' descriptions in one graph, and the ontology in its own
    # GROUP BY, not DISTINCT: Virtuoso answers the bare DISTINCT ?g from its graph list, private graphs included
    graphs = graph.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g").values("g")
    assert sorted(graphs) == sorted([graph.iris.article("000_b3bb278fd8698310"), "https://w3id.org/kgqa/ns",
                                     f"{graph.iris.base}graph/entities"])
    assert count(graph, "kgqa:commenter a owl:ObjectProperty") == 1


def test_reingest_unchanged_changes_nothing(graph: KnowledgeGraph, tmp_path: Path) -> None:
    graph.ingest([SEED])
    before = all_quads(graph)
    report = graph.ingest([SEED])
    assert (report.stored, report.updated, report.unchanged) == (0, 0, 1)
    assert all_quads(graph) == before
    # a fresh KnowledgeGraph on the same store still knows the article is unchanged
    again = KnowledgeGraph(graph.settings, store=graph.store)
    assert again.ingest([SEED]).unchanged == 1


def test_changed_article_replaces_its_graph(graph: KnowledgeGraph, tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Old headline\n\nThe old body says one thing. It says two.", encoding="utf-8")
    graph.ingest([path])
    path.write_text("New headline\n\nThe new body.", encoding="utf-8")
    report = graph.ingest([path])
    assert report.updated == 1
    texts = graph.query("SELECT ?t WHERE { ?s a nif:Sentence ; nif:anchorOf ?t }").values("t")
    assert sorted(texts) == ["New headline", "The new body."]


def test_duplicates_under_two_ids_are_recognised(graph: KnowledgeGraph, tmp_path: Path) -> None:
    records = [
        {"id": "business/007", "title": "Same story", "body": "Identical text here.", "category": "business"},
        {"id": "business/253", "title": "Same story", "body": "Identical text here.", "category": "business"},
        {"id": "tech/001", "title": "Other story", "body": "Different text.", "category": "tech"},
    ]
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    report = graph.ingest([path])
    assert report.stored == 2 and report.duplicates == [("business/253", "business/007")]
    assert sorted(a.id for a in graph.articles()) == ["business/007", "tech/001"]


def test_delete_removes_exactly_its_graph(graph: KnowledgeGraph, tmp_path: Path) -> None:
    graph.ingest([SEED])
    before = all_quads(graph)
    other = tmp_path / "other.txt"
    other.write_text("Another article\n\nAmir Toumaj wrote nothing here. Iran was mentioned.", encoding="utf-8")
    graph.ingest([other])
    graph.delete("other")
    assert all_quads(graph) == before
    with pytest.raises(NotFound):
        graph.delete("other")


def test_failed_write_leaves_store_unchanged(graph: KnowledgeGraph) -> None:
    graph.ingest([SEED])
    before = all_quads(graph)
    iri = graph.iris.article("000_b3bb278fd8698310")
    broken = f'<{iri}> <http://schema.org/headline> "fine" .\n<{iri}> <http://schema.org/headline> "unterminated .\n'
    with pytest.raises(StoreError):
        graph.store.replace_graph(iri, broken)
    assert all_quads(graph) == before


def test_union_default_graph_and_export_roundtrip(graph: KnowledgeGraph) -> None:
    graph.ingest([SEED, FIXTURES / "blog_with_comments.html"])
    assert count(graph, "?a a schema:NewsArticle") == 2  # no GRAPH clause needed
    total = len(all_quads(graph))
    for fmt, ox_fmt in (("nquads", ox.RdfFormat.N_QUADS), ("trig", ox.RdfFormat.TRIG)):
        out = io.BytesIO()
        graph.export(fmt, out)
        assert len(list(ox.parse(out.getvalue(), format=ox_fmt))) == total
    for fmt, ox_fmt in (("turtle", ox.RdfFormat.TURTLE), ("jsonld", ox.RdfFormat.JSON_LD)):
        out = io.BytesIO()
        n = graph.export(fmt, out)
        assert len(list(ox.parse(out.getvalue(), format=ox_fmt))) == n > 600


def test_rdflib_api_sees_the_same_data(graph: KnowledgeGraph) -> None:
    """oxrdflib (embedded) or SPARQLUpdateStore (remote): the rdflib Dataset works on the store."""
    graph.ingest([SEED])
    ds = graph.store.dataset
    rows = list(ds.query(
        "SELECT (COUNT(?s) AS ?n) WHERE { GRAPH ?g { ?s a <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#Sentence> } }"
    ))
    assert int(rows[0][0]) == 45
    # a graph result too (rdflib's Accept header once let Virtuoso answer SELECTs in RDF/XML, at random)
    built = ds.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s a <http://schema.org/NewsArticle> ; ?p ?o } }")
    assert len(built) > 5


def test_sparqlwrapper_reads_what_kgqa_wrote_to_the_server(remote_settings) -> None:
    """A standard SPARQL client sees kgqa's graph on the server (oxigraph serve, Virtuoso), sentence by sentence."""
    from SPARQLWrapper import JSON, SPARQLWrapper

    with KnowledgeGraph(remote_settings) as graph:
        graph.ingest([SEED])
    client = SPARQLWrapper(remote_settings.store_url)
    client.setTimeout(10)
    client.setReturnFormat(JSON)
    client.setQuery(
        "PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> "
        "SELECT ?t WHERE { GRAPH ?g { ?s a nif:Sentence ; nif:anchorOf ?t } }"
    )
    texts = [b["t"]["value"] for b in client.queryAndConvert()["results"]["bindings"]]
    assert len(texts) == 45
    assert any(t.endswith("Brigadier General Abolghassem Alinejad.") for t in texts)
