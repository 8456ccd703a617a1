"""A query process for the embedded store: run as a script, it imports only pyoxigraph.

Why a process: pyoxigraph offers no way to cancel a running query, so the only
deadline that really stops a runaway query is ending the process that runs it.
Each worker opens a read-only snapshot (a RocksDB checkpoint) of the store, so
it never contends with the writer, and answers one request at a time over a
``multiprocessing`` connection on its stdin/stdout:

request ``{"snapshot": path, "query": str, "prefixes": {...}, "row_limit": int}``,
reply ``("ok", payload)``, ``("syntax", message)`` or ``("error", message)``.
"""

import os
import sys
from multiprocessing.connection import Connection

import pyoxigraph as ox

_NamedNode, _Literal, _BlankNode = ox.NamedNode, ox.Literal, ox.BlankNode


def _term(term):
    """A term as a plain tuple: (kind, value, lang, datatype)."""
    cls = type(term)
    if cls is _Literal:
        lang = term.language
        return ("literal", term.value, lang, None if lang else term.datatype.value)
    if cls is _NamedNode:
        return ("uri", term.value, None, None)
    if cls is _BlankNode:
        return ("bnode", term.value, None, None)
    if term is None:
        return None
    return ("triple", str(term), None, None)


def _take(items, limit, convert):
    """Up to ``limit`` converted items, and whether more were left."""
    out = []
    for item in items:
        if len(out) >= limit:
            return out, True
        out.append(convert(item))
    return out, False


def _run(store, request):
    limit = request["row_limit"]
    result = store.query(request["query"], prefixes=request["prefixes"], use_default_graph_as_union=True)
    if isinstance(result, ox.QueryBoolean):
        return {"boolean": bool(result)}
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        width = range(len(names))
        rows, truncated = _take(result, limit, lambda solution: tuple([_term(solution[i]) for i in width]))
        return {"variables": names, "rows": rows, "truncated": truncated}
    triples, truncated = _take(result, limit, lambda t: (_term(t.subject), _term(t.predicate), _term(t.object)))
    return {"triples": triples, "truncated": truncated}


def main() -> None:
    reader = Connection(os.dup(0), writable=False)
    writer = Connection(os.dup(1), readable=False)
    # Nothing else may write to the reply channel.
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    memory_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    if memory_mb > 0:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    store = None
    opened = None
    while True:
        try:
            request = reader.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        try:
            if request["snapshot"] != opened:
                store = None
                store = ox.Store.read_only(request["snapshot"])
                opened = request["snapshot"]
            reply = ("ok", _run(store, request))
        except SyntaxError as exc:
            reply = ("syntax", str(exc))
        except (OSError, ValueError, TypeError, MemoryError) as exc:
            reply = ("error", f"{type(exc).__name__}: {exc}")
        writer.send(reply)


if __name__ == "__main__":
    main()
