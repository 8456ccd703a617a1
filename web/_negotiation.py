"""Content negotiation for every route that serves more than one media type (linked data, ``/sparql``).

The ``Accept`` header is parsed and matched by python-mimeparse: each offer
gets the q-value of the *most specific* media range that matches it (RFC 9110,
12.5.1), so ``*/*;q=0.1, text/turtle;q=0`` refuses Turtle while accepting
anything else. The offer with the highest q wins; ties go to the offer listed
first, so each route states its own preference by the order of its offers.
An absent or blank header accepts the first offer; a header that accepts none
of them gives ``None``, which the routes turn into a 406 in the one error shape.

>>> best_offer("text/csv;q=0.5, application/sparql-results+xml", ["application/sparql-results+json", "text/csv",
...            "application/sparql-results+xml"])
'application/sparql-results+xml'
>>> best_offer("*/*;q=0.1, text/turtle;q=0", ["text/turtle", "application/n-triples"])
'application/n-triples'
>>> best_offer("text/*", ["application/json", "text/csv"]), best_offer(None, ["text/html"])
('text/csv', 'text/html')
>>> best_offer("image/png", ["text/html"]) is None
True
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import mimeparse

__all__ = ["best_offer", "MAX_RANGES"]

log = logging.getLogger(__name__)

#: Media ranges read from one header; a longer list is cut here (no client needs more, and each costs a match).
MAX_RANGES = 64


def _parsed_ranges(accept: str) -> list[tuple[str, str, dict[str, str]]]:
    """The header's media ranges as python-mimeparse parses them; a range it cannot parse is skipped, not fatal."""
    ranges = []
    for part in accept.lower().split(",")[:MAX_RANGES]:
        if not part.strip():
            continue
        try:
            ranges.append(mimeparse.parse_media_range(part))
        except ValueError:  # MimeTypeParseException: "image" with no subtype, "a/b/c", ...
            log.debug("ignoring an unparseable media range %r", part[:80])
    return ranges


def best_offer(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer ``accept`` likes best (highest q; ties: the first offer), or ``None`` if it accepts none."""
    if not offers:
        return None
    if not accept or not accept.strip():
        return offers[0]
    ranges = _parsed_ranges(accept)
    chosen, chosen_q = None, 0.0
    for offer in offers:
        q, _fitness = mimeparse.quality_and_fitness_parsed(offer, ranges)
        if q > chosen_q:
            chosen, chosen_q = offer, q
    return chosen
