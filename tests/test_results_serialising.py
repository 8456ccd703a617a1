"""The library-written SPARQL results and N-Triples say what the hand-written ones said (issue 26).

Each format is parsed back (rdflib, pyoxigraph, the csv module) from the old writers' text (the
BASELINE kept in ``bench/serialising.py``) and from :mod:`kg.results` / :mod:`kg.rdf`, on terms chosen to
break writers: IRIs, blank nodes, language tags, typed literals, unicode, quotes, newlines, control
characters, unbound variables, ASK and CONSTRUCT.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD
from rdflib.query import Result

from bench.serialising import BaselineResult, baseline_nt_term, baseline_to_ntriples
from kg.errors import StoreError
from kg.rdf import nt_term, to_ntriples
from kg.results import QueryResult, term_to_nt

XSD_INT = "http://www.w3.org/2001/XMLSchema#integer"
TRICKY = [
    ("uri", "http://example.org/a?b=1&c=<no>".replace("<no>", "d"), None, None),
    ("uri", "http://localhost:7860/id/entity/person/Ren%C3%A9e_%C3%96z", None, None),
    ("bnode", "b0", None, None),
    ("literal", 'say "hi"\nnew line\r\ttab \\ back', None, None),
    ("literal", "café — 東京 🎉", "fr", None),
    ("literal", "42", None, XSD_INT),
    ("literal", "2024-05-01", None, "http://www.w3.org/2001/XMLSchema#date"),
    ("literal", "plain", None, "http://www.w3.org/2001/XMLSchema#string"),
    ("literal", "<script>alert(1)</script> & ]]>", None, None),
    ("literal", "", None, None),
    ("literal", "ctrl \x01\x08\x1f end", None, None),
]
VARIABLES = ["a", "b", "c"]


def _rows() -> list[tuple[Any, ...]]:
    rows = []
    for i, term in enumerate(TRICKY):
        rows.append((term, TRICKY[(i + 3) % len(TRICKY)], None if i % 3 == 0 else TRICKY[(i + 5) % len(TRICKY)]))
    rows.append((None, None, None))  # a row binding nothing
    return rows


def _text(write: Any) -> str:
    out = io.StringIO()
    write(out)
    return out.getvalue()


def _new(write: Any) -> bytes:
    out = io.BytesIO()
    write(out)
    return out.getvalue()


def _solutions(data: bytes, fmt: str) -> list[dict[str, Any]]:
    parsed = Result.parse(io.BytesIO(data), format=fmt)
    return [{str(k): v for k, v in row.items()} for row in parsed.bindings]


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_select_results_parse_to_the_same_solutions(fmt: str) -> None:
    rows = _rows()
    new = QueryResult("SELECT", variables=VARIABLES, rows=rows, truncated=True)
    old = BaselineResult("SELECT", variables=VARIABLES, rows=rows, truncated=True)
    new_rows = _solutions(_new(getattr(new, f"write_{fmt}")), fmt)
    old_text = _text(getattr(old, f"write_{fmt}"))
    if fmt == "xml":  # the old writer put U+FFFD for what XML cannot hold, as the new one does
        assert "\ufffd" in old_text
    old_rows = _solutions(old_text.encode("utf-8"), fmt)
    assert len(new_rows) == len(rows) and new_rows == old_rows
    # and they are what the rows hold: the literal with control characters only loses them in XML
    ctrl = Literal("ctrl \ufffd\ufffd\ufffd end" if fmt == "xml" else "ctrl \x01\x08\x1f end")
    assert any(r.get("a") == ctrl for r in new_rows)
    assert {"a": Literal("42", datatype=XSD.integer)} in [{"a": r.get("a")} for r in new_rows]
    assert new_rows[-1] == {}


def test_select_results_parse_with_pyoxigraph_too() -> None:
    rows = _rows()
    result = QueryResult("SELECT", variables=VARIABLES, rows=rows)
    for fmt, write in ((ox.QueryResultsFormat.JSON, result.write_json), (ox.QueryResultsFormat.XML, result.write_xml),
                       (ox.QueryResultsFormat.TSV, result.write_tsv)):
        data = _new(write)
        solutions = list(ox.parse_query_results(data, fmt))
        assert len(solutions) == len(rows)
        assert solutions[5]["a"] == ox.Literal("42", datatype=ox.NamedNode(XSD_INT))


def test_csv_holds_the_same_values() -> None:
    rows = _rows()
    new = list(csv.reader(io.StringIO(QueryResult("SELECT", variables=VARIABLES, rows=rows).to_csv())))
    old = list(csv.reader(io.StringIO(_text(BaselineResult("SELECT", variables=VARIABLES, rows=rows).write_csv))))
    assert new[0] == old[0] == VARIABLES
    assert len(new) == len(old) == len(rows) + 1

    def without_bnodes(table: list[list[str]]) -> list[list[str]]:  # SPARQL CSV writes a blank node as _:label
        return [[c.removeprefix("_:") for c in row] for row in table]

    assert without_bnodes(new) == without_bnodes(old)
    assert "_:b0" in new[3]  # the row whose first cell is the blank node


def test_json_keeps_kgqa_truncated_key_and_ask_is_standard() -> None:
    result = QueryResult("SELECT", variables=["x"], rows=[(TRICKY[3],)], truncated=True)
    body = json.loads(_new(result.write_json))
    assert body["truncated"] is True and body["results"]["bindings"][0]["x"]["value"] == TRICKY[3][1]
    assert result.to_json() == body
    ask = QueryResult("ASK", boolean=False)
    assert json.loads(_new(ask.write_json)) == {"head": {}, "boolean": False}
    assert Result.parse(io.BytesIO(_new(ask.write_xml)), format="xml").askAnswer is False
    assert Result.parse(io.BytesIO(_new(QueryResult("ASK", boolean=True).write_xml)), format="xml").askAnswer


def test_construct_ntriples_parse_to_the_same_graph() -> None:
    subjects = [t for t in TRICKY if t[0] != "literal"]
    triples = [(subjects[i % len(subjects)], ("uri", "http://schema.org/name", None, None), o)
               for i, o in enumerate(TRICKY)]
    new = QueryResult("CONSTRUCT", triples=triples).to_ntriples()
    old = _text(BaselineResult("CONSTRUCT", triples=triples).write_ntriples)
    new_graph, old_graph = Graph().parse(data=new, format="nt"), Graph().parse(data=old, format="nt")
    assert len(new_graph) == len(triples)
    assert isomorphic(new_graph, old_graph)  # rdflib renames blank nodes as it parses
    assert list(ox.parse(new, ox.RdfFormat.N_TRIPLES))  # Oxigraph reads it back too


def test_term_to_nt_is_pyoxigraph_syntax() -> None:
    assert term_to_nt(None) == ""
    assert term_to_nt(("literal", "a\"b", "en", None)) == '"a\\"b"@en'
    assert term_to_nt(("literal", "3", None, XSD_INT)) == f'"3"^^<{XSD_INT}>'


def test_other_stores_blank_node_labels_become_valid_ones() -> None:
    virtuoso = ("bnode", "nodeID://b10006", None, None)
    result = QueryResult("SELECT", variables=["x", "y"], rows=[(virtuoso, virtuoso)])
    tsv = result.to_tsv()
    (row,) = list(ox.parse_query_results(tsv.encode(), ox.QueryResultsFormat.TSV))
    assert row["x"] == row["y"]  # the same node keeps one label
    assert "nodeID" not in tsv


def test_a_term_rdf_does_not_allow_is_a_clear_error() -> None:
    bad = QueryResult("SELECT", variables=["x"], rows=[(("uri", "http://x/a b", None, None),)])
    with pytest.raises(StoreError, match="not valid RDF"):
        bad.to_xml()
    graph = QueryResult("CONSTRUCT", triples=[(("uri", "not an iri", None, None),) * 3])  # type: ignore[list-item]
    with pytest.raises(StoreError, match="not valid RDF"):
        graph.to_ntriples()


def test_ingest_ntriples_match_the_old_writer() -> None:
    triples = [
        (URIRef("http://localhost:7860/id/article/a"), URIRef("http://schema.org/headline"),
         Literal('He said "no"\nthen \\ left\r\t \x01 — 東京')),
        (URIRef("http://localhost:7860/id/article/a"), URIRef("http://schema.org/inLanguage"), Literal("x", lang="en")),
        (URIRef("http://localhost:7860/id/article/a"), URIRef("http://purl.org/nif#beginIndex"),
         Literal(0, datatype=XSD.nonNegativeInteger)),
        (URIRef("http://localhost:7860/id/article/a"), URIRef("http://schema.org/name"),
         Literal("s", datatype=XSD.string)),
    ]
    new, old = to_ntriples(triples), baseline_to_ntriples(triples)
    def simple(graph: Graph) -> set[Any]:  # RDF 1.1: a plain literal is an xsd:string (the old writer said so)
        return {(s, p, Literal(str(o)) if isinstance(o, Literal) and o.datatype == XSD.string else o)
                for s, p, o in graph}

    parsed = simple(Graph().parse(data=new, format="nt"))
    assert parsed == simple(Graph().parse(data=old, format="nt")) and len(parsed) == len(triples)
    assert triples[0] in parsed and triples[2] in parsed
    for term in (t[2] for t in triples[:3]):
        assert Graph().parse(data=f"<http://x/s> <http://x/p> {nt_term(term)} .", format="nt").value(
            URIRef("http://x/s"), URIRef("http://x/p")) == term
        assert baseline_nt_term(term)  # the baseline still runs
    assert to_ntriples([]) == ""
    with pytest.raises(TypeError):
        from rdflib import BNode

        nt_term(BNode())
