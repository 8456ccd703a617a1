"""A SPARQL guard process: :mod:`kg.query_guard` on one request at a time, off the network, memory capped.

Run as ``python -m kg._guard_worker MEMORY_MB`` by :class:`kg.sparql_guard.SparqlGuard`, which ends it at
the request's deadline (a parse can take as long as it likes in here; nobody else waits on it).

request ``{"kind": "query" | "update", "text": str, "base_iri": str}``; reply ``("ok", QueryInfo |
UpdateInfo)``, ``("syntax", {message, line, column, snippet, from_parser})``, ``("forbidden", message)`` or
``("error", message)``.
"""

from __future__ import annotations

import sys
from typing import Any

from kg.errors import ForbiddenQuery, KgqaError, QuerySyntaxError
from kg.query_guard import check_query, check_update
from kg.store._query_worker import serve


def handle(request: dict[str, Any]) -> tuple[str, Any]:
    check = check_update if request["kind"] == "update" else check_query
    try:
        return "ok", check(request["text"], base_iri=request["base_iri"])
    except QuerySyntaxError as exc:
        return "syntax", {"message": exc.message, "line": getattr(exc, "lineno", None),
                          "column": getattr(exc, "offset", None), "snippet": getattr(exc, "text", None),
                          "from_parser": bool(getattr(exc, "from_parser", False))}
    except ForbiddenQuery as exc:
        return "forbidden", exc.message
    except KgqaError as exc:
        return "error", exc.message
    except (RecursionError, MemoryError) as exc:
        return "error", f"the {request['kind']} is too large or too deeply nested to check ({type(exc).__name__})"


if __name__ == "__main__":
    serve(handle, int(sys.argv[1]) if len(sys.argv) > 1 else 0)
