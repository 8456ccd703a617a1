"""Any SPARQL 1.1 Query + Update endpoint as the store (Oxigraph server, Fuseki, Virtuoso, ...).

The server must use the union of its named graphs as the default graph for
queries (Oxigraph: ``oxigraph serve --union-default-graph``; Fuseki:
``tdb2:unionDefaultGraph true``; Virtuoso and GraphDB do so by default), and
should enforce its own query timeout, since only the server can stop a query
it runs; kgqa stops waiting at its deadline either way.

Virtuoso speaks the protocol with a few habits of its own, read here from its
response headers and error codes (other servers never send them): a query cut
by its ``MaxQueryExecutionTime`` either fails with ``S1T00`` or comes back
partial with ``X-SQL-State: S1TAT``, and a result cut at its
``ResultSetMaxRows`` carries ``X-SPARQL-MaxRows``. kgqa turns the first into a
timeout (a partial COUNT is not an answer) and the second into a truncated
result, or an error for kgqa's own reads, which must see everything.
See docs/scaling-virtuoso.md.
"""

from __future__ import annotations

import json
import logging
import time

import httpx
import pyoxigraph as ox
from rdflib import Dataset
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore

from ..errors import QueryError, QuerySyntaxError, QueryTimeout, ResponseTooLarge, StoreError
from ..query_guard import engine_syntax_error
from ..results import QueryResult, Term
from ._auth import ChallengeAuth
from .base import GraphStore, hidden_detail, too_large_message
from .embedded import ox_term

__all__ = ["RemoteStore"]

log = logging.getLogger(__name__)

_MAX_RESPONSE_BYTES = 256 * 1024 * 1024
_ACCEPT = {
    "SELECT": "application/sparql-results+json",
    "ASK": "application/sparql-results+json",
    "CONSTRUCT": "application/n-triples",
    "DESCRIBE": "application/n-triples",
}


#: Virtuoso's SQL states for a query its own time limit stopped: an error, or partial results ("anytime").
_SERVER_TIMEOUT_STATES = ("S1T00", "S1TAT")


def _server_timed_out(response: httpx.Response) -> bool:
    """Whether the server says its own time limit stopped the query (Virtuoso; others never say so)."""
    if response.headers.get("x-sql-state") in _SERVER_TIMEOUT_STATES:
        return True
    # Virtuoso's error bodies start "Virtuoso <SQL state> Error ..."; only the state is read.
    prefixes = tuple(f"Virtuoso {state} " for state in _SERVER_TIMEOUT_STATES)
    return response.status_code >= 500 and response.text.startswith(prefixes)


def _json_term(binding: dict[str, str] | None) -> Term | None:
    if binding is None:
        return None
    kind = binding["type"]
    if kind in ("literal", "typed-literal"):
        lang = binding.get("xml:lang")
        datatype = None if lang else binding.get("datatype", "http://www.w3.org/2001/XMLSchema#string")
        return ("literal", binding["value"], lang, datatype)
    return ("bnode" if kind == "bnode" else "uri", binding["value"], None, None)


class _UpdateStore(SPARQLUpdateStore):
    """rdflib's SPARQLUpdateStore asking for its two XML formats in one order, results first.

    rdflib builds its Accept header from a set, so the order changes from one process to the next; Virtuoso
    serves the first type listed, and answers a SELECT in RDF/XML when that is application/rdf+xml, which
    rdflib then fails to read as results. Graphs (CONSTRUCT) still come as RDF/XML.
    """

    def response_mime_types(self) -> str:
        return "application/sparql-results+xml, application/rdf+xml;q=0.9"


