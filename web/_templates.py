"""The Jinja2 environment every HTML page of the app is rendered with (``web/templates/*.html``).

Autoescaping is on for every ``.html`` template, so a headline, a quotation or
a reader's name from an article is text on the page, never markup. The
environment is built once per router (:class:`PageTemplates`), never at
import time; after construction it is only read, which Jinja2 allows from any
number of threads at once.

>>> curie("http://schema.org/headline"), curie("http://example.org/a b")
('schema:headline', 'http://example.org/a b')
>>> http_url("javascript:alert(1)") is None, http_url(" https://example.org/a ")
(True, 'https://example.org/a')
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from kg import PREFIXES, Settings

from ._describe import RDF_FORMS
from ._links import local_path

__all__ = ["PageTemplates", "curie", "http_url"]

log = logging.getLogger(__name__)

_MACROS = ("link", "links", "sentence", "plural", "triples_table")  # defined in templates/_macros.html
_LOCAL_NAME = re.compile(r"[A-Za-z_][\w.-]*")
# Longest namespace first, so ``kgqa:`` wins over a shorter namespace it starts with.
_BY_LENGTH = tuple(sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])))


def curie(iri: str) -> str:
    """``schema:headline`` for ``http://schema.org/headline``; the IRI itself when no prefix fits."""
    for prefix, ns in _BY_LENGTH:
        if iri.startswith(ns) and _LOCAL_NAME.fullmatch(iri[len(ns):] or "-"):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def http_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) URL (never ``javascript:`` or ``data:``), else ``None``."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _blank_none(value: Any) -> Any:
    """``None`` prints as nothing (an OPTIONAL the graph did not bind), not as the word "None"."""
    return "" if value is None else value


class PageTemplates:
    """The app's page templates, with ``href(iri)`` giving the path this app serves a graph IRI at.

    Without ``settings`` (a page that links no graph IRI, like ``/sparql``'s), ``href`` links nothing.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings
        env = Environment(loader=PackageLoader("web", "templates"), autoescape=select_autoescape(["html"]),
                          undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                          finalize=_blank_none, auto_reload=False)  # shipped files: no stat per render
        env.globals["href"] = self.href
        env.globals["rdf_forms"] = RDF_FORMS
        env.filters["curie"] = curie
        # The shared macros (links, quoted sentences, the triples table) made once, for every page to call:
        # a ``{% from %}`` import in each page would rebuild them on every render.
        macros = env.get_template("_macros.html").module
        env.globals.update({name: getattr(macros, name) for name in _MACROS})
        self._env = env

    def href(self, iri: str | None) -> str | None:
        """The app-relative link for a graph IRI of this app, ``None`` for any other."""
        return local_path(iri, self.settings) if iri and self.settings is not None else None

    def render(self, name: str, **context: Any) -> str:
        """The template ``name`` rendered with ``context`` (every text in it escaped)."""
        return self._env.get_template(name).render(**context)
