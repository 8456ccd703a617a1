"""The one SPARQL text kgqa both guards and runs.

Two parsers read every query and update: rdflib's, which the guard
(:mod:`kg.query_guard`) walks, and the engine's (Oxigraph in the query
processes, or whatever server ``KGQA_STORE_URL`` names). Where they read the
same characters differently, the guard approves one request and the engine
runs another. Two such disagreements were found and used to smuggle
``SERVICE`` and ``LOAD`` past the guard:

- line ends: Oxigraph ends a ``#`` comment at a bare carriage return, rdflib
  only at a line feed, so ``# x\\rSERVICE <…> {…}`` was a comment to the guard
  and a federated call to the engine;
- codepoint escapes: SPARQL 1.1 (§19.2) expands ``\\uXXXX`` and
  ``\\UXXXXXXXX`` anywhere, before parsing; rdflib does so (leniently: ``\\u``
  with eight digits, ``\\U`` with four), Oxigraph only inside IRIs and strings,
  so ``\\u000A`` ended a comment for one and not the other.

:func:`canonical_sparql` removes both differences before either parser sees
the text: it expands the escapes exactly as the grammar defines them and makes
every line end a line feed, then refuses text that still holds an escape (one
spelled through ``\\u005C``, a backslash) or a NUL. Both parsers get the result,
which holds no escape and no carriage return, so the guard judges the very
text the engine runs. ``tests/test_parser_differential.py`` feeds both
parsers a corpus of comment, escape and whitespace cases and fails on any
disagreement about what runs.

>>> canonical_sparql("SELECT * { ?s ?p ?o } # a\\rb", "query")
'SELECT * { ?s ?p ?o } # a\\nb'
>>> canonical_sparql(r"ASK { ?s ?p '\\u00e9' }", "query")
"ASK { ?s ?p 'é' }"
>>> canonical_sparql(r"ASK { ?s ?p '\\u005Cu0041' }", "query")
Traceback (most recent call last):
...
kg.errors.QuerySyntaxError: the query spells an escape sequence through another one (\\u005C is a backslash) at line 1, column 14; write the character itself
"""

from __future__ import annotations

import re

from .errors import QuerySyntaxError

__all__ = ["canonical_sparql"]

#: The grammar's codepoint escapes: exactly four hex digits after ``\u``, eight after ``\U``.
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")
#: What rdflib would still expand (its pattern): must not be left in a canonical text.
_RDFLIB_ESCAPE = re.compile(r"\\u[0-9a-f]{4}", re.IGNORECASE)


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def canonical_sparql(text: str, what: str = "query") -> str:
    """``text`` with SPARQL's codepoint escapes expanded and every line end a ``\\n``.

    Raises :class:`~kg.errors.QuerySyntaxError` for an escape of a code point
    that is no character (a surrogate, or past U+10FFFF), for an escape left
    after expansion, and for a NUL anywhere.
    """

    def expand(match: re.Match[str]) -> str:
        point = int(match.group(1) or match.group(2), 16)
        if point > 0x10FFFF or 0xD800 <= point <= 0xDFFF:
            raise QuerySyntaxError(f"the {what} escapes U+{point:04X}, which is not a character "
                                   f"({_position(text, match.start())})")
        return chr(point)

    expanded = _ESCAPE.sub(expand, text)
    canonical = expanded.replace("\r\n", "\n").replace("\r", "\n")
    left = _RDFLIB_ESCAPE.search(canonical)
    if left:
        raise QuerySyntaxError(f"the {what} spells an escape sequence through another one (\\u005C is a "
                               f"backslash) at {_position(canonical, left.start())}; write the character itself")
    nul = canonical.find("\x00")
    if nul >= 0:
        raise QuerySyntaxError(f"the {what} contains a NUL character ({_position(canonical, nul)})")
    return canonical
