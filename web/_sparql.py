"""The SPARQL 1.1 Protocol endpoint at ``/sparql``: the graph for any SPARQL client, through kgqa's guard.

Queries (``GET ?query=``, ``POST`` form ``query=``, ``POST application/sparql-query``)
run exactly as ``kgqa sparql`` runs them (:meth:`kg.KnowledgeGraph.query`:
read-only forms, no ``SERVICE``, no foreign ``FROM``, a deadline, a row cap), in
a worker thread. The result format follows ``Accept`` (with q-values):
SELECT/ASK as SPARQL JSON (default), XML, CSV or TSV; CONSTRUCT/DESCRIBE as
Turtle (default), N-Triples, JSON-LD or RDF/XML. A result cut at the row cap
says so in ``X-KGQA-Truncated: true``.

Updates (``POST`` form ``update=``, ``POST application/sparql-update``) follow
the one write policy (:mod:`web._policy`: by default they need
``Authorization: Bearer <KGQA_ADMIN_TOKEN>``); an applied update is followed by
a re-read of the articles it touched, so the passage index keeps agreeing with
the graph. Each client address runs at most ``KGQA_CLIENT_QUERIES`` queries at
once (429 beyond), and no result over ``KGQA_MAX_RESPONSE_MB`` is sent (413).

A bare ``GET /sparql`` describes the service (SPARQL 1.1 Service Description).
Every error has the JSON shape of :mod:`web._errors`; ``Accept`` is matched by
:func:`web._negotiation.best_offer`, the one negotiation helper of the app.

>>> best_offer("text/csv;q=0.5, application/sparql-results+xml", list(RESULT_SET_TYPES))
'application/sparql-results+xml'
>>> best_offer("text/html", list(GRAPH_TYPES)) is None
True
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from kg import QueryResult, Settings
from kg.results import CappedOutput, Output
from kg.graph import UpdateReport
from kg.query_guard import MAX_QUERY_CHARS
from kg.store.base import too_large_message

from ._errors import WebError
from ._limits import client_address
from ._negotiation import best_offer
from ._policy import WritePolicy, bearer_token
from ._services import Services
from ._templates import PageTemplates

__all__ = ["sparql_router", "apply_update", "service_description", "RESULT_SET_TYPES", "GRAPH_TYPES",
           "MAX_BODY_BYTES", "TRUNCATED_HEADER"]

log = logging.getLogger(__name__)

#: Largest request body read (bytes); the text inside is further capped at ``MAX_QUERY_CHARS`` characters.
MAX_BODY_BYTES = 1_000_000
TRUNCATED_HEADER = "X-KGQA-Truncated"

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

#: Writes a result into a capped output (:class:`kg.results.CappedOutput`), a row at a time where it can.
Serializer = Callable[[QueryResult, Output], None]

#: Media types a SELECT/ASK result can be sent as, in the order preferred when the client does not care.
RESULT_SET_TYPES: dict[str, Serializer] = {
    "application/sparql-results+json": QueryResult.write_json,
    "application/json": QueryResult.write_json,
    "application/sparql-results+xml": QueryResult.write_xml,
    "application/xml": QueryResult.write_xml,
    "text/xml": QueryResult.write_xml,
    "text/csv": QueryResult.write_csv,
    "text/tab-separated-values": QueryResult.write_tsv,
}
#: Media types a CONSTRUCT/DESCRIBE result (a graph) can be sent as.
GRAPH_TYPES: dict[str, Serializer] = {
    "text/turtle": lambda r, out: r.write_rdf(out, "turtle"),
    "application/n-triples": QueryResult.write_ntriples,
    "application/ld+json": lambda r, out: r.write_rdf(out, "json-ld"),
    "application/rdf+xml": lambda r, out: r.write_rdf(out, "xml"),
}
_DESCRIPTION_TYPES = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml",
                      "text/html")
_RDFLIB_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
                   "application/rdf+xml": "xml"}
_RESULT_FORMAT_IRIS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                       "Turtle", "N-Triples", "JSON-LD", "RDF_XML")
_DATASET_PARAMS = ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri")
_EXPOSED = f"{TRUNCATED_HEADER}, X-KGQA-Row-Limit, X-KGQA-Elapsed-Ms"


class NotAcceptable(WebError):
    """No format the client accepts (406)."""

    status = 406


class PayloadTooLarge(WebError):
    """A request body or query over the size limit (413)."""

    status = 413


class UnsupportedMediaType(WebError):
    """A POST body of a type the protocol does not define (415)."""

    status = 415


def _not_acceptable(accept: str, offers: Sequence[str], what: str) -> NotAcceptable:
    return NotAcceptable(f"cannot send {what} as {accept!r}; ask for one of {', '.join(offers)}")


# --- reading requests ----------------------------------------------------------------------------------

def _services(request: Request) -> Services:
    return request.app.state.services


def _check_size(text: str, what: str) -> str:
    if len(text) > MAX_QUERY_CHARS:
        raise PayloadTooLarge(f"the {what} is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,}")
    return text


async def _read_body(request: Request) -> str:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the request body is {int(declared):,} bytes; the limit is {MAX_BODY_BYTES:,}")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            raise PayloadTooLarge(f"the request body is over the {MAX_BODY_BYTES:,} byte limit")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WebError(f"the request body is not UTF-8 ({exc.reason} at byte {exc.start})", status=400) from None


def _refuse_dataset_params(names: Sequence[str]) -> None:
    given = [n for n in _DATASET_PARAMS if n in names]
    if given:
        raise WebError(f"{', '.join(given)} is not supported here: the default graph is always the union of the "
                       "article graphs; use GRAPH (or FROM with one of this store's graphs) in the query", status=400)


def _single(form: dict[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise WebError(f"send one {name!r} parameter, not {len(values)}", status=400)
    return values[0]


# --- queries -------------------------------------------------------------------------------------------

def _run(services: Services, text: str, accept: str) -> tuple[QueryResult, bytes, str]:
    """Guard, run and serialise one query (in a worker thread: parsing and serialising are CPU work)."""
    started = time.monotonic()
    info = services.graph.check(text)  # refused or malformed: before any work
    offers = RESULT_SET_TYPES if info.form in ("SELECT", "ASK") else GRAPH_TYPES
    media = best_offer(accept, list(offers))
    if media is None:
        raise _not_acceptable(accept, list(offers), f"a {info.form} result")
    result = services.graph.run_checked(info, started=started)  # checked once; one deadline for both
    cap = int(services.settings.max_response_mb * 2**20)
    out = CappedOutput(cap, too_large_message(cap))  # rows may fit while their serialisation does not
    offers[media](result, out)
    return result, out.getvalue(), media


async def _answer_query(request: Request, text: str) -> Response:
    services = _services(request)
    text = _check_size(text, "query")
    accept = request.headers.get("accept", "")
    with services.query_slots.take(client_address(request)):
        result, body, media = await run_in_threadpool(_run, services, text, accept)
    log.info("/sparql %s: %d row(s) in %.0f ms%s", result.form, len(result), result.elapsed * 1000,
             " (truncated)" if result.truncated else "")
    headers = {
        TRUNCATED_HEADER: "true" if result.truncated else "false",
        "X-KGQA-Row-Limit": str(services.settings.row_limit),
        "X-KGQA-Elapsed-Ms": f"{result.elapsed * 1000:.0f}",
        "Access-Control-Expose-Headers": _EXPOSED,
        "Vary": "Accept, Origin",
        "Cache-Control": "no-store",
    }
    charset = "; charset=utf-8" if media.startswith("text/") else ""
    return Response(body, media_type=media + charset, headers=headers)


# --- updates -------------------------------------------------------------------------------------------

def apply_update(services: Services, text: str, token: str | None) -> UpdateReport:
    """Run an update if the write policy lets ``token`` do it, then bring the passage index up to date.

    The articles the update touched (see :meth:`kg.KnowledgeGraph.update`) are
    re-read into the passage index (or dropped, if their graph is gone), and
    answerers rebuild their name and fact tables (:meth:`retrieval.Library.update`).
    """
    return services.update(text, token=token)


async def _answer_update(request: Request, text: str) -> Response:
    services = _services(request)
    token = bearer_token(request.headers.get("authorization"))
    services.policy.check("update", token)
    text = _check_size(text, "update")
    report = await run_in_threadpool(apply_update, services, text, token)
    log.warning("SPARQL update applied (%d article(s) re-read)", len(report.articles))
    body = {"updated": True, "articles": list(report.articles), "elapsed_ms": round(report.elapsed * 1000)}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


# --- the service description ---------------------------------------------------------------------------

def service_description(endpoint: str, settings: Settings) -> Graph:
    """The endpoint described in the SPARQL 1.1 Service Description vocabulary."""
    g = Graph(bind_namespaces="core")
    g.bind("sd", SD)
    g.bind("formats", FORMATS)
    g.bind("dct", DCTERMS)
    service, dataset, default = BNode(), BNode(), BNode()
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, URIRef(endpoint)))
    g.add((service, DCTERMS.title, Literal("kgqa: facts from news articles, each traceable to its sentence")))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if WritePolicy.from_settings(settings).possible("update"):
        g.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    for name in _RESULT_FORMAT_IRIS:
        g.add((service, SD.resultFormat, FORMATS[name]))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((service, RDFS.comment, Literal(
        f"Read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE); SERVICE is refused and FROM may only name graphs "
        f"under {settings.base_iri}. Queries stop after {settings.query_timeout:g} s and return at most "
        f"{settings.row_limit:,} rows ({TRUNCATED_HEADER}: true when cut). The default graph is the union of the "
        "article graphs, and the prefixes schema:, nif:, itsrdf:, kgqa:, prov:, org:, skos:, rdf:, rdfs:, xsd:, "
        "owl:, dct: need no declaration.")))
    return g


def _description_page(templates: PageTemplates, endpoint: str, settings: Settings) -> str:
    policy = WritePolicy.from_settings(settings)
    update = ("SPARQL Update is open to anyone on this server." if policy.open_to_anyone("update")
              else "SPARQL Update is enabled for requests carrying the admin token." if policy.possible("update")
              else "SPARQL Update is disabled.")
    return templates.render("sparql.html", endpoint=endpoint, timeout=f"{settings.query_timeout:g}",
                            row_limit=f"{settings.row_limit:,}", update=update)


def _describe(request: Request, templates: PageTemplates) -> Response:
    settings = _services(request).settings
    accept = request.headers.get("accept", "")
    media = best_offer(accept, _DESCRIPTION_TYPES)
    if media is None:
        raise _not_acceptable(accept, _DESCRIPTION_TYPES, "the service description")
    endpoint = str(request.url.replace(query=""))
    headers = {"Vary": "Accept, Origin"}
    if media == "text/html":
        return HTMLResponse(_description_page(templates, endpoint, settings), headers=headers)
    body = service_description(endpoint, settings).serialize(format=_RDFLIB_FORMATS[media])
    charset = "; charset=utf-8" if media.startswith("text/") else ""
    return Response(body, media_type=media + charset, headers=headers)


# --- routes --------------------------------------------------------------------------------------------

def sparql_router() -> APIRouter:
    """``GET`` and ``POST /sparql``, as the SPARQL 1.1 Protocol defines them."""
    router = APIRouter(tags=["sparql"])
    templates = PageTemplates()  # one environment per router: built once, then only read

    @router.get("/sparql", summary="SPARQL 1.1 query (GET ?query=), or the service description without one",
                response_class=Response)
    async def sparql_get(request: Request) -> Response:
        params = request.query_params
        _refuse_dataset_params(list(params.keys()))
        if "update" in params:
            raise WebError("SPARQL Update must be sent with POST (form field `update` or "
                           "Content-Type: application/sparql-update)", status=400)
        if "query" not in params:
            return _describe(request, templates)
        if len(params.getlist("query")) > 1:
            raise WebError("send one 'query' parameter", status=400)
        return await _answer_query(request, params["query"])

    @router.post("/sparql", summary="SPARQL 1.1 query or update (form, application/sparql-query or "
                 "application/sparql-update)", response_class=Response)
    async def sparql_post(request: Request) -> Response:
        _refuse_dataset_params(list(request.query_params.keys()))
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in ("application/x-www-form-urlencoded", "application/sparql-query",
                                "application/sparql-update"):
            raise UnsupportedMediaType(f"unsupported Content-Type {content_type or '(none)'!r}; send "
                                       "application/x-www-form-urlencoded (query= or update=), "
                                       "application/sparql-query or application/sparql-update")
        body = await _read_body(request)
        if content_type == "application/sparql-query":
            return await _answer_query(request, body)
        if content_type == "application/sparql-update":
            return await _answer_update(request, body)
        form = parse_qs(body, keep_blank_values=True)
        _refuse_dataset_params(list(form))
        query, update = _single(form, "query"), _single(form, "update")
        if query is not None and update is not None:
            raise WebError("send either 'query' or 'update', not both", status=400)
        if update is not None:
            return await _answer_update(request, update)
        if query is None:
            raise WebError("the form has no 'query' (or 'update') field", status=400)
        return await _answer_query(request, query)

    return router
