"""The graph's IRIs dereferenced: ``GET {base path}...`` answers with HTML for browsers, RDF for machines.

Every article and entity IRI minted under ``KGQA_BASE_IRI`` is served at its
own path (``/id/article/{id}``, ``/id/entity/{kind}/{slug}``); a sentence IRI
``/id/article/{id}#char=B,E`` opens its article with that sentence highlighted
(:mod:`web._article_page`).

Content negotiation follows ``Accept`` (or ``?format=``, for links), matched by
:func:`web._negotiation.best_offer`: ``text/html`` (the default, also for
``*/*``), ``text/turtle``, ``application/ld+json`` and ``application/n-triples``;
ties go to that order. The RDF forms hold the resource's description
(:mod:`web._describe`); at most ``KGQA_ROW_LIMIT`` triples are sent, and
``X-Kgqa-Truncated: true`` says when more exist.

The HTML pages are Jinja2 templates with autoescaping (:mod:`web._templates`):
an entity (:mod:`web._entity_page`, a summary and then ``?page=N``), an
article, or anything else. They load no font or image from anywhere; the
only scripts are the app's own interactive graph on entity pages, and the
``Content-Security-Policy`` allows no other (``script-src 'self'``, no inline
script).

>>> negotiate("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
'html'
>>> negotiate("text/turtle;q=0.9, application/ld+json"), negotiate(None), negotiate("image/png")
('jsonld', 'html', None)
"""

from __future__ import annotations

import logging
from urllib.parse import quote, unquote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kg import NotFound, Settings

from ._article_page import article_page, generic_page
from ._describe import RDF_FORMS, describe, rdf_text
from ._entity_page import MAX_PAGES, entity_page
from ._errors import WebError, error_body
from ._links import base_path, local_path
from ._negotiation import best_offer
from ._neighbourhood import is_safe_iri
from ._services import Services
from ._templates import PageTemplates

__all__ = ["linked_data_router", "negotiate", "FORMATS", "describe", "entity_page", "article_page"]

log = logging.getLogger(__name__)

#: Format name -> media type served.
FORMATS = {
    "html": "text/html; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples; charset=utf-8",
}
#: Media types accepted for each format, in kgqa's order of preference (ties go to the first).
_OFFERS = (
    ("text/html", "html"), ("application/xhtml+xml", "html"),
    ("text/turtle", "turtle"), ("application/x-turtle", "turtle"),
    ("application/ld+json", "jsonld"), ("application/json", "jsonld"),
    ("application/n-triples", "nt"), ("text/plain", "nt"),
)
_FORMAT_OF = dict(_OFFERS)
_FORMAT_NAMES = {"html": "html", "turtle": "turtle", "ttl": "turtle", "jsonld": "jsonld", "json-ld": "jsonld",
                 "json": "jsonld", "nt": "nt", "ntriples": "nt", "n-triples": "nt"}
