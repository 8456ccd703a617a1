"""A query process for the embedded store: run as a script, it imports only pyoxigraph (and pyseccomp).

Why a process: pyoxigraph offers no way to cancel a running query, so the only
deadline that really stops a runaway query is ending the process that runs it.
Each worker opens a read-only snapshot (a RocksDB checkpoint) of the store, so
it never contends with the writer, and answers one request at a time over a
``multiprocessing`` connection on its stdin/stdout.

Defence in depth: before reading any request the process forbids itself every
network socket (a seccomp filter: ``socket()`` for IPv4, IPv6, netlink and raw
packets fails with EACCES), so even a query that slipped past the guard cannot
make Oxigraph federate (``SERVICE``) or fetch anything. Its memory is capped.

request ``{"snapshot": path | None, "query": str, "prefixes": {...}, "row_limit": int, "max_bytes": int,
"update": bool}``; ``snapshot`` ``None`` runs the text on an empty in-memory
store, which is how kgqa gets Oxigraph's positioned syntax errors without
running anything on real data. Reply ``("ok", payload)``, ``("syntax", message)``,
``("too_large", bytes)`` or ``("error", message)``.
"""

import errno
import os
import socket
import sys
from multiprocessing.connection import Connection

import pyoxigraph as ox

_NamedNode, _Literal, _BlankNode = ox.NamedNode, ox.Literal, ox.BlankNode
_NETWORK_FAMILIES = ("AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET")


class _TooLarge(Exception):
    """The result grew past the byte cap."""


def forbid_network() -> str:
    """Make ``socket()`` fail for every network family in this process; returns what was done."""
    try:
        import pyseccomp as seccomp

        sandbox = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        for name in _NETWORK_FAMILIES:
            sandbox.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.EQ, getattr(socket, name)))
        sandbox.load()
    except (ImportError, OSError, RuntimeError, AttributeError) as exc:
        # No seccomp here (not Linux, or no libseccomp): the parser guard alone stops SERVICE and LOAD.
        return f"unsandboxed ({type(exc).__name__}: {exc})"
    return "network sockets forbidden"


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


def _size(row):
    """Roughly the bytes a converted row costs to send (its strings, plus a little per term)."""
    total = 0
    for term in row:
        if term is not None:
            total += 16 + len(term[1]) + (len(term[3]) if term[3] else 0)
    return total


def _take(items, limit, max_bytes, convert):
    """Up to ``limit`` converted items and whether more were left; :class:`_TooLarge` past ``max_bytes``."""
    out = []
    spent = 0
    for item in items:
        if len(out) >= limit:
            return out, True
        row = convert(item)
        spent += _size(row)
        if spent > max_bytes:
            raise _TooLarge(spent)
        out.append(row)
    return out, False


def _run(store, request):
    if request.get("update"):
        store.update(request["query"])
        return {}
    limit, max_bytes = request["row_limit"], request.get("max_bytes", 1 << 62)
    result = store.query(request["query"], prefixes=request["prefixes"], use_default_graph_as_union=True)
    if isinstance(result, ox.QueryBoolean):
        return {"boolean": bool(result)}
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        width = range(len(names))
        rows, truncated = _take(result, limit, max_bytes, lambda solution: tuple([_term(solution[i]) for i in width]))
        return {"variables": names, "rows": rows, "truncated": truncated}
    triples, truncated = _take(result, limit, max_bytes,
                               lambda t: (_term(t.subject), _term(t.predicate), _term(t.object)))
    return {"triples": triples, "truncated": truncated}


def serve(handle, memory_mb: int) -> None:
    """Answer requests from stdin on stdout with ``handle(request) -> (status, payload)`` until told to stop.

    The first message is always ``("ready", <what the sandbox did>)``; every later one is a reply. Also
    used by the SPARQL guard's processes (:mod:`kg._guard_worker`).
    """
    reader = Connection(os.dup(0), writable=False)
    writer = Connection(os.dup(1), readable=False)
    # Nothing else may write to the reply channel.
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    if memory_mb > 0:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    writer.send(("ready", forbid_network()))
    while True:
        try:
            request = reader.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        writer.send(handle(request))


class _Stores:
    """The snapshot this process has open (one at a time), and how to answer a request on it."""

    def __init__(self):
        self.store = None
        self.opened = None

    def handle(self, request):
        try:
            if request["snapshot"] is None:
                target = ox.Store()  # empty and in memory: only the parser's verdict matters
            else:
                if request["snapshot"] != self.opened:
                    self.store = None
                    self.store = ox.Store.read_only(request["snapshot"])
                    self.opened = request["snapshot"]
                target = self.store
            return ("ok", _run(target, request))
        except SyntaxError as exc:
            return ("syntax", str(exc))
        except _TooLarge as exc:
            return ("too_large", exc.args[0])
        except (OSError, ValueError, TypeError, MemoryError, RuntimeError) as exc:
            return ("error", f"{type(exc).__name__}: {exc}")


def main() -> None:
    serve(_Stores().handle, int(sys.argv[1]) if len(sys.argv) > 1 else 0)


if __name__ == "__main__":
    main()
