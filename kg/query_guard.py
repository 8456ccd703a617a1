"""Decide, before anything runs, whether kgqa will run a SPARQL query.

A small lexer (strings, IRIs and comments are skipped, so ``"SERVICE"`` in a
literal is fine) checks that the query is a read-only form (SELECT, ASK,
CONSTRUCT, DESCRIBE), that no ``SERVICE`` appears anywhere, that no update
keyword appears, and that ``FROM``/``FROM NAMED`` only name graphs of this
store, so nothing is ever fetched. Undeclared prefixes are reported with their
position; kgqa's standard prefixes (``schema:``, ``nif:``, ``kgqa:`` ...) need
no declaration.

>>> check_query("SELECT * WHERE { ?s schema:name 'SERVICE' }", base_iri="http://x/").form
'SELECT'
>>> check_query("SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }", base_iri="http://x/")
Traceback (most recent call last):
...
kg.errors.ForbiddenQuery: SERVICE is not allowed (line 1, column 12): kgqa never lets a query call another endpoint

Updates (admin only, see :meth:`kg.KnowledgeGraph.update`) have their own
check: SERVICE and LOAD are refused there too, and the graphs an update names
are reported so the passage index can follow:

>>> check_update("INSERT DATA { GRAPH <http://x/g> { <http://x/s> schema:name 'n' } }", base_iri="http://x/").graphs
frozenset({'http://x/g'})
>>> check_update("LOAD <file:///etc/passwd>", base_iri="http://x/")
Traceback (most recent call last):
...
kg.errors.ForbiddenQuery: LOAD is not allowed (line 1, column 1): kgqa never fetches remote data or reads files
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import ForbiddenQuery, QuerySyntaxError
from .vocab import KGQA_ONTOLOGY_GRAPH, PREFIXES

__all__ = ["QueryInfo", "UpdateInfo", "check_query", "check_update", "syntax_error", "engine_syntax_error", "MAX_QUERY_CHARS"]

MAX_QUERY_CHARS = 200_000
_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
_UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
_PN = r"[A-Za-z\u00C0-\uFFFF](?:[\w\u00B7\u00C0-\uFFFF.-]*[\w\u00B7\u00C0-\uFFFF-])?"
_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<comment>\#[^\n]*)
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    |(?P<var>[?$][\w\u00B7\u00C0-\uFFFF]+)
    |(?P<pname>(?:"""
    + _PN
    + r""")?:(?:[\w\u00C0-\uFFFF:%\\](?:[\w\u00B7\u00C0-\uFFFF.:%\\-]*[\w\u00B7\u00C0-\uFFFF:%-])?)?)
    |(?P<word>[A-Za-z_][\w]*)
    |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class QueryInfo:
    """What the guard learned: the query form and the prefixes it relies on."""

    form: str
    declared_prefixes: dict[str, str] = field(default_factory=dict)
    used_default_prefixes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class UpdateInfo:
    """What an update may change: the graphs it names, or (``every_graph``) any graph at all."""

    graphs: frozenset[str] = frozenset()
    every_graph: bool = False
    used_default_prefixes: dict[str, str] = field(default_factory=dict)


def _position(query: str, offset: int) -> tuple[int, int]:
    line = query.count("\n", 0, offset) + 1
    column = offset - (query.rfind("\n", 0, offset) + 1) + 1
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


def _tokens(text: str, what: str) -> list[tuple[str, str, int]]:
    """The significant tokens (kind, text, offset) of a query or update that passes the size checks."""
    if not text or not text.strip():
        raise QuerySyntaxError(f"the {what} is empty")
    if len(text) > MAX_QUERY_CHARS:
        raise ForbiddenQuery(f"the {what} is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,}")
    if "\x00" in text:
        raise QuerySyntaxError(f"the {what} contains a NUL character")
    tokens = [(m.lastgroup or "", m.group(), m.start()) for m in _TOKEN.finditer(text)]
    return [t for t in tokens if t[0] not in ("ws", "comment")]


def _use_prefix(text: str, tokens: list[tuple[str, str, int]], i: int, declared: dict[str, str],
                used_defaults: dict[str, str]) -> None:
    """Note a prefixed name's prefix among kgqa's defaults, or report it undeclared with its position."""
    _, name, pos = tokens[i]
    prefix = name.split(":", 1)[0]
    is_declaration = i > 0 and tokens[i - 1][1].upper() == "PREFIX"
    if is_declaration or prefix in declared:
        return
    if prefix not in PREFIXES:
        raise syntax_error(text, f"the prefix {prefix + ':'!r} is not declared", *_position(text, pos))
    used_defaults[prefix] = PREFIXES[prefix]


def check_query(query: str, *, base_iri: str) -> QueryInfo:
    """Raise :class:`ForbiddenQuery` or :class:`QuerySyntaxError`, or return what the query is."""
    tokens = _tokens(query, "query")
    declared: dict[str, str] = {}
    used_defaults: dict[str, str] = {}
    form: str | None = None
    for i, (kind, text, pos) in enumerate(tokens):
        upper = text.upper()
        if kind == "other" and text in "'\"":
            line, col = _position(query, pos)
            raise syntax_error(query, "unterminated string", line, col)
        if kind == "word":
            if upper == "SERVICE":
                line, col = _position(query, pos)
                raise ForbiddenQuery(
                    f"SERVICE is not allowed (line {line}, column {col}): kgqa never lets a query call another endpoint"
                )
            if upper in _UPDATE_WORDS:
                line, col = _position(query, pos)
                raise ForbiddenQuery(
                    f"{upper} is not allowed (line {line}, column {col}): only SELECT, ASK, CONSTRUCT and "
                    "DESCRIBE queries run here; the store is changed only through `kgqa ingest` and `kgqa delete`"
                )
            if form is None and upper in _FORMS:
                form = upper
            elif form is None and upper not in ("PREFIX", "BASE"):
                line, col = _position(query, pos)
                raise syntax_error(query, f"expected SELECT, ASK, CONSTRUCT or DESCRIBE, found {text!r}", line, col)
            if upper == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2][0] == "iri":
                declared[tokens[i + 1][1].rstrip(":")] = tokens[i + 2][1][1:-1]
            if upper == "FROM":
                _check_from(query, tokens, i, declared, base_iri)
        elif kind == "pname":
            _use_prefix(query, tokens, i, declared, used_defaults)
    if form is None:
        raise QuerySyntaxError("the query has no SELECT, ASK, CONSTRUCT or DESCRIBE")
    return QueryInfo(form, declared, used_defaults)


_UPDATE_OPERATIONS = _UPDATE_WORDS - {"LOAD"}
# After these words comes the IRI (or variable) of a graph the operation reads or writes.
_GRAPH_WORDS = frozenset({"GRAPH", "WITH", "USING", "INTO", "TO", "ADD", "MOVE", "COPY"})


def check_update(update: str, *, base_iri: str) -> UpdateInfo:
    """Raise :class:`ForbiddenQuery` or :class:`QuerySyntaxError`, or return which graphs ``update`` names.

    Only the lexical rules are checked here (no SERVICE, no LOAD, declared
    prefixes, an update operation first); the store's parser has the last word
    on syntax. ``base_iri`` is accepted for symmetry with :func:`check_query`.
    """
    del base_iri  # updates may name any graph of this store; nothing is fetched either way
    tokens = _tokens(update, "update")
    declared: dict[str, str] = {}
    used_defaults: dict[str, str] = {}
    graphs: set[str] = set()
    every = False
    expect_operation, operations, depth = True, 0, 0
    for i, (kind, text, pos) in enumerate(tokens):
        upper = text.upper()
        if kind == "other" and text in "'\"":
            raise syntax_error(update, "unterminated string", *_position(update, pos))
        if kind == "other" and text in "{}":
            depth += 1 if text == "{" else -1
        elif kind == "other" and text == ";" and depth == 0:
            expect_operation = True  # operations are separated by ';' outside any braces
        elif kind == "word":
            if upper in ("SERVICE", "LOAD"):
                line, col = _position(update, pos)
                why = ("kgqa never lets a query call another endpoint" if upper == "SERVICE"
                       else "kgqa never fetches remote data or reads files")
                raise ForbiddenQuery(f"{upper} is not allowed (line {line}, column {col}): {why}")
            if expect_operation and upper not in ("PREFIX", "BASE"):
                if upper not in _UPDATE_OPERATIONS:
                    raise syntax_error(update, f"expected an update operation (INSERT, DELETE, CLEAR, DROP, ...), "
                                               f"found {text!r}", *_position(update, pos))
                expect_operation, operations = False, operations + 1
            if upper == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2][0] == "iri":
                declared[tokens[i + 1][1].rstrip(":")] = tokens[i + 2][1][1:-1]
            after_drop = i > 0 and tokens[i - 1][1].upper() in ("CLEAR", "DROP", "SILENT")
            if upper == "ALL" or (upper == "NAMED" and after_drop):
                every = True
            if upper in _GRAPH_WORDS and i + 1 < len(tokens):
                j = i + 1
                while j + 1 < len(tokens) and tokens[j][1].upper() in ("NAMED", "SILENT"):
                    j += 1
                target_kind, target, _ = tokens[j]
                if target_kind == "iri":
                    graphs.add(target[1:-1])
                elif target_kind == "pname":
                    prefix, _, local = target.partition(":")
                    graphs.add(declared.get(prefix, PREFIXES.get(prefix, "")) + local)
                elif target_kind == "var":
                    every = True
        elif kind == "pname":
            _use_prefix(update, tokens, i, declared, used_defaults)
    if not operations:
        raise QuerySyntaxError("the update has no INSERT, DELETE, CLEAR, DROP, CREATE, ADD, MOVE or COPY")
    return UpdateInfo(frozenset(graphs), every, used_defaults)


def _check_from(query: str, tokens: list[tuple[str, str, int]], i: int, declared: dict[str, str], base: str) -> None:
    j = i + 1
    if j < len(tokens) and tokens[j][1].upper() == "NAMED":
        j += 1
    if j >= len(tokens):
        return
    kind, text, pos = tokens[j]
    if kind == "iri":
        iri = text[1:-1]
    elif kind == "pname":
        prefix, _, local = text.partition(":")
        iri = declared.get(prefix, PREFIXES.get(prefix, "")) + local
    else:
        return
    if not (iri.startswith(base) or iri == KGQA_ONTOLOGY_GRAPH):
        line, col = _position(query, pos)
        raise ForbiddenQuery(
            f"FROM <{iri}> is not allowed (line {line}, column {col}): FROM may only name this store's graphs "
            f"(IRIs under {base}); kgqa never fetches remote data"
        )


def engine_syntax_error(query: str, message: str, *, first_line_shift: int = 0) -> QuerySyntaxError:
    """Turn Oxigraph's ``error at L:C: ...`` into a positioned error; other messages pass through.

    ``first_line_shift`` is how many characters were put before the user's
    query on its first line (declarations added for a remote store).
    """
    m = re.search(r"error at (\d+):(\d+): (.*)", message, re.DOTALL)
    if not m:
        return QuerySyntaxError(f"SPARQL syntax error: {message.strip()[:500]}")
    line, column = int(m.group(1)), int(m.group(2))
    if line == 1:
        column = max(1, column - first_line_shift)
    detail = " ".join(m.group(3).split())
    return syntax_error(query, detail if len(detail) <= 300 else detail[:300] + "…", line, column)