class RemoteStore(GraphStore):
    """A store reached over the SPARQL 1.1 Protocol."""

    kind = "remote"

    def __init__(self, query_url: str, update_url: str, *, timeout: float = 60.0,
                 auth: tuple[str, str] | None = None) -> None:
        self._query_url = query_url
        self._update_url = update_url
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0),
                                    auth=ChallengeAuth(*auth) if auth else None)

    @property
    def dataset(self) -> Dataset:
        store = _UpdateStore(query_endpoint=self._query_url, update_endpoint=self._update_url)
        return Dataset(store=store, default_union=True)

    @property
    def location(self) -> str:
        return self._query_url

    def _post(self, url: str, data: dict[str, str], accept: str | None, timeout: float | None,
              max_bytes: int | None = None) -> httpx.Response:
        headers = {"Accept": accept} if accept else {}
        try:
            request = self._client.build_request(
                "POST", url, data=data, headers=headers,
                timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)) if timeout else httpx.USE_CLIENT_DEFAULT,
            )
            response = self._client.send(request, stream=True)
        except httpx.TimeoutException:
            raise QueryTimeout(f"the SPARQL endpoint did not answer within {timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL endpoint {url}: {exc}") from None
        try:
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if max_bytes is not None and len(body) > max_bytes and response.status_code < 300:
                    raise ResponseTooLarge(too_large_message(max_bytes))
                if len(body) > _MAX_RESPONSE_BYTES:
                    raise StoreError(f"the SPARQL endpoint sent more than {_MAX_RESPONSE_BYTES >> 20} MB")
        except httpx.TimeoutException:
            raise QueryTimeout(f"the SPARQL endpoint did not answer within {timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise StoreError(f"the SPARQL endpoint {url} failed: {exc}") from None
        finally:
            response.close()
        response._content = bytes(body)
        return response

    def _update(self, update: str) -> None:
        response = self._post(self._update_url, {"update": update}, None, None)
        if response.status_code >= 300:
            raise StoreError(hidden_detail(f"the SPARQL endpoint refused the update (HTTP {response.status_code})",
                                           response.text))

    def update(self, sparql: str) -> None:
        """Send a guarded update; the server's 400 comes back as a positioned syntax error."""
        response = self._post(self._update_url, {"update": sparql}, None, None)
        if response.status_code == 400 and "error at" in response.text:
            raise QuerySyntaxError(response.text)  # the engine's "error at L:C: ..." for the caller to position
        if 400 <= response.status_code < 500:
            raise QueryError(hidden_detail("the update failed and changed nothing", response.text))
        if response.status_code >= 300:
            raise StoreError(hidden_detail(f"the SPARQL endpoint refused the update (HTTP {response.status_code})",
                                           response.text))

    def replace_graph(self, graph: str, ntriples: str, *, exists: bool = True) -> None:
        # One update request: SPARQL 1.1 servers apply it as one transaction.
        self._update(f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{ntriples}}} }}")

    def drop_graph(self, graph: str) -> None:
        self._update(f"DROP SILENT GRAPH <{graph}>")

    def _query(
        self, query: str, form: str, row_limit: int | None, timeout: float | None, prologue: str = "",
        max_bytes: int | None = None,
    ) -> QueryResult:
        started = time.perf_counter()
        response = self._post(self._query_url, {"query": prologue + query}, _ACCEPT[form], timeout, max_bytes)
        if _server_timed_out(response):
            raise QueryTimeout("the SPARQL endpoint stopped the query at its own time limit")
        if response.status_code == 400:
            raise engine_syntax_error(query, response.text, first_line_shift=len(prologue))
        if response.status_code >= 300:
            raise StoreError(hidden_detail(f"the SPARQL endpoint failed (HTTP {response.status_code})", response.text))
        elapsed = time.perf_counter() - started
        server_cap = response.headers.get("x-sparql-maxrows")
        if server_cap is not None and row_limit is None:
            # kgqa's own reads (export, reindex, repair) must not act on a silently shortened list.
            raise StoreError(f"the SPARQL endpoint cut a result at its limit of {server_cap} rows; raise it "
                             "(Virtuoso: [SPARQL] ResultSetMaxRows in virtuoso.ini) above the store's size")
        if form in ("CONSTRUCT", "DESCRIBE"):
            triples = [
                (ox_term(t.subject), ox_term(t.predicate), ox_term(t.object))
                for t in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
            ]
            cut = server_cap is not None or (row_limit is not None and len(triples) > row_limit)
            return QueryResult(form, triples=triples[:row_limit] if cut else triples, truncated=cut, elapsed=elapsed)
        try:
            data = json.loads(response.content)
        except ValueError as exc:
            raise StoreError(f"the SPARQL endpoint sent invalid JSON: {exc}") from None
        if "boolean" in data:
            return QueryResult("ASK", boolean=bool(data["boolean"]), elapsed=elapsed)
        variables = data["head"].get("vars", [])
        bindings = data["results"]["bindings"]
        cut = server_cap is not None or (row_limit is not None and len(bindings) > row_limit)
        rows = [tuple(_json_term(b.get(v)) for v in variables) for b in (bindings[:row_limit] if cut else bindings)]
        return QueryResult("SELECT", variables=variables, rows=rows, truncated=cut, elapsed=elapsed)

    def run_query(
        self, query: str, *, form: str, prefixes: dict[str, str], row_limit: int, timeout: float,
        max_bytes: int = 1 << 62,
    ) -> QueryResult:
        # Declarations go on the query's first line so error line numbers still match.
        prologue = "".join(f"PREFIX {p}: <{iri}> " for p, iri in prefixes.items())
        return self._query(query, form, row_limit, timeout, prologue, max_bytes)

    def select(self, query: str) -> list[tuple[Term | None, ...]]:
        return self._query(query, "SELECT", None, None).rows

    def close(self) -> None:
        self._client.close()
        super().close()
