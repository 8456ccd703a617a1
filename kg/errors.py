"""The one exception hierarchy of kgqa.

Every error a user can cause or meet is a :class:`KgqaError`; each carries the
HTTP status a web API should answer with, so the HTTP layer never guesses::

    KgqaError (500)
    ├── ConfigError (500)          a setting has a value kgqa cannot use
    ├── InputError (400)           an article file or record cannot be loaded
    │   ├── EmptyInput             nothing but whitespace
    │   ├── BinaryInput            not text (NUL bytes, control characters)
    │   ├── InputTooLarge          over the size limit
    │   ├── UnsupportedFormat      unknown file extension
    │   └── MalformedRecord        a JSON/JSONL record that is not an article
    ├── QueryError (400)           a SPARQL query kgqa will not run
    │   ├── QuerySyntaxError       also a :class:`SyntaxError`; message has line:column
    │   ├── ForbiddenQuery (403)   update, SERVICE, foreign FROM, ...
    │   ├── ResponseTooLarge (413) the result is over KGQA_MAX_RESPONSE_MB
    │   └── QueryTimeout (504)     stopped at the deadline
    ├── NotFound (404)             no article with that id
    └── StoreError (500)           also an :class:`OSError`; the store failed
"""

from __future__ import annotations

__all__ = [
    "KgqaError",
    "ConfigError",
    "InputError",
    "EmptyInput",
    "BinaryInput",
    "InputTooLarge",
    "UnsupportedFormat",
    "MalformedRecord",
    "QueryError",
    "QuerySyntaxError",
    "ForbiddenQuery",
    "QueryTimeout",
    "ResponseTooLarge",
    "NotFound",
    "StoreError",
]


class KgqaError(Exception):
    """Base of every error kgqa raises on purpose."""

    status: int = 500

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return self.message


class ConfigError(KgqaError):
    """A setting holds a value kgqa cannot use."""


class InputError(KgqaError):
    """An article file or record cannot be loaded; nothing of it is stored."""

    status = 400

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(f"{source}: {message}" if source else message)
        self.source = source
        self.reason = message


class EmptyInput(InputError):
    """The input holds no text."""


class BinaryInput(InputError):
    """The input is not text."""


class InputTooLarge(InputError):
    """The input is over the configured size limit."""


class UnsupportedFormat(InputError):
    """The file extension is not one kgqa reads."""


class MalformedRecord(InputError):
    """A JSON record is not valid JSON or lacks the article fields."""


class QueryError(KgqaError):
    """A SPARQL query that kgqa refuses or that fails."""

    status = 400


class QuerySyntaxError(QueryError, SyntaxError):
    """The query does not parse; the message says where."""

    def __init__(self, message: str) -> None:
        QueryError.__init__(self, message)


class ForbiddenQuery(QueryError):
    """The query asks for something kgqa never runs (update, SERVICE, ...)."""

    status = 403


class ResponseTooLarge(QueryError):
    """The query's result is larger than a response may be (``KGQA_MAX_RESPONSE_MB``); it was not sent."""

    status = 413


class QueryTimeout(QueryError):
    """The query ran past its deadline and was stopped."""

    status = 504


class NotFound(KgqaError):
    """No such article."""

    status = 404


class StoreError(KgqaError, OSError):
    """The triple store failed (disk, server, network)."""

    def __init__(self, message: str) -> None:
        KgqaError.__init__(self, message)
