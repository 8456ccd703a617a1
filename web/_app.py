"""Builds the one ASGI app: FastAPI routes first, the Gradio UI mounted at ``/`` last."""

from __future__ import annotations

import gradio as gr
from fastapi import FastAPI
from starlette.middleware.trustedhost import TrustedHostMiddleware

from ._api import api_router
from ._errors import install_error_handlers
from ._gradio_guard import GradioGuardMiddleware
from ._graph_api import graph_router
from ._head import HeadAsGetMiddleware
from ._linked_data import linked_data_router
from ._limits import BodyLimitMiddleware
from ._origins import OriginMiddleware, OriginPolicy, allowed_hosts
from ._services import Services
from ._sparql import sparql_router
from ._widget import widget_router
from .ui import CSS, build_blocks, theme

__all__ = ["create_app"]


def create_app(services: Services) -> FastAPI:
    """The app for ``services``; its ``state.services`` is what every route uses."""
    import kg

    app = FastAPI(
        title="kgqa",
        version=kg.__version__,
        description="Questions over news articles, answered with cited sentences; SPARQL over the facts. "
        "Errors: `{\"error\": {\"status\", \"type\", \"message\"}}`.",
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.services = services
    install_error_handlers(app)
    app.include_router(api_router())
    app.include_router(sparql_router())
    app.include_router(widget_router())
    app.include_router(graph_router())
    app.include_router(linked_data_router(services.settings))
    blocks = build_blocks(services)
    app = gr.mount_gradio_app(app, blocks, path="/", theme=theme(), css=CSS, footer_links=["api"], show_error=True,
                              max_file_size=int(services.max_upload_bytes), ssr_mode=False,
                              blocked_paths=[str(services.settings.data_dir.resolve())])
    # Gradio checks that an event's file paths are its own uploads only for apps it launch()ed; a mounted app
    # must say it is live, or any client could name any server path (the Articles tab checks too).
    blocks.has_launched = True
    # Added last = runs first: a wrong Host is refused before anything, then a foreign Origin, then HEAD becomes
    # GET, then a big body, then what Gradio must not be handed (a URL to fetch, an upload the write policy
    # forbids): the guards after the HEAD rewrite judge the GET that will run.
    app.add_middleware(GradioGuardMiddleware, policy=services.policy)
    app.add_middleware(BodyLimitMiddleware, settings=services.settings)
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(OriginMiddleware, policy=OriginPolicy.from_settings(services.settings))
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts(services.settings)))
    return app