_SECURITY_HEADERS = {
    # Scripts: only the app's own files (the interactive graph), which fetch only from the app.
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; connect-src 'self'; "
                               "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                               "base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def negotiate(accept: str | None) -> str | None:
    """The format to send for an ``Accept`` header, by q-value then kgqa's preference; ``None``: none fits."""
    media = best_offer(accept, [m for m, _ in _OFFERS])
    return _FORMAT_OF[media] if media else None


def _page_number(raw: str | None) -> int:
    """``?page=`` as a page number from 1 to ``MAX_PAGES``; anything else is a 400."""
    if raw is None:
        return 1
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or not 1 <= int(raw) <= MAX_PAGES:
        raise WebError(f"page must be a whole number from 1 to {MAX_PAGES}, not {raw[:20]!r}", status=400)
    return int(raw)


def _candidates(base: str, rest: str) -> list[str]:
    """The IRI as requested, then with its escapes normalised the way kgqa mints them.

    >>> _candidates("http://x/id/", "article/a%20b")
    ['http://x/id/article/a%20b']
    >>> _candidates("http://x/id/", "article/a+b%7E")
    ['http://x/id/article/a+b%7E', 'http://x/id/article/a%2Bb~']
    """
    normalised = quote(unquote(rest), safe="/-._~")
    return list(dict.fromkeys([base + rest, base + normalised]))


def linked_data_router(settings: Settings) -> APIRouter:
    """``GET``/``HEAD`` under the base IRI's path (``/id/``): every IRI of the graph, in HTML or RDF."""
    router = APIRouter(tags=["linked data"])
    prefix = base_path(settings)
    if not prefix.endswith("/"):
        prefix += "/"
    # A base at the site root must not swallow the UI's routes: then only the minted kinds are served.
    patterns = [prefix + "{path:path}"] if prefix != "/" else ["/article/{path:path}", "/entity/{path:path}"]

    templates = PageTemplates(settings)  # one environment per router: built once, then only read

    def dereference(request: Request, path: str, format: str | None = Query(  # noqa: A002 (the API's name)
            None, description="html, turtle, jsonld or nt; overrides the Accept header"),
            page: str | None = Query(None, description="an entity page's page, from 1 (HTML only)")) -> Response:
        services: Services = request.app.state.services
        if format is not None:
            fmt = _FORMAT_NAMES.get(format.lower())
            if fmt is None:
                raise WebError(f"unknown format {format!r}; use html, turtle, jsonld or nt", status=400)
        else:
            fmt = negotiate(request.headers.get("accept"))
            if fmt is None:
                raise WebError("none of the accepted types is served here; ask for text/html, text/turtle, "
                               "application/ld+json or application/n-triples", status=406)
        number = _page_number(page)
        # The IRI is the path as sent (percent-escapes kept), so an id like "a%20b" finds "…/article/a%20b".
        raw = (request.scope.get("raw_path") or quote(request.url.path).encode()).decode("utf-8", "replace")
        rest = raw[len(prefix):] if raw.startswith(prefix) else quote(path, safe="/-._~")
        candidates = [c for c in _candidates(settings.base_iri, rest) if is_safe_iri(c, settings.base_iri)]
        if not candidates:
            raise WebError("that path is not an IRI of this graph", status=400)
        graph = services.graph
        desc = None
        for iri in candidates:
            desc = describe(graph, iri, limit=settings.row_limit)
            if desc is not None:
                break
        headers = {"Vary": "Accept"}
        if desc is None:
            if fmt == "html":
                return HTMLResponse(templates.render("not_found.html", title="Not found", iri=candidates[0]),
                                    status_code=404, headers={**headers, **_SECURITY_HEADERS})
            body = error_body(404, NotFound.__name__, f"the graph holds nothing about {candidates[0]}")
            return JSONResponse(body, status_code=404, headers=headers)
        path_only = local_path(desc.iri, settings) or request.url.path
        headers["Link"] = ", ".join(f'<{quote(path_only, safe="/%:@-._~")}?format={form.name}>; rel="alternate"; '
                                    f'type="{form.media}"' for form in RDF_FORMS)
        if desc.truncated:
            headers["X-Kgqa-Truncated"] = "true"
        if fmt != "html":
            return Response(rdf_text(desc, fmt), media_type=FORMATS[fmt], headers=headers)
        is_entity = desc.iri.startswith(f"{settings.base_iri}entity/") and not desc.is_article
        if number > 1 and not is_entity:
            raise NotFound(f"page {number} does not exist: only entity pages have more than one page")
        if desc.is_article:
            body_html = article_page(graph, desc, templates=templates)
        elif is_entity:
            body_html = entity_page(graph, desc, page=number, templates=templates)
        else:
            body_html = generic_page(graph, desc, templates=templates)
        return HTMLResponse(body_html, headers={**headers, **_SECURITY_HEADERS})

    for pattern in patterns:
        router.add_api_route(pattern, dereference, methods=["GET", "HEAD"], summary="Dereference a graph IRI",
                             description="HTML for browsers; Turtle, JSON-LD or N-Triples by Accept or ?format=.",
                             response_class=Response)
    return router
