"""Decide, before anything runs, whether kgqa will run a SPARQL query or update.

What runs is decided by a real SPARQL parser (rdflib's, the reference Python
implementation), never by scanning the text: the query is parsed and
translated to SPARQL algebra, and the algebra is walked for what kgqa refuses:

- a query must be a read-only form (SELECT, ASK, CONSTRUCT, DESCRIBE) with no
  ``SERVICE`` anywhere, and ``FROM``/``FROM NAMED`` may only name graphs of
  this store, so nothing is ever fetched;
- an update (admin only, see :meth:`kg.KnowledgeGraph.update`) may not
  ``LOAD`` or call a ``SERVICE``; the graphs it names are reported so the
  passage index can follow.

Only text both parsers accept ever reaches the store: a construct rdflib does
not parse is a syntax error here even if Oxigraph would take it. Nesting is
capped before parsing (:data:`MAX_NESTING`) and the parse runs in a fresh
thread with a fixed recursion budget, so a query nested 50,000 levels deep is
a clear 400, never a crashed process. kgqa's standard prefixes (``schema:``,
``nif:``, ``kgqa:`` ...) need no declaration.

>>> check_query("SELECT * WHERE { ?s schema:name 'SERVICE' }", base_iri="http://x/").form
'SELECT'
>>> check_query("SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }", base_iri="http://x/")
Traceback (most recent call last):
...
kg.errors.ForbiddenQuery: SERVICE is not allowed: kgqa never lets a query call another endpoint (here <http://127.0.0.1:1/>)
>>> check_update("INSERT DATA { GRAPH <http://x/g> { <http://x/s> schema:name 'n' } }", base_iri="http://x/").graphs
frozenset({'http://x/g'})
>>> check_update("LOAD <file:///etc/passwd>", base_iri="http://x/")
Traceback (most recent call last):
...
kg.errors.ForbiddenQuery: LOAD is not allowed: kgqa never fetches remote data or reads files (here <file:///etc/passwd>)
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pyparsing import ParseBaseException
from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef, Variable

from .errors import ForbiddenQuery, QuerySyntaxError
from .sparql_text import canonical_sparql
from .vocab import KGQA_ONTOLOGY_GRAPH, PREFIXES

__all__ = ["QueryInfo", "UpdateInfo", "check_query", "check_update", "syntax_error", "engine_syntax_error",
           "MAX_QUERY_CHARS", "MAX_NESTING"]

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 200_000
#: Most brackets ``( { [`` open at once. Counted on the raw text (brackets in strings count too), so the
#: count can only over-estimate: it refuses, it never admits. The parser's own budget may be lower
#: (about 24 levels of parentheses in an expression).
MAX_NESTING = 64
_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}
_UPDATE_OPERATIONS = "INSERT, DELETE, CLEAR, DROP, CREATE, ADD, MOVE or COPY"
_T = TypeVar("_T")


@dataclass(frozen=True)
class QueryInfo:
    """What the guard learned: the query form and the prefixes it relies on."""

    form: str
    declared_prefixes: dict[str, str] = field(default_factory=dict)
    used_default_prefixes: dict[str, str] = field(default_factory=dict)
    #: The text the guard judged (:func:`kg.sparql_text.canonical_sparql` of what was sent): run this one.
    text: str = ""


@dataclass(frozen=True)
class UpdateInfo:
    """What an update may change: the graphs it names, or (``every_graph``) any graph at all."""

    graphs: frozenset[str] = frozenset()
    every_graph: bool = False
    used_default_prefixes: dict[str, str] = field(default_factory=dict)
    #: The text the guard judged (:func:`kg.sparql_text.canonical_sparql` of what was sent): run this one.
    text: str = ""


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def syntax_error(query: str, message: str, line: int, column: int) -> QuerySyntaxError:
    """A :class:`QuerySyntaxError` pointing at ``line:column`` with the line and a caret."""
    lines = query.split("\n")
    snippet = lines[line - 1] if 0 < line <= len(lines) else ""
    err = QuerySyntaxError(
        f"SPARQL syntax error at line {line}, column {column}: {message}\n  {snippet}\n  {' ' * (column - 1)}^"
    )
    err.lineno, err.offset, err.text = line, column, snippet
    return err


def _check_size(text: str, what: str) -> None:
    if not text or not text.strip():
        raise QuerySyntaxError(f"the {what} is empty")
    if len(text) > MAX_QUERY_CHARS:
        raise ForbiddenQuery(f"the {what} is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,}")
    if "\x00" in text:
        raise QuerySyntaxError(f"the {what} contains a NUL character")
    depth = deepest = 0
    for char in text:
        if char in "({[":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_NESTING:
                    raise QuerySyntaxError(f"the {what} nests brackets more than {MAX_NESTING} levels deep")
        elif char in ")}]" and depth:
            depth -= 1


#: rdflib's grammar is one module-level pyparsing object, and pyparsing is not thread-safe while a rule
#: is first used: two threads parsing at once on a fresh process left a rule broken for good (every later
#: query a TypeError). Every parse and translation in this process takes this lock. The server parses in
#: guard processes (:mod:`kg.store.guard`), one request at a time each, so the lock is never contended there.
_PARSER_LOCK = threading.Lock()


def _in_fresh_thread(work: Callable[[], _T]) -> _T:
    """Run ``work`` in a new thread: its recursion budget does not depend on how deep the caller already is."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            with _PARSER_LOCK:
                outcome.append((True, work()))
        except BaseException as exc:  # handed back to the caller as it is
            outcome.append((False, exc))

    thread = threading.Thread(target=run, name="kgqa-sparql-parse", daemon=True)
    thread.start()
    thread.join()
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


