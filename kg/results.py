"""SPARQL results as kgqa returns them, and their serialisations (written by pyoxigraph and rdflib).

A term is a plain tuple ``(kind, value, lang, datatype)`` with kind ``uri``,
``bnode`` or ``literal`` (so results cross process boundaries cheaply).

Result sets (SELECT, ASK) in XML and TSV are written by pyoxigraph's SPARQL
results serialisers, graphs in N-Triples by ``pyoxigraph.serialize``, Turtle,
JSON-LD and RDF/XML by rdflib, SPARQL results JSON by the ``json`` module and
CSV by the ``csv`` module (both as fast as before; pyoxigraph's were not).
pyoxigraph builds a ``QuerySolutions`` only by running a query or by parsing
results, and kgqa's rows come from another process or another store, so the rows
reach its parser as that JSON, made a row at a time as the parser pulls it: the
memory held stays that of the rows plus what has been written.

>>> r = QueryResult("SELECT", variables=["n"], rows=[(("literal", "3", None, XSD_INTEGER),)])
>>> r.to_csv()
'n\\r\\n3\\r\\n'
>>> r.values("n")
[3]
>>> '<literal datatype="http://www.w3.org/2001/XMLSchema#integer">3</literal>' in r.to_xml()
True
>>> c = QueryResult("CONSTRUCT", triples=[(("uri", "http://schema.org/x", None, None),
...     ("uri", "http://schema.org/name", None, None), ("literal", "X", "en", None))])
>>> print(c.to_turtle().strip().splitlines()[-1])
schema:x schema:name "X"@en .
>>> c.to_ntriples()
'<http://schema.org/x> <http://schema.org/name> "X"@en .\\n'
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .errors import ResponseTooLarge, StoreError
from .vocab import PREFIXES

__all__ = ["Term", "QueryResult", "FORMATS", "term_to_rdflib", "term_to_text", "term_to_nt", "term_to_ox",
           "CappedOutput", "Output"]

log = logging.getLogger(__name__)

Term = tuple[str, str, "str | None", "str | None"]
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
FORMATS = ("table", "json", "csv", "tsv")
_RESULT_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                   "tsv": ox.QueryResultsFormat.TSV}
# Characters XML 1.0 cannot carry even escaped. pyoxigraph 0.5 writes them as they are, which no XML parser
# reads back, so a literal holding one gets U+FFFD in XML results (and only there).
_NOT_XML = re.compile("[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
# A blank node label N-Triples and SPARQL accept; other stores' labels (Virtuoso's ``nodeID://b1``) are not.
_BNODE_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")


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


def _bnode_label(value: str) -> str:
    """``value`` if it is a usable label, else its UTF-8 in hex: the same node keeps one label in a result."""
    return value if _BNODE_LABEL.fullmatch(value) else "x" + value.encode("utf-8").hex()


def term_to_ox(term: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term; ``ValueError`` for an IRI or language tag RDF does not allow."""
    kind, value, lang, datatype = term
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(_bnode_label(value))
    if lang:
        return ox.Literal(value, language=lang)
    return ox.Literal(value, datatype=ox.NamedNode(datatype) if datatype else None)


def term_to_nt(term: Term | None) -> str:
    """N-Triples syntax, as pyoxigraph writes it (empty for an unbound variable)."""
    return "" if term is None else str(term_to_ox(term))


def _json_term(term: Term, clean: bool) -> dict[str, str]:
    """The SPARQL results JSON of one term; ``clean`` drops what XML 1.0 cannot hold."""
    kind, value, lang, datatype = term
    if clean:
        value = _NOT_XML.sub("\ufffd", value)
    if kind == "bnode":
        return {"type": "bnode", "value": _bnode_label(value)}
    if kind == "uri":
        return {"type": "uri", "value": value}
    out = {"type": "literal", "value": value}
    if lang:
        out["xml:lang"] = lang
    elif datatype and datatype != _XSD_STRING and kind == "literal":
        out["datatype"] = datatype
    return out  # an RDF-star triple from the store (kind "triple") is shown as its N-Triples text


def _json_chunks(variables: list[str], rows: list[tuple[Term | None, ...]], *, clean: bool = False,
                 extra: bytes = b"") -> Iterator[bytes]:
    """A SELECT as SPARQL results JSON (by the ``json`` module), a row at a time; ``extra`` adds top-level keys.

    They go before ``results``: Oxigraph's parser refuses anything after the bindings.
    """
    yield b'{"head":{"vars":' + json.dumps(variables).encode() + b"}" + extra + b',"results":{"bindings":['
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for i, row in enumerate(rows):
        binding = {v: _json_term(t, clean) for v, t in zip(variables, row) if t is not None}
        yield (b"," if i else b"") + dumps(binding).encode("utf-8")
    yield b"]}}"


