"""kgqa's web app: the Gradio UI, the JSON API, the SPARQL endpoint, the widget and the graph's IRIs, on one port.

Public API::

    from kg import Settings
    from web import Services, create_app, serve
    services = Services(Settings())          # opens the library; ingests the shipped articles if empty
    serve(create_app(services), "127.0.0.1", 7860)

Routes: ``/`` (UI), ``/api/...`` (JSON, OpenAPI at ``/docs``), ``/sparql``
(SPARQL 1.1 Protocol), ``/widget.js`` (embeddable chat), and the IRIs under
``KGQA_BASE_IRI``'s path (``/id/...``).
"""

from ._app import create_app
from ._server import ServerThread, serve
from ._services import Services

__all__ = ["create_app", "serve", "ServerThread", "Services"]
