"""The interactive graph's server side: an entity's neighbourhood as JSON, and the three static files that draw it.

``GET /graph/neighbourhood.json?iri=<entity IRI>&limit=N`` answers::

    {"centre": IRI, "truncated": false,
     "nodes": [{"id": IRI, "label": "Amir Hatami", "kind": "person", "href": "/id/entity/person/amir-hatami",
                "expandable": true}, ...],
     "edges": [{"source": IRI, "target": IRI, "label": "Defense Minister", "weak": false}, ...]}

The centre is the first node. ``href`` is the app-relative page a node opens
(a quotation opens its sentence), ``expandable`` says whether the node has a
neighbourhood of its own, ``weak`` marks "named in the same sentence" edges,
which assert no fact. An IRI outside the store's base (or one that could not
be written into SPARQL) is a 400, an IRI the graph has no label for a 404,
both in the one error shape of :mod:`web._errors`.

``/static/cytoscape.min.js`` (Cytoscape.js, vendored by
``scripts/vendor_cytoscape.sh``), ``/static/kgqa-graph.js`` and
``/static/kgqa-graph.css`` are fixed routes to fixed files: no part of a path
comes from the client.

>>> node_json(Node("http://x/id/entity/place/iran", "Iran", "place", "http://x/id/entity/place/iran"),
...           lambda iri: "/id/" + iri.split("/id/", 1)[1])
{'id': 'http://x/id/entity/place/iran', 'label': 'Iran', 'kind': 'place', 'href': '/id/entity/place/iran', 'expandable': True}
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import MappingProxyType
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from kg import NotFound

from ._errors import WebError
from ._iri_guard import MAX_IRI, is_safe_iri
from ._links import local_path
from ._neighbourhood import DEFAULT_LIMIT, Edge, Neighbourhood, Node, neighbourhood
from ._services import Services
from ._static_asset import StaticAsset

__all__ = ["graph_router", "neighbourhood_json", "node_json", "MAX_LIMIT", "NEIGHBOURHOOD_PATH", "STATIC_FILES"]

log = logging.getLogger(__name__)

#: Most neighbours one request may ask for: each one costs label look-ups, and the picture stays readable.
MAX_LIMIT = 60
NEIGHBOURHOOD_PATH = "/graph/neighbourhood.json"
#: URL path -> (file in web/static, media type): the only files these routes serve.
STATIC_FILES = MappingProxyType({
    "/static/cytoscape.min.js": ("cytoscape.min.js", "application/javascript; charset=utf-8"),
    "/static/kgqa-graph.js": ("kgqa-graph.js", "application/javascript; charset=utf-8"),
    "/static/kgqa-graph.css": ("kgqa-graph.css", "text/css; charset=utf-8"),
})


def node_json(node: Node, link: Callable[[str], str | None]) -> dict[str, Any]:
    """One node as the graph script reads it; ``link`` maps an IRI to the app path it is served at."""
    return {"id": node.iri, "label": node.label, "kind": node.kind, "href": link(node.link or node.iri),
            "expandable": node.expandable}


def _edge_json(edge: Edge) -> dict[str, Any]:
    return {"source": edge.source, "target": edge.target, "label": edge.label, "weak": edge.weak}


def neighbourhood_json(hood: Neighbourhood, link: Callable[[str], str | None]) -> dict[str, Any]:
    """The whole answer of ``/graph/neighbourhood.json``: the centre first among the nodes."""
    return {"centre": hood.centre.iri, "truncated": hood.truncated,
            "nodes": [node_json(n, link) for n in (hood.centre, *hood.nodes)],
            "edges": [_edge_json(e) for e in hood.edges]}


def _services(request: Request) -> Services:
    return request.app.state.services


def graph_router() -> APIRouter:
    """``/graph/neighbourhood.json`` and the graph's three static files."""
    router = APIRouter(tags=["graph"])

    @router.get(NEIGHBOURHOOD_PATH, summary="An entity's neighbourhood, for the interactive graph")
    async def neighbourhood_of(
        request: Request,
        iri: Annotated[str, Query(description="The entity's IRI (under the store's base IRI).",
                                  max_length=MAX_IRI)],
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Most neighbours to return.")] = DEFAULT_LIMIT,
    ) -> JSONResponse:
        services = _services(request)
        settings = services.settings
        if not is_safe_iri(iri, settings.base_iri):
            raise WebError(f"not an IRI of this graph: it must start with {settings.base_iri}", status=400)
        hood = await run_in_threadpool(neighbourhood, services.graph, iri, limit=limit)
        if hood is None:
            raise NotFound(f"the graph has no entity {iri}")
        # The graph changes when articles are added: browsers revalidate rather than reuse a stale picture.
        return JSONResponse(neighbourhood_json(hood, lambda i: local_path(i, settings)),
                            headers={"Cache-Control": "no-cache"})

    for path, (name, media_type) in STATIC_FILES.items():
        router.add_api_route(path, _static_route(StaticAsset.load(name, media_type)), methods=["GET"],
                             include_in_schema=False)
    return router


def _static_route(asset: StaticAsset) -> Callable[[Request], Any]:
    async def serve(request: Request) -> Response:
        return asset.response(request)

    return serve