class _ChunkReader:
    """A read-only binary stream over chunks made as they are read (what pyoxigraph's parser pulls from)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._chunk = b""
        self._at = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            rest, self._chunk, self._at = self._chunk[self._at :] + b"".join(self._chunks), b"", 0
            return rest
        parts: list[bytes] = []
        while size > 0:
            if self._at >= len(self._chunk):
                chunk = next(self._chunks, None)
                if chunk is None:
                    break
                self._chunk, self._at = chunk, 0
                continue
            piece = self._chunk[self._at : self._at + size]
            self._at += len(piece)
            size -= len(piece)
            parts.append(piece)
        return b"".join(parts)


class Output(Protocol):
    """Where the ``write_*`` serialisers write UTF-8 bytes: a binary stream, or a :class:`CappedOutput`."""

    def write(self, data: bytes) -> Any: ...


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


class _Utf8:
    """A text stream over an :class:`Output` (what the ``csv`` module writes to)."""

    def __init__(self, out: Output) -> None:
        self._out = out

    def write(self, text: str) -> int:
        self._out.write(text.encode("utf-8"))
        return len(text)


def _written(write: Any) -> str:
    """The text one of the ``write_*`` methods writes."""
    out = io.BytesIO()
    write(out)
    return out.getvalue().decode("utf-8")


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

    def _serialise_results(self, out: Output, fmt: str) -> None:
        """A SELECT or ASK in one of pyoxigraph's SPARQL results formats, pulled a row at a time."""
        if self.form not in ("SELECT", "ASK"):
            raise ValueError(f"a {self.form} result is a graph, not a result set; serialise it as RDF")
        if self.form == "ASK":
            source = b'{"head":{},"boolean":' + (b"true" if self.boolean else b"false") + b"}"
            results = ox.parse_query_results(source, ox.QueryResultsFormat.JSON)
        else:
            rows = _ChunkReader(_json_chunks(self.variables, self.rows, clean=fmt == "xml"))
            results = ox.parse_query_results(rows, ox.QueryResultsFormat.JSON)  # type: ignore[arg-type]
        try:
            results.serialize(out, _RESULT_FORMATS[fmt])  # type: ignore[arg-type]  # any object with write(bytes)
        except SyntaxError as exc:  # a remote store's term that RDF does not allow (an IRI with a space ...)
            raise StoreError(f"the store returned a term that is not valid RDF: {exc}") from None

    def to_json(self) -> dict[str, Any]:
        """SPARQL 1.1 Query Results JSON plus ``truncated`` (for CONSTRUCT: a list of N-Triples lines)."""
        if self.form in ("SELECT", "ASK"):
            parsed: dict[str, Any] = json.loads(_written(self.write_json))
            return parsed
        return {"triples": self.to_ntriples().splitlines(), "truncated": self.truncated}

    def to_xml(self) -> str:
        """SPARQL Query Results XML Format (SELECT and ASK), for clients that speak only XML."""
        return _written(self.write_xml)

    def write_xml(self, out: Output) -> None:
        """:meth:`to_xml`, written as the rows are read."""
        self._serialise_results(out, "xml")

    def write_json(self, out: Output) -> None:
        """SPARQL 1.1 Query Results JSON (SELECT and ASK), compact; a SELECT's carries ``"truncated"`` too.

        A SELECT's is written by the ``json`` module as the rows are read: it is the very text pyoxigraph
        would otherwise parse back to write again, at twice the time (``bench/serialising.py``).
        """
        if self.form != "SELECT":
            self._serialise_results(out, "json")
            return
        extra = b',"truncated":' + (b"true" if self.truncated else b"false")  # kgqa's, which SPARQL allows
        for chunk in _json_chunks(self.variables, self.rows, extra=extra):
            out.write(chunk)
        out.write(b"\n")

    def write_rdf(self, out: Output, rdflib_format: str) -> None:
        """The triples of a CONSTRUCT/DESCRIBE in one of rdflib's formats (``turtle``, ``json-ld``, ``xml``)."""
        if rdflib_format == "json-ld":
            out.write(self.to_jsonld().encode("utf-8"))
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
        return _written(self.write_ntriples)

    def write_ntriples(self, out: Output) -> None:
        """The triples in N-Triples, written by pyoxigraph as they are converted."""
        try:
            triples = (ox.Triple(term_to_ox(s), term_to_ox(p), term_to_ox(o)) for s, p, o in self.triples)
            ox.serialize(triples, out, ox.RdfFormat.N_TRIPLES)  # type: ignore[arg-type]
        except (ValueError, TypeError) as exc:  # pyoxigraph refuses what RDF does not allow; so does kgqa
            raise StoreError(f"the store returned a term that is not valid RDF: {exc}") from None

    def to_csv(self) -> str:
        return _written(self.write_csv)

    def write_csv(self, out: Output) -> None:
        """SPARQL 1.1 CSV by the ``csv`` module: pyoxigraph's, fed through the JSON it must parse, took four
        times as long (``bench/serialising.py``)."""
        if self.form != "SELECT":
            out.write(self._non_select_text().encode("utf-8"))
            return
        writer = csv.writer(_Utf8(out))
        writer.writerow(self.variables)
        for row in self.rows:  # a blank node as _:label (SPARQL 1.1 CSV), inline: this loop is the cost
            writer.writerow(["" if t is None else "_:" + _bnode_label(t[1]) if t[0] == "bnode" else t[1] for t in row])

    def to_tsv(self) -> str:
        return _written(self.write_tsv)

    def write_tsv(self, out: Output) -> None:
        if self.form == "SELECT":
            self._serialise_results(out, "tsv")
        else:
            out.write(self._non_select_text().encode("utf-8"))

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
