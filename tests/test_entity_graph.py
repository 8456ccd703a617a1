"""The entity graph: each entity described once, kept in step with the articles on every write."""

from __future__ import annotations

from pathlib import Path

from kg import KnowledgeGraph
from kg.entity_graph import entities_graph

TONY = ("Tony Blair met Gordon Brown in London on Monday.\n\n"
        "Mr Blair said the talks went well, according to Gordon Brown.")
OTHER = "Tony Blair visited Paris.\n\nJacques Chirac welcomed Tony Blair at the Elysee."


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(f"Headline {name}\n\n{text}", encoding="utf-8")
    return path


def _labels(graph: KnowledgeGraph, name: str) -> list[tuple[str, str]]:
    """(graph, label) of every rdfs:label triple giving ``name``."""
    rows = graph.select(f"""SELECT ?g ?l WHERE {{ GRAPH ?g {{ ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l }}
        FILTER(STR(?l) = "{name}") }}""")
    return [(g[1], l[1]) for g, l in rows if g and l]


def _described(graph: KnowledgeGraph, name: str) -> bool:
    return bool(_labels(graph, name))


def test_a_label_is_stored_once_however_many_articles_name_it(graph: KnowledgeGraph, tmp_path: Path) -> None:
    graph.ingest([_write(tmp_path, "a.txt", TONY), _write(tmp_path, "b.txt", OTHER)])
    found = _labels(graph, "Tony Blair")
    assert found == [(entities_graph(graph.iris), "Tony Blair")]
    # The union default graph sees it, so users' queries need no GRAPH.
    rows = graph.query('SELECT ?e WHERE { ?e a schema:Person ; rdfs:label "Tony Blair" }').values("e")
    assert rows == [graph.iris.entity("person", "Tony Blair")]
    # Aliases stay with the article that writes them.
    alias_graphs = graph.select("""SELECT ?g WHERE { GRAPH ?g { ?e <http://www.w3.org/2004/02/skos/core#altLabel>
        "Blair" } }""")
    assert [g[1] for (g,) in alias_graphs] == [graph.iris.article("a")]


def test_deleting_an_article_removes_only_descriptions_no_other_article_needs(
        graph: KnowledgeGraph, tmp_path: Path) -> None:
    graph.ingest([_write(tmp_path, "a.txt", TONY), _write(tmp_path, "b.txt", OTHER)])
    assert _described(graph, "Gordon Brown") and _described(graph, "Jacques Chirac")
    graph.delete("a")
    assert not _described(graph, "Gordon Brown")  # only article a named him
    assert _described(graph, "Tony Blair") and _described(graph, "Jacques Chirac")
    graph.delete("b")
    assert not _described(graph, "Tony Blair")
    left = graph.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{entities_graph(graph.iris)}> {{ ?s ?p ?o }} }}")
    assert int(left[0][0][1]) == 0


def test_replacing_an_article_drops_what_its_old_text_alone_described(graph: KnowledgeGraph, tmp_path: Path) -> None:
    graph.ingest([_write(tmp_path, "a.txt", TONY)])
    assert _described(graph, "Gordon Brown")
    graph.ingest([_write(tmp_path, "a.txt", "Tony Blair met Jacques Chirac in Paris on Monday.")])
    assert not _described(graph, "Gordon Brown")
    assert _described(graph, "Jacques Chirac") and _described(graph, "Tony Blair")


def test_descriptions_left_by_an_interrupted_write_are_pruned(embedded: KnowledgeGraph, tmp_path: Path) -> None:
    embedded.ingest([_write(tmp_path, "a.txt", TONY)])
    # A write that stopped after adding its descriptions and before loading its graph leaves this behind.
    orphan = embedded.iris.entity("person", "Nobody Atall")
    embedded.store.update(f"""INSERT DATA {{ GRAPH <{entities_graph(embedded.iris)}> {{
        <{orphan}> <http://www.w3.org/2000/01/rdf-schema#label> "Nobody Atall" }} }}""")
    assert _described(embedded, "Nobody Atall")
    embedded.prune_entities()
    assert not _described(embedded, "Nobody Atall")
    assert _described(embedded, "Tony Blair")


def test_the_alias_table_reads_labels_aliases_and_article_counts(embedded: KnowledgeGraph, tmp_path: Path) -> None:
    embedded.ingest([_write(tmp_path, "a.txt", TONY), _write(tmp_path, "b.txt", OTHER)])
    fresh = KnowledgeGraph(embedded.settings, store=embedded.store)  # loads the table from the store
    table = fresh.alias_table()
    assert table.lookup("Tony Blair") == [("person", "Tony Blair")]
    assert ("person", "Tony Blair") in table.lookup("Blair")
    assert table.articles(("person", "Tony Blair")) == 2
    assert table.articles(("person", "Gordon Brown")) == 1


def test_the_alias_table_from_the_store_knows_who_is_named_with_whom(embedded: KnowledgeGraph, tmp_path: Path) -> None:
    """The context a bare surname is resolved by survives a restart: the same as the table ingest grew."""
    embedded.ingest([_write(tmp_path, "a.txt", TONY), _write(tmp_path, "b.txt", OTHER)])
    grown = embedded.alias_table()
    loaded = KnowledgeGraph(embedded.settings, store=embedded.store).alias_table()
    tony, brown, chirac = ("person", "Tony Blair"), ("person", "Gordon Brown"), ("person", "Jacques Chirac")
    for table in (grown, loaded):
        assert table.support(tony, [brown]) == (0.5, 1)  # one shared article of Brown's one (+1)
        assert table.support(tony, [chirac])[1] == 1
        assert table.support(brown, [chirac]) == (0.0, 0)  # never named together
    # A delete drops the table; read again, the deleted article's context is gone.
    embedded.delete("a")
    assert embedded.alias_table().support(tony, [brown]) == (0.0, 0)
