"""One JSON error shape for every non-UI endpoint, with the HTTP status carried by the exception.

Every error body is::

    {"error": {"status": 400, "type": "QuerySyntaxError", "message": "SPARQL syntax error at line 1 ..."}}

``kg.KgqaError`` subclasses carry their status (bad query 400, forbidden 403,
not found 404, deadline 504, store failure 500); ``ValueError`` from bad
arguments is a 400; request validation is a 422; anything unexpected is a 500
whose details go to the log, not to the client.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg import KgqaError, QuerySyntaxError

__all__ = ["error_body", "error_response", "install_error_handlers", "WebError"]

log = logging.getLogger(__name__)


class WebError(KgqaError):
    """An error of the web layer itself (bad origin, bad token, too large a request), with its status."""

    #: Response headers the error asks for (e.g. ``WWW-Authenticate`` with a 401).
    headers: dict[str, str] = {}


def error_body(status: int, kind: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"status": status, "type": kind, "message": message, **extra}}


def error_response(status: int, kind: str, message: str, headers: dict[str, str] | None = None,
                   **extra: Any) -> JSONResponse:
    return JSONResponse(error_body(status, kind, message, **extra), status_code=status, headers=headers)


def _kgqa(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, KgqaError)
    extra = {}
    if isinstance(exc, QuerySyntaxError) and getattr(exc, "lineno", None):
        extra = {"line": exc.lineno, "column": exc.offset}
    if exc.status >= 500:
        log.error("%s on %s %s: %s", type(exc).__name__, request.method, request.url.path, exc)
    return error_response(exc.status, type(exc).__name__, str(exc), headers=getattr(exc, "headers", None) or None,
                          **extra)


def _value(request: Request, exc: Exception) -> JSONResponse:
    return error_response(400, "ValueError", str(exc))


def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
    return error_response(422, "ValidationError", problems or "invalid request")


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return error_response(exc.status_code, "HTTPError", str(exc.detail), headers=getattr(exc, "headers", None))


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, type(exc).__name__, "internal error; the server log has the details")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(KgqaError, _kgqa)
    app.add_exception_handler(ValueError, _value)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
