"""The base IRI a store was built with, recorded in it, so an app minting under another base is refused at start.

Every IRI in an article graph is minted under one base; an app opened on that store with a different base would
mint IRIs (for entity search, links, dereferencing) that match nothing in it, silently. The base is a triple in
kgqa's ontology graph; a store built before it was recorded has it read off one of its article IRIs.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from .errors import ConfigError
from .settings import Settings
from .store import GraphStore
from .vocab import KGQA, KGQA_ONTOLOGY_GRAPH

__all__ = ["check_base_iri", "recorded_base_iri"]

log = logging.getLogger(__name__)

_BASE = str(KGQA.baseIri)
_IDENTIFIER = "http://schema.org/identifier"


def recorded_base_iri(store: GraphStore) -> str | None:
    """The base IRI recorded in ``store``, if any."""
    rows = store.select(f"SELECT ?b WHERE {{ GRAPH <{KGQA_ONTOLOGY_GRAPH}> {{ <{KGQA_ONTOLOGY_GRAPH}> <{_BASE}> ?b }} }}")
    return rows[0][0][1] if rows and rows[0][0] is not None else None


def _base_of_articles(store: GraphStore) -> str | None:
    """The base one stored article's IRI was minted under (``BASE article/ID``), or None when there is none."""
    rows = store.select(f"SELECT ?a ?id WHERE {{ GRAPH ?a {{ ?a <{_IDENTIFIER}> ?id }} }} LIMIT 1")
    if not rows or rows[0][0] is None or rows[0][1] is None:
        return None
    iri, tail = rows[0][0][1], "article/" + quote(rows[0][1][1], safe="/-._~")
    return iri[: -len(tail)] if iri.endswith(tail) else None


def check_base_iri(store: GraphStore, settings: Settings, where: str) -> None:
    """Record ``settings.base_iri`` in a store that has no base yet; refuse a store built under another one."""
    recorded = recorded_base_iri(store)
    if recorded is None:
        recorded = _base_of_articles(store) or settings.base_iri
        store.update(f'INSERT DATA {{ GRAPH <{KGQA_ONTOLOGY_GRAPH}> {{ <{KGQA_ONTOLOGY_GRAPH}> <{_BASE}> '
                     f'"{_literal(recorded)}" }} }}')
        log.info("recorded the base IRI %s in the store", recorded)
    if recorded == settings.base_iri:
        return
    why = ("KGQA_BASE_IRI is unset, so it follows the address the app serves on"
           if settings.base_iri_follows_address else "set by KGQA_BASE_IRI")
    raise ConfigError(
        f"the store in {where} was built with base IRI {recorded}, but this app would mint {settings.base_iri} "
        f"({why}); its links and entity search would match nothing stored. Serve it where it was built "
        f"(set KGQA_BASE_IRI={recorded} to keep its IRIs on any address), or set KGQA_DATA_DIR to a new folder "
        "to build a store under the new base."
    )


def _literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
