"""Which IRIs are this graph's own and safe to write into kgqa's SPARQL, and what kind of entity one names.

Every read that puts an IRI from a request between ``<`` and ``>`` in a query
asks :func:`is_safe_iri` first: the IRI must sit under the store's base (so a
client cannot make the app describe the rest of the web) and must hold no
character that could close the IRI and open SPARQL of its own.

>>> is_safe_iri("http://x/id/entity/person/a", "http://x/id/")
True
>>> entity_kind("http://x/id/entity/place/iran", "http://x/id/")
'place'
"""

from __future__ import annotations

import logging
import re

__all__ = ["is_safe_iri", "entity_kind", "ENTITY_KINDS", "MAX_IRI"]

log = logging.getLogger(__name__)

#: The kinds entity IRIs are minted with (``{base}entity/{kind}/...``); anything else is ``other``.
ENTITY_KINDS = ("person", "organization", "place", "group", "post", "concept")
#: Longer than any IRI kgqa mints; a longer one is refused before it reaches a query.
MAX_IRI = 2048
# What may not appear in a SPARQL IRIREF (the grammar's excluded characters), plus whitespace.
_UNSAFE = re.compile(r'[\s<>"{}|^`\\\x00-\x1f\x7f]')


def is_safe_iri(iri: str, base: str) -> bool:
    """Whether ``iri`` is one of this graph's (under ``base``) and can be written as ``<iri>`` in SPARQL.

    >>> is_safe_iri("http://x/id/entity/a> } DROP ALL #", "http://x/id/"), is_safe_iri("http://y/a", "http://x/id/")
    (False, False)
    """
    return iri.startswith(base) and len(iri) < MAX_IRI and not _UNSAFE.search(iri)


def entity_kind(iri: str, base: str) -> str:
    """The kind an entity IRI was minted with (``{base}entity/{kind}/...``), else ``other``.

    >>> entity_kind("http://x/id/entity/martian/zog", "http://x/id/"), entity_kind("http://x/id/article/a", "http://x/id/")
    ('other', 'other')
    """
    prefix = f"{base}entity/"
    if not iri.startswith(prefix):
        return "other"
    kind = iri[len(prefix):].split("/", 1)[0]
    return kind if kind in ENTITY_KINDS else "other"
