"""Time kgqa's serialisers against the hand-written ones they replaced (issue 26).

Result sets: N rows written as SPARQL results JSON, XML, CSV and TSV, and N triples as
N-Triples, by :mod:`kg.results` (pyoxigraph) and by the BASELINE below. Ingest: the
N-Triples of the seed article's graph repeated to an ingest-sized batch, by
:func:`kg.rdf.to_ntriples` (pyoxigraph) and by the BASELINE. Medians of ``--repeat`` runs.

    .venv/bin/python bench/serialising.py --rows 20000 --repeat 5
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import re
import statistics
import time
from collections.abc import Callable, Iterable
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from rdflib import Literal, URIRef
from rdflib.term import Node

__all__ = ["BaselineResult", "baseline_nt_term", "baseline_to_ntriples", "sample_rows", "sample_triples", "main"]

log = logging.getLogger(__name__)

# ======================================================================================================
# BASELINE: the hand-written serialisers kgqa used before issue 26, copied verbatim from kg/results.py and
# kg/rdf.py (commit c9b9c76). Kept only to measure against and for the differential test; never used by kgqa.
# ======================================================================================================

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
_NOT_XML = re.compile("[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
Term = tuple[str, str, "str | None", "str | None"]


def baseline_term_to_nt(term: Term | None) -> str:
    if term is None:
        return ""
    kind, value, lang, datatype = term
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return f"_:{value}"
    lexical = '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'
    if lang:
        return f"{lexical}@{lang}"
    if datatype and datatype != _XSD_STRING:
        return f"{lexical}^^<{datatype}>"
    return lexical


def _xml_text(text: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", text))


def _term_xml(term: Term) -> str:
    kind, value, lang, datatype = term
    if kind == "uri":
        return f"<uri>{_xml_text(value)}</uri>"
    if kind == "bnode":
        return f"<bnode>{_xml_text(value)}</bnode>"
    attrs = ""
    if lang:
        attrs = f" xml:lang={quoteattr(lang)}"
    elif datatype and datatype != _XSD_STRING:
        attrs = f" datatype={quoteattr(datatype)}"
    return f"<literal{attrs}>{_xml_text(value)}</literal>"


def _term_json(term: Term) -> dict[str, str]:
    kind, value, lang, datatype = term
    if kind == "literal":
        out = {"type": "literal", "value": value}
        if lang:
            out["xml:lang"] = lang
        elif datatype and datatype != _XSD_STRING:
            out["datatype"] = datatype
        return out
    return {"type": kind, "value": value}


class BaselineResult:
    """The old ``QueryResult`` writers (text streams)."""

    def __init__(self, form: str, variables: list[str] | None = None, rows: list[Any] | None = None,
                 boolean: bool | None = None, triples: list[Any] | None = None, truncated: bool = False) -> None:
        self.form, self.variables, self.rows = form, variables or [], rows or []
        self.boolean, self.triples, self.truncated = boolean, triples or [], truncated

    def write_xml(self, out: Any) -> None:
        out.write(f'<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="{_SPARQL_RESULTS_NS}">\n')
        if self.form == "ASK":
            out.write(f"  <head/>\n  <boolean>{'true' if self.boolean else 'false'}</boolean>\n")
        else:
            out.write("  <head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in self.variables) + "</head>\n")
            out.write("  <results>\n")
            for row in self.rows:
                cells = "".join(f"<binding name={quoteattr(v)}>{_term_xml(t)}</binding>"
                                for v, t in zip(self.variables, row) if t is not None)
                out.write(f"    <result>{cells}</result>\n")
            out.write("  </results>\n")
        out.write("</sparql>\n")

    def write_json(self, out: Any) -> None:
        if self.form == "ASK":
            out.write(json.dumps({"head": {}, "boolean": self.boolean}) + "\n")
            return
        out.write('{"head": {"vars": ' + json.dumps(self.variables, ensure_ascii=False) + '}, "results": {"bindings": [')
        for i, row in enumerate(self.rows):
            binding = {v: _term_json(t) for v, t in zip(self.variables, row) if t is not None}
            out.write((",\n" if i else "\n") + json.dumps(binding, ensure_ascii=False))
        out.write(']}, "truncated": ' + ("true" if self.truncated else "false") + "}\n")

    def write_csv(self, out: Any) -> None:
        writer = csv.writer(out)
        writer.writerow(self.variables)
        for row in self.rows:
            writer.writerow(["" if t is None else t[1] for t in row])

    def write_tsv(self, out: Any) -> None:
        out.write("\t".join(f"?{v}" for v in self.variables) + "\n")
        for row in self.rows:
            out.write("\t".join(baseline_term_to_nt(t) for t in row) + "\n")

    def write_ntriples(self, out: Any) -> None:
        for s, p, o in self.triples:
            out.write(f"{baseline_term_to_nt(s)} {baseline_term_to_nt(p)} {baseline_term_to_nt(o)} .\n")


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )


def baseline_nt_term(term: Node) -> str:
    """The old kg.rdf.nt_term."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        lexical = f'"{_escape(str(term))}"'
        if term.language:
            return f"{lexical}@{term.language}"
        if term.datatype and term.datatype != _XSD_STRING:
            return f"{lexical}^^<{term.datatype}>"
        return lexical
    raise TypeError(f"kgqa writes no {type(term).__name__} terms")


