"""SPARQL results as kgqa returns them, and their serialisations.

A term is a plain tuple ``(kind, value, lang, datatype)`` with kind ``uri``,
``bnode`` or ``literal`` (so results cross process boundaries cheaply).

>>> r = QueryResult("SELECT", variables=["n"], rows=[(("literal", "3", None, XSD_INTEGER),)])
>>> r.to_csv()
'n\\r\\n3\\r\\n'
>>> r.values("n")
[3]
>>> print(r.to_xml().splitlines()[4])
    <result><binding name="n"><literal datatype="http://www.w3.org/2001/XMLSchema#integer">3</literal></binding></result>
>>> c = QueryResult("CONSTRUCT", triples=[(("uri", "http://schema.org/x", None, None),
...     ("uri", "http://schema.org/name", None, None), ("literal", "X", "en", None))])
>>> print(c.to_turtle().strip().splitlines()[-1])
schema:x schema:name "X"@en .
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any, Protocol
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .errors import ResponseTooLarge
from .vocab import PREFIXES

__all__ = ["Term", "QueryResult", "FORMATS", "term_to_rdflib", "term_to_text", "term_to_nt", "CappedOutput", "Output"]

Term = tuple[str, str, "str | None", "str | None"]
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
FORMATS = ("table", "json", "csv", "tsv")


def term_to_rdflib(term: Term | None) -> Node | None:
    if term is None:
        return None
    kind, value, lang, datatype = term
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    return Literal(value, lang=lang, datatype=None if lang or datatype == _XSD_STRING else datatype)


def term_to_text(term: Term | None) -> str:
    """The plain value (CSV and table cells)."""
    return "" if term is None else term[1]


def term_to_nt(term: Term | None) -> str:
    """N-Triples syntax (TSV cells)."""
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


_SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
# Characters XML 1.0 cannot carry even escaped; a literal holding one gets U+FFFD in XML results.
_NOT_XML = re.compile("[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


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


class Output(Protocol):
    """Where the ``write_*`` serialisers write: a text stream, or a :class:`CappedOutput`."""

    def write(self, data: str) -> Any: ...


class CappedOutput:
    """UTF-8 bytes written so far, refused past ``max_bytes`` as soon as a write crosses it.

    A serialisation can be many times the size of its rows (JSON writes a control character as six, XML a
    ``<`` as four): checked only when done, a 2 KB query grew the server by 760 MB before its 413.
    """

    def __init__(self, max_bytes: int, message: str) -> None:
        self._max = max_bytes
        self._message = message
        self._chunks: list[bytes] = []
        self._size = 0

    def write(self, data: str | bytes) -> int:
        chunk = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        self._size += len(chunk)
        if self._size > self._max:
            self._chunks.clear()
            raise ResponseTooLarge(self._message)
        self._chunks.append(chunk)
        return len(data)

    def flush(self) -> None:
        """Nothing to flush (rdflib's serialisers call it)."""

    def getvalue(self) -> bytes:
        return b"".join(self._chunks)


@dataclass
class QueryResult:
    """Rows of a SELECT, the boolean of an ASK, or the triples of a CONSTRUCT/DESCRIBE."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)
    truncated: bool = False
    elapsed: float = 0.0

    def __len__(self) -> int:
        return len(self.rows) if self.form == "SELECT" else len(self.triples)

    def bindings(self) -> list[dict[str, Term]]:
        """Each row as ``{variable: term}``, unbound variables left out."""
        return [{v: t for v, t in zip(self.variables, row) if t is not None} for row in self.rows]

    def values(self, variable: str) -> list[Any]:
        """The Python values of one column (``int`` for integers, ``str`` for IRIs, ...)."""
        i = self.variables.index(variable)
        out = []
        for row in self.rows:
            node = term_to_rdflib(row[i])
            out.append(node.toPython() if isinstance(node, Literal) else (str(node) if node is not None else None))
        return out

    def to_json(self) -> dict[str, Any]:
        """SPARQL 1.1 Query Results JSON (for CONSTRUCT: a list of N-Triples lines)."""
        if self.form == "ASK":
            return {"head": {}, "boolean": self.boolean}
        if self.form == "SELECT":
            return {
                "head": {"vars": self.variables},
                "results": {"bindings": [{v: _term_json(t) for v, t in b.items()} for b in self.bindings()]},
                "truncated": self.truncated,
            }
        return {"triples": self.to_ntriples().splitlines(), "truncated": self.truncated}

    def to_xml(self) -> str:
        """SPARQL Query Results XML Format (SELECT and ASK), for clients that speak only XML."""
        out = io.StringIO()
        self.write_xml(out)
        return out.getvalue()

    def write_xml(self, out: Output) -> None:
        """:meth:`to_xml`, written a row at a time."""
        if self.form not in ("SELECT", "ASK"):
            raise ValueError(f"a {self.form} result is a graph, not a result set; serialise it as RDF")
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

    def write_json(self, out: Output) -> None:
        """SPARQL 1.1 Query Results JSON (SELECT and ASK), compact, written a row at a time."""
        if self.form == "ASK":
            out.write(json.dumps(self.to_json()) + "\n")
            return
        if self.form != "SELECT":
            raise ValueError(f"a {self.form} result is a graph, not a result set; serialise it as RDF")
        out.write('{"head": {"vars": ' + json.dumps(self.variables, ensure_ascii=False) + '}, "results": {"bindings": [')
        for i, row in enumerate(self.rows):
            binding = {v: _term_json(t) for v, t in zip(self.variables, row) if t is not None}
            out.write((",\n" if i else "\n") + json.dumps(binding, ensure_ascii=False))
        out.write(']}, "truncated": ' + ("true" if self.truncated else "false") + "}\n")

    def write_rdf(self, out: Output, rdflib_format: str) -> None:
        """The triples of a CONSTRUCT/DESCRIBE in one of rdflib's formats (``turtle``, ``json-ld``, ``xml``)."""
        if rdflib_format == "json-ld":
            out.write(self.to_jsonld())
            return
        self.to_graph().serialize(destination=out, format=rdflib_format, encoding="utf-8")  # type: ignore[arg-type]

    def to_graph(self) -> Graph:
        """The triples of a CONSTRUCT/DESCRIBE as an rdflib graph with kgqa's prefixes bound."""
        if self.form in ("SELECT", "ASK"):
            raise ValueError(f"a {self.form} result is a result set, not a graph")
        graph = Graph(bind_namespaces="core")
        for prefix, iri in PREFIXES.items():
            graph.bind(prefix, iri, override=True, replace=True)
        for s, p, o in self.triples:
            graph.add((term_to_rdflib(s), term_to_rdflib(p), term_to_rdflib(o)))  # type: ignore[arg-type]
        return graph

    def to_turtle(self) -> str:
        """Turtle, with kgqa's prefixes (CONSTRUCT/DESCRIBE)."""
        return self.to_graph().serialize(format="turtle")

    def to_jsonld(self) -> str:
        """JSON-LD whose context is kgqa's prefixes, so keys read ``schema:name`` (CONSTRUCT/DESCRIBE)."""
        graph = self.to_graph()
        return graph.serialize(format="json-ld", context=dict(PREFIXES))

    def to_ntriples(self) -> str:
        out = io.StringIO()
        self.write_ntriples(out)
        return out.getvalue()

    def write_ntriples(self, out: Output) -> None:
        for s, p, o in self.triples:
            out.write(f"{term_to_nt(s)} {term_to_nt(p)} {term_to_nt(o)} .\n")

    def to_csv(self) -> str:
        out = io.StringIO()
        self.write_csv(out)
        return out.getvalue()

    def write_csv(self, out: Output) -> None:
        if self.form != "SELECT":
            out.write(self._non_select_text())
            return
        writer = csv.writer(out)  # type: ignore[arg-type]  # anything with write(str)
        writer.writerow(self.variables)
        for row in self.rows:
            writer.writerow([term_to_text(t) for t in row])

    def to_tsv(self) -> str:
        out = io.StringIO()
        self.write_tsv(out)
        return out.getvalue()

    def write_tsv(self, out: Output) -> None:
        if self.form != "SELECT":
            out.write(self._non_select_text())
            return
        out.write("\t".join(f"?{v}" for v in self.variables) + "\n")
        for row in self.rows:
            out.write("\t".join(term_to_nt(t) for t in row) + "\n")

    def to_table(self, max_width: int = 80) -> str:
        """Aligned columns for a terminal; long cells are cut with an ellipsis."""
        if self.form != "SELECT":
            return self._non_select_text()

        def cell(t: Term | None) -> str:
            text = " ".join(term_to_text(t).split())
            return text if len(text) <= max_width else text[: max_width - 1] + "…"

        grid = [self.variables] + [[cell(t) for t in row] for row in self.rows]
        widths = [max(len(r[i]) for r in grid) for i in range(len(self.variables))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in grid]
        lines.insert(1, "  ".join("-" * w for w in widths))
        footer = f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''}"
        footer += ", cut at the row limit)" if self.truncated else ")"
        return "\n".join([*lines, footer]) + "\n"

    def _non_select_text(self) -> str:
        if self.form == "ASK":
            return ("true" if self.boolean else "false") + "\n"
        return self.to_ntriples()

    def render(self, fmt: str) -> str:
        """One of :data:`FORMATS`."""
        if fmt == "json":
            return json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n"
        if fmt == "csv":
            return self.to_csv()
        if fmt == "tsv":
            return self.to_tsv()
        if fmt == "table":
            return self.to_table()
        raise ValueError(f"unknown result format {fmt!r}; choose one of {', '.join(FORMATS)}")

    @classmethod
    def from_payload(cls, form: str, payload: dict[str, Any], elapsed: float = 0.0) -> QueryResult:
        if "boolean" in payload:
            return cls("ASK", boolean=payload["boolean"], elapsed=elapsed)
        if "variables" in payload:
            return cls("SELECT", variables=payload["variables"], rows=payload["rows"],
                       truncated=payload["truncated"], elapsed=elapsed)
        return cls(form, triples=payload["triples"], truncated=payload["truncated"], elapsed=elapsed)
