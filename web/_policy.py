"""The one write policy: who may add, replace and delete articles and run SPARQL Update, on every surface.

``KGQA_WRITES`` says it, the admin token (``KGQA_ADMIN_TOKEN``) unlocks it:

========  ==========================  ====================================
mode      anyone may                  the admin token also unlocks
========  ==========================  ====================================
admin     (nothing)                   add, replace, delete, SPARQL Update
add       add new articles            replace, delete, SPARQL Update
open      everything                  (nothing more)
========  ==========================  ====================================

The JSON API and ``/sparql`` read the token from ``Authorization: Bearer``;
the Articles tab asks for it in a password field. A missing token is 401, a
wrong one 403, a write no token can unlock (none is set) 403.

>>> policy = WritePolicy(mode="add", token="s3cret")
>>> policy.check("add", None)
>>> policy.check("delete", None)
Traceback (most recent call last):
...
web._policy.Unauthorized: deleting an article needs the admin token (Authorization: Bearer <token>)
>>> policy.check("delete", "s3cret")
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from typing import Literal

from kg import Settings

from ._errors import WebError

__all__ = ["WritePolicy", "Unauthorized", "Forbidden", "Action", "bearer_token"]

log = logging.getLogger(__name__)

Action = Literal["add", "replace", "delete", "update"]

_WHAT = {"add": "adding articles", "replace": "replacing a stored article", "delete": "deleting an article",
         "update": "SPARQL Update"}
_ANYONE: dict[str, frozenset[str]] = {
    "admin": frozenset(),
    "add": frozenset({"add"}),
    "open": frozenset({"add", "replace", "delete", "update"}),
}


class Unauthorized(WebError):
    """A write that needs the admin token came without one (401)."""

    status = 401
    headers = {"WWW-Authenticate": 'Bearer realm="kgqa"'}


class Forbidden(WebError):
    """A write refused: a wrong token, or none can unlock it here (403)."""

    status = 403


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or ``None``."""
    scheme, _, token = (header or "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


@dataclass(frozen=True)
class WritePolicy:
    """``KGQA_WRITES`` and ``KGQA_ADMIN_TOKEN``: decides every write, whichever surface it came through."""

    mode: str = "admin"
    token: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> WritePolicy:
        return cls(mode=settings.writes, token=settings.admin_token)

    def open_to_anyone(self, action: Action) -> bool:
        return action in _ANYONE[self.mode]

    def needs_token(self, action: Action) -> bool:
        """Whether ``action`` can only be done with the token (the UI asks for it then)."""
        return not self.open_to_anyone(action)

    def possible(self, action: Action) -> bool:
        """Whether anyone at all can do ``action`` over HTTP (no token set and not open: no one)."""
        return self.open_to_anyone(action) or self.token is not None

    def allows(self, action: Action, given: str | None) -> bool:
        """Whether :meth:`check` would pass (for choices, not for refusals)."""
        return self.open_to_anyone(action) or (
            self.token is not None and given is not None
            and hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8")))

    def check(self, action: Action, given: str | None) -> None:
        """Return if ``action`` is allowed with the token ``given`` (``None``: no token); raise otherwise."""
        if self.open_to_anyone(action):
            return
        what = _WHAT[action]
        if self.token is None:
            raise Forbidden(f"{what} is disabled on this server; its operator can allow it with KGQA_ADMIN_TOKEN "
                            "(then send `Authorization: Bearer <token>`) or KGQA_WRITES")
        if not given:
            raise Unauthorized(f"{what} needs the admin token (Authorization: Bearer <token>)")
        if not hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8")):
            log.warning("write refused (%s): wrong admin token", action)
            raise Forbidden("the admin token is not valid")