def _parse(text: str, what: str, parser: Callable[[str], Any]) -> Any:
    try:
        return _in_fresh_thread(lambda: parser(text))
    except ParseBaseException as exc:
        message = " ".join(str(exc.msg).split())
        err = syntax_error(text, message, exc.lineno, exc.col)
        err.from_parser = True  # type: ignore[attr-defined]  # Oxigraph's parser may say it better
        raise err from None
    except RecursionError:
        raise QuerySyntaxError(f"the {what} is nested too deeply to parse; use fewer levels of parentheses "
                               "or braces") from None


def _field(node: Any, name: str) -> Any:
    """A parse-tree field, or ``None`` (``CompValue.get`` answers a missing key with the key's own name)."""
    return dict.get(node, name)


def _nodes(tree: Any) -> Iterator[Any]:
    """Every value in a parse tree or algebra (depth first, without recursion: trees can be deep)."""
    stack = [tree]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, dict):
            stack.extend(dict.values(node))
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            stack.extend(node)


def _prefixes(text: str, tree: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The prefixes the text declares, and kgqa's defaults it uses undeclared (or a positioned error)."""
    declared: dict[str, str] = {}
    used: set[str] = set()
    for node in _nodes(tree):
        if isinstance(node, CompValue):
            if node.name == "PrefixDecl":
                declared[str(_field(node, "prefix") or "")] = str(_field(node, "iri"))
            elif node.name == "pname":
                used.add(str(_field(node, "prefix") or ""))
    defaults: dict[str, str] = {}
    for prefix in sorted(used - declared.keys()):
        if prefix not in PREFIXES:
            m = re.search(r"(?<![\w.-])" + re.escape(prefix) + ":", text)
            line, column = _position(text, m.start()) if m else (1, 1)
            raise syntax_error(text, f"the prefix {prefix + ':'!r} is not declared", line, column)
        defaults[prefix] = PREFIXES[prefix]
    return declared, defaults


def _translate(text: str, what: str, translate: Callable[[], _T]) -> _T:
    try:
        return _in_fresh_thread(translate)
    except RecursionError:
        raise QuerySyntaxError(f"the {what} is nested too deeply to parse") from None
    except Exception as exc:  # rdflib reports semantic errors (e.g. a bad GROUP BY) as a bare Exception
        raise QuerySyntaxError(f"SPARQL error: {' '.join(str(exc).split())[:300]}") from None


def _refuse_service(algebra: Any) -> None:
    for node in _nodes(algebra):
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            raise ForbiddenQuery(f"SERVICE is not allowed: kgqa never lets a query call another endpoint "
                                 f"(here <{_field(node, 'term')}>)")


_VERBS = {"InsertData": "INSERT", "DeleteData": "DELETE", "DeleteWhere": "DELETE", "Load": "LOAD", "Clear": "CLEAR",
          "Drop": "DROP", "Create": "CREATE", "Add": "ADD", "Move": "MOVE", "Copy": "COPY"}


def _update_verb(text: str) -> str | None:
    """The first operation's keyword if ``text`` parses as a SPARQL Update, else ``None``."""
    try:
        tree = _in_fresh_thread(lambda: parseUpdate(text))
    except (ParseBaseException, RecursionError):
        return None
    for node in _nodes(tree):
        if isinstance(node, CompValue) and node.name == "Modify":
            return "DELETE" if _field(node, "delete") else "INSERT"
        if isinstance(node, CompValue) and node.name in _VERBS:
            return _VERBS[node.name]
    return "UPDATE"


def check_query(query: str, *, base_iri: str) -> QueryInfo:
    """Raise :class:`ForbiddenQuery` or :class:`QuerySyntaxError`, or return what the query is.

    The verdict is about :attr:`QueryInfo.text`, the canonical form of ``query``; run that text, not ``query``.
    """
    _check_size(query, "query")
    query = canonical_sparql(query, "query")
    try:
        tree = _parse(query, "query", parseQuery)
    except QuerySyntaxError:
        verb = _update_verb(query)
        if verb:
            raise ForbiddenQuery(f"{verb} is not allowed: only SELECT, ASK, CONSTRUCT and DESCRIBE queries run here; "
                                 "the store is changed by `kgqa ingest`/`kgqa delete` or an admin's update") from None
        raise
    declared, defaults = _prefixes(query, tree)
    algebra = _translate(query, "query", lambda: translateQuery(tree, initNs=defaults)).algebra
    form = _FORMS.get(algebra.name)
    if form is None:  # the grammar has no other forms; kept so a future one is refused, not run
        raise QuerySyntaxError(f"expected SELECT, ASK, CONSTRUCT or DESCRIBE, found {algebra.name}")
    _refuse_service(algebra)
    for clause in _field(algebra, "datasetClause") or ():
        iri = str(_field(clause, "default") or _field(clause, "named"))
        if not (iri.startswith(base_iri) or iri == KGQA_ONTOLOGY_GRAPH):
            raise ForbiddenQuery(f"FROM <{iri}> is not allowed: FROM may only name this store's graphs (IRIs under "
                                 f"{base_iri}); kgqa never fetches remote data")
    return QueryInfo(form, declared, defaults, query)


def _update_graphs(operation: CompValue) -> tuple[set[str], bool]:
    """The graph IRIs one update operation names, and whether it may touch any graph at all."""
    graphs: set[str] = set()
    every = False
    names: list[Any] = [_field(operation, "graphiri"), _field(operation, "withClause"), *(_field(operation, "graph") or ())]
    for clause in (operation, _field(operation, "delete"), _field(operation, "insert")):
        if isinstance(clause, CompValue) and _field(clause, "quads"):
            names.extend(_field(clause, "quads").keys())
    for node in _nodes(_field(operation, "where")):  # GRAPH ?g { ... } in WHERE reads; the templates say what changes
        if isinstance(node, CompValue) and node.name == "Graph" and isinstance(_field(node, "term"), URIRef):
            graphs.add(str(node["term"]))
    for name in names:
        if isinstance(name, URIRef):
            graphs.add(str(name))
        elif isinstance(name, Variable) or name in ("ALL", "NAMED"):
            every = True
    return graphs, every


def check_update(update: str, *, base_iri: str) -> UpdateInfo:
    """Raise :class:`ForbiddenQuery` or :class:`QuerySyntaxError`, or return which graphs ``update`` names.

    ``base_iri`` is accepted for symmetry with :func:`check_query`: updates may
    name any graph of this store, and nothing is fetched either way.
    """
    del base_iri
    _check_size(update, "update")
    update = canonical_sparql(update, "update")
    tree = _parse(update, "update", parseUpdate)
    _, defaults = _prefixes(update, tree)
    operations = list(_translate(update, "update", lambda: translateUpdate(tree, initNs=defaults)).algebra)
    if not operations:
        raise QuerySyntaxError(f"the update has no {_UPDATE_OPERATIONS}")
    graphs: set[str] = set()
    every = False
    for operation in operations:
        if operation.name == "Load":
            raise ForbiddenQuery(f"LOAD is not allowed: kgqa never fetches remote data or reads files "
                                 f"(here <{_field(operation, 'iri')}>)")
        _refuse_service(operation)
        named, any_graph = _update_graphs(operation)
        graphs |= named
        every = every or any_graph
    return UpdateInfo(frozenset(graphs), every, defaults, update)


def engine_syntax_error(query: str, message: str, *, first_line_shift: int = 0) -> QuerySyntaxError:
    """Turn Oxigraph's ``error at L:C: ...`` into a positioned error; other messages pass through.

    ``first_line_shift`` is how many characters were put before the user's
    query on its first line (declarations added for a remote store).
    """
    m = re.search(r"error at (\d+):(\d+): (.*)", message, re.DOTALL)
    if not m:  # not the engine's parser speaking: its text stays in the log (it may echo what it fetched)
        log.warning("the store refused a query as malformed: %s", message[:2000])
        return QuerySyntaxError("SPARQL syntax error (the store's message is in the server log)")
    line, column = int(m.group(1)), int(m.group(2))
    if line == 1:
        column = max(1, column - first_line_shift)
    detail = " ".join(m.group(3).split())
    return syntax_error(query, detail if len(detail) <= 300 else detail[:300] + "…", line, column)