def baseline_to_ntriples(triples: Iterable[tuple[Node, Node, Node]]) -> str:
    """The old kg.rdf.to_ntriples."""
    return "".join(f"{baseline_nt_term(s)} {baseline_nt_term(p)} {baseline_nt_term(o)} .\n" for s, p, o in triples)

# ======================================================================================================
# end of BASELINE
# ======================================================================================================


def sample_rows(n: int) -> list[tuple[Term | None, ...]]:
    """``n`` rows of varied terms, as a SELECT over kgqa's graph returns them (an unbound cell every 7th)."""
    rows: list[tuple[Term | None, ...]] = []
    for i in range(n):
        rows.append((
            ("uri", f"http://localhost:7860/id/entity/person/{i}", None, None),
            ("literal", f"Sentence {i}: the \"minister\" said <that> & more — café\nline two.", None, None),
            ("literal", f"Name {i}", "en", None),
            None if i % 7 == 0 else ("literal", str(i), None, "http://www.w3.org/2001/XMLSchema#integer"),
            ("bnode", f"b{i}", None, None),
        ))
    return rows


def sample_triples(n: int) -> list[tuple[Term, Term, Term]]:
    return [(row[0], ("uri", "http://schema.org/name", None, None), row[1]) for row in sample_rows(n)]  # type: ignore[misc]


def _median(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _ingest_graph(articles: int) -> list[tuple[URIRef, URIRef, Node]]:
    """The seed article's triples (its text, segments and sentences), repeated to ``articles`` articles' worth."""
    from kg.loading import load_file
    from kg.rdf import build_article_graph
    from kg.vocab import Iris
    from pathlib import Path

    seed = sorted((Path(__file__).resolve().parents[1] / "data" / "articles").iterdir())[0]
    article = next(a for a in load_file(seed) if not isinstance(a, Exception))
    built = build_article_graph(article, Iris("http://localhost:7860/id/"))  # type: ignore[arg-type]
    return list(built.triples) * articles


def main(argv: list[str] | None = None) -> None:
    from kg.rdf import to_ntriples
    from kg.results import CappedOutput, QueryResult

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--articles", type=int, default=50, help="copies of the seed article's graph to write")
    args = parser.parse_args(argv)
    variables = ["s", "text", "name", "n", "b"]
    rows = sample_rows(args.rows)
    new = QueryResult("SELECT", variables=variables, rows=rows)
    old = BaselineResult("SELECT", variables=variables, rows=rows)
    triples = sample_triples(args.rows)
    new_graph, old_graph = QueryResult("CONSTRUCT", triples=triples), BaselineResult("CONSTRUCT", triples=triples)
    print(f"{args.rows:,} rows / triples, median of {args.repeat} runs (ms): format, baseline, library, ratio")
    for fmt in ("json", "xml", "csv", "tsv", "ntriples"):
        source_new, source_old = (new_graph, old_graph) if fmt == "ntriples" else (new, old)
        t_old = _median(lambda: getattr(source_old, f"write_{fmt}")(CappedOutput(1 << 40, "")), args.repeat)
        t_new = _median(lambda: getattr(source_new, f"write_{fmt}")(CappedOutput(1 << 40, "")), args.repeat)
        print(f"{fmt:9} {t_old * 1000:9.1f} {t_new * 1000:9.1f} {t_new / t_old:6.2f}x")
    graph = _ingest_graph(args.articles)
    t_old = _median(lambda: baseline_to_ntriples(graph), args.repeat)
    t_new = _median(lambda: to_ntriples(graph), args.repeat)
    print(f"ingest to_ntriples of {len(graph):,} triples ({args.articles} seed articles): "
          f"{t_old * 1000:.1f} baseline, {t_new * 1000:.1f} library, {t_new / t_old:.2f}x")


if __name__ == "__main__":
    main()
